//! Publications against the real server: offline replay and
//! `strata::inspect` build the same publications (FOR ALL TABLES, tables
//! with their column lists and row filters as `pg_get_expr` prints them,
//! FOR TABLES IN SCHEMA, `publish`, `publish_via_partition_root`, comment;
//! renames followed, dropped tables gone), the model written back dumps
//! alike (`pg_dump -s`), replay fails where the server fails with its
//! SQLSTATE, plans converge both ways (judged by `pg_dump -s`), and
//! `strata drift` names each property changed out of band.

use crate::support;
use support::kinds::{read, shown};

use support::kinds;
use support::kinds::{converge, replay};

use strata_core::diff::{diff, DiffOptions};
use support::judge::{fresh_db, same_dump};
use support::{psql_apply_sql, TestDb};

const BASE: &str = r#"
SET client_min_messages = error;
CREATE SCHEMA sales;
CREATE SCHEMA audit;
CREATE TABLE public.account (id integer PRIMARY KEY, email text, active boolean, score numeric);
CREATE TABLE public."Odd" ("Id" integer PRIMARY KEY, note text);
CREATE TABLE sales.orders (id integer PRIMARY KEY, total numeric, placed date);
CREATE TABLE audit.events (id integer, what text);
CREATE TABLE public.measure (at date, v integer) PARTITION BY RANGE (at);
CREATE TABLE public.measure_2024 PARTITION OF public.measure FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE public.parent (id integer, kind text);
CREATE TABLE public.child (extra text) INHERITS (public.parent);
"#;

const PUBS: &str = r#"
CREATE PUBLICATION everything FOR ALL TABLES;
CREATE PUBLICATION app FOR TABLE account (id, email) WHERE (active AND score > 10), TABLE "Odd", sales.orders WHERE (total > 0);
CREATE PUBLICATION by_schema FOR TABLES IN SCHEMA audit, sales WITH (publish = 'insert, update');
CREATE PUBLICATION parts FOR TABLE measure WITH (publish_via_partition_root = true, publish = 'delete');
CREATE PUBLICATION empty;
CREATE PUBLICATION family FOR TABLE parent (id, kind) WHERE (id > 0);
CREATE PUBLICATION parent_only FOR TABLE ONLY parent;
COMMENT ON PUBLICATION app IS 'what the app replicates';
"#;

fn fixture() -> String {
    format!("{BASE}{PUBS}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_replay_builds_the_publications_the_server_builds() {
    let changed = format!(
        "{}\nALTER PUBLICATION app RENAME TO application;\n\
         ALTER PUBLICATION application DROP TABLE \"Odd\";\n\
         ALTER PUBLICATION application ADD TABLE audit.events WHERE (id IS NOT NULL);\n\
         ALTER TABLE account RENAME COLUMN email TO mail;\n\
         ALTER TABLE account RENAME COLUMN score TO points;\n\
         ALTER TABLE sales.orders RENAME TO purchases;\n\
         ALTER SCHEMA audit RENAME TO trail;\n\
         ALTER PUBLICATION by_schema SET (publish = 'truncate');\n\
         ALTER PUBLICATION by_schema DROP TABLES IN SCHEMA sales;\n\
         ALTER PUBLICATION parts SET TABLE measure, TABLES IN SCHEMA sales;\n\
         ALTER PUBLICATION parts SET (publish_via_partition_root = false);\n\
         ALTER PUBLICATION empty OWNER TO CURRENT_USER;\n\
         CREATE TABLE gone (x int);\n\
         ALTER PUBLICATION empty ADD TABLE gone;\n\
         DROP TABLE gone;\n\
         DROP PUBLICATION IF EXISTS nope, everything;\n\
         COMMENT ON PUBLICATION application IS NULL;\n",
        fixture()
    );
    for (name, sql) in [("fixture", fixture()), ("changed by statements", changed)] {
        let db = TestDb::create("strata_pubs_oracle").await;
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
        for (side, model) in [("offline", &offline), ("inspected", &server)] {
            let written = strata_core::ddl::schema_sql(model);
            let copy = fresh_db("strata_pubs_copy");
            psql_apply_sql(
                &copy.url,
                &format!("SET client_min_messages = error;\n{written}"),
                true,
            )
            .unwrap_or_else(|e| panic!("{name}, {side}: does not apply: {e}\n{written}"));
            let (same, dd) = same_dump(&db.url, &copy.url).unwrap();
            assert!(same, "{name}, {side}: pg_dump -s differs:\n{dd}\n{written}");
        }
        if name == "fixture" {
            assert_eq!(server.publications.len(), 7);
            assert_eq!(server.publications["family"].tables.len(), 2);
            assert_eq!(server.publications["parent_only"].tables.len(), 1);
            let app = &server.publications["app"];
            let account = app
                .table(&strata_core::model::RelationRef::new("public", "account"))
                .unwrap();
            assert_eq!(
                account.columns.as_deref(),
                Some(&["id".to_string(), "email".to_string()][..])
            );
            assert_eq!(
                account.row_filter.as_ref().and_then(|e| e.exact()),
                Some("(active AND (score > (10)::numeric))")
            );
            assert_eq!(app.comment.as_deref(), Some("what the app replicates"));
            let s = &server.publications["by_schema"];
            assert_eq!(s.schemas.len(), 2);
            assert_eq!(s.publish.sql(), "insert, update");
            assert!(server.publications["parts"].via_root);
            assert!(server.publications["everything"].all_tables);
            assert_eq!(server.counts().publications, 7);
        }
    }
}

/// (setup after the fixture, statement): the statement must fail on the
/// server and offline with the same SQLSTATE, or succeed on both.
const CASES: &[(&str, &str)] = &[
    ("", "CREATE PUBLICATION app"),
    ("", "CREATE PUBLICATION x FOR TABLE account, account"),
    ("", "CREATE PUBLICATION x FOR TABLE account (id), account"),
    (
        "",
        "CREATE PUBLICATION x FOR TABLE account WHERE (id > 0), account",
    ),
    ("", "CREATE PUBLICATION x FOR TABLE account (id, id)"),
    ("", "CREATE PUBLICATION x FOR TABLE account (nope)"),
    ("", "CREATE PUBLICATION x FOR TABLE nope"),
    (
        "CREATE VIEW v AS SELECT 1 AS z",
        "CREATE PUBLICATION x FOR TABLE v",
    ),
    (
        "CREATE UNLOGGED TABLE u (a int)",
        "CREATE PUBLICATION x FOR TABLE u",
    ),
    (
        "CREATE TABLE g (a int, b int GENERATED ALWAYS AS (a * 2) STORED)",
        "CREATE PUBLICATION x FOR TABLE g (b)",
    ),
    (
        "",
        "CREATE PUBLICATION x FOR TABLES IN SCHEMA sales, TABLE account (id)",
    ),
    ("", "CREATE PUBLICATION x FOR TABLES IN SCHEMA nope"),
    (
        "",
        "CREATE PUBLICATION x WITH (publish = 'insert, frobnicate')",
    ),
    ("", "CREATE PUBLICATION x WITH (frobnicate = 1)"),
    (
        "",
        "CREATE PUBLICATION x FOR TABLE account WHERE (id > (SELECT 1))",
    ),
    ("", "ALTER PUBLICATION nope ADD TABLE account"),
    ("", "ALTER PUBLICATION app ADD TABLE account"),
    ("", "ALTER PUBLICATION app DROP TABLE audit.events"),
    ("", "ALTER PUBLICATION everything ADD TABLE account"),
    ("", "ALTER PUBLICATION by_schema ADD TABLES IN SCHEMA sales"),
    (
        "",
        "ALTER PUBLICATION by_schema DROP TABLES IN SCHEMA public",
    ),
    ("", "ALTER PUBLICATION by_schema ADD TABLE account (id)"),
    ("", "ALTER PUBLICATION app ADD TABLES IN SCHEMA audit"),
    ("", "ALTER PUBLICATION app RENAME TO parts"),
    ("", "ALTER PUBLICATION app SET (publish = '')"),
    ("", "DROP PUBLICATION nope"),
    ("", "DROP PUBLICATION IF EXISTS nope"),
    ("", "COMMENT ON PUBLICATION nope IS 'x'"),
    ("", "ALTER TABLE account DROP COLUMN email"),
    ("", "ALTER TABLE account DROP COLUMN score"),
    ("", "ALTER TABLE account DROP COLUMN email CASCADE"),
    (
        "ALTER TABLE account DROP COLUMN score CASCADE",
        "ALTER PUBLICATION app DROP TABLE account",
    ),
    ("", "ALTER TABLE account ALTER COLUMN score TYPE bigint"),
    (
        "",
        "ALTER TABLE account ALTER COLUMN email TYPE varchar(100)",
    ),
    ("", "DROP TABLE sales.orders"),
    (
        "DROP TABLE sales.orders",
        "ALTER PUBLICATION app DROP TABLE sales.orders",
    ),
    (
        "DROP SCHEMA audit CASCADE",
        "ALTER PUBLICATION by_schema DROP TABLES IN SCHEMA audit",
    ),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_fails_where_the_server_fails_with_its_sqlstate() {
    // One database; each case in a transaction rolled back.
    let mismatches =
        support::kinds::sqlstate_mismatches("strata_pubs_errors", &fixture(), CASES).await;
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

/// Membership, column lists, row filters, schemas, options, comment
/// changed; one dropped, one added; a column under a row filter retyped.
fn changed() -> String {
    let p = PUBS
        .replace(
            "FOR TABLE account (id, email) WHERE (active AND score > 10), TABLE \"Odd\"",
            "FOR TABLE account (id, email, active) WHERE (active)",
        )
        .replace(
            "TABLES IN SCHEMA audit, sales WITH (publish = 'insert, update')",
            "TABLES IN SCHEMA audit WITH (publish = 'insert, update, delete, truncate')",
        )
        .replace(
            "WITH (publish_via_partition_root = true, publish = 'delete')",
            "",
        )
        .replace(
            "CREATE PUBLICATION everything FOR ALL TABLES;\n",
            "CREATE PUBLICATION everything FOR TABLE sales.orders;\n",
        )
        .replace(
            "CREATE PUBLICATION empty;\n",
            "CREATE PUBLICATION fresh FOR TABLE \"Odd\" WHERE (\"Id\" > 5);\n",
        )
        .replace("'what the app replicates'", "'what the app needs'");
    format!("{}{p}", BASE.replace("total numeric", "total bigint"))
}

#[test]
fn plans_create_drop_change_and_converge() {
    let base = format!("{BASE}\n");
    converge("publications created", &base, &fixture());
    converge("publications dropped", &fixture(), &base);
    converge("publications changed", &fixture(), &changed());
    converge("publications changed back", &changed(), &fixture());
    let plan = converge(
        "options only",
        &fixture(),
        &fixture().replace(
            "WITH (publish = 'insert, update')",
            "WITH (publish = 'insert')",
        ),
    );
    assert_eq!(plan.step_count(), 1, "{}", plan.sql());
    assert!(
        plan.sql()
            .contains("ALTER PUBLICATION by_schema SET (publish = 'insert'"),
        "{}",
        plan.sql()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plans_between_inspected_databases_converge() {
    kinds::inspected_plans_converge("strata_pubs", &fixture(), &changed()).await;
}

#[test]
fn strata_drift_names_each_property_changed_out_of_band() {
    kinds::drift_names_each_change(
        "strata_pubs_drift",
        &fixture(),
        kinds::Expect::Against,
        &[
        ("ALTER PUBLICATION app DROP TABLE \"Odd\"", "publication app: table public.\"Odd\" differs"),
        ("ALTER PUBLICATION app SET TABLE account (id), \"Odd\", sales.orders WHERE (total > 0)", "column list differs"),
        ("ALTER PUBLICATION app SET TABLE account (id, email) WHERE (active AND score > 11), \"Odd\", sales.orders WHERE (total > 0)", "row filter differs"),
        ("ALTER PUBLICATION by_schema DROP TABLES IN SCHEMA audit", "publication by_schema: schemas differ"),
        ("ALTER PUBLICATION by_schema SET (publish = 'insert')", "publication by_schema: publish differs"),
        ("ALTER PUBLICATION parts SET (publish_via_partition_root = false)", "publish_via_partition_root differs"),
        ("COMMENT ON PUBLICATION app IS 'x'", "publication app: comment differs"),
        ("DROP PUBLICATION everything", "publication everything"),
        ("CREATE PUBLICATION sneaky FOR TABLE account", "publication sneaky"),
    ],
    );
}
