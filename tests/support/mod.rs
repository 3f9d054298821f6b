//! Live-database test harness: throwaway databases and psql as the oracle.
//!
//! Tests that need the server FAIL (never skip) when it cannot be reached;
//! point `DATABASE_URL` (a `postgres://` URL to an admin database) at
//! another server to run them elsewhere.
#![allow(dead_code)]

pub mod cluster;
pub mod judge;
pub mod kinds;
pub mod literal_oracle;
pub mod reference;
pub mod wire;

use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use tokio_postgres::{Client, NoTls};

const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// The admin connection URL: `DATABASE_URL`, or the local server.
pub fn database_url() -> String {
    match std::env::var("DATABASE_URL") {
        Ok(url) if !url.trim().is_empty() => url,
        _ => DEFAULT_URL.to_string(),
    }
}

/// `url` with its database replaced by `database` (URL form only).
pub fn url_with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.find('?') {
        Some(i) => url.split_at(i),
        None => (url, ""),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[authority_start..]
        .find('/')
        .map_or(base.len(), |i| authority_start + i);
    format!("{}/{}{}", &base[..path_start], database, query)
}

/// `host:port/dbname` of a URL, for messages (never the password).
pub fn describe_url(url: &str) -> String {
    match url.parse::<tokio_postgres::Config>() {
        Ok(config) => {
            let host = match config.get_hosts().first() {
                Some(tokio_postgres::config::Host::Tcp(h)) => h.clone(),
                #[cfg(unix)]
                Some(tokio_postgres::config::Host::Unix(p)) => p.display().to_string(),
                None => "localhost".to_string(),
            };
            let port = config.get_ports().first().copied().unwrap_or(5432);
            format!("{host}:{port}/{}", config.get_dbname().unwrap_or(""))
        }
        Err(_) => "<unparsable DATABASE_URL>".to_string(),
    }
}

/// `host:port` of `DATABASE_URL` (the server every test uses).
pub fn server_address() -> String {
    let d = describe_url(&database_url());
    d.rsplit_once('/').map(|(a, _)| a.to_string()).unwrap_or(d)
}

/// Connects to `url`, spawning the connection task on the current runtime.
/// Panics (failing the test) with a clear message when the server cannot
/// be reached.
pub async fn connect(url: &str) -> Client {
    match tokio_postgres::connect(url, NoTls).await {
        Ok((client, connection)) => {
            tokio::spawn(async move {
                let _ = connection.await;
            });
            client
        }
        Err(e) => panic!(
            "this test needs PostgreSQL, but cannot connect to {} ({e}). \
             Start the server or set DATABASE_URL.",
            describe_url(url)
        ),
    }
}

/// Runs SQL on the admin database from any context (inside or outside a
/// runtime, including `Drop`): a thread with its own runtime.
pub fn admin_execute_blocking(sql: &str) -> Result<(), String> {
    let url = database_url();
    let sql = sql.to_string();
    let worker = std::thread::spawn(move || -> Result<(), String> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        runtime.block_on(async {
            let (client, connection) = tokio_postgres::connect(&url, NoTls)
                .await
                .map_err(|e| format!("cannot connect to {}: {e}", describe_url(&url)))?;
            let task = tokio::spawn(async move {
                let _ = connection.await;
            });
            let result = client
                .batch_execute(&sql)
                .await
                .map_err(|e| match e.as_db_error() {
                    Some(db) => db.to_string(),
                    None => e.to_string(),
                });
            drop(client);
            let _ = task.await;
            result
        })
    });
    worker
        .join()
        .unwrap_or_else(|_| Err("admin worker thread panicked".to_string()))
}

/// Quotes an identifier for SQL text.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A unique, lower-case name: prefix, process id, counter and clock.
pub fn unique_name(prefix: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let prefix: String = prefix
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .take(30)
        .collect();
    format!("{prefix}_{}_{n}_{nanos}", std::process::id())
}

/// A database created for one test and dropped (`WITH (FORCE)`) when the
/// value is dropped.
pub struct TestDb {
    pub name: String,
    pub url: String,
}

impl TestDb {
    pub async fn create(prefix: &str) -> TestDb {
        let admin_url = database_url();
        let admin = connect(&admin_url).await;
        let name = unique_name(prefix);
        if let Err(e) = admin
            .batch_execute(&format!("CREATE DATABASE {}", quote_ident(&name)))
            .await
        {
            panic!(
                "cannot create test database {name} on {}: {}",
                describe_url(&admin_url),
                e.as_db_error()
                    .map_or_else(|| e.to_string(), |d| d.to_string())
            );
        }
        let url = url_with_database(&admin_url, &name);
        TestDb { name, url }
    }

    pub async fn client(&self) -> Client {
        connect(&self.url).await
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let sql = format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            quote_ident(&self.name)
        );
        if let Err(e) = admin_execute_blocking(&sql) {
            eprintln!("warning: could not drop test database {}: {e}", self.name);
        }
    }
}

/// Applies a SQL file with psql (the independent oracle):
/// `psql -X -q -v ON_ERROR_STOP=1 [--single-transaction] -d URL -f FILE`.
/// Returns psql's stderr on failure.
pub fn psql_apply(url: &str, file: &Path, single_transaction: bool) -> Result<(), String> {
    let mut command = Command::new("psql");
    command.args(["-X", "-q", "-v", "ON_ERROR_STOP=1"]);
    if single_transaction {
        command.arg("--single-transaction");
    }
    command.arg("-d").arg(url).arg("-f").arg(file);
    let output = command
        .output()
        .map_err(|e| format!("cannot run psql (is it installed and on PATH?): {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

/// The role the tests connect as (`current_user` of `DATABASE_URL`): the
/// role that runs the migrations they apply, for `strata --role`.
pub fn current_user() -> String {
    let output = Command::new("psql")
        .args(["-X", "-A", "-t", "-c", "SELECT current_user", "-d"])
        .arg(database_url())
        .output()
        .expect("run psql");
    assert!(
        output.status.success(),
        "psql failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

/// [`psql_apply`] on SQL text (written to a temporary file).
pub fn psql_apply_sql(url: &str, sql: &str, single_transaction: bool) -> Result<(), String> {
    let mut file = tempfile::NamedTempFile::new().map_err(|e| e.to_string())?;
    file.write_all(sql.as_bytes()).map_err(|e| e.to_string())?;
    file.flush().map_err(|e| e.to_string())?;
    psql_apply(url, file.path(), single_transaction)
}

/// The workspace root (the folder holding strata.toml).
/// Roles created for one test (cluster objects: uniquely named), dropped
/// when the value is — after the databases that use them: declare it first.
pub struct Roles(pub Vec<String>);

impl Roles {
    pub fn create(prefix: &str, n: usize) -> Roles {
        let names: Vec<String> = (0..n).map(|_| unique_name(prefix)).collect();
        for r in &names {
            admin_execute_blocking(&format!("CREATE ROLE {}", quote_ident(r)))
                .unwrap_or_else(|e| panic!("cannot create role {r}: {e}"));
        }
        Roles(names)
    }
}

impl Drop for Roles {
    fn drop(&mut self) {
        for r in &self.0 {
            if let Err(e) =
                admin_execute_blocking(&format!("DROP ROLE IF EXISTS {}", quote_ident(r)))
            {
                eprintln!("warning: could not drop role {r}: {e}");
            }
        }
    }
}

/// Runs the real `strata` binary in `dir` with `args`: no colour, and no
/// `DATABASE_URL` from the environment (a test passes URLs explicitly).
pub fn run_strata(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(strata_bin())
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("DATABASE_URL")
        .output()
        .expect("run strata")
}

/// [`run_strata`]'s exit code and its stdout followed by its stderr.
pub fn run_strata_text(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let o = run_strata(dir, args);
    (
        o.status.code(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        ),
    )
}

pub fn repo_root() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

/// Builds the `strata` binary once per test process (cargo is a no-op when
/// it is up to date) and returns its path.
///
/// `scripts/test` sets `STRATA_TEST_BIN` to the binary its `cargo test
/// --workspace` build made for pgstrata-cli's own tests
/// (`codegen-cli/tests/binary.rs`): `cargo build -p pgstrata-cli` alone
/// resolves some dependencies' features differently from the workspace's
/// test build and would compile the parser, core and the CLI a second time.
pub fn strata_bin() -> &'static Path {
    static BIN: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(bin) = std::env::var_os("STRATA_TEST_BIN") {
            let bin = std::path::PathBuf::from(bin);
            assert!(
                bin.is_file(),
                "STRATA_TEST_BIN={} is not a file",
                bin.display()
            );
            return bin;
        }
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
        let status = Command::new(cargo)
            .args(["build", "-q", "-p", "pgstrata-cli", "--bin", "strata"])
            .current_dir(repo_root())
            .status()
            .expect("run cargo build for the strata binary");
        assert!(status.success(), "building the strata binary failed");
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| repo_root().join("target"));
        let bin = target
            .join("debug")
            .join(format!("strata{}", std::env::consts::EXE_SUFFIX));
        assert!(
            bin.is_file(),
            "strata binary not found at {}",
            bin.display()
        );
        bin
    })
}

/// The one role the shared corpus names (migra's `rls` fixture grants a
/// policy to it). Roles are cluster-wide, so a test never creates it under
/// this name: [`with_corpus_role`] writes the test's own role in its place.
pub const CORPUS_ROLE: &str = "schemainspect_test_role";

/// `file` as it should be applied by a test that owns `role`: the file
/// itself when it does not name [`CORPUS_ROLE`], else a copy in `into`
/// (under the same file name, in a folder named like the file's own) with
/// `role` in its place. Every other file of that folder is copied beside it,
/// so a case read as a folder still finds its siblings.
pub fn with_corpus_role(file: &Path, role: &str, into: &Path) -> std::path::PathBuf {
    let text = std::fs::read_to_string(file)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
    if !text.contains(CORPUS_ROLE) {
        return file.to_path_buf();
    }
    let (Some(dir), Some(name)) = (file.parent(), file.file_name()) else {
        panic!("{} has no folder", file.display());
    };
    let folder = into.join(dir.file_name().unwrap_or_default());
    std::fs::create_dir_all(&folder).expect("create the copy's folder");
    for entry in std::fs::read_dir(dir).expect("read the case folder") {
        let p = entry.expect("folder entry").path();
        if !p.is_file() {
            continue;
        }
        let sibling = std::fs::read(&p).expect("read a case file");
        let sibling = match String::from_utf8(sibling) {
            Ok(t) => t.replace(CORPUS_ROLE, role).into_bytes(),
            Err(e) => e.into_bytes(),
        };
        std::fs::write(folder.join(p.file_name().expect("file name")), sibling)
            .expect("write a case file");
    }
    folder.join(name)
}
