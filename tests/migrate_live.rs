//! `strata migrate` / `strata status` and `strata::history` on a real
//! PostgreSQL: the library and the real binary, refinery's own crate as the
//! oracle for the history table.

use crate::support;
use support::{repo_root, strata_bin};

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use strata::history::{self, Checksum, EntryState, HistoryTool};
use strata::migrate::{self, MigrateError, MigrateOptions, MigrationState, Problem};
use strata_core::source::{load_history, History, Migration, SqlFile};
use support::{url_with_database, TestDb};

// ---------------------------------------------------------------- helpers

fn fixture(name: &str) -> PathBuf {
    repo_root()
        .join("tests")
        .join("fixtures")
        .join("migrate")
        .join(name)
}

fn reference_dir() -> PathBuf {
    repo_root().join("migrations")
}

fn reference() -> History {
    load_history(&reference_dir()).expect("the reference history loads")
}

fn strata_command(args: &[&str]) -> Command {
    let mut c = Command::new(strata_bin());
    c.args(args)
        .current_dir(repo_root())
        .env("NO_COLOR", "1")
        .env_remove("DATABASE_URL");
    c
}

/// Runs the binary off the async runtime's threads.
async fn strata(args: &[&str]) -> Output {
    let mut c = strata_command(args);
    tokio::task::spawn_blocking(move || c.output().expect("run strata"))
        .await
        .expect("strata runner thread")
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).unwrap();
        }
    }
}

/// A copy of the reference history in a temporary folder.
fn reference_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("migrations");
    copy_dir(&reference_dir(), &m);
    (dir, m)
}

fn file_of(dir: &Path, version: u32) -> PathBuf {
    let prefix = format!("V{version}__");
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&prefix))
        })
        .unwrap_or_else(|| panic!("no V{version} in {}", dir.display()))
}

fn opts() -> MigrateOptions {
    MigrateOptions::default()
}

fn target(n: i64) -> MigrateOptions {
    MigrateOptions {
        target: Some(n),
        ..MigrateOptions::default()
    }
}

/// `refinery_schema_history` rows: (version, name, applied_on, checksum).
async fn history_rows(db: &TestDb) -> Vec<(i32, String, String, String)> {
    let c = db.client().await;
    c.query(
        "SELECT version, name, applied_on, checksum FROM refinery_schema_history ORDER BY version",
        &[],
    )
    .await
    .expect("read refinery_schema_history")
    .iter()
    .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
    .collect()
}

async fn table_exists(db: &TestDb, name: &str) -> bool {
    let c = db.client().await;
    let row = c
        .query_one("SELECT to_regclass($1) IS NOT NULL", &[&name])
        .await
        .unwrap();
    row.get(0)
}

fn refinery_migrations(h: &History) -> Vec<refinery::Migration> {
    h.migrations
        .iter()
        .map(|m| {
            refinery::Migration::unapplied(&format!("V{}__{}", m.version, m.name), &m.file.text)
                .expect("refinery reads the migration")
        })
        .collect()
}

/// A URL whose password must never show up in output.
fn url_with_password(db: &TestDb) -> String {
    db.url
        .replacen("postgres://postgres@", "postgres://postgres:Secr3t-pw@", 1)
}

// ------------------------------------------------------------- checksums

#[test]
fn refinery_checksum_is_refinerys_own() {
    // Pinned from refinery 0.10 (`refinery::Migration::unapplied(
    // "V1__initial", SQL).checksum()`), the crate compared with below too.
    let sql = "CREATE TABLE persons (id int, name varchar(255), city varchar(255));";
    let pinned: u64 = 9_011_118_159_008_407_467;
    assert_eq!(history::refinery_checksum("initial", 1, sql), pinned);
    let theirs = refinery::Migration::unapplied("V1__initial", sql)
        .unwrap()
        .checksum();
    assert_eq!(theirs, pinned);

    // Every file of the reference history.
    let h = reference();
    assert_eq!(h.migrations.len(), 85);
    for (m, r) in h.migrations.iter().zip(refinery_migrations(&h)) {
        let v: i32 = m.version.parse().unwrap();
        assert_eq!(
            history::refinery_checksum(&m.name, v, &m.file.text),
            r.checksum(),
            "{}",
            m.file.path
        );
    }
}

// ------------------------------------------------------------- the runner

#[tokio::test]
async fn applies_the_reference_history_like_refinery_and_reruns_as_a_no_op() {
    let db = TestDb::create("mig_reference").await;
    let h = reference();
    let report = migrate::migrate(&db.url, &h, &opts())
        .await
        .expect("migrate");
    assert_eq!(report.applied.len(), 85);
    assert!(report.created_table);
    assert_eq!(report.already_applied, 0);

    let rows = history_rows(&db).await;
    assert_eq!(rows.len(), 85);
    for ((version, name, applied_on, checksum), m) in rows.iter().zip(&h.migrations) {
        assert_eq!(version.to_string(), m.version);
        assert_eq!(name, &m.name);
        let expected = history::refinery_checksum(&m.name, *version, &m.file.text);
        assert_eq!(checksum, &expected.to_string(), "V{version}");
        // RFC 3339 in UTC, as refinery writes it: 2024-05-01T09:30:12.123Z
        let b = applied_on.as_bytes();
        assert!(
            applied_on.len() >= 20
                && b[4] == b'-'
                && b[10] == b'T'
                && b[13] == b':'
                && applied_on.ends_with('Z'),
            "applied_on {applied_on}"
        );
    }

    // V66 runs CREATE INDEX CONCURRENTLY outside a transaction: the index is
    // there and valid.
    let c = db.client().await;
    let valid: bool = c
        .query_one(
            "SELECT indisvalid FROM pg_index WHERE indexrelid = 'message_org_id_finished_at_idx'::regclass",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert!(valid);

    // refinery itself finds everything applied and nothing divergent.
    let mut client = db.client().await;
    let theirs = refinery::Runner::new(&refinery_migrations(&h))
        .run_async(&mut client)
        .await
        .expect("refinery accepts strata's history table");
    assert!(theirs.applied_migrations().is_empty());

    // A second run is a no-op, by the library and by the binary.
    let again = migrate::migrate(&db.url, &h, &opts()).await.unwrap();
    assert!(again.applied.is_empty());
    assert_eq!(again.already_applied, 85);
    assert!(!again.created_table);
    let o = strata(&["migrate", "--database-url", &db.url]).await;
    assert_eq!(code(&o), 0, "{}{}", out(&o), err(&o));
    assert!(out(&o).contains("up to date: 85 applied"), "{}", out(&o));
    assert_eq!(history_rows(&db).await, rows);
}

#[tokio::test]
async fn a_refinery_history_is_adopted_without_a_rebaseline() {
    let db = TestDb::create("mig_adopt").await;
    let h = reference();
    // refinery applies V1..V10 (its released runner has no way to run V66's
    // CREATE INDEX CONCURRENTLY outside a transaction, so it stops early).
    let mut client = db.client().await;
    let theirs = refinery::Runner::new(&refinery_migrations(&h))
        .set_target(refinery::Target::Version(10))
        .run_async(&mut client)
        .await
        .expect("refinery applies V1..V10");
    assert_eq!(theirs.applied_migrations().len(), 10);

    let report = migrate::migrate(&db.url, &h, &opts())
        .await
        .expect("strata continues");
    assert_eq!(report.already_applied, 10);
    assert_eq!(report.applied.len(), 75);
    assert_eq!(report.applied.first().map(|m| m.version), Some(11));
    assert!(!report.created_table);
    assert_eq!(history_rows(&db).await.len(), 85);
}

#[tokio::test]
async fn an_edited_applied_file_refuses_before_anything_runs() {
    let db = TestDb::create("mig_edited").await;
    let (_tmp, dir) = reference_copy();
    migrate::migrate(&db.url, &load_history(&dir).unwrap(), &target(10))
        .await
        .unwrap();

    let edited = file_of(&dir, 3);
    let mut text = std::fs::read_to_string(&edited).unwrap();
    text.push_str("\nALTER TABLE session ADD COLUMN sneaky int;\n");
    std::fs::write(&edited, text).unwrap();

    // Library: the refusal names the file and its version.
    let e = migrate::migrate(&db.url, &load_history(&dir).unwrap(), &opts())
        .await
        .expect_err("an edited file refuses");
    let MigrateError::Refused(r) = &e else {
        panic!("expected a refusal, got {e}");
    };
    assert!(matches!(
        r.problems.as_slice(),
        [Problem::Edited { version: 3, file, .. }] if file.ends_with("V3__create_session.sql")
    ));

    // The binary: exit 2, the file named, nothing ran (V11.. still pending).
    let o = strata(&[
        "migrate",
        "--database-url",
        &db.url,
        "--migrations",
        dir.to_str().unwrap(),
    ])
    .await;
    assert_eq!(code(&o), 2, "{}", out(&o));
    let e = err(&o);
    assert!(e.contains("V3__create_session.sql"), "{e}");
    assert!(e.contains("edited"), "{e}");
    assert!(e.contains("nothing was run"), "{e}");
    assert_eq!(history_rows(&db).await.len(), 10);
    assert!(
        !table_exists(&db, "subscription").await,
        "V13 must not have run"
    );
}

#[tokio::test]
async fn an_edit_in_a_git_repository_is_shown_as_a_diff() {
    let git_ok = Command::new("git").arg("--version").output().is_ok();
    assert!(git_ok, "this test needs git on PATH");
    let db = TestDb::create("mig_edited_git").await;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("migrations");
    copy_dir(&fixture("migrations_failing"), &dir);
    std::fs::remove_file(dir.join("V2__create_child_and_fail.sql")).unwrap();
    std::fs::remove_file(dir.join("V3__never_runs.sql")).unwrap();
    let git = |args: &[&str]| {
        let s = Command::new("git")
            .args([
                "-c",
                "user.name=strata",
                "-c",
                "user.email=strata@example.invalid",
            ])
            .args(args)
            .current_dir(tmp.path())
            .output()
            .unwrap();
        assert!(
            s.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&s.stderr)
        );
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "V1"]);
    migrate::migrate(&db.url, &load_history(&dir).unwrap(), &opts())
        .await
        .unwrap();
    std::fs::write(
        dir.join("V1__create_parent.sql"),
        "CREATE TABLE parent (\n    id bigint PRIMARY KEY,\n    added text\n);\n",
    )
    .unwrap();
    git(&["commit", "-q", "-am", "edit V1 after it was applied"]);

    let o = strata(&[
        "migrate",
        "--database-url",
        &db.url,
        "--migrations",
        dir.to_str().unwrap(),
    ])
    .await;
    assert_eq!(code(&o), 2);
    let e = err(&o);
    assert!(e.contains("what changed since it was applied"), "{e}");
    assert!(e.contains("+    added text"), "{e}");
    assert!(e.contains("-    id bigint PRIMARY KEY"), "{e}");
}

#[tokio::test]
async fn line_endings_alone_are_not_an_edit() {
    let db = TestDb::create("mig_crlf").await;
    let (_tmp, dir) = reference_copy();
    migrate::migrate(&db.url, &load_history(&dir).unwrap(), &target(5))
        .await
        .unwrap();
    // LF → CRLF on an applied file.
    let f = file_of(&dir, 2);
    let text = std::fs::read_to_string(&f).unwrap();
    assert!(!text.contains('\r'));
    std::fs::write(&f, text.replace('\n', "\r\n")).unwrap();

    let h = load_history(&dir).unwrap();
    let s = migrate::status(&db.url, &h).await.unwrap();
    let v2 = s.migrations.iter().find(|m| m.version == 2).unwrap();
    assert_eq!(v2.state, MigrationState::Applied);
    assert!(v2
        .note
        .as_deref()
        .unwrap_or_default()
        .contains("line endings"));

    let report = migrate::migrate(&db.url, &h, &opts())
        .await
        .expect("CRLF is not an edit");
    assert_eq!(report.applied.len(), 80);
    assert!(
        report.notes.iter().any(|n| n.contains("V2__")),
        "{:?}",
        report.notes
    );

    // And back: applied with CRLF, now LF.
    let db2 = TestDb::create("mig_crlf_back").await;
    migrate::migrate(&db2.url, &load_history(&dir).unwrap(), &target(5))
        .await
        .unwrap();
    std::fs::write(&f, text).unwrap();
    migrate::migrate(&db2.url, &load_history(&dir).unwrap(), &opts())
        .await
        .expect("LF after CRLF is not an edit either");
}

#[tokio::test]
async fn a_missing_applied_file_refuses() {
    let db = TestDb::create("mig_missing").await;
    let (_tmp, dir) = reference_copy();
    migrate::migrate(&db.url, &load_history(&dir).unwrap(), &target(5))
        .await
        .unwrap();
    let gone = file_of(&dir, 4);
    let gone_name = gone.file_name().unwrap().to_string_lossy().into_owned();
    std::fs::remove_file(&gone).unwrap();

    let o = strata(&[
        "migrate",
        "--database-url",
        &db.url,
        "--migrations",
        dir.to_str().unwrap(),
    ])
    .await;
    assert_eq!(code(&o), 2, "{}", out(&o));
    let e = err(&o);
    let stem = gone_name.trim_end_matches(".sql");
    assert!(e.contains("missing"), "{e}");
    assert!(e.contains(stem), "{e}");
    assert!(e.contains("no file has version 4"), "{e}");
    assert_eq!(history_rows(&db).await.len(), 5);
}

#[tokio::test]
async fn a_failing_migration_is_located_and_leaves_nothing_of_itself() {
    let db = TestDb::create("mig_failing").await;
    let dir = fixture("migrations_failing");
    let o = strata(&[
        "migrate",
        "--database-url",
        &db.url,
        "--migrations",
        dir.to_str().unwrap(),
    ])
    .await;
    assert_eq!(code(&o), 2);
    let e = err(&o);
    assert!(e.contains("SQLSTATE 42703"), "{e}");
    assert!(
        e.contains(r#"column "missing_column" does not exist"#),
        "{e}"
    );
    // The statement starts at 8:1; the server points at 9:12.
    assert!(e.contains("V2__create_child_and_fail.sql:8:1"), "{e}");
    assert!(
        e.contains("error at") && e.contains("V2__create_child_and_fail.sql:9:12"),
        "{e}"
    );
    assert!(e.contains("rolled back"), "{e}");
    assert!(out(&o).contains("V1__create_parent … ok"), "{}", out(&o));

    assert!(table_exists(&db, "parent").await, "V1 stays applied");
    assert!(!table_exists(&db, "child").await, "nothing of V2 remains");
    assert!(!table_exists(&db, "never_runs").await);
    let rows = history_rows(&db).await;
    assert_eq!(rows.iter().map(|r| r.0).collect::<Vec<_>>(), vec![1]);

    // The library says the same, field by field.
    let h = load_history(&dir).unwrap();
    let e = migrate::migrate(&db.url, &h, &opts()).await.unwrap_err();
    let MigrateError::Statement(s) = e else {
        panic!("expected a statement error");
    };
    assert_eq!(s.version, 2);
    assert_eq!(s.sqlstate.as_deref(), Some("42703"));
    assert_eq!((s.location.line, s.location.column), (8, 1));
    assert_eq!(
        s.error_at.as_ref().map(|l| (l.line, l.column)),
        Some((9, 12))
    );
    assert_eq!((s.statement, s.statements), (2, 2));
    assert!(s.applied_before.is_empty());
}

#[tokio::test]
async fn a_failing_no_transaction_migration_says_what_stays() {
    let db = TestDb::create("mig_notx_fail").await;
    let dir = fixture("migrations_no_transaction_failing");
    let o = strata(&[
        "migrate",
        "--database-url",
        &db.url,
        "--migrations",
        dir.to_str().unwrap(),
    ])
    .await;
    assert_eq!(code(&o), 2);
    let e = err(&o);
    assert!(e.contains("V2__index_then_fail.sql:3:1"), "{e}");
    assert!(e.contains("SQLSTATE 42703"), "{e}");
    assert!(e.contains("statement 1 ran and stays applied"), "{e}");
    assert!(table_exists(&db, "event_kind_idx").await, "statement 1 ran");
    let rows = history_rows(&db).await;
    assert_eq!(rows.iter().map(|r| r.0).collect::<Vec<_>>(), vec![1]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_runners_at_once_apply_each_migration_once() {
    // Two library runners on one database.
    let db = TestDb::create("mig_race_lib").await;
    let h = std::sync::Arc::new(reference());
    let spawn = |h: std::sync::Arc<History>, url: String| {
        tokio::spawn(async move { migrate::migrate(&url, &h, &MigrateOptions::default()).await })
    };
    let a = spawn(h.clone(), db.url.clone());
    let b = spawn(h.clone(), db.url.clone());
    let (a, b) = (a.await.unwrap().unwrap(), b.await.unwrap().unwrap());
    let mut versions: Vec<i64> = a
        .applied
        .iter()
        .chain(&b.applied)
        .map(|m| m.version)
        .collect();
    versions.sort_unstable();
    assert_eq!(
        versions,
        (1..=85).collect::<Vec<_>>(),
        "each applied exactly once"
    );
    assert_eq!(history_rows(&db).await.len(), 85);
    assert!(
        a.waited_for_lock_ms.is_some() || b.waited_for_lock_ms.is_some(),
        "one runner waited for the other"
    );

    // Two processes of the real binary on another database.
    let db = TestDb::create("mig_race_bin").await;
    let children: Vec<_> = (0..2)
        .map(|_| {
            strata_command(&["migrate", "--database-url", &db.url])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("spawn strata")
        })
        .collect();
    let outputs: Vec<Output> = tokio::task::spawn_blocking(move || {
        children
            .into_iter()
            .map(|c| c.wait_with_output().unwrap())
            .collect()
    })
    .await
    .unwrap();
    let mut applied = 0;
    for o in &outputs {
        assert_eq!(code(o), 0, "{}{}", out(o), err(o));
        applied += out(o).matches(" … ok (").count();
    }
    assert_eq!(
        applied, 85,
        "each migration applied once across both processes"
    );
    assert_eq!(history_rows(&db).await.len(), 85);
}

#[tokio::test]
async fn target_and_dry_run() {
    let db = TestDb::create("mig_target").await;
    let h = reference();

    // A dry run on an empty database creates nothing.
    let dry = migrate::migrate(
        &db.url,
        &h,
        &MigrateOptions {
            dry_run: true,
            ..MigrateOptions::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(dry.would_apply.len(), 85);
    assert!(dry.applied.is_empty());
    assert!(!table_exists(&db, "refinery_schema_history").await);

    let r = migrate::migrate(&db.url, &h, &target(10)).await.unwrap();
    assert_eq!(r.applied.len(), 10);
    assert_eq!(r.pending_after_target, 75);
    assert_eq!(history_rows(&db).await.len(), 10);

    let o = strata(&["migrate", "--database-url", &db.url, "--dry-run"]).await;
    assert_eq!(code(&o), 0, "{}", err(&o));
    let text = out(&o);
    assert!(text.contains("would apply 75 migrations"), "{text}");
    assert!(
        text.contains("V66__create_message_org_id_finished_at_index"),
        "{text}"
    );
    assert!(text.contains("no transaction"), "{text}");
    assert!(text.contains("nothing was applied"), "{text}");
    assert_eq!(history_rows(&db).await.len(), 10);

    let o = strata(&["migrate", "--database-url", &db.url, "--target", "20"]).await;
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(out(&o).contains("applied 10 migrations"), "{}", out(&o));
    assert!(
        out(&o).contains("stopped at --target 20: 65 migrations are pending"),
        "{}",
        out(&o)
    );
    assert_eq!(history_rows(&db).await.len(), 20);
}

#[tokio::test]
async fn status_lists_applied_pending_edited_and_missing() {
    let db = TestDb::create("mig_status").await;
    let (_tmp, dir) = reference_copy();

    // Before anything: the table does not exist, all pending.
    let o = strata(&[
        "status",
        "--database-url",
        &db.url,
        "--migrations",
        dir.to_str().unwrap(),
    ])
    .await;
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(out(&o).contains("does not exist yet"), "{}", out(&o));
    assert!(
        out(&o).contains("0 applied · 85 pending · 0 edited · 0 missing"),
        "{}",
        out(&o)
    );

    migrate::migrate(&db.url, &load_history(&dir).unwrap(), &target(6))
        .await
        .unwrap();
    let f2 = file_of(&dir, 2);
    let mut t = std::fs::read_to_string(&f2).unwrap();
    t.push_str("-- an afterthought\n");
    std::fs::write(&f2, t).unwrap();
    std::fs::remove_file(file_of(&dir, 3)).unwrap();

    let o = strata(&[
        "status",
        "--database-url",
        &db.url,
        "--migrations",
        dir.to_str().unwrap(),
        "--format",
        "json",
    ])
    .await;
    assert_eq!(
        code(&o),
        0,
        "edited/missing are listed, not failed: {}",
        err(&o)
    );
    let v: serde_json::Value = serde_json::from_str(&out(&o)).expect("JSON");
    assert_eq!(v["status"], "ok");
    assert_eq!(v["counts"]["applied"], 4);
    assert_eq!(v["counts"]["edited"], 1);
    assert_eq!(v["counts"]["missing"], 1);
    assert_eq!(v["counts"]["pending"], 79);
    let state = |version: i64| {
        v["migrations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["version"] == version)
            .map(|m| m["state"].as_str().unwrap().to_string())
            .unwrap()
    };
    assert_eq!(state(1), "applied");
    assert_eq!(state(2), "edited");
    assert_eq!(state(3), "missing");
    assert_eq!(state(6), "applied");
    assert_eq!(state(7), "pending");

    let o = strata(&[
        "status",
        "--database-url",
        &db.url,
        "--migrations",
        dir.to_str().unwrap(),
    ])
    .await;
    assert_eq!(code(&o), 0);
    let text = out(&o);
    for word in ["applied", "pending", "edited", "missing"] {
        assert!(text.contains(word), "{word}: {text}");
    }
    assert!(
        text.contains("4 applied · 79 pending · 1 edited · 1 missing"),
        "{text}"
    );
}

#[tokio::test]
async fn a_held_lock_makes_lock_timeout_fail_fast_and_clearly() {
    let db = TestDb::create("mig_lock").await;
    let dir = fixture("migrations_lock_timeout");
    let h = load_history(&dir).unwrap();
    migrate::migrate(&db.url, &h, &target(1)).await.unwrap();

    // Another session reads the table in an open transaction: ALTER TABLE
    // (ACCESS EXCLUSIVE) has to wait for it.
    let holder = db.client().await;
    holder
        .batch_execute("BEGIN; SELECT count(*) FROM ledger;")
        .await
        .unwrap();

    let started = Instant::now();
    let o = strata(&[
        "migrate",
        "--database-url",
        &db.url,
        "--migrations",
        dir.to_str().unwrap(),
        "--lock-timeout",
        "1s",
    ])
    .await;
    let took = started.elapsed();
    assert_eq!(code(&o), 2, "{}", out(&o));
    assert!(took < Duration::from_secs(20), "took {took:?}");
    let e = err(&o);
    assert!(e.contains("lock timeout"), "{e}");
    assert!(e.contains("SQLSTATE 55P03"), "{e}");
    assert!(e.contains("V2__add_ledger_note.sql:3:1"), "{e}");
    assert!(e.contains("--lock-timeout 1s"), "{e}");
    assert_eq!(history_rows(&db).await.len(), 1);

    holder.batch_execute("COMMIT").await.unwrap();
    let o = strata(&[
        "migrate",
        "--database-url",
        &db.url,
        "--migrations",
        dir.to_str().unwrap(),
        "--lock-timeout",
        "1s",
    ])
    .await;
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(history_rows(&db).await.len(), 2);
}

#[tokio::test]
async fn statement_timeout_stops_a_long_statement() {
    let db = TestDb::create("mig_stmt_timeout").await;
    let dir = fixture("migrations_statement_timeout");
    let started = Instant::now();
    let o = strata(&[
        "migrate",
        "--database-url",
        &db.url,
        "--migrations",
        dir.to_str().unwrap(),
        "--statement-timeout",
        "500ms",
    ])
    .await;
    assert_eq!(code(&o), 2);
    assert!(started.elapsed() < Duration::from_secs(4));
    let e = err(&o);
    assert!(e.contains("statement timeout"), "{e}");
    assert!(e.contains("SQLSTATE 57014"), "{e}");
    assert!(e.contains("V1__slow.sql:2:1"), "{e}");
    assert!(!table_exists(&db, "slow_done").await, "rolled back");
}

#[tokio::test]
async fn unreadable_or_unsafe_pending_files_refuse_before_anything_runs() {
    for (folder, expect) in [
        (
            "migrations_transaction_control",
            "V2__with_commit.sql:1:1: transaction control",
        ),
        ("migrations_unclosed_quote", "V2__unclosed.sql:2:"),
    ] {
        let db = TestDb::create("mig_preflight").await;
        let dir = fixture(folder);
        let o = strata(&[
            "migrate",
            "--database-url",
            &db.url,
            "--migrations",
            dir.to_str().unwrap(),
        ])
        .await;
        assert_eq!(code(&o), 2, "{folder}");
        assert!(err(&o).contains(expect), "{folder}: {}", err(&o));
        assert!(
            !table_exists(&db, "first_table").await,
            "{folder}: V1 must not run"
        );
        assert!(history_rows(&db).await.is_empty(), "{folder}");
    }
}

#[tokio::test]
async fn the_binary_applies_another_tools_folder_into_its_table() {
    let db = TestDb::create("mig_sqlx").await;
    let dir = fixture("migrations_sqlx_format");
    let args = |cmd| {
        vec![
            cmd,
            "--database-url",
            db.url.as_str(),
            "--migrations",
            dir.to_str().unwrap(),
        ]
    };
    let o = strata(&args("migrate")).await;
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(out(&o).contains("(sqlx, 1 migration)"), "{}", out(&o));
    assert!(out(&o).contains("20240101000000_init"), "{}", out(&o));
    assert!(out(&o).contains("created _sqlx_migrations"), "{}", out(&o));
    assert!(table_exists(&db, "sqlx_thing").await);
    assert!(!table_exists(&db, "refinery_schema_history").await);
    let o = strata(&args("status")).await;
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(out(&o).contains("1 applied · 0 pending"), "{}", out(&o));
    let o = strata(&args("migrate")).await;
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(out(&o).contains("up to date"), "{}", out(&o));
}

#[tokio::test]
async fn urls_and_passwords_are_never_printed() {
    let db = TestDb::create("mig_secret").await;
    let url = url_with_password(&db);
    let dir = fixture("migrations_failing");
    let bad_db = url_with_database(&url, "strata_no_such_database_x");
    for args in [
        vec![
            "migrate",
            "--database-url",
            url.as_str(),
            "--migrations",
            dir.to_str().unwrap(),
        ],
        vec![
            "status",
            "--database-url",
            url.as_str(),
            "--migrations",
            dir.to_str().unwrap(),
        ],
        vec!["status", "--database-url", url.as_str(), "--format", "json"],
        vec!["migrate", "--database-url", bad_db.as_str()],
        vec!["migrate", "--database-url", "postgres://u:Secr3t-pw@[::1"],
    ] {
        let o = strata(&args).await;
        let all = format!("{}{}", out(&o), err(&o));
        assert!(!all.contains("Secr3t-pw"), "{args:?}: {all}");
        assert!(
            !all.contains("@127.0.0.1") && !all.contains("u:Secr3t"),
            "{args:?}: {all}"
        );
    }
}

// --------------------------------------------- other tools' history tables

fn migration(version: &str, name: &str, text: &str) -> Migration {
    Migration {
        version: version.to_string(),
        name: name.to_string(),
        file: SqlFile {
            path: format!("{version}_{name}.sql"),
            text: text.into(),
        },
        no_transaction: false,
        journal_when: None,
    }
}

#[tokio::test]
async fn history_reads_every_tools_table() {
    let db = TestDb::create("mig_history_tools").await;
    let c = db.client().await;
    assert!(history::applied(&c).await.unwrap().is_none());

    let sql_a = "CREATE TABLE a (id int);\n";
    let sql_b = "CREATE TABLE b (id int);\r\n";
    let sha256_a = history::sha256_hex(sql_a);
    // Each tool's table as the tool creates it.
    c.batch_execute(&format!(
        r#"
        CREATE SCHEMA drizzle;
        CREATE TABLE drizzle.__drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint);
        INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES ('{sha256_a}', 1700000000000);

        CREATE TABLE "_prisma_migrations" (
            "id" VARCHAR(36) NOT NULL PRIMARY KEY, "checksum" VARCHAR(64) NOT NULL,
            "finished_at" TIMESTAMPTZ, "migration_name" VARCHAR(255) NOT NULL, "logs" TEXT,
            "rolled_back_at" TIMESTAMPTZ, "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
            "applied_steps_count" INTEGER NOT NULL DEFAULT 0);
        INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count)
            VALUES ('1', '{sha256_a}', now(), '20240101000000_init', 1),
                   ('2', 'ffff', NULL, '20240102000000_broken', 0);

        CREATE TABLE __diesel_schema_migrations (version VARCHAR(50) PRIMARY KEY NOT NULL,
            run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP);
        INSERT INTO __diesel_schema_migrations (version) VALUES ('20240101000000');

        CREATE TABLE _sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL,
            installed_on TIMESTAMPTZ NOT NULL DEFAULT now(), success BOOLEAN NOT NULL,
            checksum BYTEA NOT NULL, execution_time BIGINT NOT NULL);
        "#
    ))
    .await
    .unwrap();
    c.execute(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (20240101000000, 'init', true, $1, 1), (20240102000000, 'b', false, $2, 1)",
        &[&history::sha384(sql_a), &history::sha384(sql_b)],
    )
    .await
    .unwrap();

    // sqlx is found first; the others are named.
    let found = history::applied(&c)
        .await
        .unwrap()
        .expect("a history table");
    assert_eq!(found.tool, HistoryTool::Sqlx);
    assert_eq!(found.table, "_sqlx_migrations");
    assert_eq!(
        found.also_found,
        vec![
            HistoryTool::Drizzle,
            HistoryTool::Prisma,
            HistoryTool::Diesel
        ]
    );
    assert_eq!(found.entries.len(), 2);
    assert_eq!(found.entries[0].version, "20240101000000");
    assert_eq!(found.entries[0].name, "init");
    assert_eq!(found.entries[1].state, EntryState::Failed);
    let m_a = migration("20240101000000", "init", sql_a);
    let e = history::entry_for(&found, &m_a, 0).expect("matched by version");
    assert!(history::checksum_matches(
        e.checksum.as_ref().unwrap(),
        &m_a
    ));
    // sqlx hashed CRLF; the file now has LF: not an edit.
    let m_b = migration("20240102000000", "b", "CREATE TABLE b (id int);\n");
    let e = history::entry_for(&found, &m_b, 1).unwrap();
    assert!(history::checksum_matches(
        e.checksum.as_ref().unwrap(),
        &m_b
    ));
    let m_b_edited = migration("20240102000000", "b", "CREATE TABLE b (id bigint);\n");
    assert!(!history::checksum_matches(
        e.checksum.as_ref().unwrap(),
        &m_b_edited
    ));

    let drizzle = history::applied_by(&c, HistoryTool::Drizzle)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(drizzle.table, "drizzle.__drizzle_migrations");
    assert_eq!(drizzle.entries[0].version, "1700000000000");
    assert_eq!(
        drizzle.entries[0].checksum,
        Some(Checksum::Sha256(sha256_a.clone()))
    );
    let m = migration("0000", "init", sql_a);
    assert!(history::entry_for(&drizzle, &m, 0).is_some());

    let prisma = history::applied_by(&c, HistoryTool::Prisma)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(prisma.entries.len(), 2);
    assert_eq!(prisma.entries[0].version, "20240101000000");
    assert_eq!(prisma.entries[0].name, "init");
    assert_eq!(prisma.entries[0].state, EntryState::Applied);
    assert!(prisma.entries[0].applied_on.is_some());
    assert_eq!(prisma.entries[1].state, EntryState::Failed);
    let m = migration("20240101000000", "init", sql_a);
    let e = history::entry_for(&prisma, &m, 0).unwrap();
    assert!(history::checksum_matches(e.checksum.as_ref().unwrap(), &m));

    let diesel = history::applied_by(&c, HistoryTool::Diesel)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(diesel.entries[0].version, "20240101000000");
    assert!(diesel.entries[0].checksum.is_none());
    let m = migration("2024-01-01-000000", "init", sql_a);
    assert!(history::entry_for(&diesel, &m, 0).is_some());

    // refinery's table comes first once it is there.
    let db2 = TestDb::create("mig_history_refinery").await;
    migrate::migrate(
        &db2.url,
        &load_history(&fixture("migrations_lock_timeout")).unwrap(),
        &opts(),
    )
    .await
    .unwrap();
    let c2 = db2.client().await;
    let r = history::applied(&c2).await.unwrap().unwrap();
    assert_eq!(r.tool, HistoryTool::Refinery);
    assert_eq!(r.table, "refinery_schema_history");
    assert_eq!(r.entries.len(), 2);
    assert_eq!(r.entries[1].name, "add_ledger_note");
    assert!(r.entries[1]
        .applied_on
        .as_deref()
        .is_some_and(|a| a.ends_with('Z')));
    let h = load_history(&fixture("migrations_lock_timeout")).unwrap();
    for (i, m) in h.migrations.iter().enumerate() {
        let e = history::entry_for(&r, m, i).unwrap();
        assert!(history::checksum_matches(e.checksum.as_ref().unwrap(), m));
    }
}

#[tokio::test]
async fn a_history_table_of_the_wrong_shape_is_a_clear_error() {
    let db = TestDb::create("mig_bad_table").await;
    let c = db.client().await;
    c.batch_execute("CREATE TABLE refinery_schema_history (id int, note text)")
        .await
        .unwrap();
    let e = history::applied(&c).await.unwrap_err();
    assert!(
        e.to_string().contains("not the refinery history table"),
        "{e}"
    );
    let e = migrate::migrate(&db.url, &reference(), &opts())
        .await
        .unwrap_err();
    assert!(
        e.to_string().contains("not the refinery history table"),
        "{e}"
    );
}
