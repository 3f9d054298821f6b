//! Triggers on views against the real server: `INSTEAD OF` row triggers
//! and statement triggers on views are read by definition (offline replay
//! and `strata::inspect` agree), written back (judged by `pg_dump -s`),
//! planned — created, dropped, replaced, and created again when their view
//! is dropped and created — and a trigger on a view changed out of band is
//! named by `strata drift`.

use crate::support;
use support::kinds::{read, shown};

use std::path::Path;

use strata_core::diff::{diff, DiffOptions};
use strata_core::model::{Schema, TriggerTiming};
use strata_core::plan::{plan_verified, Hazard, Plan, PlanOptions};
use support::judge::{fresh_db, plan_converges, same_dump};
use support::kinds;
use support::{psql_apply_sql, TestDb};

const BASE: &str = r#"
CREATE SCHEMA app;
CREATE TABLE item (id integer PRIMARY KEY, name text, price numeric);
CREATE VIEW item_view AS SELECT id, name, price FROM item;
CREATE VIEW app."Price List" AS SELECT id, price FROM item;
CREATE FUNCTION item_view_write() RETURNS trigger LANGUAGE plpgsql
    AS $$ BEGIN INSERT INTO item VALUES (NEW.id, NEW.name, NEW.price); RETURN NEW; END $$;
CREATE FUNCTION app.note() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
"#;

/// Every shape a view's trigger may have: `INSTEAD OF` each event, a
/// statement trigger before and after (with `UPDATE OF` and arguments), a
/// quoted name, a comment.
const TRIGGERS: &str = r#"
CREATE TRIGGER item_view_insert INSTEAD OF INSERT ON item_view
    FOR EACH ROW EXECUTE FUNCTION item_view_write();
COMMENT ON TRIGGER item_view_insert ON item_view IS 'writes through';
CREATE TRIGGER item_view_change INSTEAD OF UPDATE OR DELETE ON item_view
    FOR EACH ROW EXECUTE FUNCTION app.note('x', 42);
CREATE TRIGGER item_view_before BEFORE UPDATE OF price, name ON item_view
    FOR EACH STATEMENT EXECUTE FUNCTION app.note();
CREATE TRIGGER "After Insert" AFTER INSERT ON app."Price List"
    EXECUTE FUNCTION app.note();
"#;

fn fixture() -> String {
    format!("{BASE}{TRIGGERS}")
}

fn replay(sql: &str) -> Result<Schema, String> {
    let text: std::sync::Arc<str> = std::sync::Arc::from(sql);
    strata_core::replay::replay_texts([("schema.sql", &text)])
        .map(|r| r.schema)
        .map_err(|e| format!("{e:?}").replace("\\\"", "\""))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_replay_builds_the_view_triggers_the_server_builds() {
    // Renames, CREATE OR REPLACE VIEW and DROP FUNCTION … CASCADE too.
    let script = format!(
        "{}\nCREATE OR REPLACE VIEW item_view AS SELECT id, name, price, price * 2 AS double FROM item;\n\
         ALTER TRIGGER item_view_before ON item_view RENAME TO item_view_guard;\n\
         ALTER VIEW item_view RENAME TO goods;\n\
         CREATE FUNCTION spare() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;\n\
         CREATE TRIGGER goods_spare AFTER DELETE ON goods EXECUTE FUNCTION spare();\n\
         DROP FUNCTION spare() CASCADE;\n",
        fixture()
    );
    for (name, sql) in [("fixture", fixture()), ("changed by statements", script)] {
        let db = TestDb::create("strata_view_triggers_oracle").await;
        psql_apply_sql(&db.url, &sql, true).unwrap();
        let server = read(&db.url).await;
        let offline = replay(&sql).unwrap();
        let d = diff(&offline, &server, DiffOptions::default());
        assert!(d.is_empty(), "{name}: {:#?}", shown(&d));
        assert!(
            server.unmanaged.is_empty(),
            "{name}: triggers on views are modelled, not kept by name: {:?}",
            server.unmanaged
        );
        let count: usize = server
            .namespaces
            .values()
            .flat_map(|n| n.views.values())
            .map(|v| v.triggers.len())
            .sum();
        assert_eq!(count, 4, "{name}");
        // The model written back, from either side, builds what the server
        // holds.
        for (side, model) in [("offline", &offline), ("inspected", &server)] {
            let written = strata_core::ddl::schema_sql(model);
            let copy = fresh_db("strata_view_triggers_copy");
            psql_apply_sql(&copy.url, &written, true)
                .unwrap_or_else(|e| panic!("{name}, {side}: does not apply: {e}\n{written}"));
            let (same, dd) = same_dump(&db.url, &copy.url).unwrap();
            assert!(same, "{name}, {side}: pg_dump -s differs:\n{dd}\n{written}");
        }
    }
    let server = {
        let db = TestDb::create("strata_view_triggers_oracle").await;
        psql_apply_sql(&db.url, &fixture(), true).unwrap();
        read(&db.url).await
    };
    let v = &server.namespaces["public"].views["item_view"];
    assert_eq!(
        v.triggers["item_view_insert"].timing,
        TriggerTiming::InsteadOf
    );
    assert_eq!(
        v.triggers["item_view_insert"].comment.as_deref(),
        Some("writes through")
    );
    assert_eq!(
        v.triggers["item_view_before"].events.update_of,
        ["price", "name"]
    );
    // The documentation page names them with their view.
    let page = strata_core::docs::render(&server, &Default::default());
    assert!(
        page.contains("item_view_insert (INSTEAD OF INSERT for each row"),
        "{page}"
    );
}

#[test]
fn replay_refuses_what_the_server_refuses_on_a_view() {
    for (sql, message) in [
        (
            "CREATE TRIGGER t BEFORE INSERT ON item_view FOR EACH ROW EXECUTE FUNCTION app.note();",
            "Views cannot have row-level BEFORE or AFTER triggers",
        ),
        (
            "CREATE TRIGGER t AFTER TRUNCATE ON item_view EXECUTE FUNCTION app.note();",
            "Views cannot have TRUNCATE triggers",
        ),
        (
            "CREATE TRIGGER t INSTEAD OF INSERT ON item_view EXECUTE FUNCTION app.note();",
            "INSTEAD OF triggers must be FOR EACH ROW",
        ),
        (
            "CREATE TRIGGER t INSTEAD OF UPDATE OF price ON item_view FOR EACH ROW EXECUTE FUNCTION app.note();",
            "INSTEAD OF triggers cannot have column lists",
        ),
        (
            "CREATE TRIGGER t BEFORE UPDATE OF nope ON item_view EXECUTE FUNCTION app.note();",
            "column \"nope\" of relation \"item_view\" does not exist",
        ),
        (
            "CREATE TRIGGER item_view_insert INSTEAD OF INSERT ON item_view FOR EACH ROW EXECUTE FUNCTION app.note();",
            "trigger \"item_view_insert\" for relation \"item_view\" already exists",
        ),
        (
            "DROP FUNCTION app.note();",
            "trigger item_view_change on view public.item_view",
        ),
    ] {
        let e = replay(&format!("{}\n{sql}", fixture())).expect_err(sql);
        assert!(e.contains(message), "{sql}: {e}");
    }
}

fn all_hazards() -> PlanOptions {
    PlanOptions {
        allow: Hazard::ALL.into_iter().collect(),
        ..PlanOptions::default()
    }
}

/// Plans A → B from offline models; A plus the plan and B must dump alike.
fn converge(name: &str, a: &str, b: &str) -> Plan {
    let (ra, rb) = (replay(a).unwrap(), replay(b).unwrap());
    let plan = plan_verified(&ra, &rb, &all_hazards()).unwrap_or_else(|e| panic!("{name}: {e}"));
    plan_converges(name, a, b, &plan).unwrap_or_else(|e| panic!("{e}"));
    plan
}

/// The fixture with its view's column inserted in the middle (the view is
/// dropped and created again, and its triggers with it), a trigger changed,
/// one dropped, one added and a comment changed.
fn changed() -> String {
    let base = BASE.replace(
        "CREATE VIEW item_view AS SELECT id, name, price FROM item;",
        "CREATE VIEW item_view AS SELECT id, upper(name) AS shout, name, price FROM item;",
    );
    let t = TRIGGERS
        .replace("'writes through'", "'writes it through'")
        .replace("UPDATE OR DELETE ON item_view", "DELETE ON item_view")
        .replace(
            "CREATE TRIGGER \"After Insert\" AFTER INSERT ON app.\"Price List\"\n    EXECUTE FUNCTION app.note();",
            "CREATE TRIGGER \"After Insert\" AFTER INSERT OR DELETE ON app.\"Price List\"\n    EXECUTE FUNCTION app.note('y');\nCREATE TRIGGER price_list_before BEFORE DELETE ON app.\"Price List\" EXECUTE FUNCTION app.note();",
        )
        .replace(
            "CREATE TRIGGER item_view_before BEFORE UPDATE OF price, name ON item_view\n    FOR EACH STATEMENT EXECUTE FUNCTION app.note();",
            "",
        );
    format!("{base}{t}")
}

#[test]
fn plans_create_drop_replace_and_recreate_view_triggers_and_converge() {
    converge("view triggers created", BASE, &fixture());
    converge("view triggers dropped", &fixture(), BASE);
    let plan = converge("view triggers changed", &fixture(), &changed());
    let sql = plan.sql();
    assert!(sql.contains("DROP VIEW public.item_view"), "{sql}");
    assert!(
        sql.contains("CREATE OR REPLACE TRIGGER \"After Insert\""),
        "{sql}"
    );
    assert!(sql.contains("CREATE TRIGGER price_list_before"), "{sql}");
    converge("view triggers changed back", &changed(), &fixture());
    // Only a comment: in place.
    let plan = converge(
        "comment on a view trigger",
        &fixture(),
        &fixture().replace("'writes through'", "'new'"),
    );
    assert_eq!(plan.step_count(), 1, "{}", plan.sql());
    // The view and its triggers dropped with the function they call.
    converge(
        "view and function dropped",
        &fixture(),
        &fixture()
            .replace("CREATE VIEW app.\"Price List\" AS SELECT id, price FROM item;", "")
            .replace(
                "CREATE TRIGGER \"After Insert\" AFTER INSERT ON app.\"Price List\"\n    EXECUTE FUNCTION app.note();",
                "",
            )
            .replace(
                "CREATE TRIGGER item_view_change INSTEAD OF UPDATE OR DELETE ON item_view\n    FOR EACH ROW EXECUTE FUNCTION app.note('x', 42);",
                "",
            )
            .replace(
                "CREATE TRIGGER item_view_before BEFORE UPDATE OF price, name ON item_view\n    FOR EACH STATEMENT EXECUTE FUNCTION app.note();",
                "",
            )
            .replace(
                "CREATE FUNCTION app.note() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;",
                "",
            ),
    );
}

/// Plans between live databases: the triggers as the server prints them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plans_between_inspected_databases_converge() {
    for (target, after) in
        kinds::inspected_plans_converge("strata_view_triggers", &fixture(), &changed()).await
    {
        assert_eq!(after, target);
    }
}

fn write_workspace(dir: &Path, sql: &str) {
    std::fs::write(
        dir.join("strata.toml"),
        "schema = \"schema/sql\"\nmigrations = \"migrations\"\ndatabase_url_env = \"DATABASE_URL\"\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.join("schema").join("sql")).unwrap();
    std::fs::create_dir_all(dir.join("migrations")).unwrap();
    std::fs::write(dir.join("schema").join("sql").join("10_app.sql"), sql).unwrap();
    std::fs::write(dir.join("migrations").join("V1__app.sql"), sql).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strata_drift_names_a_view_trigger_changed_out_of_band() {
    let ws = tempfile::tempdir().unwrap();
    write_workspace(ws.path(), &fixture());
    let drift = |url: &str| kinds::run_drift(ws.path(), url, kinds::Expect::Workspace);
    let db = TestDb::create("strata_view_triggers_drift").await;
    psql_apply_sql(&db.url, &fixture(), true).unwrap();
    let (code, out) = drift(&db.url);
    assert_eq!(code, Some(0), "no drift expected:\n{out}");
    for (sql, named) in [
        (
            "CREATE OR REPLACE TRIGGER item_view_insert INSTEAD OF INSERT ON item_view FOR EACH ROW EXECUTE FUNCTION app.note()",
            "trigger public.item_view.item_view_insert",
        ),
        (
            "DROP TRIGGER \"After Insert\" ON app.\"Price List\"",
            "trigger app.\"Price List\".\"After Insert\"",
        ),
        (
            "CREATE TRIGGER sneaky AFTER DELETE ON item_view EXECUTE FUNCTION app.note()",
            "trigger public.item_view.sneaky",
        ),
    ] {
        let changed = TestDb::create("strata_view_triggers_drift").await;
        psql_apply_sql(&changed.url, &fixture(), true).unwrap();
        psql_apply_sql(&changed.url, sql, true).unwrap();
        let (code, out) = drift(&changed.url);
        assert_eq!(code, Some(1), "{sql}:\n{out}");
        assert!(out.contains(named), "{sql}: {named} not named:\n{out}");
    }
}
