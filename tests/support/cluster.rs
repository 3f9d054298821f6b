//! A private, throwaway PostgreSQL cluster for tests that need server-side
//! faults (restart, crash) or real password authentication. The shared
//! server on 5432 is never touched: each `PrivateCluster` is its own
//! `initdb` in a temporary directory, listening on 127.0.0.1 on a free port
//! and on a Unix socket inside that directory.
//!
//! When the tests run as root, `initdb`/`pg_ctl` run as the `postgres` OS
//! user (`runuser -u postgres --`), since PostgreSQL refuses to run as root.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The superuser's password when the cluster uses password authentication.
pub const ADMIN_PASSWORD: &str = "postgres-admin-secret";

pub struct PrivateCluster {
    /// TCP port on 127.0.0.1.
    pub port: u16,
    /// The authentication method for host 127.0.0.1/32.
    pub auth: String,
    /// The temporary directory (data dir `data/`, the Unix socket, the log).
    pub dir: PathBuf,
    bindir: PathBuf,
    as_postgres: bool,
    // Dropped last: removes the directory.
    _tmp: tempfile::TempDir,
}

/// Percent-encodes everything but unreserved characters (RFC 3986), for
/// user names and passwords in URLs.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn find_bindir() -> PathBuf {
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
        if out.status.success() {
            let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
            if dir.join("initdb").is_file() && dir.join("pg_ctl").is_file() {
                return dir;
            }
        }
    }
    let fallback = PathBuf::from("/usr/lib/postgresql/15/bin");
    if fallback.join("initdb").is_file() && fallback.join("pg_ctl").is_file() {
        return fallback;
    }
    panic!(
        "PrivateCluster needs PostgreSQL's initdb and pg_ctl, found neither via \
         `pg_config --bindir` nor in {}; install the PostgreSQL server package",
        fallback.display()
    );
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn free_port() -> u16 {
    let listener =
        std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0 to find a free port");
    listener.local_addr().expect("local address").port()
}

impl PrivateCluster {
    /// initdb into a fresh temporary directory, `auth` ("trust",
    /// "scram-sha-256" or "md5") for host 127.0.0.1/32, trust on the local
    /// socket; superuser `postgres` with password [`ADMIN_PASSWORD`] unless
    /// `auth` is "trust"; started with `pg_ctl -w`.
    pub fn start(auth: &str) -> PrivateCluster {
        assert!(
            matches!(auth, "trust" | "scram-sha-256" | "md5"),
            "PrivateCluster::start: unsupported auth method {auth:?}"
        );
        let bindir = find_bindir();
        let as_postgres = is_root();
        let tmp = tempfile::Builder::new()
            .prefix("strata-pgcluster-")
            .tempdir()
            .expect("create a temporary directory for the private cluster");
        let dir = tmp.path().to_path_buf();
        let pwfile = dir.join("pwfile");
        std::fs::write(&pwfile, format!("{ADMIN_PASSWORD}\n")).expect("write pwfile");
        if as_postgres {
            let status = Command::new("chown")
                .arg("-R")
                .arg("postgres:postgres")
                .arg(&dir)
                .status()
                .expect("run chown");
            assert!(status.success(), "chown of {} failed", dir.display());
        }
        let mut cluster = PrivateCluster {
            port: 0,
            auth: auth.to_string(),
            dir: dir.clone(),
            bindir,
            as_postgres,
            _tmp: tmp,
        };
        let data = dir.join("data");
        let mut initdb = vec![
            "-D".to_string(),
            data.display().to_string(),
            "-U".to_string(),
            "postgres".to_string(),
            "--no-sync".to_string(),
            "-E".to_string(),
            "UTF8".to_string(),
            "--locale=C".to_string(),
            "--auth-local=trust".to_string(),
            format!("--auth-host={auth}"),
        ];
        if auth != "trust" {
            initdb.push(format!("--pwfile={}", pwfile.display()));
        }
        let out = cluster.run_tool("initdb", &initdb);
        assert!(
            out.status.success(),
            "initdb failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let _ = std::fs::remove_file(&pwfile);
        // Exactly the rules we want: trust on the socket, `auth` on 127.0.0.1.
        let hba = format!("local all all trust\nhost all all 127.0.0.1/32 {auth}\n");
        cluster.write_owned(&data.join("pg_hba.conf"), &hba);
        let password_encryption = if auth == "md5" {
            "md5"
        } else {
            "scram-sha-256"
        };
        let conf_path = data.join("postgresql.conf");
        let mut conf = std::fs::read_to_string(&conf_path).expect("read postgresql.conf");
        conf.push_str(&format!(
            "\n# strata tests: private cluster\nlisten_addresses = '127.0.0.1'\n\
             unix_socket_directories = '{}'\nfsync = off\nsynchronous_commit = off\n\
             full_page_writes = off\nmax_connections = 40\nshared_buffers = 16MB\n\
             password_encryption = '{password_encryption}'\n",
            dir.display()
        ));
        cluster.write_owned(&conf_path, &conf);
        // A free port can be taken between probing and binding: retry.
        let mut last_error = String::new();
        for _ in 0..5 {
            let port = free_port();
            cluster.write_owned(
                &data.join("postgresql.auto.conf"),
                &format!("port = {port}\n"),
            );
            cluster.port = port;
            let out = cluster.pg_ctl(&["start", "-w", "-t", "60"]);
            if out.status.success() {
                return cluster;
            }
            last_error = format!(
                "{}{}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr),
                std::fs::read_to_string(dir.join("log")).unwrap_or_default()
            );
        }
        panic!("pg_ctl start of the private cluster failed: {last_error}");
    }

    /// `postgres://user[:password]@127.0.0.1:PORT/db`, user and password
    /// percent-encoded.
    pub fn url(&self, user: &str, password: Option<&str>, db: &str) -> String {
        let userinfo = match password {
            Some(pw) => format!("{}:{}", percent_encode(user), percent_encode(pw)),
            None => percent_encode(user),
        };
        format!(
            "postgres://{userinfo}@127.0.0.1:{}/{}",
            self.port,
            percent_encode(db)
        )
    }

    /// The superuser's URL to database `postgres` (with its password unless
    /// the cluster uses trust).
    pub fn admin_url(&self) -> String {
        let password = (self.auth != "trust").then_some(ADMIN_PASSWORD);
        self.url("postgres", password, "postgres")
    }

    /// The superuser's URL over the cluster's Unix socket (trust).
    pub fn socket_url(&self, db: &str) -> String {
        format!(
            "postgres://postgres@{}:{}/{}",
            percent_encode(&self.dir.display().to_string()),
            self.port,
            percent_encode(db)
        )
    }

    /// Runs SQL as the superuser over the Unix socket with psql; returns
    /// psql's stderr on failure.
    pub fn psql(&self, db: &str, sql: &str) -> Result<String, String> {
        let out = Command::new(self.bindir.join("psql"))
            .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"])
            .arg("-h")
            .arg(&self.dir)
            .arg("-p")
            .arg(self.port.to_string())
            .args(["-U", "postgres", "-d", db, "-c", sql])
            .output()
            .map_err(|e| format!("cannot run psql: {e}"))?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    }

    /// `pg_ctl restart -m fast -w`.
    pub fn restart(&self) {
        let out = self.pg_ctl(&["restart", "-m", "fast", "-w", "-t", "60"]);
        assert!(
            out.status.success(),
            "pg_ctl restart failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// `pg_ctl stop -m immediate` (a crash, as far as clients can tell).
    pub fn stop_immediate(&self) {
        let out = self.pg_ctl(&["stop", "-m", "immediate", "-w", "-t", "60"]);
        assert!(
            out.status.success(),
            "pg_ctl stop -m immediate failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// `pg_ctl start -w` after a stop.
    pub fn start_again(&self) {
        let out = self.pg_ctl(&["start", "-w", "-t", "60"]);
        assert!(
            out.status.success(),
            "pg_ctl start failed: {}{}",
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(self.dir.join("log")).unwrap_or_default()
        );
    }

    /// Turns TLS on: the server's certificate and key, the CA that client
    /// certificates must chain to, and `hba` as the whole of pg_hba.conf
    /// (e.g. `hostssl … cert`, `hostnossl … reject`); then restarts.
    pub fn enable_tls(&self, cert: &Path, key: &Path, ca: &Path, hba: &str) {
        let data = self.dir.join("data");
        for (from, name) in [(cert, "server.crt"), (key, "server.key"), (ca, "root.crt")] {
            let text = std::fs::read_to_string(from)
                .unwrap_or_else(|e| panic!("read {}: {e}", from.display()));
            let to = data.join(name);
            self.write_owned(&to, &text);
            // The server refuses a key others may read.
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&to, std::fs::Permissions::from_mode(0o600))
                .unwrap_or_else(|e| panic!("chmod {}: {e}", to.display()));
        }
        let conf_path = data.join("postgresql.conf");
        let mut conf = std::fs::read_to_string(&conf_path).expect("read postgresql.conf");
        conf.push_str(
            "\n# strata tests: TLS\nssl = on\nssl_cert_file = 'server.crt'\n\
             ssl_key_file = 'server.key'\nssl_ca_file = 'root.crt'\n",
        );
        self.write_owned(&conf_path, &conf);
        self.write_owned(&data.join("pg_hba.conf"), hba);
        self.restart();
    }

    /// The server log (everything since `start`).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("log")).unwrap_or_default()
    }

    fn pg_ctl(&self, args: &[&str]) -> Output {
        let mut all = vec![
            "-D".to_string(),
            self.dir.join("data").display().to_string(),
            "-l".to_string(),
            self.dir.join("log").display().to_string(),
        ];
        all.extend(args.iter().map(|s| s.to_string()));
        self.run_tool("pg_ctl", &all)
    }

    fn run_tool(&self, tool: &str, args: &[String]) -> Output {
        let program = self.bindir.join(tool);
        let mut command = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&program);
            c
        } else {
            Command::new(&program)
        };
        command
            .args(args)
            .current_dir(&self.dir)
            .env_remove("PGPASSWORD")
            .env_remove("PGPASSFILE")
            .env_remove("PGDATA")
            .env_remove("PGPORT");
        command
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", program.display()))
    }

    /// Writes a file in the cluster directory, owned by the server's user.
    fn write_owned(&self, path: &Path, text: &str) {
        std::fs::write(path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        if self.as_postgres {
            let _ = Command::new("chown")
                .arg("postgres:postgres")
                .arg(path)
                .status();
        }
    }
}

impl Drop for PrivateCluster {
    fn drop(&mut self) {
        if self.port != 0 {
            let _ = self.pg_ctl(&["stop", "-m", "immediate", "-w", "-t", "30"]);
        }
        // `_tmp` removes the directory when it is dropped after this.
    }
}
