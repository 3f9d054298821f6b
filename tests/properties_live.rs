//! Table, index and column properties that PostgreSQL stores in its
//! catalogs: each is either modelled (offline replay equals what the
//! server builds, a change is reported, `strata inspect`'s SQL rebuilds the
//! same catalog, a plan converges) or refused on both sides (offline at
//! file:line:column, live with an `Unsupported` error naming the object).
//!
//! PostgreSQL is the oracle: every expectation is read back from the
//! server, never copied from strata's own output.

use crate::support;

use std::process::Command;
use std::sync::Arc;

use strata::inspect::{inspect_url, InspectError, InspectOptions};
use strata_core::diff::{diff, DiffOptions, Difference};
use strata_core::plan::{plan, PlanOptions};
use strata_core::replay::replay_texts;
use strata_core::{Error, Schema};
use support::{psql_apply_sql, strata_bin, TestDb};

fn replay(sql: &str) -> Result<Schema, Error> {
    let text: Arc<str> = Arc::from(sql);
    replay_texts([("props.sql", &text)]).map(|r| r.schema)
}

async fn build(prefix: &str, sql: &str) -> (TestDb, Schema) {
    let db = TestDb::create(prefix).await;
    psql_apply_sql(&db.url, sql, true).unwrap_or_else(|e| panic!("psql: {e}\n{sql}"));
    let schema = inspect_url(&db.url, &InspectOptions::default())
        .await
        .unwrap_or_else(|e| panic!("inspect: {e}"));
    (db, schema)
}

fn differences(expected: &Schema, found: &Schema) -> Vec<Difference> {
    diff(
        expected,
        found,
        DiffOptions {
            column_order: true,
            ..Default::default()
        },
    )
}

fn show(d: &[Difference]) -> String {
    d.iter().map(|x| format!("  {x}\n")).collect()
}

/// `pg_dump --schema-only`, without comments, blank lines and the
/// `\restrict` lines, as a sorted list of lines (column order ignored).
fn dump(url: &str) -> Vec<String> {
    let out = Command::new("pg_dump")
        .args(["--schema-only", "--no-owner", "--no-privileges", "-d", url])
        .output()
        .expect("run pg_dump");
    assert!(
        out.status.success(),
        "pg_dump: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut lines: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with("--") && !l.starts_with('\\'))
        .map(|l| sort_storage_parameters(l.trim_end_matches(',')))
        .collect();
    lines.sort();
    lines
}

/// `… WITH (b=1, a=2) …` → `… WITH (a=2, b=1) …`: the server keeps storage
/// parameters in the order they were set, which carries no meaning.
fn sort_storage_parameters(line: &str) -> String {
    let Some(start) = line.find("WITH (") else {
        return line.to_string();
    };
    let open = start + "WITH (".len();
    let Some(len) = line[open..].find(')') else {
        return line.to_string();
    };
    let mut items: Vec<&str> = line[open..open + len].split(", ").collect();
    items.sort_unstable();
    format!(
        "{}{}{}",
        &line[..open],
        items.join(", "),
        &line[open + len..]
    )
}

/// A modelled property: variant `a` and variant `b` differ only in it.
/// Checks (a) offline replay equals inspect for both, (b) the two are
/// reported different, naming `field`, (c) `strata inspect`'s SQL rebuilds
/// the same `pg_dump`, and a plan from `a` to `b` applied to `a`'s database
/// converges on `b`.
async fn modelled(name: &str, a: &str, b: &str, field: &str) {
    let (db_a, live_a) = build(&format!("props_{name}_a"), a).await;
    let (db_b, live_b) = build(&format!("props_{name}_b"), b).await;
    for (sql, live) in [(a, &live_a), (b, &live_b)] {
        let offline = replay(sql).unwrap_or_else(|e| panic!("{name}: replay: {e}"));
        let d = differences(live, &offline);
        assert!(
            d.is_empty(),
            "{name}: offline replay differs from the server:\n{}",
            show(&d)
        );
    }
    let d = differences(&live_a, &live_b);
    assert!(
        !d.is_empty() && d.iter().all(|x| x.to_string().contains(field)),
        "{name}: expected differences in {field}, got:\n{}",
        show(&d)
    );
    // strata inspect's SQL, re-applied, gives the same catalog.
    let out = Command::new(strata_bin())
        .args(["inspect", "--database-url", &db_b.url])
        .env("NO_COLOR", "1")
        .output()
        .expect("run strata inspect");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{name}: strata inspect: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sql = String::from_utf8_lossy(&out.stdout).into_owned();
    let copy = TestDb::create(&format!("props_{name}_copy")).await;
    psql_apply_sql(&copy.url, &sql, true)
        .unwrap_or_else(|e| panic!("{name}: re-applying strata inspect: {e}\n{sql}"));
    assert_eq!(
        dump(&copy.url),
        dump(&db_b.url),
        "{name}: pg_dump differs after re-applying:\n{sql}"
    );
    // A plan from a to b converges.
    let p = plan(&live_a, &live_b, &PlanOptions::default())
        .unwrap_or_else(|e| panic!("{name}: plan: {e:?}"));
    let statements: Vec<String> = p
        .units
        .iter()
        .flat_map(|u| u.steps.iter())
        .flat_map(|s| s.statements.iter().cloned())
        .collect();
    assert!(!statements.is_empty(), "{name}: empty plan");
    let script = statements.join(";\n") + ";\n";
    psql_apply_sql(&db_a.url, &script, false)
        .unwrap_or_else(|e| panic!("{name}: applying the plan: {e}\n{script}"));
    let after = inspect_url(&db_a.url, &InspectOptions::default())
        .await
        .expect("inspect after plan");
    let d = differences(&live_b, &after);
    assert!(
        d.is_empty(),
        "{name}: the plan does not converge:\n{script}\n{}",
        show(&d)
    );
    assert_eq!(
        dump(&db_a.url),
        dump(&db_b.url),
        "{name}: pg_dump after plan"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn table_storage_parameters_are_modelled() {
    let base = "CREATE TABLE t (id int PRIMARY KEY, x text);\n";
    let a = format!("{base}ALTER TABLE t SET (fillfactor = 90, parallel_workers = 2);\n");
    let b = format!(
        "{base}ALTER TABLE t SET (fillfactor='50', autovacuum_enabled, \
         autovacuum_vacuum_scale_factor=0.10, parallel_workers = 04);\n\
         ALTER TABLE t SET (fillfactor=70, autovacuum_enabled=off);\n\
         ALTER TABLE t RESET (parallel_workers, user_catalog_table);\n\
         CREATE TABLE u (id int) WITH (fillfactor=+60, vacuum_index_cleanup=auto, \
         log_autovacuum_min_duration=-1, oids=false);\n"
    );
    let a = format!("{a}CREATE TABLE u (id int);\n");
    modelled("table_options", &a, &b, "storage parameters").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn index_storage_parameters_are_modelled() {
    let base = "CREATE TABLE t (id int, x text);\n";
    let a = format!(
        "{base}CREATE INDEX i ON t (id);\nCREATE INDEX b ON t USING brin (id);\n\
         CREATE INDEX g ON t USING gin (to_tsvector('simple', x)) WITH (fastupdate = off);\n"
    );
    let b = format!(
        "{base}CREATE INDEX i ON t (id) WITH (fillfactor=80, deduplicate_items=off);\n\
         CREATE INDEX b ON t USING brin (id) WITH (pages_per_range=16, autosummarize=on);\n\
         CREATE INDEX g ON t USING gin (to_tsvector('simple', x));\n\
         ALTER INDEX i SET (fillfactor=60);\nALTER INDEX b RESET (autosummarize);\n"
    );
    modelled("index_options", &a, &b, "storage parameters").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn column_statistics_targets_are_modelled() {
    let base = "CREATE TABLE t (id int, x text, y int);\n";
    let a = format!("{base}ALTER TABLE t ALTER COLUMN y SET STATISTICS 300;\n");
    let b = format!(
        "{base}ALTER TABLE t ALTER COLUMN x SET STATISTICS 500;\n\
         ALTER TABLE ONLY t ALTER COLUMN id SET STATISTICS 20000;\n\
         ALTER TABLE t ALTER COLUMN y SET STATISTICS 300, ALTER COLUMN y SET STATISTICS -1;\n"
    );
    modelled("statistics", &a, &b, "statistics target").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn index_column_statistics_targets_are_modelled() {
    let base = "CREATE TABLE t (id int, x text, y int);\n\
                CREATE INDEX i ON t (id, lower(x), (y + 1)) INCLUDE (x);\n\
                CREATE INDEX j ON t ((x || 'a'));\n";
    let a = format!("{base}ALTER INDEX i ALTER COLUMN 2 SET STATISTICS 300;\n");
    let b = format!(
        "{base}ALTER INDEX i ALTER COLUMN 3 SET STATISTICS 20000;\n\
         ALTER INDEX i ALTER 2 SET STATISTICS 300, ALTER COLUMN 2 SET STATISTICS -1;\n\
         ALTER INDEX IF EXISTS public.j ALTER COLUMN 1 SET STATISTICS 50;\n\
         ALTER INDEX IF EXISTS nope ALTER COLUMN 1 SET STATISTICS 5;\n"
    );
    modelled("index_statistics", &a, &b, "statistics target").await;

    // A plan that creates an index with a target sets it after the CREATE
    // INDEX (and a renamed one keeps its name's new target).
    let (db_a, live_a) = build("props_index_statistics_new_a", "CREATE TABLE t (x text);\n").await;
    let (db_b, live_b) = build(
        "props_index_statistics_new_b",
        "CREATE TABLE t (x text);\nCREATE INDEX k ON t (upper(x), lower(x));\n\
         ALTER INDEX k ALTER COLUMN 2 SET STATISTICS 42;\n",
    )
    .await;
    let p = plan(&live_a, &live_b, &PlanOptions::default()).expect("plan");
    let script: String = p
        .units
        .iter()
        .flat_map(|u| u.steps.iter())
        .flat_map(|s| s.statements.iter())
        .map(|s| format!("{s};\n"))
        .collect();
    psql_apply_sql(&db_a.url, &script, false)
        .unwrap_or_else(|e| panic!("applying the plan: {e}\n{script}"));
    let after = inspect_url(&db_a.url, &InspectOptions::default())
        .await
        .expect("inspect after plan");
    let d = differences(&live_b, &after);
    assert!(
        d.is_empty(),
        "the plan does not converge:\n{script}\n{}",
        show(&d)
    );
    assert_eq!(
        dump(&db_a.url),
        dump(&db_b.url),
        "pg_dump after plan:\n{script}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identity_sequence_options_are_modelled() {
    let w = "CREATE TABLE w (k smallint GENERATED ALWAYS AS IDENTITY (INCREMENT BY 2 CACHE 5));\n\
             ALTER TABLE w ALTER COLUMN k TYPE bigint;\n";
    let a = format!(
        "{w}CREATE TABLE u (id int GENERATED ALWAYS AS IDENTITY, \
         v smallint GENERATED BY DEFAULT AS IDENTITY (START WITH 10 INCREMENT BY 5));\n"
    );
    let b = format!(
        "{w}CREATE TABLE u (id int GENERATED ALWAYS AS IDENTITY (START WITH 100 INCREMENT BY 5 CACHE 20), \
         v smallint GENERATED BY DEFAULT AS IDENTITY);\n\
         ALTER TABLE u ALTER COLUMN id SET INCREMENT BY 7 SET MAXVALUE 100000 RESTART;\n"
    );
    modelled("identity", &a, &b, "identity options").await;
}

/// A construct refused offline: the error names it at file:line:column.
fn refused_offline(sql: &str, line: u32, column: u32, words: &str) {
    let e = match replay(sql) {
        Ok(_) => panic!("accepted offline, expected a refusal: {sql}"),
        Err(e) => e,
    };
    let Error::Sql(e) = e else {
        panic!("expected a located error, got {e}");
    };
    assert_eq!(
        (e.location.line, e.location.column),
        (line, column),
        "{sql}: {}",
        e.message
    );
    assert!(
        e.message.contains(words),
        "{sql}: message {:?} should name {words:?}",
        e.message
    );
}

/// A database holding the construct (`setup` applied with psql, so the
/// server accepts it) is refused by inspect, naming `object`.
async fn refused_live(prefix: &str, setup: &str, object: &str, words: &str) {
    let db = TestDb::create(prefix).await;
    psql_apply_sql(&db.url, setup, true).unwrap_or_else(|e| panic!("psql: {e}\n{setup}"));
    match inspect_url(&db.url, &InspectOptions::default()).await {
        Err(InspectError::Unsupported {
            object: o, what, ..
        }) => {
            assert!(
                o.contains(object) && what.contains(words),
                "{setup}: refusal names {o:?} / {what:?}, expected {object:?} / {words:?}"
            );
        }
        Ok(_) => panic!("{setup}: inspect accepted what strata does not model"),
        Err(e) => panic!("{setup}: unexpected error {e}"),
    }
}

const T: &str = "CREATE TABLE t (id int PRIMARY KEY, x text);\n";

#[test]
fn refused_constructs_are_located_offline() {
    // (statement after T on line 2, column, words in the message)
    let cases: &[(&str, u32, &str)] = &[
        (
            "ALTER TABLE t ALTER COLUMN x SET STORAGE external;",
            30,
            "SET STORAGE",
        ),
        (
            "ALTER TABLE t ALTER COLUMN x SET COMPRESSION pglz;",
            30,
            "SET COMPRESSION",
        ),
        (
            "ALTER TABLE t ALTER COLUMN x SET (n_distinct = 5);",
            30,
            "attribute options",
        ),
        (
            "ALTER TABLE t REPLICA IDENTITY FULL;",
            15,
            "REPLICA IDENTITY",
        ),
        ("ALTER TABLE t CLUSTER ON t_pkey;", 15, "CLUSTER ON"),
        ("ALTER TABLE t SET WITHOUT CLUSTER;", 19, "WITHOUT CLUSTER"),
        (
            "ALTER TABLE t SET (toast.autovacuum_enabled = off);",
            20,
            "TOAST",
        ),
        (
            "CREATE TABLE u (id int) WITH (toast.fillfactor = 70);",
            31,
            "TOAST",
        ),
        (
            "CREATE TABLE u (id int, PRIMARY KEY (id) WITH (fillfactor = 70));",
            42,
            "constraint's index",
        ),
        (
            "CREATE TABLE u (id int GENERATED ALWAYS AS IDENTITY (START WITH 9 SEQUENCE NAME s));",
            67,
            "SEQUENCE NAME",
        ),
        (
            "ALTER TABLE t ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (SEQUENCE NAME s);",
            65,
            "SEQUENCE NAME",
        ),
        (
            "ALTER INDEX t_pkey ALTER COLUMN id SET STATISTICS 100;",
            33,
            "by name",
        ),
        (
            "CREATE TABLE u (id int REFERENCES t ON DELETE SET NULL (id));",
            56,
            "column list",
        ),
        (
            "CREATE TABLE u1 PARTITION OF t (x WITH OPTIONS NOT NULL) FOR VALUES IN (1);",
            33,
            "column options",
        ),
        (
            "CREATE TYPE c AS (a int);\nCREATE TABLE u OF c;",
            0,
            "typed tables",
        ),
    ];
    for (stmt, column, words) in cases {
        let sql = format!("{T}{stmt}\n");
        // Multi-statement cases: the refusal is on the last line, column 16
        // (`CREATE TABLE u1 PARTITION` / `CREATE TABLE u OF`).
        let (line, column) = if *column == 0 {
            (3, if stmt.contains(" OF c") { 16 } else { 17 })
        } else {
            (2, *column)
        };
        refused_offline(&sql, line, column, words);
    }
    // A statistics target on an exclusion constraint's index (whose
    // elements are kept as text) is refused, not dropped.
    let e = replay(&format!(
        "{T}ALTER TABLE t ADD CONSTRAINT ex EXCLUDE USING btree ((lower(x)) WITH =);\n\
         ALTER INDEX ex ALTER COLUMN 1 SET STATISTICS 100;\n"
    ))
    .expect_err("statistics on an exclusion constraint's index");
    let Error::Sql(e) = e else {
        panic!("expected a located error, got {e}");
    };
    assert!(
        e.location.line == 3 && e.message.contains("statistics") && e.message.contains("ex"),
        "{}:{}: {}",
        e.location.line,
        e.location.column,
        e.message
    );
    // A comment on the index of a primary key is refused, not dropped.
    let e = replay(&format!("{T}COMMENT ON INDEX t_pkey IS 'pk';\n"))
        .expect_err("comment on a constraint's index");
    assert!(e.to_string().contains("t_pkey"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_constructs_are_refused_live() {
    let cases: &[(&str, &str, &str)] = &[
        ("ALTER TABLE t ALTER COLUMN x SET STORAGE external;", "t.x", "STORAGE"),
        ("ALTER TABLE t ALTER COLUMN x SET COMPRESSION pglz;", "t.x", "COMPRESSION"),
        ("ALTER TABLE t ALTER COLUMN x SET (n_distinct = 5);", "t.x", "attribute options"),
        ("ALTER TABLE t REPLICA IDENTITY FULL;", "table public.t", "REPLICA IDENTITY FULL"),
        ("ALTER TABLE t REPLICA IDENTITY USING INDEX t_pkey;", "table public.t", "USING INDEX"),
        ("ALTER TABLE t CLUSTER ON t_pkey;", "t_pkey", "CLUSTER"),
        ("CREATE INDEX i ON t (x);\nALTER TABLE t CLUSTER ON i;", "i", "CLUSTER"),
        ("ALTER TABLE t SET (toast.autovacuum_enabled = off);", "table public.t", "TOAST"),
        ("ALTER INDEX t_pkey SET (fillfactor = 70);", "t_pkey", "constraint's index"),
        ("ALTER TABLE t ADD CONSTRAINT ex EXCLUDE USING btree ((lower(x)) WITH =);\n\
          ALTER INDEX ex ALTER COLUMN 1 SET STATISTICS 100;", "constraint ex", "statistics"),
        ("CREATE TABLE u (id int GENERATED ALWAYS AS IDENTITY);\nALTER SEQUENCE u_id_seq RENAME TO other;", "u.id", "other"),
        ("CREATE TABLE u (id int GENERATED ALWAYS AS IDENTITY);\nCOMMENT ON SEQUENCE u_id_seq IS 's';", "u_id_seq", "comment"),
        ("COMMENT ON INDEX t_pkey IS 'pk';", "t_pkey", "comment"),
        (CLONED_TRIGGER, "p1", "cloned"),
        ("CREATE TYPE ty AS (a int);\nCREATE TABLE typed OF ty;", "typed", "typed table"),
        ("CREATE TABLE r (id int REFERENCES t ON DELETE SET NULL (id));", "r_id_fkey", "column list"),
    ];
    for (i, (stmt, object, words)) in cases.iter().enumerate() {
        refused_live(
            &format!("props_refused_{i}"),
            &format!("{T}{stmt}\n"),
            object,
            words,
        )
        .await;
    }
}

/// A partitioned table with a row trigger and a partition: the trigger
/// cloned to the partition is refused (strata does not model it yet).
const CLONED_TRIGGER: &str =
    "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NULL; END$$;\n\
     CREATE TABLE p (id int, at int) PARTITION BY RANGE (at);\n\
     CREATE TRIGGER g AFTER INSERT ON p FOR EACH ROW EXECUTE FUNCTION f();\n\
     CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (1) TO (10);\n";

/// The binary renders a live refusal with exit 2 and names the table.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_exits_2_on_a_live_refusal() {
    let db = TestDb::create("props_cli").await;
    psql_apply_sql(&db.url, CLONED_TRIGGER, true).expect("psql");
    let out = Command::new(strata_bin())
        .args(["inspect", "--database-url", &db.url])
        .env("NO_COLOR", "1")
        .output()
        .expect("run strata");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("public.p1") && err.contains("not supported yet"),
        "{err}"
    );
}

/// pg_dump writes every identity column's `SEQUENCE NAME`. Where it is the
/// name PostgreSQL chooses without it (`table_column_seq`; inspect refuses
/// any other, so `…_seq1` after a clash is refused live) the dump replays
/// to what the server built, so a
/// dump checks in step with itself and the database does not drift from
/// it; a sequence that kept an old table's name is refused by name.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pg_dumps_identity_sequence_names_are_read() {
    const SQL: &str =
        "CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, x integer);\n\
        CREATE TABLE \"Odd\" (\"Key\" integer GENERATED BY DEFAULT AS IDENTITY (START WITH 10));\n";
    let (db, live) = build("strata_identity_names", SQL).await;
    let dumped = std::process::Command::new("pg_dump")
        .args(["--schema-only", "--no-owner", "-d", &db.url])
        .output()
        .expect("pg_dump");
    let text = String::from_utf8(dumped.stdout).unwrap();
    assert!(text.contains("SEQUENCE NAME public.t_id_seq"), "{text}");
    let offline = replay(&text).unwrap_or_else(|e| panic!("{e}"));
    let d = differences(&offline, &live);
    assert!(d.is_empty(), "{}", show(&d));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("dump.sql"), &text).unwrap();
    let run = |args: &[&str]| {
        Command::new(strata_bin())
            .args(args)
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .output()
            .expect("run strata")
    };
    let o = run(&[
        "check",
        "--schema",
        "schema:dump.sql",
        "--migrations",
        "schema:dump.sql",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = run(&[
        "drift",
        "--database-url",
        &db.url,
        "--against",
        "schema:dump.sql",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    // A sequence that kept its old table's name: refused, named.
    psql_apply_sql(&db.url, "ALTER TABLE t RENAME TO renamed", true).unwrap();
    let dumped = std::process::Command::new("pg_dump")
        .args(["--schema-only", "--no-owner", "-d", &db.url])
        .output()
        .expect("pg_dump");
    let text = String::from_utf8(dumped.stdout).unwrap();
    let e = replay(&text).expect_err("a kept old name is refused");
    assert!(
        e.to_string().contains("public.t_id_seq"),
        "the refusal names the sequence: {e}"
    );
}
