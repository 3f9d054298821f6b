//! Extended statistics against the real server: offline replay and
//! `strata::inspect` build the same model (`CREATE STATISTICS` with kinds,
//! columns in any order, expressions, targets, comments, renames, a column
//! or table dropped under them), the model written back dumps alike
//! (`pg_dump -s`), replay fails where the server fails with its SQLSTATE,
//! plans converge both ways, and `strata drift` names each property changed
//! out of band.

use crate::support;
use support::kinds::{read, shown};

use support::kinds;
use support::kinds::{converge, replay};

use strata_core::diff::{diff, DiffOptions};
use strata_core::model::StatisticsKind;
use support::judge::{fresh_db, same_dump};
use support::{psql_apply_sql, TestDb};

const BASE: &str = r#"
CREATE SCHEMA app;
CREATE TABLE item (id integer PRIMARY KEY, name text, price numeric, qty integer, "Kind" text, doc jsonb);
CREATE TABLE app.orders (id bigint, item_id integer, placed date, note text);
"#;

/// Every shape: kinds written or not, columns out of order, expressions
/// (a function call, an operator, a cast, a COLLATE), one expression
/// alone, a quoted column, another schema than the table's, a target
/// above the maximum (lowered), a comment.
const STATS: &str = r#"
CREATE STATISTICS item_stats ON qty, price FROM item;
CREATE STATISTICS item_nd (ndistinct) ON name, id FROM item;
CREATE STATISTICS item_dm (mcv, dependencies) ON "Kind", qty FROM item;
CREATE STATISTICS item_expr ON lower(name), (price * qty), ("Kind"::varchar(10)), id FROM item;
CREATE STATISTICS item_one ON (qty + 1) FROM item;
CREATE STATISTICS item_coll ON (name COLLATE "C"), ((qty)) FROM item;
CREATE STATISTICS app."Order Stats" ON placed, item_id FROM app.orders;
CREATE STATISTICS app.on_public ON doc, id FROM public.item;
ALTER STATISTICS item_nd SET STATISTICS 250;
ALTER STATISTICS item_dm SET STATISTICS 20000;
COMMENT ON STATISTICS item_stats IS 'price by quantity';
"#;

fn fixture() -> String {
    format!("{BASE}{STATS}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_replay_builds_the_statistics_the_server_builds() {
    // Renames of columns, tables, schemas and the statistics themselves,
    // SET SCHEMA both ways, a retyped column, a dropped column and a
    // dropped table taking their statistics with them.
    let script = format!(
        "{}\nALTER TABLE item RENAME COLUMN qty TO quantity;\n\
         ALTER TABLE item RENAME TO goods;\n\
         ALTER STATISTICS item_stats RENAME TO goods_stats;\n\
         ALTER STATISTICS item_one SET SCHEMA app;\n\
         ALTER TABLE app.orders SET SCHEMA public;\n\
         ALTER SCHEMA app RENAME TO shop;\n\
         ALTER TABLE goods ALTER COLUMN price TYPE double precision;\n\
         ALTER TABLE goods DROP COLUMN \"Kind\";\n\
         CREATE TABLE gone (a int, b int);\n\
         CREATE STATISTICS shop.gone_stats ON a, b FROM gone;\n\
         DROP TABLE gone;\n\
         CREATE STATISTICS IF NOT EXISTS goods_stats ON id, name FROM goods;\n\
         DROP STATISTICS IF EXISTS nope, item_coll;\n\
         ALTER STATISTICS item_nd SET STATISTICS -1;\n\
         COMMENT ON STATISTICS goods_stats IS NULL;\n\
         COMMENT ON STATISTICS shop.item_one IS 'moved';\n",
        fixture()
    );
    for (name, sql) in [("fixture", fixture()), ("changed by statements", script)] {
        let db = TestDb::create("strata_stats_oracle").await;
        psql_apply_sql(&db.url, &sql, true).unwrap();
        let server = read(&db.url).await;
        let offline = replay(&sql).unwrap();
        let d = diff(&offline, &server, DiffOptions::default());
        assert!(d.is_empty(), "{name}: {:#?}", shown(&d));
        let count: usize = server.namespaces.values().map(|n| n.statistics.len()).sum();
        assert!(count >= 5, "{name}: {count} statistics read");
        for (side, model) in [("offline", &offline), ("inspected", &server)] {
            let written = strata_core::ddl::schema_sql(model);
            let copy = fresh_db("strata_stats_copy");
            psql_apply_sql(&copy.url, &written, true)
                .unwrap_or_else(|e| panic!("{name}, {side}: does not apply: {e}\n{written}"));
            let (same, dd) = same_dump(&db.url, &copy.url).unwrap();
            assert!(same, "{name}, {side}: pg_dump -s differs:\n{dd}\n{written}");
        }
        if name == "fixture" {
            let p = &server.namespaces["public"].statistics;
            assert_eq!(p["item_stats"].columns, ["price", "qty"], "attribute order");
            assert_eq!(p["item_stats"].kinds.len(), 3);
            assert_eq!(
                p["item_nd"].kinds.iter().copied().collect::<Vec<_>>(),
                [StatisticsKind::Ndistinct]
            );
            assert!(p["item_one"].kinds.is_empty(), "one expression: no kinds");
            assert_eq!(p["item_nd"].target, Some(250));
            assert_eq!(p["item_dm"].target, Some(10000), "lowered to the maximum");
            assert_eq!(p["item_coll"].columns, ["qty"], "(qty) is the column");
            assert_eq!(
                server.namespaces["app"].statistics["on_public"].table.sql(),
                "public.item"
            );
            let page = strata_core::docs::render(&server, &Default::default());
            assert!(
                page.contains(
                    "`item_stats` on price, qty (ndistinct, dependencies, mcv) — price by quantity"
                ),
                "{page}"
            );
        }
    }
}

/// (setup after the fixture, statement): the statement must fail on the
/// server and offline with the same SQLSTATE, or succeed on both.
const CASES: &[(&str, &str)] = &[
    ("", "CREATE STATISTICS item_stats ON id, name FROM item"),
    ("", "CREATE STATISTICS IF NOT EXISTS item_stats ON id, name FROM item"),
    ("", "CREATE STATISTICS x ON a, b FROM nope"),
    ("CREATE VIEW v AS SELECT 1 AS a, 2 AS b", "CREATE STATISTICS x ON a, b FROM v"),
    ("", "CREATE STATISTICS x ON id, nope FROM item"),
    ("", "CREATE STATISTICS x ON ctid, id FROM item"),
    ("", "CREATE STATISTICS x ON (nope + 1), id FROM item"),
    ("CREATE TABLE j (a json, b int)", "CREATE STATISTICS x ON a, b FROM j"),
    ("CREATE TABLE j (a point[], b int)", "CREATE STATISTICS x ON b, (a) FROM j"),
    ("", "CREATE STATISTICS x ON id FROM item"),
    ("", "CREATE STATISTICS x (mcv) ON (id + 1) FROM item"),
    ("", "CREATE STATISTICS x (histogram) ON id, qty FROM item"),
    ("", "CREATE STATISTICS x ON id, qty, id FROM item"),
    ("", "CREATE STATISTICS x ON (id), id FROM item"),
    ("", "CREATE STATISTICS x ON (id + 1), (id + 1) FROM item"),
    ("", "CREATE STATISTICS x ON id, name, price, qty, \"Kind\", doc, (id + 1), (id + 2), (id + 3) FROM item"),
    ("", "CREATE STATISTICS x ON id, qty FROM item, app.orders"),
    ("", "CREATE STATISTICS ON id, qty FROM item"),
    ("", "CREATE STATISTICS x ON id + qty, name FROM item"),
    ("", "CREATE OR REPLACE STATISTICS x ON id, qty FROM item"),
    ("", "CREATE STATISTICS nope.x ON id, qty FROM item"),
    ("", "CREATE STATISTICS app.item_stats ON id, qty FROM item"),
    ("", "ALTER STATISTICS nope SET STATISTICS 10"),
    ("", "ALTER STATISTICS IF EXISTS nope SET STATISTICS 10"),
    ("", "ALTER STATISTICS item_stats SET STATISTICS -2"),
    ("", "ALTER STATISTICS item_stats RENAME TO item_nd"),
    ("", "ALTER STATISTICS item_stats SET SCHEMA nope"),
    ("CREATE STATISTICS app.item_nd ON id, qty FROM item", "ALTER STATISTICS item_nd SET SCHEMA app"),
    ("", "ALTER STATISTICS item_stats OWNER TO CURRENT_USER"),
    ("", "DROP STATISTICS nope"),
    ("", "DROP STATISTICS IF EXISTS nope, item_stats"),
    ("", "DROP STATISTICS item_stats, nope"),
    ("", "COMMENT ON STATISTICS nope IS 'x'"),
    ("CREATE SCHEMA s; CREATE STATISTICS s.x ON id, qty FROM item", "DROP SCHEMA s"),
    ("ALTER TABLE item DROP COLUMN qty", "DROP STATISTICS item_stats"),
    ("ALTER TABLE item DROP COLUMN \"Kind\"", "DROP STATISTICS item_expr"),
    ("ALTER TABLE item RENAME COLUMN qty TO n", "DROP STATISTICS item_stats"),
    ("DROP TABLE app.orders", "DROP STATISTICS app.\"Order Stats\""),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_fails_where_the_server_fails_with_its_sqlstate() {
    // One database; each case in a transaction rolled back.
    let mismatches =
        support::kinds::sqlstate_mismatches("strata_stats_errors", &fixture(), CASES).await;
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[test]
fn statistics_on_what_strata_does_not_model_are_refused_by_name() {
    let e = replay(&format!(
        "{BASE}CREATE MATERIALIZED VIEW mv AS SELECT id, qty FROM item;\n\
         CREATE STATISTICS mv_stats ON id, qty FROM mv;\n"
    ))
    .unwrap_err();
    assert!(e.contains("materialized view \"mv\""), "{e}");
}

/// The fixture with a definition changed in each way (kinds, columns, an
/// expression, the table), a target and a comment changed, one dropped
/// and one added.
fn changed() -> String {
    let s = STATS
        .replace("(ndistinct) ON name, id", "(ndistinct, mcv) ON name, id")
        .replace("ON \"Kind\", qty FROM item", "ON \"Kind\", qty, price FROM item")
        .replace("(price * qty)", "(price * 2)")
        .replace("ON placed, item_id FROM app.orders", "ON placed, item_id FROM app.orders;\nCREATE STATISTICS app.notes ON note, id FROM app.orders")
        .replace("SET STATISTICS 250", "SET STATISTICS 100")
        .replace("'price by quantity'", "'quantity by price'")
        .replace("CREATE STATISTICS item_one ON (qty + 1) FROM item;\n", "");
    format!("{BASE}{s}")
}

#[test]
fn plans_create_drop_change_and_converge() {
    converge("statistics created", BASE, &fixture());
    converge("statistics dropped", &fixture(), BASE);
    let plan = converge("statistics changed", &fixture(), &changed());
    let sql = plan.sql();
    assert!(
        sql.contains("ALTER STATISTICS public.item_nd SET STATISTICS 100"),
        "{sql}"
    );
    assert!(
        sql.contains("DROP STATISTICS IF EXISTS public.item_one"),
        "{sql}"
    );
    converge("statistics changed back", &changed(), &fixture());
    // Only the target: in place.
    let plan = converge(
        "target only",
        &fixture(),
        &fixture().replace("SET STATISTICS 250", "SET STATISTICS 10"),
    );
    assert_eq!(plan.step_count(), 1, "{}", plan.sql());
    // A column under statistics retyped: created again over the new type.
    converge(
        "column retyped",
        &fixture(),
        &fixture().replace("qty integer", "qty bigint"),
    );
    // A column under statistics dropped, a table dropped: they go with it.
    converge(
        "column dropped",
        &fixture(),
        &fixture()
            .replace(", \"Kind\" text", "")
            .replace(
                "CREATE STATISTICS item_dm (mcv, dependencies) ON \"Kind\", qty FROM item;\n",
                "",
            )
            .replace("ALTER STATISTICS item_dm SET STATISTICS 20000;\n", "")
            .replace(", (\"Kind\"::varchar(10))", ""),
    );
    converge(
        "table dropped",
        &fixture(),
        &fixture()
            .replace(
                "CREATE TABLE app.orders (id bigint, item_id integer, placed date, note text);\n",
                "",
            )
            .replace(
                "CREATE STATISTICS app.\"Order Stats\" ON placed, item_id FROM app.orders;\n",
                "",
            ),
    );
}

/// Plans between live databases: the statistics as the server prints them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plans_between_inspected_databases_converge() {
    kinds::inspected_plans_converge("strata_stats", &fixture(), &changed()).await;
}

#[test]
fn strata_drift_names_each_property_changed_out_of_band() {
    kinds::drift_names_each_change(
        "strata_stats_drift",
        &fixture(),
        kinds::Expect::Workspace,
        &[
        ("ALTER STATISTICS item_nd SET STATISTICS 5", "statistics public.item_nd: statistics target differs"),
        ("COMMENT ON STATISTICS item_stats IS 'other'", "statistics public.item_stats: comment differs"),
        (
            "DROP STATISTICS item_nd; CREATE STATISTICS item_nd (dependencies) ON name, id FROM item",
            "statistics public.item_nd: kinds differ",
        ),
        (
            "DROP STATISTICS item_stats; CREATE STATISTICS item_stats ON qty, price, name FROM item",
            "statistics public.item_stats: columns differ",
        ),
        (
            "DROP STATISTICS item_one; CREATE STATISTICS item_one ON (qty + 2) FROM item",
            "statistics public.item_one: expressions differ",
        ),
        (
            "DROP STATISTICS app.on_public; CREATE STATISTICS app.on_public ON item_id, id FROM app.orders",
            "statistics app.on_public: table differs",
        ),
        ("DROP STATISTICS item_coll", "statistics public.item_coll"),
        ("CREATE STATISTICS sneaky ON id, qty FROM item", "statistics public.sneaky"),
    ],
    );
}
