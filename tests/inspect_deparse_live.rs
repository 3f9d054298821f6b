//! Checks and defaults printed on the client (issue 13): inspect reads
//! `conbin` / `adbin` as node trees and prints them as `pg_get_expr` does
//! (`strata_core::analyze::nodetree` + `deparse`), asking the server only
//! for what it does not decode.
//!
//! The oracle is the server: for every check and default of a fixture of
//! 150+ expressions (every node kind and decoded type, edge values), the
//! client's text must equal `pg_get_expr`'s wherever the client decodes
//! it, the number decoded is asserted (coverage cannot drop silently),
//! relation 0 prints what the table prints for every expression without
//! columns (what the fallback relies on), and `inspect` as a whole reads
//! every expression exactly as `pg_get_expr` prints it. The same over the
//! three dumps of the shared corpus.

use crate::support;

use std::collections::HashMap;
use std::path::PathBuf;

use strata::inspect::{client_deparse, client_regclass, inspect, InspectOptions};
use strata_core::model::{ConstraintKind, Schema, Stored};
use support::{psql_apply, psql_apply_sql, repo_root, TestDb};
use tokio_postgres::Client;

/// Column defaults: (type, default).
const DEFAULTS: &[(&str, &str)] = &[
    ("integer", "0"),
    ("integer", "-1"),
    ("integer", "2147483647"),
    ("integer", "-2147483648"),
    ("integer", "(1 + 2)"),
    ("integer", "abs(-3)"),
    ("bigint", "0"),
    ("bigint", "-9223372036854775808"),
    ("bigint", "9223372036854775807"),
    ("bigint", "5000000000"),
    ("smallint", "-32768"),
    ("smallint", "7"),
    ("numeric", "0"),
    ("numeric", "1.5"),
    ("numeric", "-1.5"),
    ("numeric", "'NaN'"),
    ("numeric", "'Infinity'"),
    ("numeric", "'-Infinity'"),
    ("numeric", "1e20"),
    ("numeric", "0.000001"),
    ("numeric", "123456789012345678901234567890.123456789"),
    ("numeric", "1000"),
    ("numeric", "-0.00012"),
    ("numeric(10,2)", "12.345"),
    ("numeric(10,2)", "-0.5"),
    ("numeric(5,0)", "99999"),
    ("real", "1.5"),
    ("real", "'NaN'"),
    ("real", "'-Infinity'"),
    ("real", "3.4e38"),
    ("real", "1e-45"),
    ("real", "'-0'"),
    ("double precision", "'NaN'"),
    ("double precision", "'Infinity'"),
    ("double precision", "'-Infinity'"),
    ("double precision", "0.1"),
    ("double precision", "1e300"),
    ("double precision", "-2.5e-310"),
    ("double precision", "123456789012345.6"),
    ("double precision", "1e15"),
    ("double precision", "1e16"),
    ("double precision", "'-0'"),
    ("text", "''"),
    ("text", "'it''s'"),
    ("text", "'a\"b'"),
    ("text", "'Ünïcødé'"),
    ("text", "'back\\slash'"),
    ("text", "'line\nbreak'"),
    ("text", "'NULL'"),
    ("character varying(10)", "'ab'"),
    ("character varying", "''"),
    ("character(3)", "'x'"),
    ("name", "'nm'"),
    ("boolean", "true"),
    ("boolean", "false"),
    ("date", "'2024-02-29'"),
    ("date", "'-infinity'"),
    ("date", "'infinity'"),
    ("date", "'0001-01-01 BC'"),
    ("date", "'4713-11-24 BC'"),
    ("date", "'9999-12-31'"),
    ("date", "'2000-01-01'"),
    ("date", "'1999-12-31'"),
    ("date", "'20000-01-01'"),
    ("timestamp", "'2024-01-01 12:34:56.789'"),
    ("timestamp", "'infinity'"),
    ("timestamp", "'-infinity'"),
    ("timestamp", "'1900-01-01 00:00:00'"),
    ("timestamp", "'0044-03-15 12:00 BC'"),
    ("timestamp", "'2000-01-01 00:00:00.000001'"),
    ("timestamp(0)", "'2024-01-01 12:34:56.789'"),
    ("timestamp with time zone", "'2020-01-01 10:00+02'"),
    ("timestamp with time zone", "'1970-01-01 00:00:00+00'"),
    ("timestamp with time zone", "'-infinity'"),
    ("timestamp with time zone", "'2024-06-30 23:59:59.5-07:30'"),
    ("timestamp with time zone", "'1800-01-01 00:00+00'"),
    ("interval", "'1 year'"),
    ("interval", "'2 mons'"),
    ("interval", "'3 days'"),
    ("interval", "'4 hours'"),
    ("interval", "'5 minutes'"),
    ("interval", "'6 seconds'"),
    ("interval", "'7 milliseconds'"),
    ("interval", "'8 microseconds'"),
    ("interval", "'1 year 2 mons 3 days 04:05:06.7'"),
    ("interval", "'-1 day'"),
    ("interval", "'-01:00:00'"),
    ("interval", "'1 day -01:00'"),
    ("interval", "'0'"),
    ("interval", "'100 years'"),
    ("interval", "'1 week'"),
    ("interval", "'-1 year -2 mons +3 days -04:05:06'"),
    ("interval", "'1 decade'"),
    ("interval", "'36 hours'"),
    ("uuid", "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'"),
    ("uuid", "'00000000-0000-0000-0000-000000000000'"),
    ("oid", "12345"),
    ("text[]", "'{}'"),
    ("text[]", "'{a,b}'"),
    ("text[]", "ARRAY['a', 'b']"),
    ("text[]", "ARRAY[]::text[]"),
    ("integer[]", "'{}'"),
    ("integer[]", "ARRAY[1, 2]"),
    ("integer[]", "ARRAY[ARRAY[1], ARRAY[2]]"),
    ("timestamp with time zone", "now()"),
    ("timestamp with time zone", "CURRENT_TIMESTAMP"),
    ("timestamp with time zone", "CURRENT_TIMESTAMP(3)"),
    ("date", "CURRENT_DATE"),
    ("timestamp", "LOCALTIMESTAMP(2)"),
    ("time", "LOCALTIME"),
    ("time with time zone", "CURRENT_TIME"),
    ("name", "CURRENT_USER"),
    ("text", "CURRENT_USER"),
    ("name", "SESSION_USER"),
    ("name", "CURRENT_SCHEMA"),
    ("uuid", "gen_random_uuid()"),
    ("timestamp with time zone", "clock_timestamp()"),
    ("timestamp with time zone", "(now() + '1 day'::interval)"),
    ("text", "lower('ABC')"),
    ("text", "upper('x'::character varying)"),
    ("text", "'x'::character varying(3)"),
    ("bigint", "(1)::bigint"),
    ("date", "(CURRENT_DATE + 1)"),
    ("integer", "CASE WHEN true THEN 1 ELSE 2 END"),
    ("integer", "CASE WHEN false THEN 1 END"),
    ("text", "COALESCE(NULL, 'z')"),
    ("integer", "GREATEST(1, 2)"),
    ("integer", "LEAST(1, 2, 3)"),
    ("integer", "NULL"),
    ("integer", "NULL::integer"),
    ("bigint", "nextval('user_id_seq')"),
    ("bigint", "nextval('\"Sales\".\"Seq\"')"),
    ("bigint", "nextval('pg_shadow_seq')"),
    ("mood", "'new'"),
    ("jsonb", "'{}'"),
    ("text", "'x' COLLATE \"C\""),
    ("numeric", "(2)::numeric"),
    ("integer", "(2.5)::integer"),
    ("text", "(12)::text"),
    ("double precision", "random()"),
];

/// Checks over the `chk` table's columns.
const CHECKS: &[&str] = &[
    "a > 0",
    "a >= -1",
    "a <> 5",
    "a IN (1, 2, 3)",
    "a NOT IN (4, 5)",
    "a BETWEEN 1 AND 10",
    "a IS NOT NULL",
    "a IS NULL OR a > 1",
    "NOT (a = 3)",
    "(a + b) > 0",
    "a * 2 < 100",
    "-a < 0",
    "abs(a) < 10",
    "a % 2 = 0",
    "b > 5000000000",
    "s > 0",
    "s::integer > 0",
    "char_length(\"Upper\") <= 200",
    "\"Upper\" <> ''",
    "\"Upper\" ~ '^[a-z]+$'",
    "\"Upper\" LIKE 'a%'",
    "\"Upper\" ILIKE '%b'",
    "lower(\"Upper\") = \"Upper\"",
    "\"Upper\" IN ('x', 'y')",
    "\"quoted col\" <> ''",
    "length(\"quoted col\") > 1",
    "\"quoted col\" = 'it''s'",
    "\"quoted col\" IN ('a', 'b')",
    "n > 0",
    "n >= 0.5",
    "n < 1e10",
    "n <> 'NaN'",
    "n BETWEEN -1.5 AND 99.99",
    "f > 0",
    "f <> 'Infinity'",
    "f < 1e300",
    "f >= -0.5",
    "d > '2000-01-01'",
    "d < 'infinity'",
    "d >= CURRENT_DATE - 30",
    "ts > '2020-01-01 00:00:00+00'",
    "ts < now()",
    "ts > now() - interval '1 day'",
    "iv > '1 hour'",
    "iv < '1 year 2 mons'",
    "iv <> '-3 days'",
    "u <> '00000000-0000-0000-0000-000000000000'",
    "flag IS TRUE",
    "flag IS NOT FALSE",
    "flag IS UNKNOWN",
    "flag",
    "NOT flag",
    "flag = true",
    "tags <> '{}'",
    "cardinality(tags) < 10",
    "array_length(tags, 1) > 0",
    "'x' = ANY (tags)",
    "st <> 'done'",
    "CASE WHEN a > 0 THEN b > 0 ELSE true END",
    "COALESCE(a, 0) >= 0",
    "GREATEST(a, 1) < 5",
    "a::text <> ''",
    "a::numeric > 0.5",
    "\"Upper\"::varchar(5) <> 'x'",
    "n::integer > 0",
    "f::numeric > 0",
    "ts::date > '2000-01-01'",
    "extract(year from d) > 2000",
    "\"Upper\" COLLATE \"C\" > 'a'",
    "substr(\"Upper\", 1, 2) <> 'ab'",
    "substring(\"Upper\" from 1 for 2) <> 'ab'",
    "octet_length(\"Upper\") < 1000",
    "position('a' in \"Upper\") > 0",
    "trim(\"Upper\") <> ''",
    "\"Upper\" || 'x' <> 'y'",
    "a IS DISTINCT FROM 5",
    "NULLIF(a, 0) > 1",
    "ROW(a, b) IS NOT NULL",
    "a = ANY (ARRAY[1, 2])",
    "a > ALL ('{1,2}'::integer[])",
    "u IS NOT NULL",
    "iv IS NULL",
    "b::text ~ '^[0-9]+$'",
    "ts AT TIME ZONE 'UTC' > '2000-01-01'",
    "a::bigint = b",
    "n::double precision > f",
    "date_trunc('day', ts) = ts",
    "to_char(d, 'YYYY') <> ''",
    "\"Upper\" = 'a' COLLATE \"C\"",
    "(a > 0) = (b > 0)",
    "a > 0 AND b > 0 AND s > 0",
    "(a > 0 OR b > 0) AND NOT (s < 0)",
    "\"quoted col\"::text <> ''",
    "ts > '2020-01-01 00:00:00+00'::timestamptz AND ts < 'infinity'",
    "iv BETWEEN '-1 day' AND '1 day'",
    "s IN (1, 2)",
    "b IN (1, 5000000000)",
    "f IN (0.5, 1.5)",
    "u IN ('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11')",
    "d IN ('2024-01-01', '2024-12-31')",
    "\"user\" > 0",
    "\"Mixed\" <> 'x'",
    "\"Mixed\" IS NOT NULL AND \"user\" IS NOT NULL",
];

/// Partial indexes' predicates over the `chk` table's columns.
const PREDICATES: &[&str] = &[
    "st = 'new'",
    "st <> 'done' AND a > 0",
    "st < 'done'",
    "st IS NULL",
    "st IN ('new', 'done')",
    "a > 0",
    "\"Upper\" IS NOT NULL",
    "flag",
    "ts > '2020-01-01'",
    "tags <> '{}'",
    "\"quoted col\" <> ''",
];

/// Decoded on the client out of [`DEFAULTS`], [`CHECKS`] and [`PREDICATES`] (every other
/// one is printed by the server): raised when coverage grows, and the test
/// fails if it drops.
const DECODED: usize = 235;

fn fixture() -> String {
    let mut sql = String::from(
        "CREATE TYPE mood AS ENUM ('new', 'done');\n\
         CREATE SCHEMA \"Sales\";\n\
         CREATE SEQUENCE \"Sales\".\"Seq\";\n\
         CREATE SEQUENCE pg_shadow_seq;\n\
         CREATE TABLE \"user\" (id bigserial PRIMARY KEY);\n",
    );
    for (i, (t, d)) in DEFAULTS.iter().enumerate() {
        sql.push_str(&format!(
            "ALTER TABLE \"user\" ADD COLUMN c{i} {t} DEFAULT {d};\n"
        ));
    }
    // A dropped column leaves a gap in the attribute numbers.
    sql.push_str(
        "CREATE TABLE \"Sales\".chk (gone integer, a integer, b bigint, \"Upper\" text, \
         \"quoted col\" varchar(20), n numeric(12,2), f double precision, d date, \
         ts timestamptz, iv interval, u uuid, flag boolean, tags text[], s smallint, st mood, \
         \"user\" integer, \"Mixed\" text, \
         total numeric GENERATED ALWAYS AS (n * a) STORED, \
         early integer GENERATED ALWAYS AS (late * 2) STORED, late integer);\n\
         ALTER TABLE \"Sales\".chk DROP COLUMN gone;\n",
    );
    for (i, c) in CHECKS.iter().enumerate() {
        sql.push_str(&format!(
            "ALTER TABLE \"Sales\".chk ADD CONSTRAINT k{i} CHECK ({c}) NOT VALID;\n"
        ));
    }
    for (i, p) in PREDICATES.iter().enumerate() {
        sql.push_str(&format!(
            "CREATE INDEX p{i} ON \"Sales\".chk (a) WHERE {p};\n"
        ));
    }
    sql.push_str("CREATE INDEX user_partial ON \"user\" (id) WHERE c0 > 0 AND c133 = 'new';\n");
    sql
}

/// Every check and default of the database: (table oid, what, tree,
/// `pg_get_expr` with the table, `pg_get_expr` with relation 0 when the
/// tree has no columns).
async fn stored(client: &Client) -> Vec<(u32, String, String, String, Option<String>)> {
    let rows = client
        .query(
            "SELECT co.conrelid, 'check ' || co.conname::text, co.conbin::text, \
                    pg_get_expr(co.conbin, co.conrelid), \
                    CASE WHEN co.conbin::text NOT LIKE '%{VAR %' \
                         THEN pg_get_expr(co.conbin, 0) END \
             FROM pg_constraint co JOIN pg_class c ON c.oid = co.conrelid \
             WHERE co.contype = 'c' AND c.oid >= 16384 \
             UNION ALL \
             SELECT ad.adrelid, 'default ' || a.attname::text, ad.adbin::text, \
                    pg_get_expr(ad.adbin, ad.adrelid), \
                    CASE WHEN ad.adbin::text NOT LIKE '%{VAR %' \
                         THEN pg_get_expr(ad.adbin, 0) END \
             FROM pg_attrdef ad JOIN pg_attribute a \
               ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum \
             WHERE ad.adrelid >= 16384 \
             UNION ALL \
             SELECT i.indrelid, 'index ' || ic.relname::text, i.indpred::text, \
                    pg_get_expr(i.indpred, i.indrelid), \
                    CASE WHEN i.indpred::text NOT LIKE '%{VAR %' \
                         THEN pg_get_expr(i.indpred, 0) END \
             FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid \
             WHERE i.indpred IS NOT NULL AND i.indrelid >= 16384 ORDER BY 1, 2",
            &[],
        )
        .await
        .expect("stored expressions");
    rows.iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4)))
        .collect()
}

type Enums = strata::inspect::ClientEnums;

/// Columns by table (attribute number → name), sequences as `regclassout`
/// prints them, enums (`format_type`, labels by oid), and whether every
/// operator and implicit cast is the server's own: what inspect knows.
async fn names(
    client: &Client,
) -> (
    HashMap<u32, HashMap<i16, String>>,
    HashMap<u32, String>,
    Enums,
    bool,
) {
    let mut columns: HashMap<u32, HashMap<i16, String>> = HashMap::new();
    for r in client
        .query(
            "SELECT attrelid, attnum, attname::text FROM pg_attribute \
             WHERE attrelid >= 16384 AND attnum > 0 AND NOT attisdropped",
            &[],
        )
        .await
        .expect("columns")
    {
        columns
            .entry(r.get(0))
            .or_default()
            .insert(r.get(1), r.get(2));
    }
    let mut sequences = HashMap::new();
    for r in client
        .query(
            "SELECT c.oid, n.nspname::text, c.relname::text FROM pg_class c \
             JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'S'",
            &[],
        )
        .await
        .expect("sequences")
    {
        let (ns, name): (String, String) = (r.get(1), r.get(2));
        if let Some(text) = client_regclass(&ns, &name) {
            sequences.insert(r.get::<_, u32>(0), text);
        }
    }
    let mut enums = Enums::new();
    for r in client
        .query(
            "SELECT t.oid, format_type(t.oid, NULL), \
                    array_agg(e.oid ORDER BY e.enumsortorder), \
                    array_agg(e.enumlabel::text ORDER BY e.enumsortorder) \
             FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.oid",
            &[],
        )
        .await
        .expect("enums")
    {
        let oids: Vec<u32> = r.get(2);
        let labels: Vec<String> = r.get(3);
        enums.insert(r.get(0), (r.get(1), oids.into_iter().zip(labels).collect()));
    }
    let builtin: bool = client
        .query_one(
            "SELECT NOT EXISTS (SELECT FROM pg_operator o WHERE o.oid >= 16384) \
                    AND NOT EXISTS (SELECT FROM pg_cast k WHERE k.oid >= 16384 \
                                    AND k.castcontext = 'i')",
            &[],
        )
        .await
        .expect("operators")
        .get(0);
    (columns, sequences, enums, builtin)
}

/// Compares the client's text with the server's for every stored
/// expression; returns how many the client decoded.
async fn compare_each(client: &Client, label: &str) -> usize {
    client
        .batch_execute(
            "SET search_path = public; SET TimeZone = 'UTC'; SET DateStyle = 'ISO, MDY'; \
             SET IntervalStyle = 'postgres'; SET extra_float_digits = 1",
        )
        .await
        .expect("session");
    let (columns, sequences, enums, builtin) = names(client).await;
    let empty = HashMap::new();
    let mut decoded = 0;
    let mut refused: Vec<String> = Vec::new();
    for (relid, what, tree, server, server_without) in stored(client).await {
        if let Some(without) = &server_without {
            assert_eq!(
                without, &server,
                "{label}: {what}: relation 0 prints differently"
            );
        }
        let cols = columns.get(&relid).unwrap_or(&empty);
        match client_deparse(&tree, cols, &sequences, &enums, builtin) {
            Ok(text) => {
                assert_eq!(
                    text, server,
                    "{label}: {what}: client differs from pg_get_expr\n{tree}"
                );
                decoded += 1;
            }
            Err(reason) => refused.push(format!("{what}: {server} ({reason})")),
        }
    }
    eprintln!(
        "{label}: {decoded} decoded on the client; printed by the server:\n  {}",
        refused.join("\n  ")
    );
    decoded
}

/// `inspect` reads every check and default exactly as `pg_get_expr` prints
/// it (the client's text or the server's fallback, on 1 and 2 connections).
async fn compare_inspect(db: &TestDb, client: &Client, label: &str) {
    let server: HashMap<(u32, String), String> = stored(client)
        .await
        .into_iter()
        .map(|(relid, what, _, text, _)| ((relid, what), text))
        .collect();
    let tables: HashMap<(String, String), u32> = client
        .query(
            "SELECT n.nspname::text, c.relname::text, c.oid FROM pg_class c \
             JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p')",
            &[],
        )
        .await
        .expect("tables")
        .iter()
        .map(|r| ((r.get(0), r.get(1)), r.get(2)))
        .collect();
    let one = inspect(client, &InspectOptions::default())
        .await
        .unwrap_or_else(|e| panic!("{label}: inspect: {e}"));
    let two = strata::inspect::inspect_url_with(&db.url, &InspectOptions::default(), 2)
        .await
        .unwrap_or_else(|e| panic!("{label}: inspect on two connections: {e}"));
    assert_eq!(one, two, "{label}: one and two connections differ");
    let mut seen = 0;
    let mut check = |schema: &Schema| {
        for (ns_name, ns) in &schema.namespaces {
            for (t_name, table) in &ns.tables {
                let relid = tables[&(ns_name.clone(), t_name.clone())];
                let mut exprs = Vec::new();
                for c in &table.columns {
                    if let Some(e) = c.default.as_ref().or(c.generated.as_deref()) {
                        exprs.push((format!("default {}", c.name), e));
                    }
                }
                for (name, i) in &table.indexes {
                    if let Some(p) = &i.predicate {
                        exprs.push((format!("index {name}"), p));
                    }
                }
                for (name, c) in &table.constraints {
                    if let ConstraintKind::Check { expression, .. } = &c.kind {
                        exprs.push((format!("check {name}"), expression));
                    }
                }
                for (what, e) in exprs {
                    let Stored::Exact { text } = &e.stored else {
                        panic!("{label}: {ns_name}.{t_name} {what}: not the server's text");
                    };
                    let expected = server
                        .get(&(relid, what.clone()))
                        .unwrap_or_else(|| panic!("{label}: {ns_name}.{t_name} {what} unknown"));
                    assert_eq!(text, expected, "{label}: {ns_name}.{t_name} {what}");
                    assert_eq!(&e.sql, expected, "{label}: {ns_name}.{t_name} {what}");
                    seen += 1;
                }
            }
        }
    };
    check(&one);
    assert!(seen > 0 || server.is_empty(), "{label}: nothing compared");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checks_and_defaults_print_as_pg_get_expr() {
    let db = TestDb::create("strata_deparse").await;
    psql_apply_sql(&db.url, &fixture(), true).expect("fixture");
    let client = db.client().await;
    let count: i64 = client
        .query_one(
            "SELECT (SELECT count(*) FROM pg_attrdef) + \
                    (SELECT count(*) FROM pg_constraint WHERE contype = 'c')",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert!(count >= 150, "the fixture holds {count} expressions");
    let decoded = compare_each(&client, "fixture").await;
    assert_eq!(decoded, DECODED, "expressions decoded on the client");
    compare_inspect(&db, &client, "fixture").await;

    // A user operator over the enum: the server's lookup finds it first and
    // prints the built-in one qualified. The client must not decode enum
    // comparisons any more (nor anything else wrongly).
    psql_apply_sql(
        &db.url,
        "CREATE FUNCTION mood_eq(mood, mood) RETURNS boolean LANGUAGE sql IMMUTABLE \
         AS 'SELECT $1::text = $2::text';\n\
         CREATE OPERATOR = (FUNCTION = mood_eq, LEFTARG = mood, RIGHTARG = mood);\n",
        true,
    )
    .expect("user operator");
    let after = compare_each(&client, "fixture with a user operator").await;
    assert!(after < decoded, "enum comparisons are left to the server");
    compare_inspect(&db, &client, "fixture with a user operator").await;
}

/// The shared corpus (`STRATA_CORPUS`, or `../shared/corpus`).
fn corpus() -> Option<PathBuf> {
    let p = match std::env::var_os("STRATA_CORPUS") {
        Some(p) => PathBuf::from(p),
        None => repo_root().join("..").join("shared").join("corpus"),
    };
    if p.is_dir() {
        return Some(p);
    }
    let msg = "!!! the shared corpus was not found (set STRATA_CORPUS): 3 client-deparse \
               corpus cases were NOT run";
    assert!(
        std::env::var_os("CI").is_none(),
        "{msg} — in CI the corpus must be present"
    );
    eprintln!("{msg}");
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corpus_dumps_print_as_pg_get_expr() {
    let Some(root) = corpus() else {
        return;
    };
    let mut total = 0;
    for dump in [
        "prisma-trigger.dev/final_schema.sql",
        "drizzle-zero/final_schema.sql",
        "structure-danbooru/structure.sql",
    ] {
        let db = TestDb::create("strata_deparse_corpus").await;
        psql_apply(&db.url, &root.join(dump), true).unwrap_or_else(|e| panic!("{dump}: {e}"));
        let client = db.client().await;
        total += compare_each(&client, dump).await;
        compare_inspect(&db, &client, dump).await;
    }
    assert!(total > 0, "the corpus has expressions the client decodes");
}
