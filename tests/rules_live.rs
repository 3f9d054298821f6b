//! Rewrite rules against the real server: offline replay and
//! `strata::inspect` build the same rules (event, INSTEAD or ALSO, enabled
//! state, comment; conditions and actions derived exactly as
//! `pg_get_ruledef` prints them — a table of rules as users write them,
//! with the number derived asserted —, printed again after what they name
//! is renamed; a condition or actions strata cannot derive reported as
//! "cannot prove", never as a difference nor as equal), the model written back dumps alike (`pg_dump -s`), replay fails
//! where the server fails with its SQLSTATE, plans converge both ways
//! (judged by `pg_dump -s`), and `strata drift` names each property changed
//! out of band.

use crate::support;
use support::kinds::{read, shown};

use support::kinds;
use support::kinds::{all_hazards, converge, replay};

use strata_core::diff::{diff, Change, DiffOptions};
use strata_core::model::{ObjectKind, RuleEvent, Schema, TriggerEnabled};
use strata_core::plan::plan_verified;
use support::judge::{copy_db, fresh_db, judge_converged, same_dump};
use support::{psql_apply_sql, TestDb};

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

/// Rules with a condition and actions strata derives, and one whose
/// actions it does not (`INSERT … SELECT`).
const DERIVED: &str = r#"
CREATE RULE keep_positive AS ON INSERT TO t WHERE new.a > 0 DO INSTEAD INSERT INTO app.log VALUES (new.a, new.b);
CREATE RULE audit AS ON UPDATE TO t DO ALSO (INSERT INTO app.log VALUES (old.a, 'u'); DELETE FROM app.log WHERE x = new.a);
CREATE RULE v_insert AS ON INSERT TO v DO INSTEAD INSERT INTO t VALUES (new.a, new.b);
CREATE RULE copy_all AS ON INSERT TO t DO ALSO INSERT INTO app.log SELECT new.a, new.b;
"#;

fn proven() -> String {
    format!("{BASE}{PROVEN}")
}

fn fixture() -> String {
    format!("{BASE}{PROVEN}{DERIVED}")
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
            "with derived and unproven rules",
            fixture(),
            &["copy_all"][..],
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
        if name == "with derived and unproven rules" {
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
    let u = DERIVED.replace(
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

/// Rules with a condition and DML actions strata derives, for drift.
const DRIFT_DERIVED: &str = r#"
CREATE RULE audit_positive AS ON INSERT TO t WHERE new.a > 0 AND new.b IS NOT NULL DO ALSO INSERT INTO app.log (x, y) VALUES (new.a, upper(new.b));
CREATE RULE v_update AS ON UPDATE TO v DO INSTEAD (UPDATE t SET b = new.b WHERE a = old.a; NOTIFY v_changed);
"#;

#[test]
fn strata_drift_names_each_property_changed_out_of_band() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("schema.sql");
    let schema = format!("{}{DRIFT_DERIVED}", proven());
    std::fs::write(&file, &schema).unwrap();
    let _against = format!("schema:{}", file.display());
    let drift = |url: &str| kinds::run_drift(dir.path(), url, kinds::Expect::Against);
    let template = fresh_db("strata_rules_drift_t");
    psql_apply_sql(&template.url, &schema, true).unwrap();
    // Rules with conditions and actions, unchanged: no drift, proven.
    let (code, out) = drift(&template.url);
    assert_eq!(code, Some(0), "no drift expected:\n{out}");
    for (sql, named) in [
        (
            "CREATE OR REPLACE RULE audit_positive AS ON INSERT TO t WHERE new.a > 1 AND new.b IS NOT NULL DO ALSO INSERT INTO app.log (x, y) VALUES (new.a, upper(new.b))",
            "audit_positive: WHERE condition differs",
        ),
        (
            "CREATE OR REPLACE RULE v_update AS ON UPDATE TO v DO INSTEAD (UPDATE t SET b = new.b WHERE a = old.a; NOTIFY v_altered)",
            "v_update: actions differ",
        ),
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
/// are not the same rule: never equal — a derived text differs, an
/// unproven one is reported as such.
#[test]
fn the_same_tokens_over_other_columns_are_not_proven_equal() {
    let a = "CREATE TABLE t (a integer, b text);\nCREATE TABLE log (x integer, y text);\n\
             CREATE RULE r AS ON INSERT TO t WHERE new.a = '1' DO ALSO INSERT INTO log VALUES (new.a, new.b);\n\
             CREATE RULE s AS ON INSERT TO t DO ALSO INSERT INTO log SELECT new.a, new.b;\n";
    let b = a.replace("a integer", "a bigint");
    let (ra, rb) = (replay(a).unwrap(), replay(&b).unwrap());
    let d = diff(&ra, &rb, DiffOptions::default());
    let rule = |name: &str, unproven: bool| {
        d.iter().any(|x| {
            x.path.kind == ObjectKind::Rule
                && x.path.name == name
                && matches!(x.change, Change::Unproven { .. }) == unproven
        })
    };
    assert!(rule("r", false) && rule("s", true), "{:#?}", shown(&d));
    // Written the same over the same columns: equal.
    let d = diff(&ra, &replay(a).unwrap(), DiffOptions::default());
    assert!(d.is_empty(), "{:#?}", shown(&d));
}

/// The relations the derivation cases read.
const DERIVE_BASE: &str = r#"
CREATE SCHEMA app;
CREATE TABLE t (id integer PRIMARY KEY, a integer, b text, "Mixed Case" text,
                c numeric(10,2), d timestamptz, flag boolean, v varchar(20));
CREATE TABLE app.log (id integer, what text, at timestamptz, n bigint);
CREATE TABLE "user" (id integer, name text);
CREATE TABLE app.new (id integer, n integer);
CREATE VIEW v AS SELECT id, a, b FROM t;
"#;

/// Rules as users write them: (name, statement). Those named in
/// `NOT_DERIVED` are outside what strata derives; every other one must
/// print exactly as `pg_get_ruledef` does.
const DERIVE: &[(&str, &str)] = &[
    ("c_gt", "CREATE RULE c_gt AS ON INSERT TO t WHERE new.a > 0 DO INSTEAD NOTHING"),
    ("c_func", "CREATE RULE c_func AS ON INSERT TO t WHERE lower(new.b) = 'x' OR new.\"Mixed Case\" LIKE 'a%' DO ALSO NOTHING"),
    ("c_cast", "CREATE RULE c_cast AS ON UPDATE TO t WHERE new.c::integer > 3 DO ALSO NOTHING"),
    ("c_null", "CREATE RULE c_null AS ON UPDATE TO t WHERE old.b IS NULL AND new.b IS NOT NULL DO ALSO NOTHING"),
    ("c_distinct", "CREATE RULE c_distinct AS ON UPDATE TO t WHERE old.a IS DISTINCT FROM new.a DO ALSO NOTHING"),
    ("c_not", "CREATE RULE c_not AS ON DELETE TO t WHERE NOT (old.a = 1) OR old.d < now() - interval '1 day' DO ALSO NOTHING"),
    ("c_in", "CREATE RULE c_in AS ON INSERT TO t WHERE new.b IN ('a', 'b') AND new.a BETWEEN 1 AND 3 DO ALSO NOTHING"),
    ("c_bool", "CREATE RULE c_bool AS ON INSERT TO t WHERE new.flag DO ALSO NOTHING"),
    ("c_arith", "CREATE RULE c_arith AS ON INSERT TO t WHERE coalesce(new.a, 0) + length(new.b) > 3 DO ALSO NOTHING"),
    ("c_string", "CREATE RULE c_string AS ON INSERT TO t WHERE new.b = 'it''s' AND new.v = 'x' DO ALSO NOTHING"),
    ("c_time", "CREATE RULE c_time AS ON INSERT TO t WHERE new.d > '2020-01-01 00:00+00' AND new.c >= 1.5 DO ALSO NOTHING"),
    ("i_plain", "CREATE RULE i_plain AS ON INSERT TO t DO INSTEAD INSERT INTO app.log VALUES (new.id, new.b)"),
    ("i_cols", "CREATE RULE i_cols AS ON INSERT TO t DO ALSO INSERT INTO app.log (what, id, at) VALUES ('ins', new.id, now())"),
    ("i_cast", "CREATE RULE i_cast AS ON INSERT TO t DO ALSO INSERT INTO app.log (n, what) VALUES (new.c, new.a)"),
    ("i_rows", "CREATE RULE i_rows AS ON INSERT TO t DO ALSO INSERT INTO app.log (id, what) VALUES (new.id, 'a'), (DEFAULT, new.b)"),
    ("i_default", "CREATE RULE i_default AS ON INSERT TO t DO ALSO INSERT INTO app.log DEFAULT VALUES"),
    ("i_default_value", "CREATE RULE i_default_value AS ON INSERT TO t DO ALSO INSERT INTO app.log (id, what) VALUES (new.id + 1, DEFAULT)"),
    ("i_where", "CREATE RULE i_where AS ON INSERT TO t WHERE new.a > 0 DO INSTEAD INSERT INTO app.log (id) VALUES (new.id)"),
    ("u_set", "CREATE RULE u_set AS ON UPDATE TO t DO ALSO UPDATE app.log SET what = new.b, n = n + 1 WHERE log.id = old.id"),
    ("u_alias", "CREATE RULE u_alias AS ON INSERT TO t DO ALSO UPDATE app.log AS l SET n = l.n + new.a WHERE l.id = new.id"),
    ("u_default", "CREATE RULE u_default AS ON DELETE TO t DO ALSO UPDATE app.log SET what = DEFAULT, id = old.id"),
    ("d_where", "CREATE RULE d_where AS ON DELETE TO t DO ALSO DELETE FROM app.log WHERE id = old.id"),
    ("d_all", "CREATE RULE d_all AS ON UPDATE TO t WHERE new.a <> old.a DO ALSO DELETE FROM app.log"),
    ("n_plain", "CREATE RULE n_plain AS ON INSERT TO t DO ALSO NOTIFY t_changed"),
    ("n_payload", "CREATE RULE n_payload AS ON DELETE TO t DO INSTEAD NOTIFY \"Chan\", 'it''s gone'"),
    ("m_three", "CREATE RULE m_three AS ON UPDATE TO t WHERE new.a <> old.a DO ALSO (INSERT INTO app.log (id, what) VALUES (new.id, 'upd'); DELETE FROM app.log WHERE id = 0; UPDATE app.log SET n = 1)"),
    ("m_notify", "CREATE RULE m_notify AS ON DELETE TO t DO ALSO (NOTIFY a; INSERT INTO app.log (id) VALUES (old.id); NOTIFY b)"),
    ("user_on", "CREATE RULE user_on AS ON INSERT TO \"user\" DO ALSO INSERT INTO app.log (id, what) VALUES (new.id, new.name)"),
    ("user_target", "CREATE RULE user_target AS ON DELETE TO t DO ALSO DELETE FROM \"user\" WHERE \"user\".id = old.id AND name IS NOT NULL"),
    ("Quoted Rule", "CREATE RULE \"Quoted Rule\" AS ON UPDATE TO t WHERE new.\"Mixed Case\" = 'x' DO ALSO UPDATE \"user\" SET name = new.\"Mixed Case\""),
    ("v_insert", "CREATE RULE v_insert AS ON INSERT TO v DO INSTEAD INSERT INTO t (id, a, b) VALUES (new.id, new.a, new.b)"),
    ("v_update", "CREATE RULE v_update AS ON UPDATE TO v DO INSTEAD UPDATE t SET a = new.a, b = new.b WHERE id = old.id"),
    ("v_delete", "CREATE RULE v_delete AS ON DELETE TO v WHERE old.a IS NOT NULL DO INSTEAD DELETE FROM t WHERE t.id = old.id"),
    ("new_insert", "CREATE RULE new_insert AS ON UPDATE TO t DO ALSO INSERT INTO app.new (id, n) VALUES (new.id, old.a)"),
    ("new_delete", "CREATE RULE new_delete AS ON UPDATE TO t DO ALSO DELETE FROM app.new WHERE id = old.id"),
    ("into_view", "CREATE RULE into_view AS ON INSERT TO \"user\" DO ALSO INSERT INTO v (id, b) VALUES (new.id, new.name)"),
    // Outside the subset: each stays unproven, with its reason.
    ("x_case", "CREATE RULE x_case AS ON INSERT TO t WHERE CASE WHEN new.a > 0 THEN true ELSE false END DO ALSO NOTHING"),
    ("x_select", "CREATE RULE x_select AS ON INSERT TO t DO ALSO INSERT INTO app.log SELECT new.id, new.b"),
    ("x_subquery", "CREATE RULE x_subquery AS ON INSERT TO t WHERE new.a IN (SELECT id FROM app.log) DO ALSO NOTHING"),
    ("x_only", "CREATE RULE x_only AS ON DELETE TO t DO ALSO DELETE FROM ONLY app.log"),
    ("x_returning", "CREATE RULE x_returning AS ON INSERT TO \"user\" DO INSTEAD INSERT INTO app.log (id, what) VALUES (new.id, new.name) RETURNING id, what"),
];

/// The cases whose condition or actions strata does not derive.
const NOT_DERIVED: &[&str] = &["x_case", "x_select", "x_subquery", "x_only", "x_returning"];

fn derive_fixture() -> String {
    derive_sql(DERIVE)
}

/// The rules strata derives (their texts as written name what they named
/// when created: what is written back after a rename is the derived text).
fn derivable() -> Vec<(&'static str, &'static str)> {
    DERIVE
        .iter()
        .filter(|(n, _)| !NOT_DERIVED.contains(n))
        .copied()
        .collect()
}

fn derive_sql(rules: &[(&str, &str)]) -> String {
    let mut sql = DERIVE_BASE.to_string();
    for (_, rule) in rules {
        sql.push_str(rule);
        sql.push_str(";\n");
    }
    sql
}

/// Every rule of a model by name.
fn rules_by_name(s: &Schema) -> std::collections::BTreeMap<String, strata_core::model::Rule> {
    let mut out = std::collections::BTreeMap::new();
    for n in s.namespaces.values() {
        let tables = n.tables.values().map(|t| &t.rules);
        let views = n.views.values().map(|v| &v.rules);
        for rules in tables.chain(views) {
            for (name, r) in rules {
                out.insert(name.clone(), r.clone());
            }
        }
    }
    out
}

/// For each rule: the offline text of its condition and actions equals
/// the server's exactly, or is unproven with a reason. Returns the names of
/// the rules derived whole, and the mismatches.
fn derived_against_server(offline: &Schema, server: &Schema) -> (Vec<String>, Vec<String>) {
    let (off, srv) = (rules_by_name(offline), rules_by_name(server));
    assert_eq!(
        off.keys().collect::<Vec<_>>(),
        srv.keys().collect::<Vec<_>>()
    );
    let mut derived = Vec::new();
    let mut wrong = Vec::new();
    for (name, o) in &off {
        let s = &srv[name];
        let mut whole = true;
        let parts = [
            ("condition", o.condition.as_ref(), s.condition.as_ref()),
            ("actions", Some(&o.actions), Some(&s.actions)),
        ];
        for (what, oe, se) in parts {
            match (oe, se) {
                (None, None) => {}
                (Some(oe), Some(se)) => match (oe.exact(), oe.unproven()) {
                    (Some(text), _) => {
                        if Some(text) != se.exact() {
                            wrong.push(format!(
                                "{name} {what}: strata {text:?}\n   server {:?}",
                                se.exact()
                            ));
                        }
                    }
                    (None, Some(reason)) => {
                        assert!(!reason.is_empty(), "{name} {what}: no reason");
                        whole = false;
                    }
                    (None, None) => unreachable!(),
                },
                _ => wrong.push(format!("{name}: {what} on one side only")),
            }
        }
        if whole {
            derived.push(name.clone());
        }
    }
    (derived, wrong)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_texts_are_derived_as_the_server_prints_them() {
    let sql = derive_fixture();
    let db = TestDb::create("strata_rules_derive").await;
    psql_apply_sql(&db.url, &sql, true).unwrap();
    let server = read(&db.url).await;
    let offline = replay(&sql).unwrap();
    let (derived, wrong) = derived_against_server(&offline, &server);
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    let not_derived: Vec<&str> = DERIVE
        .iter()
        .map(|(n, _)| *n)
        .filter(|n| !derived.iter().any(|d| d == n))
        .collect();
    let offline_rules = rules_by_name(&offline);
    let reasons: Vec<String> = not_derived
        .iter()
        .map(|n| {
            let r = &offline_rules[*n];
            let why = r
                .condition
                .as_ref()
                .and_then(|c| c.unproven())
                .or(r.actions.unproven());
            format!("{n}: {why:?}")
        })
        .collect();
    assert_eq!(not_derived, NOT_DERIVED, "{reasons:#?}");
    assert_eq!(derived.len(), DERIVE.len() - NOT_DERIVED.len());
    assert!(derived.len() >= 30, "{}", derived.len());
    // What the offline side writes back builds the same rules.
    let written = strata_core::ddl::schema_sql(&offline);
    let copy = fresh_db("strata_rules_derive_copy");
    psql_apply_sql(&copy.url, &written, true)
        .unwrap_or_else(|e| panic!("does not apply: {e}\n{written}"));
    let (same, dd) = same_dump(&db.url, &copy.url).unwrap();
    assert!(same, "pg_dump -s differs:\n{dd}");
}

/// What the derived rules name, renamed and moved afterwards: the server
/// prints the new names (it keeps the tree); so does strata, or the text
/// is unproven — never the old text.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn derived_rules_print_the_new_names_after_renames() {
    let renames = "\nALTER TABLE t RENAME COLUMN \"Mixed Case\" TO \"Mixed Two\";\n\
         ALTER TABLE t RENAME COLUMN c TO cost;\n\
         ALTER TABLE app.log RENAME COLUMN what TO detail;\n\
         ALTER TABLE app.log RENAME TO journal;\n\
         ALTER TABLE \"user\" RENAME COLUMN name TO full_name;\n\
         ALTER TABLE \"user\" SET SCHEMA app;\n\
         ALTER VIEW v RENAME COLUMN b TO bee;\n";
    let rules = derivable();
    for (name, extra) in [
        ("renamed", renames.to_string()),
        (
            // A target renamed to `old` is printed `AS old_1`, its
            // columns `old_1.c` (`set_rtable_names`).
            "target renamed to old",
            format!("{renames}ALTER TABLE app.journal RENAME TO old;\n"),
        ),
    ] {
        let sql = format!("{}{extra}", derive_sql(&rules));
        let db = TestDb::create("strata_rules_rename").await;
        psql_apply_sql(&db.url, &sql, true).unwrap();
        let server = read(&db.url).await;
        let offline = replay(&sql).unwrap();
        let (derived, wrong) = derived_against_server(&offline, &server);
        assert!(wrong.is_empty(), "{name}: {}", wrong.join("\n"));
        let missing: Vec<&str> = rules
            .iter()
            .map(|(n, _)| *n)
            .filter(|n| !derived.iter().any(|d| d == n))
            .collect();
        assert!(missing.is_empty(), "{name}: not derived: {missing:?}");
        // The rules written back from the offline model build the same
        // database.
        let written = strata_core::ddl::schema_sql(&offline);
        let copy = fresh_db("strata_rules_rename_copy");
        psql_apply_sql(&copy.url, &written, true)
            .unwrap_or_else(|e| panic!("{name}: does not apply: {e}\n{written}"));
        let (same, dd) = same_dump(&db.url, &copy.url).unwrap();
        assert!(same, "{name}: pg_dump -s differs:\n{dd}");
    }
}
