//! Secrets: database passwords never appear in strata's output, whatever
//! the source of the password (the URL's userinfo, a `?password=` URL
//! parameter, `PGPASSWORD`, a libpq password file) and whatever fails
//! (wrong password, unknown database, closed port, failing migration,
//! permission denied, malformed URL, misplaced arguments), with
//! `RUST_BACKTRACE=1` and `RUST_LOG=trace` set. Every command that reads a
//! database is run through the real binary against a private cluster that
//! uses SCRAM, so the password is really needed — and the successful runs
//! prove that each lookup is real.

use crate::support;

use std::process::{Command, Output};

use support::cluster::{percent_encode, PrivateCluster};

/// The role's password: every character that needs care in a URL or a
/// password file (`:` `@` `%` `/` `?` `#` `&` `=` `\`).
const PASSWORD: &str = "zq:X@7%/?#&=\\Strata-Pw-7731";
/// A distinctive fragment: any partial leak contains it.
const FRAGMENT: &str = "Strata-Pw-7731";
const WRONG: &str = "Wrong:Pw@Strata-5519";
const USER: &str = "strata_secret_user";
const DB: &str = "secret_app";

const SCHEMA: &str = "CREATE TABLE note (id int PRIMARY KEY, body text NOT NULL);\n";

#[test]
fn private_cluster_requires_the_password() {
    let cluster = PrivateCluster::start("scram-sha-256");
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let ok = tokio_postgres::connect(&cluster.admin_url(), tokio_postgres::NoTls).await;
        assert!(ok.is_ok(), "admin URL must connect: {:?}", ok.err());
        let bad = tokio_postgres::connect(
            &cluster.url("postgres", Some("wrong"), "postgres"),
            tokio_postgres::NoTls,
        )
        .await;
        assert!(bad.is_err(), "a wrong password must be refused");
        let none = tokio_postgres::connect(
            &cluster.url("postgres", None, "postgres"),
            tokio_postgres::NoTls,
        )
        .await;
        assert!(none.is_err(), "no password must be refused");
    });
    cluster.restart();
    cluster.stop_immediate();
    cluster.start_again();
    assert_eq!(cluster.psql("postgres", "select 1").unwrap().trim(), "1");
}

/// Extra environment variables of a run.
type Env<'a> = Vec<(&'a str, &'a str)>;

/// Every form of a secret that must never be printed.
fn secrets() -> Vec<String> {
    let mut v = vec![
        PASSWORD.to_string(),
        percent_encode(PASSWORD),
        percent_encode(PASSWORD).to_lowercase(),
        FRAGMENT.to_string(),
        WRONG.to_string(),
        percent_encode(WRONG),
        "Strata-5519".to_string(),
    ];
    // The password file's escaped form.
    v.push(PASSWORD.replace('\\', "\\\\").replace(':', "\\:"));
    v
}

struct Fixture {
    cluster: PrivateCluster,
    project: tempfile::TempDir,
    home: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Fixture {
        let cluster = PrivateCluster::start("scram-sha-256");
        let sql = PASSWORD.replace('\'', "''");
        cluster
            .psql(
                "postgres",
                &format!("CREATE ROLE {USER} LOGIN PASSWORD '{sql}'"),
            )
            .expect("create role");
        cluster
            .psql("postgres", &format!("CREATE DATABASE {DB} OWNER {USER}"))
            .expect("create database");
        cluster
            .psql("postgres", "CREATE DATABASE locked")
            .expect("create database");
        cluster
            .psql("locked", "REVOKE ALL ON DATABASE locked FROM PUBLIC")
            .expect("revoke");
        let project = tempfile::tempdir().expect("temp dir");
        let p = project.path();
        std::fs::write(
            p.join("strata.toml"),
            "schema = \"schema\"\nmigrations = \"migrations\"\ndatabase_url_env = \"APP_DB\"\n",
        )
        .expect("strata.toml");
        for d in ["schema", "migrations", "broken"] {
            std::fs::create_dir_all(p.join(d)).expect("dir");
        }
        std::fs::write(p.join("schema").join("schema.sql"), SCHEMA).expect("schema");
        std::fs::write(p.join("migrations").join("V1__note.sql"), SCHEMA).expect("V1");
        std::fs::write(p.join("broken").join("V1__note.sql"), SCHEMA).expect("V1");
        std::fs::write(
            p.join("broken").join("V2__fails.sql"),
            "ALTER TABLE no_such_table ADD COLUMN x int;\n",
        )
        .expect("V2");
        Fixture {
            cluster,
            project,
            home: tempfile::tempdir().expect("home"),
        }
    }

    fn url(&self, password: Option<&str>, db: &str) -> String {
        self.cluster.url(USER, password, db)
    }

    /// Runs the real binary with a clean environment (HOME is an empty
    /// folder, so no stray ~/.pgpass), backtraces and trace logging on.
    fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut c = Command::new(support::strata_bin());
        c.args(args)
            .current_dir(self.project.path())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home.path())
            .env("RUST_BACKTRACE", "1")
            .env("RUST_LOG", "trace")
            .env("NO_COLOR", "1");
        for (k, v) in env {
            c.env(k, v);
        }
        let output = c.output().expect("run strata");
        Run {
            what: format!("strata {} with {:?}", redacted_args(args), env_names(env)),
            output,
        }
    }

    fn target(&self, db: &str) -> String {
        format!("127.0.0.1:{}/{db}", self.cluster.port)
    }

    fn passfile(&self, name: &str, line: &str, mode: u32) -> String {
        use std::os::unix::fs::PermissionsExt;
        let path = self.home.path().join(name);
        std::fs::write(&path, format!("# strata test\n{line}\n")).expect("passfile");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).expect("chmod");
        path.display().to_string()
    }

    /// A passfile line for this cluster's role, with `:` and `\` escaped.
    fn passfile_line(&self, db: &str, password: &str) -> String {
        format!(
            "127.0.0.1:{}:{db}:{USER}:{}",
            self.cluster.port,
            password.replace('\\', "\\\\").replace(':', "\\:")
        )
    }
}

fn redacted_args(args: &[&str]) -> String {
    args.iter()
        .map(|a| if a.contains("postgres") { "<url>" } else { a })
        .collect::<Vec<_>>()
        .join(" ")
}

fn env_names(env: &[(&str, &str)]) -> Vec<String> {
    env.iter().map(|(k, _)| k.to_string()).collect()
}

struct Run {
    what: String,
    output: Output,
}

impl Run {
    fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }
    fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    /// No secret and no URL with credentials in stdout or stderr. (The
    /// assertion messages never print the secret: only where it was.)
    fn assert_clean(&self, urls: &[&str]) -> &Run {
        for (stream, text) in [("stdout", self.stdout()), ("stderr", self.stderr())] {
            for (i, s) in secrets().iter().enumerate() {
                if let Some(at) = text.find(s.as_str()) {
                    panic!(
                        "{}: secret form #{i} appears in {stream} at byte {at}; {stream} with it masked:\n{}",
                        self.what,
                        text.replace(s.as_str(), "<SECRET>")
                    );
                }
            }
            for url in urls {
                assert!(
                    !text.contains(url),
                    "{}: the URL appears in {stream}",
                    self.what
                );
            }
            assert!(
                !has_credential_url(&text),
                "{}: a URL with credentials appears in {stream}:\n{}",
                self.what,
                secrets()
                    .iter()
                    .fold(text.clone(), |t, s| t.replace(s.as_str(), "<SECRET>"))
            );
        }
        self
    }

    fn code(&self) -> Option<i32> {
        self.output.status.code()
    }

    fn assert_success(&self) -> &Run {
        assert!(
            self.output.status.success(),
            "{} failed: {}{}",
            self.what,
            self.stdout(),
            self.stderr()
        );
        self
    }

    /// Exits non-zero and names where it tried: `host:port/db`.
    fn assert_fails_naming(&self, target: &str, reason: &str) -> &Run {
        assert!(
            !self.output.status.success(),
            "{} succeeded but must fail",
            self.what
        );
        assert_ne!(self.code(), None, "{}: killed by a signal", self.what);
        let all = format!("{}{}", self.stdout(), self.stderr());
        assert!(
            all.contains(target),
            "{}: the message must name {target}:\n{all}",
            self.what
        );
        assert!(
            all.contains(reason),
            "{}: the message must say `{reason}`:\n{all}",
            self.what
        );
        assert!(
            !all.contains("panicked") && !all.contains("stack backtrace"),
            "{}: panicked:\n{all}",
            self.what
        );
        self
    }
}

/// Whether `text` holds a postgres URL with a password (userinfo with a
/// `:`, or a `password=` parameter). Help texts may show an example URL
/// without one.
fn has_credential_url(text: &str) -> bool {
    let mut rest = text;
    while let Some(i) = rest.find("postgres") {
        let url: String = rest[i..]
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != '`' && *c != '"')
            .collect();
        if let Some(after) = url
            .strip_prefix("postgres://")
            .or_else(|| url.strip_prefix("postgresql://"))
        {
            let authority = after.split(['/', '?']).next().unwrap_or("");
            let userinfo = authority.rsplit_once('@').map(|(u, _)| u);
            if userinfo.is_some_and(|u| u.contains(':')) || url.contains("password=") {
                return true;
            }
        }
        rest = &rest[i + "postgres".len()..];
    }
    false
}

#[test]
fn the_credential_url_detector_works() {
    assert!(has_credential_url("x postgres://u:p@h/db y"));
    assert!(has_credential_url("postgresql://u@h/db?password=p"));
    assert!(!has_credential_url("like postgres://user@host:5432/dbname"));
    assert!(!has_credential_url("no url"));
}

/// A closed port on 127.0.0.1.
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    drop(l);
    port
}

/// The commands that read a database, with the URL spliced in.
fn db_commands(url: &str) -> Vec<Vec<String>> {
    let v = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    vec![
        v(&["inspect", "--database-url", url]),
        v(&["drift", "--database-url", url]),
        v(&["drift", "--database-url", url, "--format", "json"]),
        v(&["drift", "--database-url", url, "--format", "github"]),
        v(&["status", "--database-url", url]),
        v(&["status", "--database-url", url, "--format", "json"]),
        v(&["migrate", "--database-url", url, "--dry-run"]),
        v(&["diff", "--from", url]),
        v(&["diff", "--from", url, "--format", "json"]),
        v(&["docs", "--source", url]),
    ]
}

fn as_strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

#[test]
fn the_password_works_from_every_source_and_is_never_printed() {
    let f = Fixture::new();
    let with_pw = f.url(Some(PASSWORD), DB);
    let without_pw = f.url(None, DB);
    let param = format!("{without_pw}?password={}", percent_encode(PASSWORD));
    let target = f.target(DB);

    // Without any password the server refuses: the lookups below are what
    // makes the difference.
    let run = f.run(&["inspect", "--database-url", &without_pw], &[]);
    run.assert_clean(&[])
        .assert_fails_naming(&target, "password");

    // migrate (writes) with the URL's password; then every reading command
    // through every source succeeds.
    f.run(&["migrate", "--database-url", &with_pw], &[])
        .assert_clean(&[&with_pw])
        .assert_success();

    let passfile = f.passfile("pgpass", &f.passfile_line(DB, PASSWORD), 0o600);
    let wildcard = f.passfile(
        "pgpass-wild",
        &format!(
            "*:*:*:{USER}:{}",
            PASSWORD.replace('\\', "\\\\").replace(':', "\\:")
        ),
        0o600,
    );
    let sources: Vec<(&str, String, Env)> = vec![
        ("URL userinfo", with_pw.clone(), vec![]),
        ("URL ?password=", param.clone(), vec![]),
        (
            "PGPASSWORD",
            without_pw.clone(),
            vec![("PGPASSWORD", PASSWORD)],
        ),
        (
            "PGPASSFILE",
            without_pw.clone(),
            vec![("PGPASSFILE", &passfile)],
        ),
        (
            "PGPASSFILE with wildcards",
            without_pw.clone(),
            vec![("PGPASSFILE", &wildcard)],
        ),
    ];
    for (label, url, env) in &sources {
        for args in db_commands(url) {
            let run = f.run(&as_strs(&args), env);
            run.assert_clean(&[url]);
            // diff exits 1 when there is a plan; drift 1 when drifted.
            assert!(
                matches!(run.code(), Some(0) | Some(1)),
                "{label}: {} failed: {}{}",
                run.what,
                run.stdout(),
                run.stderr()
            );
        }
        // inspect's SQL proves the database was really read.
        let run = f.run(&["inspect", "--database-url", url], env);
        run.assert_success();
        assert!(run.stdout().contains("CREATE TABLE public.note"), "{label}");
    }
    // ~/.pgpass (HOME) when PGPASSFILE is unset.
    std::fs::copy(&passfile, f.home.path().join(".pgpass")).expect("copy");
    let run = f.run(&["inspect", "--database-url", &without_pw], &[]);
    run.assert_clean(&[]).assert_success();
    std::fs::remove_file(f.home.path().join(".pgpass")).expect("remove");

    // The database URL from the environment: DATABASE_URL without a
    // strata.toml naming another, and the variable strata.toml names.
    let run = f.run(
        &["--config", "/dev/null", "inspect"],
        &[("DATABASE_URL", &with_pw)],
    );
    run.assert_clean(&[&with_pw]).assert_success();
    let run = f.run(&["inspect"], &[("APP_DB", &with_pw)]);
    run.assert_clean(&[&with_pw]).assert_success();
    let run = f.run(&["status"], &[("APP_DB", &with_pw)]);
    run.assert_clean(&[&with_pw]).assert_success();
    let run = f.run(&["drift"], &[("APP_DB", &with_pw)]);
    run.assert_clean(&[&with_pw]).assert_success();

    // The URL's own password wins over PGPASSWORD (libpq's order): a wrong
    // PGPASSWORD does not matter when the URL has the right one...
    let run = f.run(
        &["inspect", "--database-url", &with_pw],
        &[("PGPASSWORD", WRONG)],
    );
    run.assert_clean(&[&with_pw]).assert_success();
    // ...and PGPASSWORD wins over the password file.
    let bad_file = f.passfile("pgpass-bad", &f.passfile_line(DB, WRONG), 0o600);
    let run = f.run(
        &["inspect", "--database-url", &without_pw],
        &[("PGPASSWORD", PASSWORD), ("PGPASSFILE", &bad_file)],
    );
    run.assert_clean(&[]).assert_success();
}

#[test]
fn failing_runs_never_print_the_password() {
    let f = Fixture::new();
    let port = f.cluster.port;
    let closed = closed_port();
    let wrong = f.url(Some(WRONG), DB);
    let no_db = f.url(Some(PASSWORD), "no_such_db");
    let unreachable = format!(
        "postgres://{USER}:{}@127.0.0.1:{closed}/{DB}",
        percent_encode(PASSWORD)
    );
    let locked = f.url(Some(PASSWORD), "locked");
    let passfile = f.passfile("pgpass", &f.passfile_line(DB, PASSWORD), 0o600);
    let wrong_file = f.passfile("pgpass-wrong", &f.passfile_line(DB, WRONG), 0o600);
    let without_pw = f.url(None, DB);

    // (url, env, target named, reason said)
    let cases: Vec<(String, Env, String, &str)> = vec![
        (
            wrong.clone(),
            vec![],
            f.target(DB),
            "password authentication failed",
        ),
        (
            without_pw.clone(),
            vec![("PGPASSWORD", WRONG)],
            f.target(DB),
            "password authentication failed",
        ),
        (
            without_pw.clone(),
            vec![("PGPASSFILE", &wrong_file)],
            f.target(DB),
            "password authentication failed",
        ),
        (
            format!("{without_pw}?password={}", percent_encode(WRONG)),
            vec![],
            f.target(DB),
            "password authentication failed",
        ),
        (no_db.clone(), vec![], f.target("no_such_db"), "no_such_db"),
        (
            f.url(None, "no_such_db"),
            vec![("PGPASSFILE", &passfile)],
            f.target("no_such_db"),
            // The passfile line is for DB only: no password for this one.
            "password",
        ),
        (
            unreachable.clone(),
            vec![],
            format!("127.0.0.1:{closed}/{DB}"),
            "cannot connect",
        ),
        (
            format!("postgres://{USER}@127.0.0.1:{closed}/{DB}"),
            vec![("PGPASSWORD", PASSWORD)],
            format!("127.0.0.1:{closed}/{DB}"),
            "cannot connect",
        ),
        (
            locked.clone(),
            vec![],
            f.target("locked"),
            "permission denied for database",
        ),
    ];
    for (url, env, target, reason) in &cases {
        for args in db_commands(url) {
            let run = f.run(&as_strs(&args), env);
            run.assert_clean(&[url]);
            run.assert_fails_naming(target, reason);
            assert_eq!(run.code(), Some(2), "{}", run.what);
        }
    }

    // The advice fits what went wrong: a refused password is not "check
    // that PostgreSQL is running".
    for (url, env, advice) in [
        (&wrong, vec![], "the server refused the password"),
        (
            &without_pw,
            vec![("PGPASSWORD", WRONG)],
            "the server refused the password",
        ),
        (&no_db, vec![], "that database does not exist"),
        (
            &unreachable,
            vec![],
            "check that PostgreSQL is running there",
        ),
    ] {
        let run = f.run(&["inspect", "--database-url", url], &env);
        run.assert_clean(&[url]);
        assert!(
            run.stderr().contains(advice),
            "{}: {}",
            run.what,
            run.stderr()
        );
    }

    // A failing migration: the database is reached, the migration fails.
    let with_pw = f.url(Some(PASSWORD), DB);
    for env in [vec![], vec![("PGPASSWORD", PASSWORD)]] {
        let url = if env.is_empty() {
            &with_pw
        } else {
            &without_pw
        };
        let run = f.run(
            &["migrate", "--database-url", url, "--migrations", "broken"],
            &env,
        );
        // Not a connection problem: the file and the server's reason.
        run.assert_clean(&[url])
            .assert_fails_naming("broken/V2__fails.sql:1:1", "no_such_table");
    }

    // A password file others may read is ignored with libpq's warning
    // (naming the file, not its content); the login then fails.
    let open_file = f.passfile("pgpass-open", &f.passfile_line(DB, PASSWORD), 0o644);
    let run = f.run(
        &["inspect", "--database-url", &without_pw],
        &[("PGPASSFILE", &open_file)],
    );
    run.assert_clean(&[])
        .assert_fails_naming(&f.target(DB), "password");
    assert!(
        run.stderr().contains("has group or world access") && run.stderr().contains(&open_file),
        "{}",
        run.stderr()
    );

    // Malformed URLs holding the password: a bad port, a bad parameter, an
    // unencoded password, an unknown scheme parameter.
    let enc = percent_encode(PASSWORD);
    let malformed = [
        format!("postgres://{USER}:{enc}@127.0.0.1:notaport/{DB}"),
        format!("postgres://{USER}:{enc}@127.0.0.1:{port}/{DB}?sslmode=sometimes"),
        format!("postgres://{USER}:{enc}@127.0.0.1:{port}/{DB}?no_such_option=1"),
        format!("postgres://{USER}:{PASSWORD}@127.0.0.1:{port}/{DB}"),
        format!("postgres://{USER}@127.0.0.1:{port}/{DB}?password={enc}&port=x"),
        format!("postgresql://{USER}:{enc}@[127.0.0.1:{port}/{DB}"),
        format!("postgres://{USER}:{enc}@127.0.0.1:{port}/{DB}?connect_timeout=soon"),
    ];
    for url in &malformed {
        for args in db_commands(url) {
            let run = f.run(&as_strs(&args), &[]);
            run.assert_clean(&[url]);
            assert!(
                !run.output.status.success(),
                "{} must fail: {}",
                run.what,
                run.stderr()
            );
        }
    }

    // Misplaced or mistyped arguments holding the URL: clap's own errors.
    for args in [
        vec!["inspect".to_string(), with_pw.clone()],
        vec!["drift".to_string(), with_pw.clone()],
        vec![
            "inspect".to_string(),
            format!("--database-url={with_pw}"),
            "--bogus".to_string(),
        ],
        vec!["inspect".to_string(), format!("--database_url={with_pw}")],
        vec![
            "migrate".to_string(),
            "--database-url".to_string(),
            with_pw.clone(),
            "--target".to_string(),
            with_pw.clone(),
        ],
        vec![
            "drift".to_string(),
            "--database-url".to_string(),
            with_pw.clone(),
            "--jobs".to_string(),
            with_pw.clone(),
        ],
        vec!["check".to_string(), "--schema".to_string(), with_pw.clone()],
        vec![
            "new".to_string(),
            "x".to_string(),
            "--schema".to_string(),
            with_pw.clone(),
        ],
        vec![
            "drift".to_string(),
            "--database-url".to_string(),
            with_pw.clone(),
            "--against".to_string(),
            with_pw.clone(),
        ],
        vec![
            "codegen".to_string(),
            "--schema".to_string(),
            with_pw.clone(),
        ],
    ] {
        let run = f.run(&as_strs(&args), &[]);
        run.assert_clean(&[&with_pw]);
        assert!(!run.output.status.success(), "{} must fail", run.what);
    }

    // A drift fleet from a targets file, one database unreachable.
    let targets = f.project.path().join("targets.txt");
    std::fs::write(
        &targets,
        format!("good={with_pw}\nbad={unreachable}\nwrong={wrong}\n"),
    )
    .expect("targets");
    let run = f.run(&["drift", "--targets", &targets.display().to_string()], &[]);
    run.assert_clean(&[&with_pw, &unreachable, &wrong]);
    assert_eq!(run.code(), Some(2), "{}", run.stderr());

    // strata.toml holding a URL (it has no such key: an error that must not
    // echo the value).
    let cfg = f.project.path().join("with-url.toml");
    std::fs::write(&cfg, format!("database_url = \"{with_pw}\"\n")).expect("toml");
    let run = f.run(&["--config", &cfg.display().to_string(), "inspect"], &[]);
    run.assert_clean(&[&with_pw]);
    assert_eq!(run.code(), Some(2), "{}", run.stderr());
    let cfg2 = f.project.path().join("broken-url.toml");
    std::fs::write(&cfg2, format!("database_url_env = {with_pw}\n")).expect("toml");
    let run = f.run(&["--config", &cfg2.display().to_string(), "inspect"], &[]);
    run.assert_clean(&[&with_pw]);
    assert_eq!(run.code(), Some(2), "{}", run.stderr());
}
