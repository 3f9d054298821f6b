//! Offline replay against the server for what PostgreSQL decides itself:
//! the names it makes up for indexes and constraints created without one,
//! the schema `search_path` creates in and looks up, and what `DROP … CASCADE`
//! takes with it. Every expectation is read back from a fresh database the
//! same SQL was applied to with psql.

use crate::support;

use std::collections::BTreeSet;
use std::sync::Arc;

use strata_core::model::{ConstraintKind, UnmanagedKind};
use strata_core::replay::{Replayer, Role};
use strata_core::Schema;
use support::TestDb;

fn replay(files: &[&str]) -> Result<Schema, String> {
    replay_as(files, Role::default())
}

fn replay_as(files: &[&str], role: Role) -> Result<Schema, String> {
    let mut r = Replayer::new();
    r.set_role(role);
    for (i, sql) in files.iter().enumerate() {
        let text: Arc<str> = Arc::from(*sql);
        r.apply_file(&format!("{i}.sql"), &text)
            .map_err(|e| e.to_string())?;
    }
    Ok(r.schema().clone())
}

/// Relation names (`n.rel` for tables and indexes) and constraint names
/// (`n.table.con`) of the user schemas, as the server stores them.
async fn server_names(db: &TestDb) -> (BTreeSet<String>, BTreeSet<String>) {
    let client = db.client().await;
    let rels = client
        .query(
            "SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relkind IN ('r', 'p', 'i', 'I', 'v', 'm') AND c.relpersistence <> 't' \
             AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')",
            &[],
        )
        .await
        .expect("pg_class");
    let cons = client
        .query(
            "SELECT n.nspname || '.' || c.relname || '.' || k.conname FROM pg_constraint k \
             JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE k.contype <> 'n' AND n.nspname NOT IN ('pg_catalog', 'information_schema')",
            &[],
        )
        .await
        .expect("pg_constraint");
    (
        rels.iter().map(|r| r.get::<_, String>(0)).collect(),
        cons.iter().map(|r| r.get::<_, String>(0)).collect(),
    )
}

fn model_names(s: &Schema) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut rels = BTreeSet::new();
    let mut cons = BTreeSet::new();
    // Views strata keeps by name (none now: views are modelled), by
    // qualified name (the tests use names that need no quotes).
    for u in &s.unmanaged {
        if matches!(
            u.kind,
            UnmanagedKind::View | UnmanagedKind::MaterializedView
        ) {
            rels.insert(u.name.clone());
        }
    }
    for (nsn, ns) in &s.namespaces {
        for (vn, v) in &ns.views {
            rels.insert(format!("{nsn}.{vn}"));
            for i in v.indexes.keys() {
                rels.insert(format!("{nsn}.{i}"));
            }
        }
        for (tn, t) in &ns.tables {
            rels.insert(format!("{nsn}.{tn}"));
            for i in t.indexes.keys() {
                rels.insert(format!("{nsn}.{i}"));
            }
            for (cn, c) in &t.constraints {
                cons.insert(format!("{nsn}.{tn}.{cn}"));
                if matches!(
                    c.kind,
                    ConstraintKind::PrimaryKey { .. }
                        | ConstraintKind::Unique { .. }
                        | ConstraintKind::Exclusion { .. }
                ) {
                    rels.insert(format!("{nsn}.{cn}"));
                }
            }
        }
    }
    (rels, cons)
}

/// Applies each file with its own psql session (as migration tools do) and
/// replays the same files; both must succeed and agree on every relation
/// and constraint name.
async fn same_names(case: &str, files: &[&str]) {
    same_names_as(case, files, false, Role::default()).await
}

/// [`same_names`], each file in one transaction (`psql --single-transaction`,
/// as migration tools run a file) when `single_transaction`, replayed as
/// `role`.
async fn same_names_as(case: &str, files: &[&str], single_transaction: bool, role: Role) {
    let db = TestDb::create("strata_replay_live").await;
    for f in files {
        if let Err(e) = support::psql_apply_sql(&db.url, f, single_transaction) {
            panic!("{case}: PostgreSQL rejected the script: {e}");
        }
    }
    let server = server_names(&db).await;
    let replayed = replay_as(files, role).unwrap_or_else(|e| panic!("{case}: replay failed: {e}"));
    let model = model_names(&replayed);
    let only_server: Vec<_> = server.0.difference(&model.0).collect();
    let only_model: Vec<_> = model.0.difference(&server.0).collect();
    assert!(
        only_server.is_empty() && only_model.is_empty(),
        "{case}: relation names differ\n  server only: {only_server:?}\n  replay only: {only_model:?}"
    );
    let only_server: Vec<_> = server.1.difference(&model.1).collect();
    let only_model: Vec<_> = model.1.difference(&server.1).collect();
    assert!(
        only_server.is_empty() && only_model.is_empty(),
        "{case}: constraint names differ\n  server only: {only_server:?}\n  replay only: {only_model:?}"
    );
}

/// Where the server and replay fail, by (file index, line) — or both succeed.
async fn same_failure(case: &str, files: &[&str], single_transaction: bool) -> Result<(), String> {
    let db = TestDb::create("strata_replay_live").await;
    let mut server = None;
    for (i, f) in files.iter().enumerate() {
        if let Err(e) = support::psql_apply_sql(&db.url, f, single_transaction) {
            let line = e
                .lines()
                .find(|l| l.contains("ERROR:"))
                .and_then(|l| l.strip_prefix("psql:"))
                .and_then(|r| r.split(':').nth(1))
                .and_then(|n| n.parse::<u32>().ok())
                .unwrap_or_else(|| panic!("{case}: cannot read psql's error: {e}"));
            server = Some((i, line, e));
            break;
        }
    }
    let mut r = Replayer::new();
    let mut strata = None;
    for (i, sql) in files.iter().enumerate() {
        let text: Arc<str> = Arc::from(*sql);
        match r.apply_file(&format!("{i}.sql"), &text) {
            Ok(()) => {}
            Err(strata_core::Error::Sql(e)) => {
                strata = Some((i, e.location.line, e.to_string()));
                break;
            }
            Err(e) => panic!("{case}: unexpected non-SQL error: {e}"),
        }
    }
    let s = server.as_ref().map(|(i, l, _)| (*i, *l));
    let t = strata.as_ref().map(|(i, l, _)| (*i, *l));
    if s == t {
        Ok(())
    } else {
        Err(format!(
            "{case}: PostgreSQL fails at {s:?}, strata at {t:?}\n  server: {:?}\n  strata: {:?}",
            server.map(|x| x.2),
            strata.map(|x| x.2)
        ))
    }
}

async fn all_same_failure(cases: &[(&str, &[&str])], single_transaction: bool) {
    let mut mismatches = Vec::new();
    for (case, files) in cases {
        if let Err(e) = same_failure(case, files, single_transaction).await {
            mismatches.push(e);
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

// ------------------------------------------------------------------ names

const INDEX_NAMES: &str = r#"CREATE TABLE t (a int, b int, at timestamp, email text, d date, arr int[]);
CREATE INDEX ON t (extract(year from at));
CREATE INDEX ON t (lower(email));
CREATE INDEX ON t (lower(email));
CREATE INDEX ON t ((a + b));
CREATE INDEX ON t ((a::text));
CREATE INDEX ON t (('x'::text));
CREATE INDEX ON t ((1::bigint));
CREATE INDEX ON t ((CAST(1 AS integer)));
CREATE INDEX ON t (((a + b)::numeric(10,2)));
CREATE INDEX ON t (((a + b)::character varying));
CREATE INDEX ON t (((a + b)::double precision));
CREATE INDEX ON t (((a + b)::bool));
CREATE INDEX ON t (((at)::timestamp without time zone));
CREATE INDEX ON t ((CASE WHEN a > 0 THEN 1 ELSE 0 END));
CREATE INDEX ON t ((CASE WHEN a > 0 THEN 1 ELSE b END));
CREATE INDEX ON t ((CASE WHEN a > 0 THEN 1 END));
CREATE INDEX ON t ((COALESCE(a, b)));
CREATE INDEX ON t ((ARRAY[a, b]));
CREATE INDEX ON t ((GREATEST(a, b)));
CREATE INDEX ON t ((LEAST(a, b)));
CREATE INDEX ON t ((NULLIF(a, b)));
CREATE INDEX ON t ((substring(email from 2)));
CREATE INDEX ON t ((trim(email)));
CREATE INDEX ON t ((trim(leading 'x' from email)));
CREATE INDEX ON t ((trim(trailing 'x' from email)));
CREATE INDEX ON t ((position('a' in email)));
CREATE INDEX ON t ((overlay(email placing 'x' from 1)));
CREATE INDEX ON t ((ceil(a)));
CREATE INDEX ON t ((floor(a)));
CREATE INDEX ON t ((at AT TIME ZONE 'UTC'));
CREATE INDEX ON t ((arr[1]));
CREATE INDEX ON t ((a IS NULL));
CREATE INDEX ON t ((-a));
CREATE INDEX ON t ((email COLLATE "C"));
CREATE INDEX ON t ((lower(email) COLLATE "C"));
CREATE INDEX ON t (lower(email), (a + b), (a - b), upper(email), a);
CREATE INDEX ON t ((date '2020-01-01'));
CREATE INDEX ON t ((interval '1 day'));
CREATE INDEX ON t ((pg_catalog.upper(email)));
CREATE INDEX ON t (a) WHERE b > 0;
CREATE INDEX ON t (a) INCLUDE (b);
CREATE UNIQUE INDEX ON t (b);
CREATE INDEX ON t ((email::varchar(3)));
CREATE INDEX ON t ((a::real));
CREATE INDEX ON t ((email::"char"));
CREATE INDEX ON t ((md5(email)::uuid));
CREATE INDEX ON t ((abs(a)::int));
CREATE INDEX ON t (((a + 1)::int2));
CREATE INDEX ON t (((a + 1)::real));
CREATE INDEX ON t (((a + 1)::float4));
CREATE INDEX ON t (((a + 1)::decimal));
CREATE INDEX ON t ((1));
CREATE TABLE k (a int, b int, c int, CHECK (a > 0), CHECK (a > b), UNIQUE (a, b), PRIMARY KEY (c), CHECK (c > 0), EXCLUDE USING btree (a WITH =), EXCLUDE USING btree ((a + b) WITH =), EXCLUDE USING btree (lower(c::text) WITH =), FOREIGN KEY (a, b) REFERENCES k (a, b), UNIQUE (b));
CREATE TABLE "éééééééééééééééééééééééééééééééééééé" (a int);
CREATE INDEX ON "éééééééééééééééééééééééééééééééééééé" (lower(a::text));
CREATE INDEX ON "éééééééééééééééééééééééééééééééééééé" (lower(a::text));
CREATE INDEX ON "éééééééééééééééééééééééééééééééééééé" ((a + 1), lower(a::text), "éééééééééééééééééééééééééééééééééééé"(a));
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn index_and_constraint_names_are_the_servers() {
    // The function named like the table gives a 3-key name that is cut.
    let pre = "CREATE FUNCTION \"éééééééééééééééééééééééééééééééééééé\"(int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT $1';\n";
    let script = format!("{pre}{INDEX_NAMES}");
    same_names("index_names", &[&script]).await;
    // The names chosen can be dropped by name afterwards.
    let drops = "DROP INDEX t_extract_idx;\nDROP INDEX t_lower_idx1;\nDROP INDEX t_case_idx1;\nDROP INDEX t_int8_idx;\nALTER TABLE k DROP CONSTRAINT k_expr_excl;\nALTER TABLE k DROP CONSTRAINT k_a_b_fkey;\n";
    same_names("index_names_dropped", &[&script, drops]).await;
}

// ------------------------------------------------------------ search_path

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_path_decides_where_objects_go_and_which_are_found() {
    // Each file is a new session: the path is the default again.
    same_names(
        "set_then_next_file",
        &[
            "CREATE SCHEMA a;\nSET search_path = a, public;\nCREATE TABLE t (x int);\nCREATE TABLE public.u (x int);\nCREATE INDEX ON u (x);\nCREATE INDEX ON t (x);\n",
            "CREATE TABLE t (x int);\nCREATE INDEX ON t (x);\n",
        ],
    )
    .await;
    same_names(
        "default_reset_reset_all_session",
        &["CREATE SCHEMA a;\nSET search_path TO a;\nCREATE TABLE t1 (x int);\nSET search_path TO DEFAULT;\nCREATE TABLE t2 (x int);\nSET SESSION search_path = a;\nCREATE TABLE t3 (x int);\nRESET search_path;\nCREATE TABLE t4 (x int);\nSET search_path = 'a';\nCREATE TABLE t5 (x int);\nRESET ALL;\nCREATE TABLE t6 (x int);\n"],
    )
    .await;
    same_names(
        "set_config",
        &["CREATE SCHEMA a;\nSELECT pg_catalog.set_config('search_path', 'a', false);\nCREATE TABLE t1 (x int);\nSELECT set_config('search_path', '\"$user\", public', false);\nCREATE TABLE t2 (x int);\n"],
    )
    .await;
    // Names are looked up along the whole path; creation goes to the first
    // schema that exists.
    same_names(
        "lookup_along_the_path",
        &["CREATE SCHEMA a;\nCREATE SCHEMA b;\nCREATE TABLE b.t (x int);\nSET search_path = nope, a, b;\nCREATE INDEX ON t (x);\nALTER TABLE t ADD COLUMN y int;\nCREATE TABLE t (z int);\nCREATE INDEX ON t (z);\nDROP TABLE t;\nCREATE INDEX ON t (y);\nDROP INDEX t_x_idx;\n"],
    )
    .await;
    same_names(
        "quoted_schema",
        &["CREATE SCHEMA \"A b\";\nSET search_path = \"A b\", public;\nCREATE TABLE t (x int);\nSET search_path = 'A b';\nCREATE TABLE u (x int);\n"],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_local_lasts_to_the_end_of_the_transaction() {
    // Each file in one transaction, as migration tools run it.
    same_names_as(
        "local_until_commit",
        &[
            "CREATE SCHEMA a;\nSET LOCAL search_path = a;\nCREATE TABLE t1 (x int);\nCOMMIT;\nCREATE TABLE t2 (x int);\n",
            "SELECT set_config('search_path', 'a', true);\nCREATE TABLE t3 (x int);\n",
            "CREATE TABLE t4 (x int);\n",
            "SET LOCAL search_path = a;\nSET search_path = public;\nCREATE TABLE t5 (x int);\n",
            "SET search_path = a;\nSET LOCAL search_path = public;\nCREATE TABLE t6 (x int);\nCOMMIT;\nCREATE TABLE t7 (x int);\n",
        ],
        true,
        Role::default(),
    )
    .await;
    all_same_failure(
        &[
            (
                "local_missing_schema",
                &["SET LOCAL search_path = nope;\nCREATE TABLE t (a int);\n"],
            ),
            (
                "local_ends_at_file_end",
                &[
                    "CREATE SCHEMA a;\nSET LOCAL search_path = a;\nCREATE TABLE t (x int);\n",
                    "CREATE INDEX ON t (x);\n",
                ],
            ),
        ],
        true,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_path_errors_are_the_servers() {
    all_same_failure(
        &[
            ("pg_catalog_first", &["SET search_path = pg_catalog, public;\nCREATE TABLE t (a int);\n"]),
            ("pg_catalog_last", &["SET search_path = public, pg_catalog;\nCREATE TABLE t (a int);\n"]),
            ("empty_path", &["SET search_path = '';\nCREATE TABLE t (a int);\n"]),
            ("only_missing", &["SET search_path = nope;\nCREATE TYPE e AS ENUM ('x');\n"]),
            ("quoted_string_is_one_name", &["CREATE SCHEMA \"A b\";\nSET search_path = '\"A b\"';\nCREATE TABLE t (a int);\n"]),
            ("string_with_comma_is_one_name", &["CREATE SCHEMA a;\nSET search_path = 'a, public';\nCREATE TABLE t (a int);\n"]),
            ("user_only", &["SET search_path = \"$user\";\nCREATE TABLE t (a int);\n"]),
            ("not_on_path", &["CREATE SCHEMA a;\nCREATE TABLE a.t (x int);\nCREATE INDEX ON t (x);\n"]),
            ("drop_not_on_path", &["CREATE SCHEMA a;\nCREATE TABLE a.t (x int);\nSET search_path = a;\nDROP TABLE t;\nRESET search_path;\nDROP TABLE t;\n"]),
        ],
        false,
    )
    .await;
}

/// `pg_temp` named first makes the server create a temporary table, gone at
/// the end of the session: replay refuses rather than model it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pg_temp_first_is_refused() {
    let sql = "SET search_path = pg_temp, public;\nCREATE TABLE t (a int);\n";
    let db = TestDb::create("strata_replay_live").await;
    support::psql_apply_sql(&db.url, sql, false).expect("the server accepts it");
    // A temporary table leaves the catalog when its backend exits, which may
    // be a moment after psql itself has: only persistent relations count.
    let (rels, _) = server_names(&db).await;
    assert!(rels.is_empty(), "the table was temporary: {rels:?}");
    let e = replay(&[sql]).expect_err("replay must refuse");
    assert!(e.contains("pg_temp"), "{e}");
}

/// `"$user"` is the role's schema. Replayed as the role the server ran the
/// script as, replay lands where the server does; with the role unknown it
/// refuses, naming `"$user"`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_schema_follows_the_role() {
    let db = TestDb::create("strata_replay_live").await;
    let role: String = db
        .client()
        .await
        .query_one("SELECT current_user::text", &[])
        .await
        .expect("current_user")
        .get(0);
    drop(db);
    let script = format!(
        "CREATE SCHEMA {q};\nCREATE TABLE t (x int);\nCREATE INDEX ON t (x);\nCREATE TABLE public.u (x int);\nALTER TABLE u ADD COLUMN y int;\n",
        q = support::quote_ident(&role)
    );
    same_names_as("user_schema", &[&script], false, Role::Named(role.clone())).await;
    let e = replay_as(&[&script], Role::Unknown).expect_err("unknown role must refuse");
    assert!(e.contains("\"$user\""), "{e}");
    // The unknown role does not matter once the path does not name it.
    let qualified = format!(
        "CREATE SCHEMA {q};\nSET search_path = public;\nCREATE TABLE t (x int);\n",
        q = support::quote_ident(&role)
    );
    same_names_as("user_not_on_path", &[&qualified], false, Role::Unknown).await;
    // A lookup: `u` exists only in public, but a schema named like the role
    // could hold one too.
    let lookup = "CREATE SCHEMA app;\nCREATE TABLE app.u (x int);\nCREATE TABLE public.u (x int);\nALTER TABLE u ADD COLUMN y int;\n";
    let e = replay_as(&[lookup], Role::Unknown).expect_err("lookup depends on the role");
    assert!(e.contains("\"$user\""), "{e}");
}

// ------------------------------------------------------- views and CASCADE

const T: &str = "CREATE TABLE t (a int, b int);\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn views_block_drops_and_go_with_cascade() {
    let cases: Vec<(String, String)> = vec![
        ("drop_table_with_view", format!("{T}CREATE VIEW v AS SELECT a FROM t;\nDROP TABLE t;\n")),
        ("drop_column_used", format!("{T}CREATE VIEW v AS SELECT a FROM t;\nALTER TABLE t DROP COLUMN a;\n")),
        ("drop_column_unused", format!("{T}CREATE VIEW v AS SELECT a FROM t;\nALTER TABLE t DROP COLUMN b;\nDROP VIEW v;\nDROP TABLE t;\n")),
        ("star_expanded_at_creation", format!("{T}CREATE VIEW v AS SELECT * FROM t;\nALTER TABLE t ADD COLUMN c int;\nALTER TABLE t DROP COLUMN c;\nALTER TABLE t DROP COLUMN b;\n")),
        ("view_on_view", format!("{T}CREATE VIEW v AS SELECT a FROM t;\nCREATE VIEW w AS SELECT a FROM v;\nDROP VIEW v;\n")),
        ("drop_view_cascade", format!("{T}CREATE VIEW v AS SELECT a FROM t;\nCREATE VIEW w AS SELECT a FROM v;\nDROP VIEW v CASCADE;\nCREATE VIEW w AS SELECT 1 AS one;\nDROP TABLE t;\n")),
        ("drop_table_cascade_recursive", format!("{T}CREATE VIEW v AS SELECT a FROM t;\nCREATE VIEW w AS SELECT * FROM v;\nDROP TABLE t CASCADE;\nCREATE VIEW w AS SELECT 1 AS one;\nCREATE VIEW v AS SELECT 1 AS one;\n")),
        ("drop_column_cascade", format!("{T}CREATE VIEW v AS SELECT a FROM t;\nALTER TABLE t DROP COLUMN a CASCADE;\nCREATE VIEW v AS SELECT 1 AS one;\n")),
        ("materialized", format!("{T}CREATE MATERIALIZED VIEW m AS SELECT a FROM t;\nDROP TABLE t;\n")),
        ("materialized_cascade", format!("{T}CREATE MATERIALIZED VIEW m AS SELECT a FROM t;\nDROP TABLE t CASCADE;\nCREATE TABLE m (x int);\n")),
        ("join_unused_column", format!("{T}CREATE TABLE u (c int);\nCREATE VIEW v AS SELECT t.a, u.c FROM t JOIN u ON true;\nALTER TABLE t DROP COLUMN b;\nALTER TABLE u DROP COLUMN c;\n")),
        ("schema_cascade", "CREATE SCHEMA s;\nCREATE TABLE s.t (a int);\nCREATE VIEW v AS SELECT a FROM s.t;\nDROP SCHEMA s CASCADE;\nCREATE VIEW v AS SELECT 1 AS one;\n".to_string()),
        ("cte", format!("{T}CREATE VIEW v AS WITH x AS (SELECT a FROM t) SELECT a FROM x;\nDROP TABLE t;\n")),
        ("subquery", format!("{T}CREATE VIEW v AS SELECT 1 AS one WHERE EXISTS (SELECT 1 FROM t);\nALTER TABLE t DROP COLUMN b;\nDROP TABLE t;\n")),
        ("renamed_table_keeps_view", format!("{T}CREATE VIEW v AS SELECT a FROM t;\nALTER TABLE t RENAME TO t2;\nALTER TABLE t2 RENAME COLUMN a TO z;\nALTER TABLE t2 DROP COLUMN b;\nALTER TABLE t2 DROP COLUMN z;\n")),
        ("renamed_view_keeps_dependents", format!("{T}CREATE VIEW v AS SELECT a FROM t;\nCREATE VIEW w AS SELECT a FROM v;\nALTER VIEW v RENAME TO v2;\nDROP VIEW v2;\n")),
        ("view_in_do_block", format!("{T}DO $$ BEGIN CREATE VIEW v AS SELECT a FROM t; END $$;\nALTER TABLE t DROP COLUMN b;\nDROP TABLE t;\n")),
        ("search_path_resolves_view_tables", format!("CREATE SCHEMA s;\nCREATE TABLE s.t (a int);\n{T}SET search_path = s, public;\nCREATE VIEW public.v AS SELECT a FROM t;\nDROP TABLE public.t;\nDROP TABLE s.t;\n")),
    ]
    .into_iter()
    .map(|(n, s)| (n.to_string(), s))
    .collect();
    let mut mismatches = Vec::new();
    for (case, sql) in &cases {
        if let Err(e) = same_failure(case, &[sql], false).await {
            mismatches.push(e);
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    // What remains after cascades is what the server keeps.
    same_names(
        "after_cascades",
        &[&format!("{T}CREATE TABLE u (c int);\nCREATE VIEW v AS SELECT a FROM t;\nCREATE VIEW w AS SELECT * FROM v;\nCREATE VIEW x AS SELECT c FROM u;\nCREATE VIEW y AS SELECT b FROM t;\nALTER TABLE t DROP COLUMN a CASCADE;\n")],
    )
    .await;
}
