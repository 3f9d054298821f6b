//! Least privilege: the real `strata inspect` and `strata drift` run as a
//! role that has LOGIN and CONNECT and nothing else (no table, schema or
//! sequence privilege beyond PostgreSQL's defaults to PUBLIC), through a
//! proxy that records every frontend message, on a private cluster (so the
//! server-side evidence — the transaction-id counter, the tuple counters —
//! is not disturbed by other tests).
//!
//! What is proved:
//! - both commands succeed as that role and say the same as the superuser
//!   (inspect: byte-identical SQL; drift: the same differences, and the
//!   whole report identical once the role may read the history table);
//! - every statement sent is the `READ ONLY` BEGIN, a SELECT, a SET of a
//!   session setting, COMMIT or ROLLBACK; the first statement of every
//!   connection opens the read-only snapshot and nothing runs outside it;
//! - the server agrees: no transaction id was assigned (a write needs one),
//!   and the database's inserted/updated/deleted tuple counters are
//!   unchanged; a positive control shows both move when something writes;
//! - the recorded BEGIN really makes the transaction read-only, whatever
//!   `default_transaction_read_only` says: a write inside it is refused by
//!   the server.

use crate::support;

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;
use support::cluster::PrivateCluster;
use support::quote_ident;
use support::wire::{start_proxy, Proxy, Sent, Wire};

const DECLARED: &str = r#"
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');

CREATE TABLE account (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL UNIQUE,
    mood mood NOT NULL DEFAULT 'ok',
    deleted_at timestamptz,
    email_lower text GENERATED ALWAYS AS (lower(email)) STORED
);

CREATE INDEX account_live ON account (email) WHERE deleted_at IS NULL;

COMMENT ON TABLE account IS 'people who pay';

CREATE TABLE tag (
    account_id bigint NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    label text NOT NULL CHECK (label <> ''),
    PRIMARY KEY (account_id, label)
);

CREATE SCHEMA billing;

CREATE TABLE billing.invoice (
    id bigint PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES account (id),
    amount numeric(12, 2) NOT NULL CHECK (amount >= 0),
    paid boolean NOT NULL DEFAULT false
);

CREATE INDEX invoice_unpaid ON billing.invoice (account_id) WHERE NOT paid;
"#;

/// A project folder: strata.toml, schema/schema.sql, migrations/V1__init.sql
/// (the same SQL, so the history builds the declared schema).
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = dir.path();
    std::fs::write(
        p.join("strata.toml"),
        "schema = \"schema\"\nmigrations = \"migrations\"\n",
    )
    .expect("strata.toml");
    std::fs::create_dir_all(p.join("schema")).expect("schema dir");
    std::fs::create_dir_all(p.join("migrations")).expect("migrations dir");
    std::fs::write(p.join("schema").join("schema.sql"), DECLARED).expect("schema.sql");
    std::fs::write(p.join("migrations").join("V1__init.sql"), DECLARED).expect("V1");
    dir
}

fn strata(dir: &Path, args: &[&str]) -> Output {
    Command::new(support::strata_bin())
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("DATABASE_URL")
        .env_remove("PGPASSWORD")
        .env_remove("PGPASSFILE")
        .output()
        .expect("run strata")
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn psql(cluster: &PrivateCluster, db: &str, sql: &str) -> String {
    cluster
        .psql(db, sql)
        .unwrap_or_else(|e| panic!("psql on {db} failed: {e}\nSQL: {sql}"))
}

/// A database on the private cluster with the project migrated into it by
/// `strata migrate` (so it keeps refinery's history table), readable by
/// `role` through CONNECT alone.
fn migrated_db(cluster: &PrivateCluster, dir: &Path, name: &str, role: &str) {
    psql(
        cluster,
        "postgres",
        &format!("CREATE DATABASE {}", quote_ident(name)),
    );
    let admin = cluster.url("postgres", None, name);
    let out = strata(dir, &["migrate", "--database-url", &admin]);
    assert!(out.status.success(), "strata migrate: {:?}", text(&out));
    // CONNECT only: PUBLIC loses its database defaults (TEMP, CONNECT), the
    // role gets CONNECT; no table/sequence/schema privilege is granted, and
    // any that could exist is revoked (spelled out, though none was given).
    psql(
        cluster,
        name,
        &format!(
            "REVOKE ALL ON DATABASE {db} FROM PUBLIC;\n\
             GRANT CONNECT ON DATABASE {db} TO {role};\n\
             REVOKE ALL ON ALL TABLES IN SCHEMA public, billing FROM {role};\n\
             REVOKE ALL ON ALL SEQUENCES IN SCHEMA public, billing FROM {role};\n\
             REVOKE ALL ON SCHEMA billing FROM {role};\n\
             ALTER ROLE {role} IN DATABASE {db} SET default_transaction_read_only = off;",
            db = quote_ident(name),
            role = quote_ident(role)
        ),
    );
}

/// The cluster for these tests: autovacuum off, so nothing but the tests
/// themselves assigns transaction ids.
fn quiet_cluster() -> PrivateCluster {
    let cluster = PrivateCluster::start("trust");
    psql(&cluster, "postgres", "ALTER SYSTEM SET autovacuum = off");
    psql(&cluster, "postgres", "SELECT pg_reload_conf()");
    cluster
}

fn create_role(cluster: &PrivateCluster, role: &str) {
    psql(
        cluster,
        "postgres",
        &format!("CREATE ROLE {} LOGIN", quote_ident(role)),
    );
}

fn proxy_for(cluster: &PrivateCluster) -> Proxy {
    start_proxy(("127.0.0.1".to_string(), cluster.port))
}

fn via(proxy: &Proxy, user: &str, db: &str) -> String {
    format!("postgres://{user}@127.0.0.1:{}/{db}", proxy.port)
}

/// Every statement one SQL message holds (simple queries may batch several;
/// no statement strata sends has a `;` inside a literal).
fn statements(sent: &Sent) -> Vec<String> {
    sent.sql()
        .split(';')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

const READ_ONLY_BEGIN: &str = "BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY";

/// What a read-only client may send: the read-only BEGIN, SELECT (not
/// SELECT … INTO, not a row lock, no sequence or settings function), SHOW,
/// SET of a session setting (never the role, the session authorization or
/// the transaction's access mode), COMMIT, ROLLBACK.
fn allowed(statement: &str) -> bool {
    let upper = statement.to_ascii_uppercase();
    let word = upper.split_whitespace().next().unwrap_or("");
    match word {
        "BEGIN" | "START" => upper == READ_ONLY_BEGIN,
        "SELECT" | "WITH" => {
            const NOT_READS: [&str; 9] = [
                " INTO ",
                "FOR UPDATE",
                "FOR SHARE",
                "FOR NO KEY UPDATE",
                "FOR KEY SHARE",
                "NEXTVAL(",
                "SETVAL(",
                "SET_CONFIG(",
                "PG_ADVISORY",
            ];
            let writes_in_with = word == "WITH"
                && ["INSERT", "UPDATE", "DELETE", "MERGE"]
                    .iter()
                    .any(|w| upper.contains(w));
            let not_a_read = NOT_READS.iter().any(|w| upper.contains(w));
            !not_a_read && !writes_in_with
        }
        "SHOW" | "COMMIT" | "ROLLBACK" => true,
        // A second connection importing the first one's snapshot (inside
        // its read-only transaction, before any query): a read.
        "SET" if is_snapshot_import(&upper) => true,
        "SET" => {
            let rest: Vec<&str> = upper.split_whitespace().skip(1).collect();
            let name = match rest.first() {
                Some(&"LOCAL") | Some(&"SESSION") => rest.get(1),
                other => other,
            }
            .copied()
            .unwrap_or("");
            !matches!(
                name,
                "ROLE"
                    | "SESSION"
                    | "AUTHORIZATION"
                    | "CHARACTERISTICS"
                    | "TRANSACTION"
                    | "DEFAULT_TRANSACTION_READ_ONLY"
                    | "TRANSACTION_READ_ONLY"
                    | ""
            ) && !name.starts_with("SESSION_AUTHORIZATION")
        }
        _ => false,
    }
}

/// `SET TRANSACTION SNAPSHOT '<id>'` and nothing else.
fn is_snapshot_import(upper: &str) -> bool {
    upper
        .strip_prefix("SET TRANSACTION SNAPSHOT '")
        .and_then(|rest| rest.strip_suffix('\''))
        .is_some_and(|id| !id.is_empty() && id.chars().all(|c| c.is_ascii_hexdigit() || c == '-'))
}

#[test]
fn the_statement_filter_rejects_writes() {
    for ok in [
        READ_ONLY_BEGIN,
        "SET TRANSACTION SNAPSHOT '00000003-0000001B-1'",
        "SET LOCAL search_path = public",
        "SELECT to_regclass($1)::text",
        "COMMIT",
        "ROLLBACK",
        "SHOW server_version",
    ] {
        assert!(allowed(ok), "{ok}");
    }
    for bad in [
        "BEGIN",
        "BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ",
        "INSERT INTO t VALUES (1)",
        "CREATE TABLE t (a int)",
        "SELECT 1 INTO t",
        "SELECT nextval('s')",
        "SELECT * FROM t FOR UPDATE",
        "WITH x AS (DELETE FROM t RETURNING *) SELECT * FROM x",
        "SET ROLE postgres",
        "SET SESSION AUTHORIZATION postgres",
        "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE",
        "SET transaction_read_only = off",
        "SET TRANSACTION READ WRITE",
        "SET default_transaction_read_only = off",
        "SAVEPOINT a",
        "COPY t FROM STDIN",
        "TRUNCATE t",
        "VACUUM",
        "LOCK TABLE t",
    ] {
        assert!(!allowed(bad), "{bad}");
    }
}

/// The wire proof: per connection, the first statement opens the read-only
/// snapshot; every statement is allowed; nothing runs outside the
/// transaction; every transaction ends.
fn assert_read_only(wire: &Wire, what: &str, connections: usize) {
    assert_eq!(
        wire.connections.len(),
        connections,
        "{what}: connections made: {:#?}",
        wire.connections
    );
    for (i, c) in wire.connections.iter().enumerate() {
        let all: Vec<String> = c.sent.iter().flat_map(statements).collect();
        assert!(
            !all.is_empty(),
            "{what}: connection {i} sent no SQL at all (did the proxy see it?)"
        );
        assert_eq!(
            all[0], READ_ONLY_BEGIN,
            "{what}: connection {i}: the first statement must open the read-only snapshot; sent: {all:#?}"
        );
        let mut in_transaction = false;
        for s in &all {
            assert!(
                allowed(s),
                "{what}: connection {i} sent a statement that is not a read: {s}\nall: {all:#?}"
            );
            let upper = s.to_ascii_uppercase();
            if upper == READ_ONLY_BEGIN {
                assert!(!in_transaction, "{what}: nested BEGIN: {all:#?}");
                in_transaction = true;
            } else if upper == "COMMIT" || upper == "ROLLBACK" {
                assert!(in_transaction, "{what}: {s} outside a transaction");
                in_transaction = false;
            } else {
                assert!(
                    in_transaction,
                    "{what}: connection {i}: `{s}` ran outside the read-only transaction: {all:#?}"
                );
            }
        }
        assert!(
            !in_transaction,
            "{what}: connection {i} never ended its transaction: {all:#?}"
        );
        // No startup option smuggles settings in.
        assert!(
            c.startup.iter().all(|(k, _)| k != "options"),
            "{what}: startup options: {:?}",
            c.startup
        );
    }
}

/// The server's word: the next transaction id, and the database's
/// inserted/updated/deleted tuple counters.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
struct Evidence {
    next_xid: i64,
    tuples_written: i64,
}

/// Waits until no other client backend is connected: a backend flushes its
/// statistics when it exits, which can be after its client has gone.
fn wait_for_quiet(cluster: &PrivateCluster) {
    for _ in 0..400 {
        let n = psql(
            cluster,
            "postgres",
            "SELECT count(*) FROM pg_stat_activity \
             WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()",
        );
        if n.trim() == "0" {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    panic!("client backends did not exit within 10 s");
}

/// `txid_current()` assigns an id, so two readings with nothing written in
/// between differ by exactly 1.
fn evidence(cluster: &PrivateCluster, db: &str) -> Evidence {
    wait_for_quiet(cluster);
    // A backend leaves pg_stat_activity just before it flushes its
    // counters on exit: give that flush time to land.
    std::thread::sleep(std::time::Duration::from_millis(200));
    let row = psql(
        cluster,
        db,
        "SELECT txid_current(), tup_inserted + tup_updated + tup_deleted \
         FROM pg_stat_database WHERE datname = current_database()",
    );
    let mut parts = row.trim().split('|');
    let mut next = || -> i64 {
        parts
            .next()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or_else(|| panic!("unexpected evidence row {row:?}"))
    };
    Evidence {
        next_xid: next(),
        tuples_written: next(),
    }
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("drift JSON: {e}: {:?}", text(o)))
}

/// The differences of every database with the attribution fields removed
/// (they need the history table, which the role may not read).
fn differences_only(v: &Value) -> Vec<Value> {
    v["databases"]
        .as_array()
        .expect("databases")
        .iter()
        .map(|d| {
            let mut diffs = d["differences"].clone();
            for x in diffs.as_array_mut().expect("differences") {
                let o = x.as_object_mut().expect("difference object");
                o.remove("attribution");
                o.remove("migration");
                o.remove("migrations");
            }
            serde_json::json!({"target": d["target"], "status": d["status"], "differences": diffs})
        })
        .collect()
}

fn drift_json(dir: &Path, url: &str) -> Output {
    strata(dir, &["drift", "--database-url", url, "--format", "json"])
}

#[test]
fn inspect_and_drift_run_read_only_as_a_connect_only_role() {
    let cluster = quiet_cluster();
    let dir = project();
    let role = "strata_reader";
    create_role(&cluster, role);
    let db = "least_app";
    migrated_db(&cluster, dir.path(), db, role);
    let proxy = proxy_for(&cluster);
    let as_role = via(&proxy, role, db);
    let as_admin = via(&proxy, "postgres", db);

    // The role really can do nothing but read the catalog.
    for sql in [
        "SELECT count(*) FROM account",
        "SELECT count(*) FROM refinery_schema_history",
        "SELECT count(*) FROM billing.invoice",
        "CREATE TEMP TABLE x (a int)",
        "CREATE TABLE public.x (a int)",
    ] {
        let denied = cluster.psql(db, &format!("SET ROLE {role}; {sql}"));
        assert!(
            denied
                .as_ref()
                .is_err_and(|e| e.contains("permission denied")),
            "{sql}: {denied:?}"
        );
    }

    // --- inspect and drift as the role: the server's evidence -------------
    let before = evidence(&cluster, db);
    let role_inspect = strata(dir.path(), &["inspect", "--database-url", &as_role]);
    let role_wire = proxy.take();
    let role_drift = drift_json(dir.path(), &as_role);
    let role_drift_wire = proxy.take();
    let after = evidence(&cluster, db);
    assert!(
        role_inspect.status.success(),
        "inspect as the CONNECT-only role: {:?}",
        text(&role_inspect)
    );
    assert_eq!(
        role_drift.status.code(),
        Some(0),
        "drift as the role: {:?}",
        text(&role_drift)
    );
    assert_read_only(&role_wire, "inspect as the role", 2);
    assert_read_only(&role_drift_wire, "drift as the role", 2);
    assert_eq!(
        after.next_xid,
        before.next_xid + 1,
        "a transaction id was assigned while strata ran as the role (a write)"
    );
    assert_eq!(
        after.tuples_written, before.tuples_written,
        "tuples were inserted, updated or deleted while strata ran"
    );

    // --- the same as the superuser says -----------------------------------
    let admin_inspect = strata(dir.path(), &["inspect", "--database-url", &as_admin]);
    assert!(admin_inspect.status.success(), "{:?}", text(&admin_inspect));
    assert_read_only(&proxy.take(), "inspect as the superuser", 2);
    assert_eq!(
        text(&role_inspect),
        text(&admin_inspect),
        "inspect must say exactly the same as the role and as the superuser"
    );
    let sql = text(&role_inspect).0;
    for needle in [
        "CREATE TYPE public.mood AS ENUM",
        "GENERATED ALWAYS AS (lower(email)) STORED",
        "WHERE (deleted_at IS NULL)",
        "billing.invoice",
        "REFERENCES public.account",
    ] {
        assert!(
            sql.contains(needle),
            "inspect output lacks {needle}:\n{sql}"
        );
    }

    let admin_drift = drift_json(dir.path(), &as_admin);
    assert_read_only(&proxy.take(), "drift as the superuser", 2);
    assert_eq!(
        admin_drift.status.code(),
        Some(0),
        "{:?}",
        text(&admin_drift)
    );
    let (r, a) = (json(&role_drift), json(&admin_drift));
    assert_eq!(differences_only(&r), differences_only(&a));
    assert_eq!(a["databases"][0]["history"]["tool"], "refinery", "{a}");
    // The role may not read the history table: said, not an error.
    let note = r["databases"][0]["note"].as_str().unwrap_or_default();
    assert!(
        note.contains("cannot read the history table refinery_schema_history"),
        "{r}"
    );

    // --- drifted out of band: the same differences ---------------------------
    psql(
        &cluster,
        db,
        "ALTER TABLE account ADD COLUMN nickname text; \
         DROP INDEX billing.invoice_unpaid; \
         ALTER TABLE tag DROP CONSTRAINT tag_label_check",
    );
    psql(&cluster, db, "ALTER TYPE mood ADD VALUE 'meh'");
    let role_drift = drift_json(dir.path(), &as_role);
    assert_read_only(&proxy.take(), "drift (drifted) as the role", 2);
    let admin_drift = drift_json(dir.path(), &as_admin);
    assert_read_only(&proxy.take(), "drift (drifted) as the superuser", 2);
    assert_eq!(role_drift.status.code(), Some(1), "{:?}", text(&role_drift));
    assert_eq!(
        admin_drift.status.code(),
        Some(1),
        "{:?}",
        text(&admin_drift)
    );
    let (r, a) = (json(&role_drift), json(&admin_drift));
    let found = differences_only(&r);
    assert_eq!(found, differences_only(&a));
    let objects: Vec<&str> = found[0]["differences"]
        .as_array()
        .expect("differences")
        .iter()
        .filter_map(|d| d["object"].as_str())
        .collect();
    assert_eq!(
        objects.len(),
        4,
        "four changes made out of band: {found:#?}"
    );

    // With SELECT on the history table alone, the whole report is the
    // superuser's, attribution included.
    psql(
        &cluster,
        db,
        &format!("GRANT SELECT ON refinery_schema_history TO {role}"),
    );
    let role_drift = drift_json(dir.path(), &as_role);
    assert_read_only(
        &proxy.take(),
        "drift as the role with SELECT on the history",
        2,
    );
    assert_eq!(json(&role_drift), a);
    assert_eq!(text(&role_drift).1, text(&admin_drift).1);

    // --- the recorded BEGIN is read-only whatever the defaults say ---------
    let begin = role_wire.connections[0]
        .sent
        .first()
        .map(|s| s.sql().to_string())
        .expect("recorded BEGIN");
    let refused = cluster.psql(
        db,
        &format!(
            "SET default_transaction_read_only = off;\n{begin};\n\
             CREATE TABLE written_by_mistake (a int);"
        ),
    );
    let err = refused.expect_err("a write inside strata's transaction must fail");
    assert!(
        err.contains("cannot execute CREATE TABLE in a read-only transaction"),
        "{err}"
    );
    let refused = cluster.psql(db, &format!("{begin};\nSELECT nextval('account_id_seq');"));
    assert!(
        refused
            .as_ref()
            .is_err_and(|e| e.contains("read-only transaction")),
        "{refused:?}"
    );

    // --- positive control: the evidence does move when something writes ---
    let before = evidence(&cluster, db);
    psql(
        &cluster,
        db,
        "INSERT INTO account (email) VALUES ('control@example.com')",
    );
    let mut after = evidence(&cluster, db);
    for _ in 0..40 {
        if after.tuples_written > before.tuples_written {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
        after = evidence(&cluster, db);
    }
    assert!(after.next_xid > before.next_xid + 1, "{before:?} {after:?}");
    assert!(
        after.tuples_written > before.tuples_written,
        "{before:?} {after:?}"
    );
}

#[test]
fn without_usage_on_public_both_fail_clearly_and_stay_read_only() {
    let cluster = quiet_cluster();
    let dir = project();
    let role = "strata_no_usage";
    create_role(&cluster, role);
    let db = "least_nousage";
    migrated_db(&cluster, dir.path(), db, role);
    psql(&cluster, db, "REVOKE ALL ON SCHEMA public FROM PUBLIC");
    let proxy = proxy_for(&cluster);
    let url = via(&proxy, role, db);
    let out = strata(dir.path(), &["inspect", "--database-url", &url]);
    assert_eq!(out.status.code(), Some(2), "{:?}", text(&out));
    let (stdout, stderr) = text(&out);
    assert!(stdout.is_empty(), "{stdout}");
    assert!(stderr.contains("USAGE on schema public"), "{stderr}");
    let wire = proxy.take();
    assert_read_only(&wire, "inspect without USAGE", 2);
    assert!(
        wire.connections[0]
            .sent
            .last()
            .is_some_and(|s| s.sql() == "ROLLBACK"),
        "{wire:#?}"
    );
    let out = strata(dir.path(), &["drift", "--database-url", &url]);
    assert_eq!(out.status.code(), Some(2), "{:?}", text(&out));
    let (stdout, stderr) = text(&out);
    assert!(
        stdout.contains("USAGE on schema public") || stderr.contains("USAGE on schema public"),
        "{stdout}{stderr}"
    );
    assert_read_only(&proxy.take(), "drift without USAGE", 2);
}

#[test]
fn drift_across_a_fleet_as_the_role_is_read_only_and_agrees_with_the_superuser() {
    let cluster = quiet_cluster();
    let dir = project();
    let role = "strata_fleet_reader";
    create_role(&cluster, role);
    let names = ["fleet_a", "fleet_b", "fleet_c"];
    for n in names {
        migrated_db(&cluster, dir.path(), n, role);
    }
    psql(
        &cluster,
        "fleet_b",
        "ALTER TABLE billing.invoice ALTER COLUMN paid DROP DEFAULT",
    );
    let proxy = proxy_for(&cluster);
    let run = |user: &str| {
        let mut args = vec!["drift", "--format", "json"]
            .into_iter()
            .map(String::from)
            .collect::<Vec<_>>();
        for n in names {
            args.push("--database-url".to_string());
            args.push(via(&proxy, user, n));
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = strata(dir.path(), &args);
        (out, proxy.take())
    };
    let before: Vec<Evidence> = names.iter().map(|n| evidence(&cluster, n)).collect();
    let (role_out, role_wire) = run(role);
    let after: Vec<Evidence> = names.iter().map(|n| evidence(&cluster, n)).collect();
    assert_eq!(role_out.status.code(), Some(1), "{:?}", text(&role_out));
    assert_read_only(&role_wire, "fleet drift as the role", 3);
    // One id per evidence reading and none for strata: the first reading
    // after is 3 ids past the first one before.
    assert_eq!(
        after[0].next_xid,
        before[0].next_xid + 3,
        "{before:?} {after:?}"
    );
    for (b, a) in before.iter().zip(&after) {
        assert_eq!(a.tuples_written, b.tuples_written);
    }
    let (admin_out, admin_wire) = run("postgres");
    assert_eq!(admin_out.status.code(), Some(1), "{:?}", text(&admin_out));
    assert_read_only(&admin_wire, "fleet drift as the superuser", 3);
    let (r, a) = (json(&role_out), json(&admin_out));
    assert_eq!(differences_only(&r), differences_only(&a));
    let statuses: Vec<&str> = r["databases"]
        .as_array()
        .expect("databases")
        .iter()
        .map(|d| d["status"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(statuses, ["no_drift", "drift", "no_drift"], "{r}");
}
