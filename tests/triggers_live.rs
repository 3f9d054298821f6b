//! Triggers against the real server: offline replay builds the triggers the
//! server builds (the oracle), `strata::inspect` reads them by definition,
//! `ddl` writes them back and plans create, drop and replace them — judged
//! by `pg_dump -s` — and each property changed out of band is named, by the
//! library and by `strata drift`.

use crate::support;
use support::kinds::read;

use std::path::Path;

use strata_core::diff::{diff, Change, DiffOptions};
use strata_core::model::{Schema, Trigger, TriggerEnabled, TriggerTiming};
use strata_core::plan::{plan_verified, Hazard, Plan, PlanOptions};
use support::judge::{fresh_db, plan_converges, same_dump};
use support::kinds;
use support::{psql_apply_sql, TestDb};

/// The tables and functions the triggers use.
const BASE: &str = r#"
CREATE SCHEMA audit;
CREATE TABLE item (
    id integer PRIMARY KEY,
    name text,
    price numeric,
    "Qty" integer,
    updated_at timestamp with time zone
);
CREATE TABLE audit.log (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, what text);
CREATE TABLE child (id integer PRIMARY KEY, item_id integer REFERENCES item (id));
CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql
    AS $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$;
CREATE FUNCTION audit.record() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CREATE FUNCTION audit.other() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
"#;

/// Many trigger shapes: timings, events with `UPDATE OF` (written out of
/// column order), `WHEN`, arguments of every kind, transition tables, a
/// constraint trigger with `FROM` and deferral, every enabled state, a
/// quoted name, a built-in function, comments.
const TRIGGERS: &str = r#"
CREATE TRIGGER item_stamp BEFORE INSERT OR UPDATE ON item FOR EACH ROW EXECUTE FUNCTION stamp();
COMMENT ON TRIGGER item_stamp ON item IS 'keeps updated_at, it''s said';
CREATE TRIGGER item_price AFTER UPDATE OF price, name ON item FOR EACH ROW
    WHEN (OLD.price IS DISTINCT FROM NEW.price) EXECUTE FUNCTION audit.record('price', 42, Mixed, 1.50);
CREATE TRIGGER item_delete AFTER DELETE ON item REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE PROCEDURE audit.record();
CREATE TRIGGER item_truncate AFTER TRUNCATE ON item EXECUTE FUNCTION audit.record('it''s');
CREATE CONSTRAINT TRIGGER item_check AFTER INSERT OR UPDATE ON item FROM audit.log
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION audit.record();
CREATE TRIGGER "Quantity Watch" AFTER UPDATE OF "Qty" ON item FOR EACH ROW
    EXECUTE FUNCTION audit.record();
CREATE TRIGGER item_suppress BEFORE UPDATE ON item FOR EACH ROW
    EXECUTE FUNCTION suppress_redundant_updates_trigger();
CREATE TRIGGER log_insert AFTER INSERT ON audit.log REFERENCING NEW TABLE AS fresh
    FOR EACH STATEMENT EXECUTE FUNCTION audit.record();
CREATE TRIGGER item_disabled AFTER INSERT ON item FOR EACH ROW EXECUTE FUNCTION audit.record();
ALTER TABLE item DISABLE TRIGGER item_disabled;
CREATE TRIGGER item_replica AFTER INSERT ON item FOR EACH ROW EXECUTE FUNCTION audit.record();
ALTER TABLE item ENABLE REPLICA TRIGGER item_replica;
CREATE TRIGGER item_always AFTER INSERT ON item FOR EACH ROW EXECUTE FUNCTION audit.record();
ALTER TABLE item ENABLE ALWAYS TRIGGER item_always;
CREATE TRIGGER child_any AFTER INSERT OR DELETE ON child FOR EACH ROW EXECUTE FUNCTION audit.record();
"#;

fn fixture() -> String {
    format!("{BASE}{TRIGGERS}")
}

fn replay(sql: &str) -> Schema {
    let text: std::sync::Arc<str> = std::sync::Arc::from(sql);
    strata_core::replay::replay_texts([("schema.sql", &text)])
        .unwrap_or_else(|e| panic!("replay: {e:?}"))
        .schema
}

fn trigger<'s>(s: &'s Schema, ns: &str, table: &str, name: &str) -> &'s Trigger {
    s.table(ns, table)
        .and_then(|t| t.triggers.get(name))
        .unwrap_or_else(|| panic!("trigger {name} on {ns}.{table} not read"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn triggers_are_read_by_definition_and_rebuilt_by_pg_dumps_judgement() {
    let db = TestDb::create("strata_triggers").await;
    psql_apply_sql(&db.url, &fixture(), true).unwrap();
    let schema = read(&db.url).await;

    // Every trigger on its table; the foreign key's internal triggers are
    // not triggers to model, and nothing is left by name.
    let names: Vec<&str> = schema
        .table("public", "item")
        .unwrap()
        .triggers
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        names,
        [
            "Quantity Watch",
            "item_always",
            "item_check",
            "item_delete",
            "item_disabled",
            "item_price",
            "item_replica",
            "item_stamp",
            "item_suppress",
            "item_truncate"
        ]
    );
    assert_eq!(schema.table("public", "child").unwrap().triggers.len(), 1);
    assert!(schema.unmanaged.is_empty(), "{:?}", schema.unmanaged);

    let stamp = trigger(&schema, "public", "item", "item_stamp");
    assert_eq!(stamp.timing, TriggerTiming::Before);
    assert!(stamp.events.insert && stamp.events.update && !stamp.events.delete);
    assert!(stamp.for_each_row);
    assert_eq!(stamp.function_name(), "public.stamp");
    assert_eq!(
        stamp.comment.as_deref(),
        Some("keeps updated_at, it's said")
    );
    let price = trigger(&schema, "public", "item", "item_price");
    // As written: the server keeps tgattr unsorted.
    assert_eq!(price.events.update_of, ["price", "name"]);
    assert_eq!(
        price.when.as_ref().and_then(|w| w.exact()),
        Some("(old.price IS DISTINCT FROM new.price)")
    );
    assert_eq!(price.arguments, ["price", "42", "mixed", "1.50"]);
    assert_eq!(price.function_name(), "audit.record");
    let delete = trigger(&schema, "public", "item", "item_delete");
    assert_eq!(delete.old_table.as_deref(), Some("gone"));
    assert!(!delete.for_each_row);
    assert_eq!(
        trigger(&schema, "public", "item", "item_truncate").arguments,
        ["it's"]
    );
    let check = trigger(&schema, "public", "item", "item_check")
        .constraint
        .clone()
        .unwrap();
    assert_eq!(
        check.referenced,
        Some(("audit".to_string(), "log".to_string()))
    );
    assert!(check.deferrable && check.initially_deferred);
    assert_eq!(
        trigger(&schema, "public", "item", "item_suppress").function_name(),
        "pg_catalog.suppress_redundant_updates_trigger"
    );
    assert_eq!(
        trigger(&schema, "audit", "log", "log_insert")
            .new_table
            .as_deref(),
        Some("fresh")
    );
    for (name, state) in [
        ("item_disabled", TriggerEnabled::Disabled),
        ("item_replica", TriggerEnabled::Replica),
        ("item_always", TriggerEnabled::Always),
        ("item_stamp", TriggerEnabled::Origin),
    ] {
        assert_eq!(
            trigger(&schema, "public", "item", name).enabled,
            state,
            "{name}"
        );
    }

    // Written back and applied to an empty database: pg_dump agrees, and
    // so does inspect.
    let sql = strata_core::ddl::schema_sql(&schema);
    let copy = fresh_db("strata_triggers_copy");
    psql_apply_sql(&copy.url, &sql, true)
        .unwrap_or_else(|e| panic!("the written schema does not apply: {e}\n{sql}"));
    let (same, d) = same_dump(&db.url, &copy.url).unwrap();
    assert!(same, "pg_dump -s differs:\n{d}\n--- written:\n{sql}");
    assert_eq!(read(&copy.url).await, schema, "{sql}");

    // The folder form, file by file.
    let files = fresh_db("strata_triggers_files");
    for (name, text) in strata_core::ddl::schema_files(&schema) {
        psql_apply_sql(&files.url, &text, true)
            .unwrap_or_else(|e| panic!("{name} does not apply: {e}\n{text}"));
    }
    let (same, d) = same_dump(&db.url, &files.url).unwrap();
    assert!(same, "pg_dump -s differs (folder form):\n{d}");

    // The offline model of the fixture, written back, builds the same.
    let offline = replay(&fixture());
    let sql = strata_core::ddl::schema_sql(&offline);
    let from_offline = fresh_db("strata_triggers_offline");
    psql_apply_sql(&from_offline.url, &sql, true)
        .unwrap_or_else(|e| panic!("the offline schema does not apply: {e}\n{sql}"));
    let (same, d) = same_dump(&db.url, &from_offline.url).unwrap();
    assert!(
        same,
        "pg_dump -s differs (offline):\n{d}\n--- written:\n{sql}"
    );
}

/// The oracle: the fixture replayed offline gives the triggers the server
/// built — every property equal, except the `WHEN` condition, which strata
/// does not analyse: "cannot prove equal", never equal.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_replay_builds_the_triggers_the_server_builds() {
    let db = TestDb::create("strata_triggers_oracle").await;
    psql_apply_sql(&db.url, &fixture(), true).unwrap();
    let server = read(&db.url).await;
    let offline = replay(&fixture());
    let differences = diff(&offline, &server, DiffOptions::default());
    let shown: Vec<String> = differences.iter().map(|d| d.to_string()).collect();
    assert_eq!(differences.len(), 1, "{shown:#?}");
    assert!(
        matches!(&differences[0].change, Change::Unproven { field, .. } if field == "WHEN condition"),
        "{shown:#?}"
    );
    assert!(
        shown[0].starts_with("trigger public.item.item_price:"),
        "{shown:?}"
    );

    // Renames, DROP … CASCADE and state changes replayed as the server
    // applies them.
    let script = format!(
        "{}\nCREATE TABLE audit.src (id integer);\nCREATE CONSTRAINT TRIGGER item_src AFTER INSERT ON item FROM audit.src FOR EACH ROW EXECUTE FUNCTION audit.record();\nALTER TABLE item RENAME COLUMN price TO cost;\nALTER TRIGGER item_stamp ON item RENAME TO item_touch;\nALTER TABLE item RENAME TO goods;\nALTER TABLE audit.src RENAME TO source;\nALTER TABLE goods DROP COLUMN \"Qty\" CASCADE;\nALTER TABLE goods ENABLE TRIGGER USER;\nALTER FUNCTION audit.other() RENAME TO spare;\nDROP TRIGGER child_any ON child;\nCREATE TRIGGER child_other BEFORE DELETE ON child FOR EACH ROW EXECUTE FUNCTION audit.spare();\nDROP FUNCTION audit.spare() CASCADE;\n",
        BASE.to_string() + TRIGGERS.replace("WHEN (OLD.price IS DISTINCT FROM NEW.price) ", "").as_str()
    );
    let db2 = TestDb::create("strata_triggers_oracle2").await;
    psql_apply_sql(&db2.url, &script, true).unwrap();
    let server = read(&db2.url).await;
    let offline = replay(&script);
    let d = diff(&offline, &server, DiffOptions::default());
    assert!(
        d.is_empty(),
        "{:#?}",
        d.iter().map(|x| x.to_string()).collect::<Vec<_>>()
    );
    assert!(server
        .table("public", "goods")
        .unwrap()
        .triggers
        .contains_key("item_touch"));
    assert!(!server
        .table("public", "goods")
        .unwrap()
        .triggers
        .contains_key("Quantity Watch"));
    assert!(server.table("public", "child").unwrap().triggers.is_empty());
    assert_eq!(
        trigger(&server, "public", "goods", "item_src")
            .constraint
            .as_ref()
            .and_then(|c| c.referenced.clone()),
        Some(("audit".to_string(), "source".to_string()))
    );
    // And the model written back builds what the server holds.
    let sql = strata_core::ddl::schema_sql(&offline);
    let copy = fresh_db("strata_triggers_oracle_copy");
    psql_apply_sql(&copy.url, &sql, true)
        .unwrap_or_else(|e| panic!("the written schema does not apply: {e}\n{sql}"));
    let (same, dd) = same_dump(&db2.url, &copy.url).unwrap();
    assert!(same, "pg_dump -s differs:\n{dd}\n--- written:\n{sql}");
}

/// Drift injection: each property changed on the server out of band is a
/// difference that names it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_property_changed_out_of_band_is_named() {
    let db = TestDb::create("strata_triggers_drift").await;
    psql_apply_sql(&db.url, &fixture(), true).unwrap();
    let before = read(&db.url).await;
    for (sql, field) in CHANGES {
        let copy = TestDb::create("strata_triggers_drift_copy").await;
        psql_apply_sql(&copy.url, &fixture(), true).unwrap();
        psql_apply_sql(&copy.url, sql, true).unwrap();
        let after = read(&copy.url).await;
        let d = diff(&before, &after, DiffOptions::default());
        assert_eq!(d.len(), 1, "{sql}: {d:#?}");
        assert!(
            d[0].to_string().contains(&format!("{field} differ")),
            "{sql}: expected the {field} named: {}",
            d[0]
        );
    }
}

/// Out-of-band changes, one trigger property each, and the property named.
const CHANGES: &[(&str, &str)] = &[
    (
        "CREATE OR REPLACE TRIGGER child_any BEFORE INSERT OR DELETE ON child FOR EACH ROW EXECUTE FUNCTION audit.record()",
        "timing",
    ),
    (
        "CREATE OR REPLACE TRIGGER child_any AFTER INSERT OR UPDATE ON child FOR EACH ROW EXECUTE FUNCTION audit.record()",
        "events",
    ),
    (
        "CREATE OR REPLACE TRIGGER \"Quantity Watch\" AFTER UPDATE OF \"Qty\", name ON item FOR EACH ROW EXECUTE FUNCTION audit.record()",
        "events",
    ),
    (
        "CREATE OR REPLACE TRIGGER item_price AFTER UPDATE OF price, name ON item FOR EACH ROW WHEN (OLD.price < NEW.price) EXECUTE FUNCTION audit.record('price', 42, Mixed, 1.50)",
        "WHEN condition",
    ),
    (
        "CREATE OR REPLACE TRIGGER child_any AFTER INSERT OR DELETE ON child FOR EACH ROW EXECUTE FUNCTION audit.other()",
        "function",
    ),
    (
        "CREATE OR REPLACE TRIGGER child_any AFTER INSERT OR DELETE ON child FOR EACH ROW EXECUTE FUNCTION audit.record('x')",
        "arguments",
    ),
    (
        "CREATE OR REPLACE TRIGGER child_any AFTER INSERT OR DELETE ON child FOR EACH STATEMENT EXECUTE FUNCTION audit.record()",
        "level",
    ),
    ("ALTER TABLE child DISABLE TRIGGER child_any", "enabled"),
    ("ALTER TABLE item ENABLE TRIGGER item_always", "enabled"),
    ("COMMENT ON TRIGGER child_any ON child IS 'by hand'", "comment"),
    (
        "DROP TRIGGER item_check ON item; CREATE CONSTRAINT TRIGGER item_check AFTER INSERT OR UPDATE ON item FROM audit.log FOR EACH ROW EXECUTE FUNCTION audit.record()",
        "constraint trigger",
    ),
];

/// `strata drift` (the binary) against a database changed out of band:
/// exit 1, the trigger and the property named.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strata_drift_names_each_changed_property() {
    let ws = tempfile::tempdir().unwrap();
    // The fixture without its WHEN condition, which strata cannot prove
    // equal to the server's (that case is below).
    let history = fixture().replace("WHEN (OLD.price IS DISTINCT FROM NEW.price) ", "");
    write_workspace(ws.path(), &history);
    let drift = |url: &str| kinds::run_drift(ws.path(), url, kinds::Expect::Workspace);
    let clean = TestDb::create("strata_triggers_cli").await;
    psql_apply_sql(&clean.url, &history, true).unwrap();
    let (code, out) = drift(&clean.url);
    assert_eq!(code, Some(0), "no drift expected:\n{out}");
    for (sql, field) in CHANGES {
        if *field == "WHEN condition" {
            continue;
        }
        let db = TestDb::create("strata_triggers_cli").await;
        psql_apply_sql(&db.url, &history, true).unwrap();
        psql_apply_sql(&db.url, sql, true).unwrap();
        let (code, out) = drift(&db.url);
        assert_eq!(code, Some(1), "{sql}:\n{out}");
        assert!(out.contains("trigger public."), "{sql}:\n{out}");
        assert!(
            out.contains(&format!("{field} differ")),
            "{sql}: {field} not named:\n{out}"
        );
    }
    // A WHEN condition changed out of band: named (offline, strata cannot
    // prove a WHEN condition equal to the server's, so it says that).
    let db = TestDb::create("strata_triggers_cli").await;
    psql_apply_sql(&db.url, &history, true).unwrap();
    psql_apply_sql(
        &db.url,
        "CREATE OR REPLACE TRIGGER item_price AFTER UPDATE OF price, name ON item FOR EACH ROW WHEN (OLD.price < NEW.price) EXECUTE FUNCTION audit.record('price', 42, Mixed, 1.50)",
        true,
    )
    .unwrap();
    let (code, out) = drift(&db.url);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("WHEN condition"), "{out}");
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

/// Plans A → B from offline models, applies A and the plan to one database
/// and B to another: pg_dump must agree.
async fn converge(name: &str, a: &str, b: &str) -> Plan {
    let (ra, rb) = (replay(a), replay(b));
    let opts = PlanOptions {
        allow: Hazard::ALL.into_iter().collect(),
        ..PlanOptions::default()
    };
    let plan = plan_verified(&ra, &rb, &opts).unwrap_or_else(|e| panic!("{name}: {e}"));
    plan_converges(name, a, b, &plan).unwrap_or_else(|e| panic!("{e}"));
    plan
}

/// The fixture with every kind of change: a trigger's timing, events,
/// `UPDATE OF` columns, `WHEN`, function, arguments, level, constraint
/// deferral, state and comment changed; one dropped, one added.
fn changed() -> String {
    let t = TRIGGERS
        .replace(
            "CREATE TRIGGER item_stamp BEFORE INSERT OR UPDATE",
            "CREATE TRIGGER item_stamp BEFORE UPDATE",
        )
        .replace("UPDATE OF price, name", "UPDATE OF price")
        .replace("OLD.price IS DISTINCT FROM NEW.price", "OLD.price < NEW.price")
        .replace("'it''s'", "'it is'")
        .replace("DEFERRABLE INITIALLY DEFERRED", "DEFERRABLE")
        .replace(
            "CREATE TRIGGER \"Quantity Watch\" AFTER UPDATE OF \"Qty\" ON item FOR EACH ROW\n    EXECUTE FUNCTION audit.record();",
            "CREATE TRIGGER \"Quantity Watch\" BEFORE UPDATE OF \"Qty\" ON item FOR EACH ROW\n    EXECUTE FUNCTION audit.other();",
        )
        .replace("ALTER TABLE item DISABLE TRIGGER item_disabled;", "")
        .replace("ENABLE REPLICA TRIGGER item_replica", "ENABLE ALWAYS TRIGGER item_replica")
        .replace("'keeps updated_at, it''s said'", "'changed'")
        .replace(
            "CREATE TRIGGER log_insert AFTER INSERT ON audit.log REFERENCING NEW TABLE AS fresh\n    FOR EACH STATEMENT EXECUTE FUNCTION audit.record();",
            "CREATE TRIGGER log_update AFTER UPDATE ON audit.log FOR EACH ROW EXECUTE FUNCTION audit.other('x');",
        );
    format!("{BASE}{t}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plans_create_drop_and_replace_triggers_and_converge() {
    // Created, and dropped.
    converge("triggers created", BASE, &fixture()).await;
    converge("triggers dropped", &fixture(), BASE).await;
    // Every property changed, both ways.
    let plan = converge("triggers changed", &fixture(), &changed()).await;
    let sql = plan.sql();
    assert!(
        sql.contains("CREATE OR REPLACE TRIGGER item_stamp"),
        "{sql}"
    );
    assert!(
        sql.contains("DROP TRIGGER item_check ON public.item"),
        "{sql}"
    );
    assert!(
        sql.contains("ALTER TABLE public.item ENABLE TRIGGER item_disabled"),
        "{sql}"
    );
    converge("triggers changed back", &changed(), &fixture()).await;
    // A column a trigger uses, dropped with the trigger; and added with one.
    converge(
        "column and trigger dropped",
        &fixture(),
        &format!("{BASE}{TRIGGERS}").replace(
            "CREATE TRIGGER \"Quantity Watch\" AFTER UPDATE OF \"Qty\" ON item FOR EACH ROW\n    EXECUTE FUNCTION audit.record();",
            "ALTER TABLE item DROP COLUMN \"Qty\";",
        ),
    )
    .await;
}

/// Plans between live databases: the triggers as the server prints them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plans_between_inspected_databases_converge() {
    for (target, after) in
        kinds::inspected_plans_converge("strata_triggers", &fixture(), &changed()).await
    {
        assert_eq!(after, target);
    }
}

/// What the plan refuses, by name: a trigger whose function the source does
/// not have (functions are not planned), and a column type change under a
/// trigger that stays.
#[test]
fn plans_refuse_by_name_or_converge() {
    let opts = PlanOptions {
        allow: Hazard::ALL.into_iter().collect(),
        ..PlanOptions::default()
    };
    // A trigger on a function the plan creates: the function first (it
    // used to be refused while routines were not planned), and the plan
    // converges by pg_dump's judgement, both ways.
    let with_fresh = format!(
        "{BASE}CREATE FUNCTION fresh() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;\nCREATE TRIGGER t_fresh BEFORE INSERT ON item FOR EACH ROW EXECUTE FUNCTION fresh();\n"
    );
    let (a, b) = (replay(BASE), replay(&with_fresh));
    let p = plan_verified(&a, &b, &opts).expect("planned");
    let actions: Vec<&str> = p.steps().map(|s| s.action.as_str()).collect();
    assert_eq!(
        actions,
        ["create function", "create trigger"],
        "{}",
        p.sql()
    );
    plan_converges("trigger on a new function", BASE, &with_fresh, &p)
        .unwrap_or_else(|e| panic!("{e}"));
    let back = plan_verified(&b, &a, &opts).expect("planned back");
    let actions: Vec<&str> = back.steps().map(|s| s.action.as_str()).collect();
    assert_eq!(actions, ["drop trigger", "drop function"], "{}", back.sql());
    plan_converges("trigger on a dropped function", &with_fresh, BASE, &back)
        .unwrap_or_else(|e| panic!("{e}"));

    let a = replay(&fixture());
    let b = replay(&fixture().replace("\"Qty\" integer", "\"Qty\" bigint"));
    let err = plan_verified(&a, &b, &opts).unwrap_err();
    assert!(
        err.details
            .iter()
            .any(|d| d.contains("trigger \"Quantity Watch\"")),
        "{err}: {:?}",
        err.details
    );
}

/// What replay refuses by name, located: `TRIGGER ALL` where foreign keys
/// give the table internal triggers, renaming a column a `WHEN` condition
/// reads (its text would be stale), a trigger calling an extension's
/// function (not modelled).
#[test]
fn replay_refuses_by_name() {
    let refused = |sql: &str, words: &str, line: u32| {
        let text: std::sync::Arc<str> = std::sync::Arc::from(sql);
        match strata_core::replay::replay_texts([("schema.sql", &text)]) {
            Ok(_) => panic!("accepted: {sql}"),
            Err(strata_core::Error::Sql(e)) => {
                assert!(e.message.contains(words), "{sql}: {}", e.message);
                assert_eq!(e.location.line, line, "{sql}: {}", e.message);
            }
            Err(e) => panic!("{sql}: unexpected error {e}"),
        }
    };
    refused(
        "CREATE TABLE t (id int PRIMARY KEY);\nCREATE TABLE u (t_id int REFERENCES t);\nALTER TABLE t DISABLE TRIGGER ALL;\n",
        "TRIGGER ALL",
        3,
    );
    refused(
        &format!("{BASE}CREATE TRIGGER w AFTER UPDATE ON item FOR EACH ROW WHEN (new.price > 0) EXECUTE FUNCTION stamp();\nALTER TABLE item RENAME COLUMN price TO cost;\n"),
        "WHEN condition of trigger w",
        17,
    );
    refused(
        "CREATE EXTENSION IF NOT EXISTS tcn;\nCREATE TABLE t (id int PRIMARY KEY);\nCREATE TRIGGER n AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION triggered_change_notification();\n",
        "extension tcn",
        3,
    );
    // DISABLE TRIGGER USER is fine there, and TRIGGER ALL without foreign keys.
    let ok = "CREATE TABLE t (id int PRIMARY KEY);\nCREATE TABLE u (t_id int REFERENCES t);\nALTER TABLE t DISABLE TRIGGER USER;\nCREATE TABLE v (id int);\nALTER TABLE v DISABLE TRIGGER ALL;\n";
    replay(ok);
}
