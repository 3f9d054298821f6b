//! `strata migrate` under faults, on a real PostgreSQL with the real binary:
//! eight runners at once, a runner killed mid-migration, its connection
//! cut, the server restarted under it (a private cluster), another runner's
//! migration lock held, and a role without DDL rights.
//!
//! Slow migrations sleep as long as the session's `strata_test.sleep` says
//! (set through the URL's `options`), so a rerun runs the very same files
//! fast. Every check of stderr also checks that nothing panicked and that the
//! password in the URL never shows.

use crate::support;
use support::cluster::PrivateCluster;
use support::{psql_apply_sql, quote_ident, repo_root, strata_bin, unique_name, TestDb};

use std::io::Read;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tokio_postgres::Client;

const PASSWORD: &str = "hunter2-secret";

// ---------------------------------------------------------------- helpers

fn fixture(name: &str) -> PathBuf {
    repo_root()
        .join("tests")
        .join("fixtures")
        .join("migrate_faults")
        .join(name)
}

/// `url` with user `user` and [`PASSWORD`] (trust auth ignores it; it is
/// there to prove it is never printed).
fn url_as(url: &str, user: &str) -> String {
    let scheme_end = url.find("://").map_or(0, |i| i + 3);
    let rest = &url[scheme_end..];
    let host_start = rest.find('@').map_or(0, |i| i + 1);
    format!(
        "{}{user}:{PASSWORD}@{}",
        &url[..scheme_end],
        &rest[host_start..]
    )
}

/// `url` whose session sleeps `secs` in the fixtures' slow statement.
fn with_sleep(url: &str, secs: u32) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}options=-c%20strata_test.sleep%3D{secs}")
}

/// [`with_sleep`], and `synchronous_commit=on`: the private cluster runs
/// with it off (fast), which by design loses the last commits in a crash;
/// a production server keeps them.
fn with_sleep_durable(url: &str, secs: u32) -> String {
    format!("{}%20-c%20synchronous_commit%3Don", with_sleep(url, secs))
}

/// A running `strata` process; killed (SIGKILL) if still running when
/// dropped, so a failing test leaves no runner behind.
struct Running {
    child: Child,
    stdout: Option<std::thread::JoinHandle<String>>,
    stderr: Option<std::thread::JoinHandle<String>>,
}

struct Finished {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    took: Duration,
}

impl Finished {
    fn all(&self) -> String {
        format!(
            "exit {:?}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

fn reader(mut r: impl Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = r.read_to_end(&mut buf);
        String::from_utf8_lossy(&buf).into_owned()
    })
}

fn spawn_strata(args: &[&str]) -> Running {
    let mut child = Command::new(strata_bin())
        .args(args)
        .current_dir(repo_root())
        .env("NO_COLOR", "1")
        .env_remove("DATABASE_URL")
        .env_remove("PGPASSWORD")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn strata");
    let stdout = child.stdout.take().map(reader);
    let stderr = child.stderr.take().map(reader);
    Running {
        child,
        stdout,
        stderr,
    }
}

fn migrate_args<'a>(url: &'a str, dir: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec!["migrate", "--database-url", url, "--migrations", dir];
    v.extend_from_slice(extra);
    v
}

impl Running {
    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn sigkill(&mut self) {
        // std's Child::kill is SIGKILL on Unix.
        self.child.kill().expect("SIGKILL strata");
    }

    /// Waits for the process (polling), at most `limit`.
    async fn finish(mut self, limit: Duration) -> Finished {
        let started = Instant::now();
        let status = loop {
            if let Some(s) = self.child.try_wait().expect("wait for strata") {
                break s;
            }
            assert!(
                started.elapsed() < limit,
                "strata (pid {}) still running after {limit:?}",
                self.pid()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        let took = started.elapsed();
        let stdout = self.stdout.take().map(|h| h.join().unwrap()).unwrap();
        let stderr = self.stderr.take().map(|h| h.join().unwrap()).unwrap();
        Finished {
            code: status.code(),
            stdout,
            stderr,
            took,
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

async fn run_strata(args: &[&str]) -> Finished {
    spawn_strata(args).finish(Duration::from_secs(120)).await
}

/// No panic, no password, anywhere in the output.
fn assert_clean(f: &Finished) {
    // Shown with --no-capture (and on failure): what a user would see.
    eprintln!("{}", f.all());
    assert_no_panic_no_password(f);
}

fn assert_no_panic_no_password(f: &Finished) {
    let all = f.all();
    assert!(!all.contains("panicked"), "{all}");
    assert!(!all.contains("RUST_BACKTRACE"), "{all}");
    assert!(!all.contains(PASSWORD), "the password was printed: {all}");
}

fn assert_ok(f: &Finished) {
    assert_clean(f);
    assert_eq!(f.code, Some(0), "{}", f.all());
}

/// Asserts each of `needles` is in the run's stderr (and that nothing
/// panicked and the password is not there).
fn assert_stderr_has(f: &Finished, needles: &[&str]) {
    assert_no_panic_no_password(f);
    for n in needles {
        assert!(f.stderr.contains(n), "stderr lacks {n:?}:\n{}", f.all());
    }
}

/// Versions the run's stdout reports applied (`  V3__name … ok (12 ms)`).
fn reported_applied(stdout: &str) -> Vec<i32> {
    stdout
        .lines()
        .filter(|l| l.contains(" … ok ("))
        .filter_map(|l| {
            let l = l.trim_start().strip_prefix('V')?;
            l[..l.find("__")?].parse().ok()
        })
        .collect()
}

async fn history(c: &Client) -> Option<Vec<i32>> {
    let exists: bool = c
        .query_one(
            "SELECT to_regclass('public.refinery_schema_history') IS NOT NULL",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    if !exists {
        return None;
    }
    Some(
        c.query(
            "SELECT version FROM refinery_schema_history ORDER BY version",
            &[],
        )
        .await
        .expect("read refinery_schema_history")
        .iter()
        .map(|r| r.get(0))
        .collect(),
    )
}

/// `pg_index.indisvalid` of the index named `name`, if there is one.
async fn index_valid(c: &Client, name: &str) -> Option<bool> {
    c.query_opt(
        "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid \
         WHERE c.relname = $1",
        &[&name],
    )
    .await
    .unwrap()
    .map(|r| r.get(0))
}

async fn exists(c: &Client, relation: &str) -> bool {
    c.query_one("SELECT to_regclass($1) IS NOT NULL", &[&relation])
        .await
        .unwrap()
        .get(0)
}

/// Polls until a strata session on `db` runs the fixtures' slow statement;
/// returns its pid. Fails after `limit`.
async fn poll_for_pid(c: &Client, db: &str, limit: Duration, what: &str) -> i32 {
    poll_for_session(c, db, "query LIKE 'SELECT pg_sleep%'", limit, what).await
}

/// Polls until an active strata session on `db` matches `condition` (SQL
/// on pg_stat_activity); returns its pid. Fails after `limit`.
async fn poll_for_session(
    c: &Client,
    db: &str,
    condition: &str,
    limit: Duration,
    what: &str,
) -> i32 {
    let started = Instant::now();
    let sql = format!(
        "SELECT pid FROM pg_stat_activity \
         WHERE datname = $1 AND application_name = 'strata' AND state = 'active' \
           AND {condition} LIMIT 1"
    );
    loop {
        let row = c
            .query_opt(&sql, &[&db])
            .await
            .expect("read pg_stat_activity");
        if let Some(r) = row {
            return r.get(0);
        }
        assert!(
            started.elapsed() < limit,
            "{what}: no strata session matched {condition} within {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Polls until no strata session is left on `db`; returns how long it took.
async fn wait_sessions_gone(c: &Client, db: &str, limit: Duration) -> Duration {
    let started = Instant::now();
    loop {
        let n: i64 = c
            .query_one(
                "SELECT count(*) FROM pg_stat_activity \
                 WHERE datname = $1 AND application_name = 'strata'",
                &[&db],
            )
            .await
            .unwrap()
            .get(0);
        if n == 0 {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < limit,
            "a strata session on {db} was still there after {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

// -------------------------------------------------- 1. eight at once

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eight_processes_apply_each_migration_once() {
    let db = TestDb::create("mf_eight").await;
    let url = url_as(&db.url, "postgres");
    let dir = repo_root().join("migrations");
    let dir = dir.to_str().unwrap();
    let started = Instant::now();
    let runners: Vec<Running> = (0..8)
        .map(|_| spawn_strata(&migrate_args(&url, dir, &[])))
        .collect();
    let mut applied = Vec::new();
    let mut waited = 0;
    for r in runners {
        let f = r.finish(Duration::from_secs(180)).await;
        assert_ok(&f);
        applied.extend(reported_applied(&f.stdout));
        if f.stdout.contains("waiting for it") {
            waited += 1;
        }
    }
    eprintln!("8 runners done in {:?}", started.elapsed());
    applied.sort_unstable();
    assert_eq!(
        applied,
        (1..=85).collect::<Vec<_>>(),
        "each version reported applied exactly once across the 8 runners"
    );
    assert!(waited >= 1, "at least one runner waited for the lock");

    let c = db.client().await;
    let rows = history(&c).await.expect("the history table exists");
    assert_eq!(rows, (1..=85).collect::<Vec<_>>(), "85 distinct versions");

    // The same files through psql, in order, as the oracle.
    let oracle = TestDb::create("mf_eight_psql").await;
    let h = strata_core::source::load_history(&repo_root().join("migrations")).unwrap();
    let mut all = String::new();
    for m in &h.migrations {
        let text = m.file.text.trim_start_matches('\u{feff}');
        all.push_str(text);
        all.push_str("\n;\n");
    }
    psql_apply_sql(&oracle.url, &all, false).expect("psql applies the reference");
    let ours = schema_dump(&db.url);
    let theirs = schema_dump(&oracle.url);
    assert!(ours.len() > 1000, "pg_dump printed a schema: {ours}");
    if ours != theirs {
        let diff = similar::TextDiff::from_lines(&theirs, &ours)
            .unified_diff()
            .header("psql", "8 strata runners")
            .to_string();
        panic!("the schemas differ:\n{diff}");
    }
    // And a catalog check: every index valid (V66's CONCURRENTLY one too),
    // as many tables as psql made.
    let count = |c: Client| async move {
        let r = c
            .query_one(
                "SELECT (SELECT count(*) FROM pg_tables WHERE schemaname = 'public' \
                         AND tablename <> 'refinery_schema_history'), \
                        (SELECT count(*) FROM pg_index WHERE NOT indisvalid)",
                &[],
            )
            .await
            .unwrap();
        (r.get::<_, i64>(0), r.get::<_, i64>(1))
    };
    let (ours_tables, ours_invalid) = count(c).await;
    let (theirs_tables, _) = count(oracle.client().await).await;
    assert_eq!(ours_tables, theirs_tables);
    assert!(ours_tables >= 20, "{ours_tables} tables");
    assert_eq!(ours_invalid, 0, "no invalid index");
}

/// `pg_dump --schema-only` without the history table, comments and the
/// per-run `\restrict` keys.
fn schema_dump(url: &str) -> String {
    let out = Command::new("pg_dump")
        .args([
            "--schema-only",
            "--no-owner",
            "--no-privileges",
            "--exclude-table=public.refinery_schema_history",
            "-d",
            url,
        ])
        .output()
        .expect("this test needs pg_dump on PATH");
    assert!(
        out.status.success(),
        "pg_dump failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| {
            !l.starts_with("--") && !l.starts_with("\\restrict") && !l.starts_with("\\unrestrict")
        })
        .map(|l| format!("{l}\n"))
        .collect()
}

// --------------------------------------------- 2. SIGKILL mid-migration

#[tokio::test]
async fn sigkill_mid_migration_leaves_it_unapplied_and_rerun_completes() {
    let db = TestDb::create("mf_sigkill").await;
    let admin = db.client().await;
    let url = url_as(&db.url, "postgres");
    let slow = with_sleep(&url, 60);
    let dir = fixture("slow");
    let dir = dir.to_str().unwrap();

    let mut r = spawn_strata(&migrate_args(&slow, dir, &[]));
    poll_for_pid(&admin, &db.name, Duration::from_secs(60), "V2").await;
    r.sigkill();
    let killed = Instant::now();
    let f = r.finish(Duration::from_secs(10)).await;
    assert_eq!(f.code, None, "killed by a signal: {}", f.all());
    assert!(f.stdout.contains("V1__create_base … ok"), "{}", f.all());

    // The server notices the dead client (strata sets
    // client_connection_check_interval) and ends its session — rolling
    // V2 back and releasing the migration lock — long before the 60 s
    // sleep would have ended.
    wait_sessions_gone(&admin, &db.name, Duration::from_secs(20)).await;
    eprintln!("orphaned session gone {:?} after SIGKILL", killed.elapsed());
    assert!(!exists(&admin, "fault_v2").await, "V2 was rolled back");
    assert!(!exists(&admin, "fault_v2_after").await);
    assert_eq!(history(&admin).await, Some(vec![1]), "only V1 recorded");
    let locks: i64 = admin
        .query_one(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' \
             AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(locks, 0, "no migration lock left behind");

    // The same files, fast now: V2 and V3 applied, once.
    let f = run_strata(&migrate_args(&url, dir, &[])).await;
    assert_ok(&f);
    assert_eq!(reported_applied(&f.stdout), vec![2, 3], "{}", f.all());
    assert_eq!(history(&admin).await, Some(vec![1, 2, 3]));
    assert!(exists(&admin, "fault_v2_after").await);
    let twos: i64 = admin
        .query_one("SELECT count(*) FROM fault_base WHERE id = 2", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(twos, 1, "V2's insert ran once");
}

#[tokio::test]
async fn sigkill_mid_no_transaction_migration_keeps_what_ran_and_rerun_completes() {
    let db = TestDb::create("mf_sigkill_notx").await;
    let admin = db.client().await;
    let url = url_as(&db.url, "postgres");
    let dir = fixture("slow_no_transaction");
    let dir = dir.to_str().unwrap();

    let mut r = spawn_strata(&migrate_args(&with_sleep(&url, 60), dir, &[]));
    poll_for_pid(&admin, &db.name, Duration::from_secs(60), "V2").await;
    r.sigkill();
    let f = r.finish(Duration::from_secs(10)).await;
    assert_eq!(f.code, None, "{}", f.all());

    // A rerun started at once: the killed runner's session may still hold
    // the migration lock; the rerun waits for it (or takes it once the
    // server has ended that session) and applies V2 and V3 once.
    let f = run_strata(&migrate_args(&url, dir, &[])).await;
    assert_ok(&f);
    assert_eq!(reported_applied(&f.stdout), vec![2, 3], "{}", f.all());
    assert_eq!(history(&admin).await, Some(vec![1, 2, 3]));
    let valid: Vec<(String, bool)> = admin
        .query(
            "SELECT c.relname::text, i.indisvalid FROM pg_index i \
             JOIN pg_class c ON c.oid = i.indexrelid \
             WHERE c.relname IN ('event_kind_idx', 'event_id_kind_idx') ORDER BY 1",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(
        valid,
        vec![
            ("event_id_kind_idx".to_string(), true),
            ("event_kind_idx".to_string(), true)
        ]
    );
}

/// The classic trap: a CREATE INDEX CONCURRENTLY cut off leaves an INVALID
/// index, and the rerun's IF NOT EXISTS skips it. strata refuses to record
/// the migration, names the index and says how to recover.
#[tokio::test]
async fn sigkill_mid_create_index_concurrently_leaves_an_invalid_index_the_rerun_will_not_record() {
    let db = TestDb::create("mf_cic").await;
    let admin = db.client().await;
    let url = url_as(&db.url, "postgres");
    let dir = fixture("cic_blocked");
    let dir = dir.to_str().unwrap();
    assert_ok(&run_strata(&migrate_args(&url, dir, &["--target", "1"])).await);

    // A writer's open transaction: CREATE INDEX CONCURRENTLY, its INVALID
    // index already in the catalog, waits for it.
    let writer = db.client().await;
    writer
        .batch_execute("BEGIN; INSERT INTO event (id, kind) VALUES (1, 'a')")
        .await
        .unwrap();
    let mut r = spawn_strata(&migrate_args(&url, dir, &[]));
    poll_for_session(
        &admin,
        &db.name,
        "query LIKE 'CREATE INDEX CONCURRENTLY%' AND wait_event_type = 'Lock'",
        Duration::from_secs(60),
        "V2",
    )
    .await;
    r.sigkill();
    let f = r.finish(Duration::from_secs(10)).await;
    assert_eq!(f.code, None, "{}", f.all());
    wait_sessions_gone(&admin, &db.name, Duration::from_secs(20)).await;
    writer.batch_execute("COMMIT").await.unwrap();
    assert_eq!(
        index_valid(&admin, "event_kind_idx").await,
        Some(false),
        "left INVALID"
    );
    assert_eq!(history(&admin).await, Some(vec![1]));

    // The rerun: IF NOT EXISTS skips the invalid index; strata will not
    // record V2 over it.
    let f = run_strata(&migrate_args(&url, dir, &[])).await;
    assert_clean(&f);
    assert_eq!(f.code, Some(2), "{}", f.all());
    assert_stderr_has(
        &f,
        &[
            "V2__index_event_kind.sql:2:1",
            "migration V2__index_event_kind ran, but index \"public\".\"event_kind_idx\" is INVALID",
            "DROP INDEX CONCURRENTLY \"public\".\"event_kind_idx\"",
            "it is not recorded",
        ],
    );
    assert_eq!(history(&admin).await, Some(vec![1]), "V2 not recorded");

    // As told: drop it, run again.
    admin
        .batch_execute("DROP INDEX CONCURRENTLY event_kind_idx")
        .await
        .unwrap();
    let f = run_strata(&migrate_args(&url, dir, &[])).await;
    assert_ok(&f);
    assert_eq!(reported_applied(&f.stdout), vec![2, 3]);
    assert_eq!(index_valid(&admin, "event_kind_idx").await, Some(true));
    assert_eq!(history(&admin).await, Some(vec![1, 2, 3]));
}

// ------------------------------------------- 3. the connection cut

#[tokio::test]
async fn connection_cut_mid_migration() {
    let db = TestDb::create("mf_cut").await;
    let admin = db.client().await;
    let url = url_as(&db.url, "postgres");

    // A transactional migration: nothing of it stays.
    let dir = fixture("slow");
    let dir = dir.to_str().unwrap();
    let r = spawn_strata(&migrate_args(&with_sleep(&url, 60), dir, &[]));
    let pid = poll_for_pid(&admin, &db.name, Duration::from_secs(60), "V2").await;
    let t: bool = admin
        .query_one("SELECT pg_terminate_backend($1)", &[&pid])
        .await
        .unwrap()
        .get(0);
    assert!(t);
    let f = r.finish(Duration::from_secs(30)).await;
    assert_clean(&f);
    assert_eq!(f.code, Some(2), "{}", f.all());
    assert!(f.took < Duration::from_secs(20), "{:?}", f.took);
    assert!(
        f.stdout.contains("V2__create_then_sleep … failed"),
        "{}",
        f.all()
    );
    assert_stderr_has(
        &f,
        &[
            "V2__create_then_sleep.sql:3:1",
            "migration V2__create_then_sleep failed at statement 2 of 4",
            "connection lost",
            "SQLSTATE 57P01",
            "the connection to the server was lost",
            "rolled back",
            "not recorded",
            "the file is not at fault",
            "run strata migrate again",
            "1 migration applied before the failure stays applied",
        ],
    );
    assert!(!f.stderr.contains("fix the file"), "{}", f.all());
    assert_eq!(history(&admin).await, Some(vec![1]));
    assert!(!exists(&admin, "fault_v2").await);
    let f = run_strata(&migrate_args(&url, dir, &[])).await;
    assert_ok(&f);
    assert_eq!(reported_applied(&f.stdout), vec![2, 3]);
    assert_eq!(history(&admin).await, Some(vec![1, 2, 3]));

    // Without a transaction: what ran stays, and the report says so.
    let db = TestDb::create("mf_cut_notx").await;
    let admin = db.client().await;
    let url = url_as(&db.url, "postgres");
    let dir = fixture("slow_no_transaction");
    let dir = dir.to_str().unwrap();
    let r = spawn_strata(&migrate_args(&with_sleep(&url, 60), dir, &[]));
    let pid = poll_for_pid(&admin, &db.name, Duration::from_secs(60), "V2").await;
    admin
        .execute("SELECT pg_terminate_backend($1)", &[&pid])
        .await
        .unwrap();
    let f = r.finish(Duration::from_secs(30)).await;
    assert_clean(&f);
    assert_eq!(f.code, Some(2), "{}", f.all());
    assert_stderr_has(
        &f,
        &[
            "V2__index_sleep_index.sql:3:1",
            "connection lost",
            "SQLSTATE 57P01",
            "runs without a transaction",
            "statement 1 ran and stays applied",
            "statement 2, cut off, may or may not have taken effect",
            "it is not recorded",
            "INVALID index",
        ],
    );
    assert!(exists(&admin, "event_kind_idx").await, "statement 1 stays");
    assert!(!exists(&admin, "event_id_kind_idx").await);
    assert_eq!(history(&admin).await, Some(vec![1]));
    let f = run_strata(&migrate_args(&url, dir, &[])).await;
    assert_ok(&f);
    assert_eq!(reported_applied(&f.stdout), vec![2, 3]);
    assert_eq!(history(&admin).await, Some(vec![1, 2, 3]));
}

/// A TCP proxy to the server that forwards everything until the client's
/// `nth` simple-protocol `COMMIT` (1-based): that one reaches the server,
/// whose answer is swallowed, and both connections are shut — the commit
/// happened, the client never hears of it.
struct CommitCutter {
    port: u16,
}

fn read_exact_or_end(r: &mut impl Read, buf: &mut [u8]) -> bool {
    r.read_exact(buf).is_ok()
}

impl CommitCutter {
    fn start(nth: usize) -> CommitCutter {
        use std::io::Write;
        use std::net::{Shutdown, TcpListener, TcpStream};
        use std::sync::atomic::{AtomicBool, Ordering};
        use std::sync::Arc;
        let (host, port) = support::wire::upstream();
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
        let local = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            // One client: strata's single session.
            let Ok((client, _)) = listener.accept() else {
                return;
            };
            let server = TcpStream::connect((host.as_str(), port)).expect("connect upstream");
            let cut = Arc::new(AtomicBool::new(false));
            // server → client: swallowed once the COMMIT went through.
            let (mut from_server, mut to_client) =
                (server.try_clone().unwrap(), client.try_clone().unwrap());
            let cut2 = Arc::clone(&cut);
            let (s2, c2) = (server.try_clone().unwrap(), client.try_clone().unwrap());
            std::thread::spawn(move || {
                let mut buf = [0u8; 8192];
                loop {
                    let n = match from_server.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => n,
                    };
                    if cut2.load(Ordering::SeqCst) {
                        break;
                    }
                    if to_client.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
                let _ = s2.shutdown(Shutdown::Both);
                let _ = c2.shutdown(Shutdown::Both);
            });
            // client → server, message by message.
            let mut answer_client = client.try_clone().unwrap();
            let (mut from_client, mut to_server) = (client, server);
            let mut commits = 0;
            // Untyped messages first: SSLRequest/GSSENCRequest, then startup.
            // The proxy must read the messages, so it speaks no TLS: it
            // answers those requests with `N` itself (the client goes on in
            // plain text) and forwards only the startup message.
            loop {
                let mut len = [0u8; 4];
                if !read_exact_or_end(&mut from_client, &mut len) {
                    return;
                }
                let n = u32::from_be_bytes(len) as usize;
                let mut body = vec![0u8; n.saturating_sub(4)];
                if !read_exact_or_end(&mut from_client, &mut body) {
                    return;
                }
                let code = body
                    .get(..4)
                    .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]));
                if matches!(code, Some(80877103) | Some(80877104)) {
                    let _ = answer_client.write_all(b"N");
                    continue;
                }
                let _ = to_server.write_all(&len);
                let _ = to_server.write_all(&body);
                break;
            }
            loop {
                let mut head = [0u8; 5];
                if !read_exact_or_end(&mut from_client, &mut head) {
                    return;
                }
                let n = u32::from_be_bytes([head[1], head[2], head[3], head[4]]) as usize;
                let mut body = vec![0u8; n.saturating_sub(4)];
                if !read_exact_or_end(&mut from_client, &mut body) {
                    return;
                }
                let is_commit = head[0] == b'Q'
                    && String::from_utf8_lossy(body.strip_suffix(&[0]).unwrap_or(&body))
                        .trim()
                        .eq_ignore_ascii_case("COMMIT");
                if is_commit {
                    commits += 1;
                    if commits == nth {
                        cut.store(true, Ordering::SeqCst);
                    }
                }
                if to_server.write_all(&head).is_err() || to_server.write_all(&body).is_err() {
                    return;
                }
            }
        });
        CommitCutter { port: local }
    }

    /// `url` (user, password, database) through the proxy.
    fn url(&self, url: &str) -> String {
        let scheme_end = url.find("://").map_or(0, |i| i + 3);
        let rest = &url[scheme_end..];
        let at = rest.find('@').map_or(0, |i| i + 1);
        let path = rest[at..].find('/').map_or(rest.len(), |i| at + i);
        format!(
            "{}{}127.0.0.1:{}{}",
            &url[..scheme_end],
            &rest[..at],
            self.port,
            &rest[path..]
        )
    }
}

/// COMMIT reaches the server, its answer never reaches strata: the one
/// case where strata cannot know whether the migration was applied. It
/// says so, and `strata status` tells.
#[tokio::test]
async fn connection_lost_during_commit_says_to_check_status() {
    let db = TestDb::create("mf_commit_cut").await;
    let admin = db.client().await;
    let url = url_as(&db.url, "postgres");
    let dir = fixture("slow");
    let dir = dir.to_str().unwrap();
    let proxy = CommitCutter::start(2);
    let f = run_strata(&migrate_args(&proxy.url(&url), dir, &[])).await;
    assert_clean(&f);
    assert_eq!(f.code, Some(2), "{}", f.all());
    assert_stderr_has(
        &f,
        &[
            "migration V2__create_then_sleep failed at COMMIT",
            "connection lost",
            "COMMIT was sent but its answer never came",
            "committed together or not at all",
            "run strata status to see whether V2 is applied",
        ],
    );
    assert!(
        !f.stderr.contains("nothing of this migration was applied"),
        "{}",
        f.all()
    );
    // Here it was committed, history row and all.
    assert_eq!(history(&admin).await, Some(vec![1, 2]));
    assert!(exists(&admin, "fault_v2_after").await);
    let s = run_strata(&["status", "--database-url", &url, "--migrations", dir]).await;
    assert_ok(&s);
    assert!(s.stdout.contains("2 applied · 1 pending"), "{}", s.all());
    let f = run_strata(&migrate_args(&url, dir, &[])).await;
    assert_ok(&f);
    assert_eq!(reported_applied(&f.stdout), vec![3], "V2 not run twice");
    let twos: i64 = admin
        .query_one("SELECT count(*) FROM fault_base WHERE id = 2", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(twos, 1);
}

// ---------------------------------------- 4. the server restarted

async fn cluster_client(url: &str) -> Client {
    let (c, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap_or_else(|e| panic!("connect to the private cluster: {e}"));
    tokio::spawn(async move {
        let _ = conn.await;
    });
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_restarted_mid_run() {
    let cluster = PrivateCluster::start("trust");
    let dir = fixture("slow");
    let dir = dir.to_str().unwrap();
    for (round, how) in ["restart -m fast", "stop -m immediate, start"]
        .iter()
        .enumerate()
    {
        let name = format!("mf_restart_{round}");
        let admin = cluster_client(&cluster.admin_url()).await;
        admin
            .batch_execute(&format!("CREATE DATABASE {}", quote_ident(&name)))
            .await
            .unwrap();
        let url = cluster.url("postgres", Some(PASSWORD), &name);
        let r = spawn_strata(&migrate_args(&with_sleep_durable(&url, 60), dir, &[]));
        poll_for_pid(&admin, &name, Duration::from_secs(60), how).await;
        drop(admin);
        let bounced = Instant::now();
        if round == 0 {
            cluster.restart();
        } else {
            cluster.stop_immediate();
        }
        let f = r.finish(Duration::from_secs(60)).await;
        if round == 1 {
            cluster.start_again();
        }
        eprintln!(
            "{how}: strata exited, the server is back {:?} after the bounce started",
            bounced.elapsed()
        );
        assert_clean(&f);
        assert_eq!(f.code, Some(2), "{how}: {}", f.all());
        assert_stderr_has(
            &f,
            &[
                "V2__create_then_sleep.sql:3:1",
                "connection lost",
                "the connection to the server was lost",
                "nothing of this migration was applied",
                "not recorded",
                "run strata migrate again once the server is reachable",
            ],
        );
        let c = cluster_client(&cluster.url("postgres", None, &name)).await;
        assert_eq!(history(&c).await, Some(vec![1]), "{how}");
        assert!(!exists(&c, "fault_v2").await, "{how}");
        let f = run_strata(&migrate_args(&url, dir, &[])).await;
        assert_ok(&f);
        assert_eq!(reported_applied(&f.stdout), vec![2, 3], "{how}");
        assert_eq!(history(&c).await, Some(vec![1, 2, 3]), "{how}");
    }
}

// ------------------------------------------- 5. the migration lock

#[tokio::test]
async fn another_runners_migration_lock_is_waited_for_and_bounded_by_lock_timeout() {
    let db = TestDb::create("mf_lock").await;
    let url = url_as(&db.url, "postgres");
    let dir = fixture("slow");
    let dir = dir.to_str().unwrap();
    // Another runner: a session holding strata's migration lock.
    let holder = db.client().await;
    let holder_pid: i32 = holder
        .query_one(
            "SELECT pg_backend_pid() FROM (SELECT pg_advisory_lock($1)) l",
            &[&strata::migrate::LOCK_KEY],
        )
        .await
        .unwrap()
        .get(0);

    // With --lock-timeout: fails fast, names the holder, runs nothing.
    let f = run_strata(&migrate_args(&url, dir, &["--lock-timeout", "1s"])).await;
    assert_clean(&f);
    assert_eq!(f.code, Some(2), "{}", f.all());
    assert!(f.took < Duration::from_secs(15), "took {:?}", f.took);
    assert!(
        f.stdout
            .contains("waiting for it, at most --lock-timeout 1s"),
        "{}",
        f.all()
    );
    assert_stderr_has(
        &f,
        &[
            "another session still holds the migration lock after --lock-timeout 1s",
            "nothing was run",
            &format!("pid {holder_pid}"),
            "pg_stat_activity",
        ],
    );
    let admin = db.client().await;
    assert_eq!(
        history(&admin).await,
        None,
        "not even the table was created"
    );

    // Without it: waits as long as it takes, then applies everything once.
    let r = spawn_strata(&migrate_args(&url, dir, &[]));
    // It is waiting when its session polls the lock.
    let started = Instant::now();
    loop {
        let n: i64 = admin
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 \
                 AND application_name = 'strata' AND query LIKE '%pg_try_advisory_lock%'",
                &[&db.name],
            )
            .await
            .unwrap()
            .get(0);
        if n > 0 {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "never waited");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(history(&admin).await, None, "still waiting");
    holder
        .query_one(
            "SELECT pg_advisory_unlock($1)",
            &[&strata::migrate::LOCK_KEY],
        )
        .await
        .unwrap();
    let f = r.finish(Duration::from_secs(60)).await;
    assert_ok(&f);
    assert!(
        f.stdout
            .contains(&format!(": the server session with pid {holder_pid} (")),
        "the waiting line names the holder: {}",
        f.all()
    );
    assert!(f.stdout.contains("waiting for it\n"), "{}", f.all());
    assert!(f.stdout.contains("lock taken after"), "{}", f.all());
    assert_eq!(reported_applied(&f.stdout), vec![1, 2, 3]);
    assert_eq!(history(&admin).await, Some(vec![1, 2, 3]));
}

// ----------------------------------------------- 6. no DDL rights

/// A login role, dropped (with what it owns) when the value is dropped.
struct Role {
    name: String,
}

impl Role {
    fn create() -> Role {
        let name = unique_name("mf_role");
        support::admin_execute_blocking(&format!("CREATE ROLE {} LOGIN", quote_ident(&name)))
            .expect("create the test role");
        Role { name }
    }
}

impl Drop for Role {
    fn drop(&mut self) {
        // The test's databases are dropped first (declared after the role),
        // taking the role's objects and grants in them along.
        if let Err(e) = support::admin_execute_blocking(&format!(
            "DROP ROLE IF EXISTS {}",
            quote_ident(&self.name)
        )) {
            eprintln!("warning: could not drop role {}: {e}", self.name);
        }
    }
}

#[tokio::test]
async fn migrate_without_ddl_rights_fails_cleanly() {
    let role = Role::create();
    let dir = fixture("privileges");
    let dir = dir.to_str().unwrap();

    // (a) No CREATE on schema public (PostgreSQL 15's default for anyone
    // but the database owner; the database is owned by the admin).
    let db = TestDb::create("mf_priv").await;
    let admin = db.client().await;
    let owner: String = admin
        .query_one(
            "SELECT pg_get_userbyid(datdba)::text FROM pg_database WHERE datname = current_database()",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_ne!(owner, role.name);
    // PostgreSQL 15's default already; explicit for older servers. Only
    // this throwaway database is touched.
    admin
        .batch_execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
        .await
        .unwrap();
    let can_create: bool = admin
        .query_one(
            "SELECT has_schema_privilege($1, 'public', 'CREATE')",
            &[&role.name],
        )
        .await
        .unwrap()
        .get(0);
    assert!(!can_create, "the role must not have CREATE on public");
    let url = url_as(&db.url, &role.name);
    let f = run_strata(&migrate_args(&url, dir, &[])).await;
    assert_clean(&f);
    assert_eq!(f.code, Some(2), "{}", f.all());
    assert_stderr_has(
        &f,
        &[
            "cannot create refinery_schema_history",
            "permission denied for schema public",
            "SQLSTATE 42501",
            "GRANT CREATE ON SCHEMA",
            "Nothing was applied",
        ],
    );
    assert_eq!(history(&admin).await, None);
    assert!(!exists(&admin, "priv_own").await);

    // (b) The history table prepared by an admin; first without a grant:
    // the role cannot even read it.
    admin
        .batch_execute(
            "CREATE TABLE refinery_schema_history (version int4 PRIMARY KEY, name varchar(255), \
             applied_on varchar(255), checksum varchar(255))",
        )
        .await
        .unwrap();
    let f = run_strata(&migrate_args(&url, dir, &[])).await;
    assert_clean(&f);
    assert_eq!(f.code, Some(2), "{}", f.all());
    assert_stderr_has(&f, &["cannot read refinery_schema_history"]);
    assert_eq!(history(&admin).await, Some(vec![]));
    // Then the role may write it, but still may not create: V1 fails at
    // its file:line:column.
    admin
        .batch_execute(&format!(
            "GRANT SELECT, INSERT ON refinery_schema_history TO {}",
            quote_ident(&role.name)
        ))
        .await
        .unwrap();
    let f = run_strata(&migrate_args(&url, dir, &[])).await;
    assert_clean(&f);
    assert_eq!(f.code, Some(2), "{}", f.all());
    assert_stderr_has(
        &f,
        &[
            "V1__create_own_table.sql:1:1",
            "permission denied for schema public",
            "SQLSTATE 42501",
            "lacks a privilege",
            "rolled back",
            "once the role has the privilege",
        ],
    );
    assert!(!f.stderr.contains("fix the file"), "{}", f.all());
    assert_eq!(history(&admin).await, Some(vec![]));
    assert!(!exists(&admin, "priv_own").await);

    // (c) CREATE granted, but V2 alters a table another role owns: V1
    // applies and stays, V2 fails cleanly and leaves nothing.
    let db = TestDb::create("mf_priv_owner").await;
    let admin = db.client().await;
    admin
        .batch_execute(&format!(
            "CREATE TABLE priv_foreign (id int); GRANT CREATE ON SCHEMA public TO {}",
            quote_ident(&role.name)
        ))
        .await
        .unwrap();
    let url = url_as(&db.url, &role.name);
    let f = run_strata(&migrate_args(&url, dir, &[])).await;
    assert_clean(&f);
    assert_eq!(f.code, Some(2), "{}", f.all());
    assert_stderr_has(
        &f,
        &[
            "V2__alter_foreign_table.sql:2:1",
            "must be owner of table priv_foreign",
            "SQLSTATE 42501",
            "lacks a privilege",
            "1 migration applied before the failure stays applied",
        ],
    );
    assert_eq!(reported_applied(&f.stdout), vec![1]);
    assert_eq!(history(&admin).await, Some(vec![1]));
    let cols: i64 = admin
        .query_one(
            "SELECT count(*) FROM information_schema.columns WHERE table_name = 'priv_foreign'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(cols, 1, "priv_foreign unchanged");
    // The databases go before the role (reverse order of declaration).
    drop(admin);
}
