//! Event triggers against the real server: offline replay and
//! `strata::inspect` build the same model (events, tags upper-cased as the
//! server stores them, the function, enabled states, comments, renames of
//! the trigger and of its function), the model written back dumps alike
//! (`pg_dump -s`), replay fails where the server fails with its SQLSTATE,
//! plans converge both ways, and `strata drift` names each property changed
//! out of band.

use crate::support;
use support::kinds::{read, shown};

use support::kinds;
use support::kinds::{converge, replay};

use strata_core::diff::{diff, DiffOptions};
use strata_core::model::TriggerEnabled;
use support::judge::{fresh_db, same_dump};
use support::{psql_apply_sql, TestDb};

const BASE: &str = r#"
CREATE SCHEMA audit;
CREATE FUNCTION audit.note_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$;
CREATE FUNCTION public.guard() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$;
CREATE FUNCTION public.plain() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
"#;

const TRIGGERS: &str = r#"
CREATE EVENT TRIGGER note_tables ON ddl_command_end WHEN TAG IN ('create table', 'ALTER TABLE', 'Drop Table') EXECUTE FUNCTION audit.note_ddl();
CREATE EVENT TRIGGER "Guard Drops" ON sql_drop EXECUTE PROCEDURE guard();
CREATE EVENT TRIGGER rewrites ON table_rewrite WHEN TAG IN ('alter table') EXECUTE FUNCTION audit.note_ddl();
CREATE EVENT TRIGGER starts ON ddl_command_start EXECUTE FUNCTION guard();
ALTER EVENT TRIGGER "Guard Drops" DISABLE;
ALTER EVENT TRIGGER rewrites ENABLE ALWAYS;
ALTER EVENT TRIGGER starts ENABLE REPLICA;
COMMENT ON EVENT TRIGGER note_tables IS 'who changed what';
"#;

fn fixture() -> String {
    format!("{BASE}{TRIGGERS}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_replay_builds_the_event_triggers_the_server_builds() {
    let script = format!(
        "{}\nALTER EVENT TRIGGER starts RENAME TO begins;\n\
         ALTER FUNCTION audit.note_ddl() RENAME TO log_ddl;\n\
         ALTER FUNCTION guard() SET SCHEMA audit;\n\
         ALTER EVENT TRIGGER \"Guard Drops\" ENABLE;\n\
         COMMENT ON EVENT TRIGGER note_tables IS NULL;\n\
         CREATE FUNCTION spare() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$;\n\
         CREATE EVENT TRIGGER spare ON sql_drop EXECUTE FUNCTION spare();\n\
         DROP FUNCTION spare() CASCADE;\n\
         CREATE OR REPLACE FUNCTION audit.log_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN NULL; END $$;\n\
         DROP EVENT TRIGGER IF EXISTS nope, rewrites;\n",
        fixture()
    );
    for (name, sql) in [("fixture", fixture()), ("changed by statements", script)] {
        let db = TestDb::create("strata_events_oracle").await;
        psql_apply_sql(&db.url, &sql, true).unwrap();
        let server = read(&db.url).await;
        let offline = replay(&sql).unwrap();
        let d = diff(&offline, &server, DiffOptions::default());
        assert!(d.is_empty(), "{name}: {:#?}", shown(&d));
        assert!(
            server.unmanaged.is_empty(),
            "{name}: {:?}",
            server.unmanaged
        );
        assert_eq!(
            server.event_triggers.len(),
            if name == "fixture" { 4 } else { 3 }
        );
        for (side, model) in [("offline", &offline), ("inspected", &server)] {
            let written = strata_core::ddl::schema_sql(model);
            let copy = fresh_db("strata_events_copy");
            psql_apply_sql(&copy.url, &written, true)
                .unwrap_or_else(|e| panic!("{name}, {side}: does not apply: {e}\n{written}"));
            let (same, dd) = same_dump(&db.url, &copy.url).unwrap();
            assert!(same, "{name}, {side}: pg_dump -s differs:\n{dd}\n{written}");
        }
        if name == "fixture" {
            let t = &server.event_triggers["note_tables"];
            assert_eq!(t.tags, ["CREATE TABLE", "ALTER TABLE", "DROP TABLE"]);
            assert_eq!(t.function.sql(), "audit.note_ddl");
            assert_eq!(
                server.event_triggers["Guard Drops"].enabled,
                TriggerEnabled::Disabled
            );
            assert_eq!(
                server.event_triggers["starts"].enabled,
                TriggerEnabled::Replica
            );
        }
    }
}

/// (setup after the fixture, statement): the statement must fail on the
/// server and offline with the same SQLSTATE, or succeed on both.
const CASES: &[(&str, &str)] = &[
    ("", "CREATE EVENT TRIGGER x ON nope EXECUTE FUNCTION guard()"),
    ("", "CREATE EVENT TRIGGER x ON ddl_command_start WHEN foo IN ('create table') EXECUTE FUNCTION guard()"),
    ("", "CREATE EVENT TRIGGER x ON ddl_command_start WHEN tag IN ('create table') AND tag IN ('drop table') EXECUTE FUNCTION guard()"),
    ("", "CREATE EVENT TRIGGER x ON ddl_command_start WHEN tag IN ('frobnicate') EXECUTE FUNCTION guard()"),
    ("", "CREATE EVENT TRIGGER x ON ddl_command_start WHEN tag IN ('create database') EXECUTE FUNCTION guard()"),
    ("", "CREATE EVENT TRIGGER x ON ddl_command_end WHEN tag IN ('truncate table', 'vacuum') EXECUTE FUNCTION guard()"),
    ("", "CREATE EVENT TRIGGER x ON table_rewrite WHEN tag IN ('create table') EXECUTE FUNCTION guard()"),
    ("", "CREATE EVENT TRIGGER x ON table_rewrite WHEN tag IN ('frobnicate') EXECUTE FUNCTION guard()"),
    ("", "CREATE EVENT TRIGGER x ON table_rewrite WHEN tag IN ('alter type', 'ALTER TABLE') EXECUTE FUNCTION guard()"),
    ("", "CREATE EVENT TRIGGER x ON sql_drop WHEN tag IN ('drop table', 'comment', 'select into') EXECUTE FUNCTION guard()"),
    ("", "CREATE EVENT TRIGGER starts ON ddl_command_start EXECUTE FUNCTION guard()"),
    ("", "CREATE EVENT TRIGGER x ON ddl_command_start EXECUTE FUNCTION nope()"),
    ("", "CREATE EVENT TRIGGER x ON ddl_command_start EXECUTE FUNCTION plain()"),
    ("", "CREATE EVENT TRIGGER x ON ddl_command_start EXECUTE FUNCTION note_ddl()"),
    ("", "ALTER EVENT TRIGGER nope DISABLE"),
    ("", "ALTER EVENT TRIGGER starts RENAME TO rewrites"),
    ("", "ALTER EVENT TRIGGER starts OWNER TO CURRENT_USER"),
    ("", "DROP EVENT TRIGGER nope"),
    ("", "DROP EVENT TRIGGER IF EXISTS nope, starts"),
    ("", "COMMENT ON EVENT TRIGGER nope IS 'x'"),
    ("", "DROP FUNCTION guard()"),
    ("", "DROP FUNCTION guard() CASCADE"),
    ("DROP FUNCTION guard() CASCADE", "DROP EVENT TRIGGER starts"),
    ("DROP SCHEMA audit CASCADE", "DROP EVENT TRIGGER rewrites"),
    ("ALTER FUNCTION guard() RENAME TO g2", "DROP FUNCTION g2()"),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_fails_where_the_server_fails_with_its_sqlstate() {
    // One database; each case in a transaction rolled back.
    let mismatches =
        support::kinds::sqlstate_mismatches("strata_events_errors", &fixture(), CASES).await;
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

/// Tags, event, function, enabled state and comment changed; one dropped,
/// one added.
fn changed() -> String {
    let t = TRIGGERS
        .replace(
            "'create table', 'ALTER TABLE', 'Drop Table'",
            "'create table'",
        )
        .replace(
            "ON sql_drop EXECUTE PROCEDURE guard()",
            "ON sql_drop EXECUTE FUNCTION audit.note_ddl()",
        )
        .replace(
            "CREATE EVENT TRIGGER starts ON ddl_command_start",
            "CREATE EVENT TRIGGER starts ON ddl_command_end",
        )
        .replace(
            "ALTER EVENT TRIGGER rewrites ENABLE ALWAYS;\n",
            "ALTER EVENT TRIGGER rewrites DISABLE;\n",
        )
        .replace("'who changed what'", "'who did it'")
        .replace(
            "ALTER EVENT TRIGGER starts ENABLE REPLICA;\n",
            "CREATE EVENT TRIGGER extra ON sql_drop EXECUTE FUNCTION guard();\n",
        );
    format!("{BASE}{t}")
}

#[test]
fn plans_create_drop_change_and_converge() {
    converge("event triggers created", BASE, &fixture());
    converge("event triggers dropped", &fixture(), BASE);
    converge("event triggers changed", &fixture(), &changed());
    converge("event triggers changed back", &changed(), &fixture());
    let plan = converge(
        "enabled state only",
        &fixture(),
        &fixture().replace(
            "ALTER EVENT TRIGGER rewrites ENABLE ALWAYS;",
            "ALTER EVENT TRIGGER rewrites DISABLE;",
        ),
    );
    assert_eq!(plan.step_count(), 1, "{}", plan.sql());
    assert!(
        plan.sql().contains("ALTER EVENT TRIGGER rewrites DISABLE"),
        "{}",
        plan.sql()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plans_between_inspected_databases_converge() {
    kinds::inspected_plans_converge("strata_events", &fixture(), &changed()).await;
}

#[test]
fn strata_drift_names_each_property_changed_out_of_band() {
    kinds::drift_names_each_change(
        "strata_events_drift",
        &fixture(),
        kinds::Expect::Against,
        &[
        ("ALTER EVENT TRIGGER starts DISABLE", "event trigger starts: enabled differs"),
        ("COMMENT ON EVENT TRIGGER note_tables IS 'x'", "event trigger note_tables: comment differs"),
        (
            "DROP EVENT TRIGGER note_tables; CREATE EVENT TRIGGER note_tables ON ddl_command_end WHEN TAG IN ('CREATE TABLE') EXECUTE FUNCTION audit.note_ddl()",
            "event trigger note_tables: tags differ",
        ),
        (
            "DROP EVENT TRIGGER starts; CREATE EVENT TRIGGER starts ON ddl_command_end EXECUTE FUNCTION guard(); ALTER EVENT TRIGGER starts ENABLE REPLICA",
            "event trigger starts: event differs",
        ),
        (
            "DROP EVENT TRIGGER starts; CREATE EVENT TRIGGER starts ON ddl_command_start EXECUTE FUNCTION audit.note_ddl(); ALTER EVENT TRIGGER starts ENABLE REPLICA",
            "event trigger starts: function differs",
        ),
        ("DROP EVENT TRIGGER rewrites", "event trigger rewrites"),
        ("CREATE EVENT TRIGGER sneaky ON sql_drop EXECUTE FUNCTION guard()", "event trigger sneaky"),
    ],
    );
}
