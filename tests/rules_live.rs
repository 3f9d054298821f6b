//! Rewrite rules against the real server: offline replay and
//! `strata::inspect` build the same rules (event, INSTEAD or ALSO, enabled
//! state, comment, `NOTHING` proven; a condition or actions strata cannot
//! derive reported as "cannot prove", never as a difference nor as
//! equal), the model written back dumps alike (`pg_dump -s`), replay fails
//! where the server fails with its SQLSTATE, plans converge both ways
//! (judged by `pg_dump -s`), and `strata drift` names each property changed
//! out of band.

mod support;

use support::kinds::{all_hazards, converge, replay};

use std::process::Command;

use strata::inspect::{inspect_url, InspectOptions};
use strata_core::diff::{diff, Change, DiffOptions};
use strata_core::model::{ObjectKind, RuleEvent, Schema, TriggerEnabled};
use strata_core::plan::plan_verified;
use support::judge::{copy_db, fresh_db, judge_converged, same_dump};
use support::{psql_apply_sql, strata_bin, TestDb};

const BASE: &str = r#"
CREATE SCHEMA app;
CREATE TABLE public.t (a integer, b text);
CREATE TABLE app.log (x integer, y text);
CREATE TABLE "Odd Table" ("Col" integer);
CREATE VIEW v AS SELECT a, b FROM t;
"#;

/// Rules whose definition strata proves: `NOTHING`, no condition.
const PROVEN: &str = r#"
CREATE RULE no_delete AS ON DELETE TO t DO INSTEAD NOTHING;
CREATE RULE "Also Nothing" AS ON UPDATE TO "Odd Table" DO ALSO NOTHING;
CREATE RULE quiet AS ON INSERT TO app.log DO NOTHING;
CREATE RULE empty_list AS ON UPDATE TO t DO INSTEAD ( ; );
CREATE RULE v_delete AS ON DELETE TO v DO INSTEAD NOTHING;
ALTER TABLE t DISABLE RULE empty_list;
ALTER TABLE app.log ENABLE REPLICA RULE quiet;
ALTER TABLE "Odd Table" ENABLE ALWAYS RULE "Also Nothing";
COMMENT ON RULE no_delete ON t IS 'rows stay';
COMMENT ON RULE v_delete ON v IS 'the view keeps its rows';
"#;

/// Rules with a condition or actions strata cannot derive.
const UNPROVEN: &str = r#"
CREATE RULE keep_positive AS ON INSERT TO t WHERE new.a > 0 DO INSTEAD INSERT INTO app.log VALUES (new.a, new.b);
CREATE RULE audit AS ON UPDATE TO t DO ALSO (INSERT INTO app.log VALUES (old.a, 'u'); DELETE FROM app.log WHERE x = new.a);
CREATE RULE v_insert AS ON INSERT TO v DO INSTEAD INSERT INTO t VALUES (new.a, new.b);
"#;

fn proven() -> String {
    format!("{BASE}{PROVEN}")
}

fn fixture() -> String {
    format!("{BASE}{PROVEN}{UNPROVEN}")
}

async fn read(url: &str) -> Schema {
    inspect_url(url, &InspectOptions::default())
        .await
        .unwrap_or_else(|e| panic!("inspect: {e}"))
}

fn shown(d: &[strata_core::diff::Difference]) -> Vec<String> {
    d.iter().map(|x| x.to_string()).collect()
}

/// The differences of `offline` against `server`: only "cannot prove" of
/// the conditions and actions of the rules named in `unproven`.
fn only_unproven(name: &str, offline: &Schema, server: &Schema, unproven: &[&str]) {
    let d = diff(offline, server, DiffOptions::default());
    let mut seen = std::collections::BTreeSet::new();
    for x in &d {
        let ok = x.path.kind == ObjectKind::Rule
            && unproven.contains(&x.path.name.as_str())
            && matches!(&x.change, Change::Unproven { field, .. }
                if field == "actions" || field == "WHERE condition");
        assert!(ok, "{name}: {:#?}", shown(&d));
        seen.insert(x.path.name.clone());
    }
    assert_eq!(
        seen.len(),
        unproven.len(),
        "{name}: every unproven rule is reported: {:#?}",
        shown(&d)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_replay_builds_the_rules_the_server_builds() {
    let changed = format!(
        "{}\nALTER RULE quiet ON app.log RENAME TO hushed;\n\
         DROP RULE IF EXISTS nope ON t;\n\
         DROP RULE IF EXISTS nope ON no_such_table;\n\
         CREATE OR REPLACE RULE empty_list AS ON INSERT TO t DO ALSO NOTHING;\n\
         COMMENT ON RULE no_delete ON t IS NULL;\n\
         ALTER TABLE t RENAME TO t_renamed;\n\
         ALTER TABLE \"Odd Table\" SET SCHEMA app;\n\
         CREATE TABLE gone (z int);\n\
         CREATE RULE g AS ON INSERT TO gone DO INSTEAD NOTHING;\n\
         DROP TABLE gone;\n\
         DROP VIEW v;\n",
        proven()
    );
    for (name, sql, unproven) in [
        ("proven", proven(), &[][..]),
        ("changed by statements", changed, &[][..]),
        (
            "with unproven rules",
            fixture(),
            &["keep_positive", "audit", "v_insert"][..],
        ),
    ] {
        let db = TestDb::create("strata_rules_oracle").await;
        psql_apply_sql(&db.url, &sql, true).unwrap();
        let server = read(&db.url).await;
        let offline = replay(&sql).unwrap();
        only_unproven(name, &offline, &server, unproven);
        assert!(
            server.unmanaged.is_empty(),
            "{name}: {:?}",
            server.unmanaged
        );
        for (side, model) in [("offline", &offline), ("inspected", &server)] {
            let written = strata_core::ddl::schema_sql(model);
            let copy = fresh_db("strata_rules_copy");
            psql_apply_sql(&copy.url, &written, true)
                .unwrap_or_else(|e| panic!("{name}, {side}: does not apply: {e}\n{written}"));
            let (same, dd) = same_dump(&db.url, &copy.url).unwrap();
            assert!(same, "{name}, {side}: pg_dump -s differs:\n{dd}\n{written}");
            // Written back and read again: the same rules.
            let again = read(&copy.url).await;
            let d = diff(&server, &again, DiffOptions::default());
            assert!(d.is_empty(), "{name}, {side}: {:#?}", shown(&d));
        }
        if name == "proven" {
            let t = server.table("public", "t").unwrap();
            let r = &t.rules["no_delete"];
            assert_eq!(r.event, RuleEvent::Delete);
            assert!(r.instead);
            assert_eq!(r.actions.exact(), Some("NOTHING"));
            assert_eq!(r.comment.as_deref(), Some("rows stay"));
            assert_eq!(t.rules["empty_list"].enabled, TriggerEnabled::Disabled);
            let log = server.table("app", "log").unwrap();
            assert_eq!(log.rules["quiet"].enabled, TriggerEnabled::Replica);
            assert!(!log.rules["quiet"].instead);
            let v = &server.namespaces["public"].views["v"];
            assert_eq!(v.rules.len(), 1, "{:?}", v.rules.keys());
            assert_eq!(server.counts().rules, 5);
        }
        if name == "with unproven rules" {
            let r = &server.table("public", "t").unwrap().rules["keep_positive"];
            assert_eq!(
                r.condition.as_ref().and_then(|c| c.exact()),
                Some("(new.a > 0)")
            );
        }
    }
}

/// (setup after the fixture, statement): the statement must fail on the
/// server and offline with the same SQLSTATE, or succeed on both.
const CASES: &[(&str, &str)] = &[
    (
        "",
        "CREATE RULE no_delete AS ON DELETE TO t DO INSTEAD NOTHING",
    ),
    (
        "",
        "CREATE OR REPLACE RULE no_delete AS ON INSERT TO t DO ALSO NOTHING",
    ),
    ("", "CREATE RULE x AS ON INSERT TO nope DO NOTHING"),
    ("", "CREATE RULE \"_RETURN\" AS ON INSERT TO t DO NOTHING"),
    (
        "CREATE SEQUENCE s",
        "CREATE RULE x AS ON INSERT TO s DO NOTHING",
    ),
    (
        "CREATE MATERIALIZED VIEW mv AS SELECT 1 AS z",
        "CREATE RULE x AS ON INSERT TO mv DO INSTEAD NOTHING",
    ),
    ("", "CREATE RULE x AS ON SELECT TO t DO ALSO NOTHING"),
    (
        "",
        "CREATE RULE x AS ON INSERT TO t WHERE new.a > 0 DO NOTIFY t",
    ),
    (
        "CREATE TABLE p (a int) PARTITION BY RANGE (a)",
        "CREATE RULE x AS ON INSERT TO p DO INSTEAD NOTHING",
    ),
    ("", "DROP RULE nope ON t"),
    ("", "DROP RULE IF EXISTS nope ON t"),
    ("", "DROP RULE no_delete ON nope"),
    ("", "DROP RULE IF EXISTS no_delete ON nope"),
    ("", "DROP RULE \"_RETURN\" ON v"),
    ("", "DROP RULE v_delete ON v"),
    ("", "ALTER RULE nope ON t RENAME TO x"),
    ("", "ALTER RULE no_delete ON t RENAME TO empty_list"),
    ("", "ALTER RULE \"_RETURN\" ON v RENAME TO x"),
    ("", "ALTER RULE no_delete ON t RENAME TO \"_RETURN\""),
    ("", "ALTER TABLE t DISABLE RULE nope"),
    ("", "ALTER TABLE v DISABLE RULE v_delete"),
    ("", "ALTER TABLE t ENABLE ALWAYS RULE no_delete"),
    ("", "COMMENT ON RULE nope ON t IS 'x'"),
    ("", "DROP TABLE app.log"),
    ("", "DROP TABLE app.log CASCADE"),
    ("DROP TABLE app.log CASCADE", "DROP RULE keep_positive ON t"),
    ("", "ALTER TABLE app.log DROP COLUMN y"),
    ("", "ALTER TABLE t DROP COLUMN b"),
    ("", "ALTER TABLE t ALTER COLUMN a TYPE bigint"),
    ("", "DROP TABLE t CASCADE"),
    ("DROP TABLE t CASCADE", "DROP RULE no_delete ON t"),
    ("", "DROP VIEW v"),
    ("DROP VIEW v", "DROP RULE v_delete ON v"),
    ("", "ALTER TABLE \"Odd Table\" DROP COLUMN \"Col\""),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_fails_where_the_server_fails_with_its_sqlstate() {
    // One database; each case in a transaction rolled back.
    let mismatches =
        support::kinds::sqlstate_mismatches("strata_rules_errors", &fixture(), CASES).await;
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

/// Event, INSTEAD/ALSO, condition, actions, state and comment changed; one
/// dropped, one added; a column a kept rule reads retyped.
fn changed() -> String {
    let p = PROVEN
        .replace(
            "ON DELETE TO t DO INSTEAD NOTHING;",
            "ON DELETE TO t WHERE old.a IS NOT NULL DO INSTEAD NOTHING;",
        )
        .replace("DO ALSO NOTHING;", "DO INSTEAD NOTHING;")
        .replace("ON INSERT TO app.log DO NOTHING", "ON DELETE TO app.log DO NOTHING")
        .replace("ALTER TABLE t DISABLE RULE empty_list;\n", "")
        .replace("'rows stay'", "'rows really stay'")
        .replace(
            "CREATE RULE v_delete AS ON DELETE TO v DO INSTEAD NOTHING;",
            "CREATE RULE v_update AS ON UPDATE TO v DO INSTEAD UPDATE t SET b = new.b WHERE a = old.a;",
        )
        .replace("COMMENT ON RULE v_delete ON v IS 'the view keeps its rows';\n", "");
    let u = UNPROVEN.replace(
        "DO INSTEAD INSERT INTO app.log VALUES (new.a, new.b)",
        "DO INSTEAD INSERT INTO app.log VALUES (new.a + 1, new.b)",
    );
    format!("{}{p}{u}", BASE.replace("y text", "y varchar(20)"))
}

#[test]
fn plans_create_drop_change_and_converge() {
    converge("rules created", BASE, &fixture());
    converge("rules dropped", &fixture(), BASE);
    converge("rules changed", &fixture(), &changed());
    converge("rules changed back", &changed(), &fixture());
    let plan = converge(
        "state only",
        &fixture(),
        &fixture().replace(
            "ALTER TABLE app.log ENABLE REPLICA RULE quiet;",
            "ALTER TABLE app.log DISABLE RULE quiet;",
        ),
    );
    assert_eq!(plan.step_count(), 1, "{}", plan.sql());
    assert!(
        plan.sql()
            .contains("ALTER TABLE app.log DISABLE RULE quiet"),
        "{}",
        plan.sql()
    );
    let plan = converge(
        "definition only",
        &fixture(),
        &fixture().replace(
            "CREATE RULE quiet AS ON INSERT TO app.log DO NOTHING;",
            "CREATE RULE quiet AS ON INSERT TO app.log DO INSTEAD NOTHING;",
        ),
    );
    assert!(
        plan.sql().contains("CREATE OR REPLACE RULE quiet"),
        "{}",
        plan.sql()
    );
    // A view created again takes its rules with it: they come back after.
    converge(
        "view recreated",
        &fixture(),
        &fixture().replace(
            "CREATE VIEW v AS SELECT a, b FROM t;",
            "CREATE VIEW v AS SELECT a, b FROM t WHERE a > 0;",
        ),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plans_between_inspected_databases_converge() {
    for (name, a, b) in [
        ("inspected: changed", fixture(), changed()),
        ("inspected: back", changed(), fixture()),
    ] {
        let db_a = TestDb::create("strata_rules_ia").await;
        let db_b = TestDb::create("strata_rules_ib").await;
        psql_apply_sql(&db_a.url, &a, false).unwrap();
        psql_apply_sql(&db_b.url, &b, false).unwrap();
        let (sa, sb) = (read(&db_a.url).await, read(&db_b.url).await);
        let plan =
            plan_verified(&sa, &sb, &all_hazards()).unwrap_or_else(|e| panic!("{name}: {e}"));
        support::judge::apply_plan(&db_a.url, &plan).unwrap_or_else(|e| panic!("{name}: {e}"));
        judge_converged(name, &db_b.url, &db_a.url)
            .unwrap_or_else(|e| panic!("{e}\nplan:\n{}", plan.sql()));
        let after = read(&db_a.url).await;
        let d = diff(&sb, &after, DiffOptions::default());
        assert!(d.is_empty(), "{name}: {:#?}", shown(&d));
    }
}

#[test]
fn strata_drift_names_each_property_changed_out_of_band() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("schema.sql");
    std::fs::write(&file, proven()).unwrap();
    let against = format!("schema:{}", file.display());
    let drift = |url: &str| {
        let o = Command::new(strata_bin())
            .args(["drift", "--database-url", url, "--against", &against])
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .env_remove("DATABASE_URL")
            .output()
            .expect("run strata");
        (
            o.status.code(),
            format!(
                "{}{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            ),
        )
    };
    let template = fresh_db("strata_rules_drift_t");
    psql_apply_sql(&template.url, &proven(), true).unwrap();
    let (code, out) = drift(&template.url);
    assert_eq!(code, Some(0), "no drift expected:\n{out}");
    for (sql, named) in [
        (
            "CREATE OR REPLACE RULE no_delete AS ON DELETE TO t DO INSTEAD DELETE FROM app.log",
            "no_delete: actions differ",
        ),
        (
            "CREATE OR REPLACE RULE no_delete AS ON DELETE TO t WHERE old.a > 1 DO INSTEAD NOTHING",
            "no_delete: WHERE condition differs",
        ),
        (
            "CREATE OR REPLACE RULE no_delete AS ON INSERT TO t DO INSTEAD NOTHING",
            "no_delete: event differs",
        ),
        (
            "CREATE OR REPLACE RULE no_delete AS ON DELETE TO t DO ALSO NOTHING",
            "no_delete: instead or also differs",
        ),
        (
            "ALTER TABLE t DISABLE RULE no_delete",
            "no_delete: enabled differs",
        ),
        (
            "COMMENT ON RULE no_delete ON t IS 'x'",
            "no_delete: comment differs",
        ),
        ("DROP RULE v_delete ON v", "v_delete"),
        (
            "CREATE RULE sneaky AS ON INSERT TO t DO INSTEAD NOTHING",
            "sneaky",
        ),
    ] {
        let changed = copy_db("strata_rules_drift", &template);
        psql_apply_sql(&changed.url, sql, true).unwrap();
        let (code, out) = drift(&changed.url);
        assert_eq!(code, Some(1), "{sql}:\n{out}");
        assert!(out.contains(named), "{sql}: {named} not named:\n{out}");
    }
}

/// The same tokens over a column of another type, or over another table,
/// are not the same rule: never equal.
#[test]
fn the_same_tokens_over_other_columns_are_not_proven_equal() {
    let a = "CREATE TABLE t (a integer, b text);\nCREATE TABLE log (x integer, y text);\n\
             CREATE RULE r AS ON INSERT TO t WHERE new.a = '1' DO ALSO INSERT INTO log VALUES (new.a, new.b);\n";
    let b = a.replace("a integer", "a bigint");
    let (ra, rb) = (replay(a).unwrap(), replay(&b).unwrap());
    let d = diff(&ra, &rb, DiffOptions::default());
    assert!(
        d.iter()
            .any(|x| x.path.kind == ObjectKind::Rule && matches!(x.change, Change::Unproven { .. })),
        "{:#?}",
        shown(&d)
    );
    // Written the same over the same columns: equal.
    let d = diff(&ra, &replay(a).unwrap(), DiffOptions::default());
    assert!(d.is_empty(), "{:#?}", shown(&d));
}
