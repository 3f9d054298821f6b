//! Offline replay against the server for what PostgreSQL decides itself:
//! the names it makes up for indexes and constraints created without one,
//! the schema `search_path` creates in and looks up, and what `DROP … CASCADE`
//! takes with it. Every expectation is read back from a fresh database the
//! same SQL was applied to with psql.

mod support;

use std::collections::BTreeSet;
use std::sync::Arc;

use strata_core::model::ConstraintKind;
use strata_core::replay::Replayer;
use strata_core::Schema;
use support::TestDb;

fn replay(files: &[&str]) -> Result<Schema, String> {
    let mut r = Replayer::new();
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
             WHERE c.relkind IN ('r', 'p', 'i', 'I') AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')",
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
    for (nsn, ns) in &s.namespaces {
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
    let db = TestDb::create("strata_replay_live").await;
    for f in files {
        if let Err(e) = support::psql_apply_sql(&db.url, f, false) {
            panic!("{case}: PostgreSQL rejected the script: {e}");
        }
    }
    let server = server_names(&db).await;
    let replayed = replay(files).unwrap_or_else(|e| panic!("{case}: replay failed: {e}"));
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
async fn same_failure(case: &str, files: &[&str]) -> Result<(), String> {
    let db = TestDb::create("strata_replay_live").await;
    let mut server = None;
    for (i, f) in files.iter().enumerate() {
        if let Err(e) = support::psql_apply_sql(&db.url, f, false) {
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

async fn all_same_failure(cases: &[(&str, &[&str])]) {
    let mut mismatches = Vec::new();
    for (case, files) in cases {
        if let Err(e) = same_failure(case, files).await {
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
