//! Replay raises the errors PostgreSQL raises, at the same statement — and
//! accepts what PostgreSQL accepts. Each case runs through psql on a fresh
//! database (the oracle) and through strata's offline replay; both must fail
//! on the same line, or both succeed.

mod support;

use std::sync::Arc;

use strata_core::replay::Replayer;
use support::TestDb;

/// (case, script). One statement per line, so psql's reported line is the
/// statement's line.
const CASES: &[(&str, &str)] = &[
    ("add_existing_column", "CREATE TABLE t (a int);\nALTER TABLE t ADD COLUMN a text;\n"),
    ("add_column_if_not_exists", "CREATE TABLE t (a int);\nALTER TABLE t ADD COLUMN IF NOT EXISTS a text;\n"),
    ("drop_missing_index", "CREATE TABLE t (a int);\nDROP INDEX t_a_idx;\n"),
    ("drop_missing_index_if_exists", "CREATE TABLE t (a int);\nDROP INDEX IF EXISTS t_a_idx;\n"),
    ("unknown_type", "CREATE TABLE t (a int, b mood);\n"),
    ("drop_type_in_use", "CREATE TYPE mood AS ENUM ('a');\nCREATE TABLE t (m mood);\nDROP TYPE mood;\n"),
    ("drop_type_cascade_drops_column", "CREATE TYPE mood AS ENUM ('a');\nCREATE TABLE t (a int, m mood);\nDROP TYPE mood CASCADE;\nALTER TABLE t DROP COLUMN m;\n"),
    ("fk_to_missing_table", "CREATE TABLE t (a int REFERENCES nope (id));\n"),
    ("fk_without_unique_target", "CREATE TABLE p (id int);\nCREATE TABLE c (p_id int REFERENCES p (id));\n"),
    ("duplicate_table", "CREATE TABLE t (a int);\nCREATE TABLE t (b int);\n"),
    ("create_table_if_not_exists", "CREATE TABLE t (a int);\nCREATE TABLE IF NOT EXISTS t (b int);\n"),
    ("table_name_taken_by_index", "CREATE TABLE t (a int);\nCREATE INDEX x ON t (a);\nCREATE TABLE x (b int);\n"),
    ("alter_missing_column", "CREATE TABLE t (a int);\nALTER TABLE t ALTER COLUMN b SET NOT NULL;\n"),
    ("rename_to_existing_column", "CREATE TABLE t (a int, b int);\nALTER TABLE t RENAME COLUMN a TO b;\n"),
    ("enum_value_exists", "CREATE TYPE mood AS ENUM ('a', 'b');\nALTER TYPE mood ADD VALUE 'a';\n"),
    ("enum_value_if_not_exists", "CREATE TYPE mood AS ENUM ('a', 'b');\nALTER TYPE mood ADD VALUE IF NOT EXISTS 'a';\n"),
    ("enum_before_missing_label", "CREATE TYPE mood AS ENUM ('a', 'b');\nALTER TYPE mood ADD VALUE 'c' BEFORE 'z';\n"),
    ("enum_rename_missing_label", "CREATE TYPE mood AS ENUM ('a');\nALTER TYPE mood RENAME VALUE 'z' TO 'y';\n"),
    ("drop_column_referenced_by_fk", "CREATE TABLE p (id int PRIMARY KEY);\nCREATE TABLE c (p_id int REFERENCES p (id));\nALTER TABLE p DROP COLUMN id;\n"),
    ("drop_column_cascade_drops_fk", "CREATE TABLE p (id int PRIMARY KEY);\nCREATE TABLE c (p_id int CONSTRAINT c_fk REFERENCES p (id));\nALTER TABLE p DROP COLUMN id CASCADE;\nALTER TABLE c DROP CONSTRAINT c_fk;\n"),
    ("drop_table_referenced_by_fk", "CREATE TABLE p (id int PRIMARY KEY);\nCREATE TABLE c (p_id int REFERENCES p (id));\nDROP TABLE p;\n"),
    ("index_on_missing_column", "CREATE TABLE t (a int);\nCREATE INDEX ON t (b);\n"),
    ("index_name_taken", "CREATE TABLE t (a int);\nCREATE INDEX t_idx ON t (a);\nCREATE INDEX t_idx ON t (a);\n"),
    ("drop_not_null_on_pk", "CREATE TABLE t (a int PRIMARY KEY);\nALTER TABLE t ALTER COLUMN a DROP NOT NULL;\n"),
    ("duplicate_constraint_name", "CREATE TABLE t (a int);\nALTER TABLE t ADD CONSTRAINT c CHECK (a > 0);\nALTER TABLE t ADD CONSTRAINT c CHECK (a > 1);\n"),
    ("missing_schema", "CREATE TABLE nope.t (a int);\n"),
    ("drop_nonempty_schema", "CREATE SCHEMA s;\nCREATE TABLE s.t (a int);\nDROP SCHEMA s;\n"),
    ("drop_expression_not_generated", "CREATE TABLE t (a int);\nALTER TABLE t ALTER COLUMN a DROP EXPRESSION;\n"),
    ("drop_default_on_generated", "CREATE TABLE t (a int, b int GENERATED ALWAYS AS (a * 2) STORED);\nALTER TABLE t ALTER COLUMN b DROP DEFAULT;\n"),
    ("validate_missing_constraint", "CREATE TABLE t (a int);\nALTER TABLE t VALIDATE CONSTRAINT nope;\n"),
    ("identity_on_text", "CREATE TABLE t (a text GENERATED ALWAYS AS IDENTITY);\n"),
    ("two_primary_keys", "CREATE TABLE t (a int PRIMARY KEY, b int);\nALTER TABLE t ADD PRIMARY KEY (b);\n"),
    ("comment_on_missing_column", "CREATE TABLE t (a int);\nCOMMENT ON COLUMN t.b IS 'x';\n"),
    ("drop_index_backing_constraint", "CREATE TABLE t (a int CONSTRAINT t_a_key UNIQUE);\nDROP INDEX t_a_key;\n"),
    ("drizzle_duplicate_object_guard", "CREATE TABLE p (id int PRIMARY KEY);\nCREATE TABLE c (p_id int);\nALTER TABLE c ADD CONSTRAINT c_fk FOREIGN KEY (p_id) REFERENCES p (id);\nDO $$ BEGIN ALTER TABLE c ADD CONSTRAINT c_fk FOREIGN KEY (p_id) REFERENCES p (id); EXCEPTION WHEN duplicate_object THEN null; END $$;\n"),
    ("guard_if_not_exists", "CREATE TABLE t (a int);\nDO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 't_a_check') THEN ALTER TABLE t ADD CONSTRAINT t_a_check CHECK (a > 0); END IF; END $$;\nDO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 't_a_check') THEN ALTER TABLE t ADD CONSTRAINT t_a_check CHECK (a > 0); END IF; END $$;\n"),
    ("serial_sequence_name_taken", "CREATE SEQUENCE t_id_seq;\nCREATE TABLE t (id serial);\nDROP SEQUENCE t_id_seq1;\n"),
    ("owned_sequence_dropped_with_column", "CREATE TABLE t (id serial, b int);\nALTER TABLE t DROP COLUMN id;\nDROP SEQUENCE t_id_seq;\n"),
    ("unique_pk_twin_merged", "CREATE TABLE t (id int PRIMARY KEY UNIQUE);\nALTER TABLE t DROP CONSTRAINT t_id_key;\n"),
    ("search_path_empty_unqualified", "SELECT pg_catalog.set_config('search_path', '', false);\nCREATE TABLE t (a int);\n"),
    ("function_exists", "CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql AS 'select 1';\nCREATE FUNCTION f(b integer) RETURNS int LANGUAGE sql AS 'select 2';\n"),
    ("function_overload", "CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql AS 'select 1';\nCREATE FUNCTION f(a text) RETURNS int LANGUAGE sql AS 'select 2';\nDROP FUNCTION f(text);\nDROP FUNCTION f;\n"),
    ("function_replace_return_type", "CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql AS 'select 1';\nCREATE OR REPLACE FUNCTION f(a int) RETURNS text LANGUAGE sql AS 'select 1::text';\n"),
    ("function_replace_arg_name", "CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql AS 'select 1';\nCREATE OR REPLACE FUNCTION f(b int) RETURNS int LANGUAGE sql AS 'select 1';\n"),
    ("function_replace_drop_default", "CREATE FUNCTION f(a int DEFAULT 1) RETURNS int LANGUAGE sql AS 'select 1';\nCREATE OR REPLACE FUNCTION f(a int) RETURNS int LANGUAGE sql AS 'select 1';\n"),
    ("function_replace_kind", "CREATE PROCEDURE p(a int) LANGUAGE sql AS 'select 1';\nCREATE OR REPLACE FUNCTION p(a int) RETURNS int LANGUAGE sql AS 'select 1';\n"),
    ("function_drop_ambiguous", "CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql AS 'select 1';\nCREATE FUNCTION f(a text) RETURNS int LANGUAGE sql AS 'select 1';\nDROP FUNCTION f;\n"),
    ("function_drop_missing", "CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql AS 'select 1';\nDROP FUNCTION f(bigint);\n"),
    ("function_drop_missing_if_exists", "DROP FUNCTION IF EXISTS f(bigint);\nDROP FUNCTION IF EXISTS nope;\n"),
    ("function_drop_procedure", "CREATE PROCEDURE p(a int) LANGUAGE sql AS 'select 1';\nDROP FUNCTION p(int);\n"),
    ("function_drop_out_args_ignored", "CREATE FUNCTION f(a int, OUT b int) LANGUAGE sql AS 'select 1';\nDROP FUNCTION f(int, OUT int);\n"),
    ("function_rename_taken", "CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql AS 'select 1';\nCREATE FUNCTION g(a int) RETURNS int LANGUAGE sql AS 'select 1';\nALTER FUNCTION f(int) RENAME TO g;\n"),
    ("function_rows_not_set", "CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql AS 'select 1';\nALTER FUNCTION f(int) ROWS 10;\n"),
    ("function_used_by_default", "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'select 1';\nCREATE TABLE t (a int DEFAULT f());\nDROP FUNCTION f();\n"),
    ("function_in_schema_set_schema", "CREATE SCHEMA s;\nCREATE FUNCTION f(a int) RETURNS int LANGUAGE sql AS 'select 1';\nALTER FUNCTION f(int) SET SCHEMA s;\nDROP FUNCTION s.f(int);\nDROP FUNCTION f(int);\n"),
    ("function_drop_schema_nonempty", "CREATE SCHEMA s;\nCREATE FUNCTION s.f() RETURNS int LANGUAGE sql AS 'select 1';\nDROP SCHEMA s;\n"),
    ("function_unknown_arg_type", "CREATE FUNCTION f(a nope) RETURNS int LANGUAGE sql AS 'select 1';\n"),
    ("function_comment_missing", "COMMENT ON FUNCTION f(int) IS 'x';\n"),
    ("index_statistics_on_expression", "CREATE TABLE t (a int, b text);\nCREATE INDEX i ON t (a, lower(b));\nALTER INDEX i ALTER COLUMN 2 SET STATISTICS 100;\nALTER INDEX i ALTER 2 SET STATISTICS 20000, ALTER COLUMN 2 SET STATISTICS -1;\n"),
    ("index_statistics_on_plain_column", "CREATE TABLE t (a int, b text);\nCREATE INDEX i ON t (a, lower(b));\nALTER INDEX i ALTER COLUMN 1 SET STATISTICS 100;\n"),
    ("index_statistics_on_included_column", "CREATE TABLE t (a int, b text);\nCREATE INDEX i ON t (lower(b)) INCLUDE (a);\nALTER INDEX i ALTER COLUMN 2 SET STATISTICS 100;\n"),
    ("index_statistics_column_out_of_range", "CREATE TABLE t (a int, b text);\nCREATE INDEX i ON t (lower(b));\nALTER INDEX i ALTER COLUMN 2 SET STATISTICS 100;\n"),
    ("index_statistics_column_zero", "CREATE TABLE t (a int, b text);\nCREATE INDEX i ON t (lower(b));\nALTER INDEX i ALTER COLUMN 0 SET STATISTICS 100;\n"),
    ("index_statistics_too_low", "CREATE TABLE t (a int, b text);\nCREATE INDEX i ON t (lower(b));\nALTER INDEX i ALTER COLUMN 1 SET STATISTICS -2;\n"),
    ("index_statistics_missing_index", "CREATE TABLE t (a int);\nALTER INDEX IF EXISTS i ALTER COLUMN 1 SET STATISTICS 5;\nALTER INDEX i ALTER COLUMN 1 SET STATISTICS 5;\n"),
    ("index_statistics_on_primary_key", "CREATE TABLE t (a int PRIMARY KEY);\nALTER INDEX t_pkey ALTER COLUMN 1 SET STATISTICS 5;\n"),
    ("index_statistics_after_rename", "CREATE TABLE t (b text);\nCREATE INDEX i ON t (lower(b));\nALTER INDEX i RENAME TO k;\nALTER INDEX k ALTER COLUMN 1 SET STATISTICS 5;\nALTER INDEX i ALTER COLUMN 1 SET STATISTICS 5;\n"),
    ("view_duplicate", "CREATE TABLE t (a int);\nCREATE VIEW v AS SELECT a FROM t;\nCREATE VIEW v AS SELECT a FROM t;\n"),
    ("view_name_taken_by_table", "CREATE TABLE t (a int);\nCREATE VIEW v AS SELECT a FROM t;\nCREATE TABLE v (a int);\n"),
    ("view_missing_relation", "CREATE TABLE t (a int);\nCREATE VIEW v AS SELECT 1 AS one FROM nope;\n"),
    ("view_duplicate_column", "CREATE TABLE t (a int);\nCREATE VIEW v AS SELECT a, a FROM t;\n"),
    ("view_more_names_than_columns", "CREATE TABLE t (a int);\nCREATE VIEW v (x, y) AS SELECT a FROM t;\n"),
    ("view_replace_drops_column", "CREATE TABLE t (a int, b int);\nCREATE VIEW v AS SELECT a, b FROM t;\nCREATE OR REPLACE VIEW v AS SELECT a FROM t;\n"),
    ("view_replace_renames_column", "CREATE TABLE t (a int, b int);\nCREATE VIEW v AS SELECT a FROM t;\nCREATE OR REPLACE VIEW v AS SELECT a AS x FROM t;\n"),
    ("view_replace_retypes_column", "CREATE TABLE t (a int, b text);\nCREATE VIEW v AS SELECT a FROM t;\nCREATE OR REPLACE VIEW v AS SELECT b AS a FROM t;\n"),
    ("view_replace_appends_column", "CREATE TABLE t (a int, b text);\nCREATE VIEW v AS SELECT a FROM t;\nCREATE OR REPLACE VIEW v AS SELECT a, b FROM t;\nCOMMENT ON COLUMN v.b IS 'x';\n"),
    ("view_replace_materialized", "CREATE TABLE t (a int);\nCREATE MATERIALIZED VIEW m AS SELECT a FROM t;\nCREATE OR REPLACE VIEW m AS SELECT a FROM t;\n"),
    ("view_star_and_figured_names", "CREATE TABLE t (a int, b text);\nCREATE VIEW v AS SELECT *, a + 1, lower(b), b::varchar, 1::int FROM t;\nCOMMENT ON COLUMN v.b IS 'x';\nCOMMENT ON COLUMN v.\"?column?\" IS 'x';\nCOMMENT ON COLUMN v.lower IS 'x';\nCOMMENT ON COLUMN v.int4 IS 'x';\nCOMMENT ON COLUMN v.nope IS 'x';\n"),
    ("view_index_refused", "CREATE TABLE t (a int);\nCREATE VIEW v AS SELECT a FROM t;\nCREATE INDEX ON v (a);\n"),
    ("matview_unique_index", "CREATE TABLE t (a int);\nCREATE MATERIALIZED VIEW m AS SELECT a FROM t;\nCREATE UNIQUE INDEX ON m (a);\nCREATE INDEX m_a_idx ON t (a);\nDROP INDEX m_a_idx;\nDROP INDEX m_a_idx;\n"),
    ("matview_if_not_exists", "CREATE TABLE t (a int);\nCREATE MATERIALIZED VIEW m AS SELECT a FROM t WITH NO DATA;\nCREATE MATERIALIZED VIEW IF NOT EXISTS m AS SELECT a FROM t;\nREFRESH MATERIALIZED VIEW m;\n"),
    ("drop_view_of_matview", "CREATE TABLE t (a int);\nCREATE MATERIALIZED VIEW m AS SELECT a FROM t;\nDROP VIEW m;\n"),
    ("refresh_plain_view", "CREATE TABLE t (a int);\nCREATE VIEW v AS SELECT a FROM t;\nREFRESH MATERIALIZED VIEW v;\n"),
    ("drop_table_under_view", "CREATE TABLE t (a int);\nCREATE VIEW v AS SELECT a FROM t;\nDROP TABLE t;\n"),
    ("drop_table_cascade_drops_views", "CREATE TABLE t (a int);\nCREATE VIEW v AS SELECT a FROM t;\nCREATE VIEW w AS SELECT a FROM v;\nDROP TABLE t CASCADE;\nCREATE VIEW w AS SELECT 1 AS one;\nDROP VIEW v;\n"),
    ("drop_view_under_view", "CREATE TABLE t (a int);\nCREATE VIEW v AS SELECT a FROM t;\nCREATE VIEW w AS SELECT a FROM v;\nDROP VIEW v;\n"),
    ("view_rename_column_taken", "CREATE TABLE t (a int, b int);\nCREATE VIEW v AS SELECT a, b FROM t;\nALTER VIEW v RENAME COLUMN a TO c;\nALTER VIEW v RENAME COLUMN c TO b;\n"),
    ("view_set_schema", "CREATE SCHEMA s;\nCREATE TABLE t (a int);\nCREATE VIEW v AS SELECT a FROM t;\nALTER VIEW v SET SCHEMA s;\nDROP VIEW s.v;\nDROP VIEW v;\n"),
    ("view_rename_then_drop", "CREATE TABLE t (a int);\nCREATE VIEW v AS SELECT a FROM t;\nALTER VIEW v RENAME TO w;\nDROP VIEW w;\nDROP VIEW IF EXISTS v;\nDROP VIEW v;\n"),
    ("view_bad_check_option", "CREATE TABLE t (a int);\nCREATE VIEW v WITH (check_option = sideways) AS SELECT a FROM t;\n"),
    ("view_unknown_option", "CREATE TABLE t (a int);\nCREATE VIEW v WITH (fillfactor = 50) AS SELECT a FROM t;\n"),
    ("view_comment_missing", "CREATE TABLE t (a int);\nCOMMENT ON VIEW v IS 'x';\n"),
    ("view_column_retype_refused", "CREATE TABLE t (a int, b int);\nCREATE VIEW v AS SELECT a FROM t;\nALTER TABLE t ALTER COLUMN b TYPE bigint;\nALTER TABLE t ALTER COLUMN a TYPE bigint;\n"),
    ("view_follows_renamed_schema", "CREATE SCHEMA s;\nCREATE TABLE s.t (a int);\nCREATE VIEW s.v AS SELECT a FROM s.t;\nALTER SCHEMA s RENAME TO r;\nDROP VIEW r.v;\nCREATE VIEW r.v AS SELECT a FROM r.t;\nDROP TABLE r.t;\n"),
    ("view_altered_through_alter_table", "CREATE TABLE t (a int, b text);\nCREATE VIEW v AS SELECT a, b FROM t;\nALTER TABLE ONLY v ALTER COLUMN b SET DEFAULT 'x';\nALTER TABLE v RENAME COLUMN b TO c;\nCOMMENT ON COLUMN v.c IS 'x';\nCOMMENT ON COLUMN v.b IS 'x';\n"),
    ("drop_schema_with_view", "CREATE SCHEMA s;\nCREATE VIEW s.v AS SELECT 1 AS one;\nDROP SCHEMA s;\n"),
    ("set_not_null_then_fk", "CREATE TABLE p (id int);\nALTER TABLE p ADD CONSTRAINT p_pkey PRIMARY KEY (id);\nCREATE TABLE c (p_id int NOT NULL REFERENCES p);\n"),
];

fn strata_failure_line(sql: &str) -> Option<u32> {
    let text: Arc<str> = Arc::from(sql);
    let mut r = Replayer::new();
    match r.apply_file("case.sql", &text) {
        Ok(()) => None,
        Err(strata_core::Error::Sql(e)) => Some(e.location.line),
        Err(e) => panic!("unexpected non-SQL error: {e}"),
    }
}

/// The line psql reports in `psql:FILE:LINE: ERROR: …`.
fn psql_failure_line(stderr: &str) -> Option<u32> {
    let line = stderr.lines().find(|l| l.contains("ERROR:"))?;
    let rest = line.strip_prefix("psql:")?;
    let mut parts = rest.splitn(3, ':');
    parts.next()?;
    parts.next()?.parse().ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_fails_where_postgres_fails_and_only_there() {
    let mut mismatches = Vec::new();
    for (name, sql) in CASES {
        let db = TestDb::create("strata_errors").await;
        let server = support::psql_apply_sql(&db.url, sql, false);
        let server_line = match &server {
            Ok(()) => None,
            Err(stderr) => Some(
                psql_failure_line(stderr)
                    .unwrap_or_else(|| panic!("{name}: cannot read psql's error: {stderr}")),
            ),
        };
        let strata_line = strata_failure_line(sql);
        if server_line != strata_line {
            mismatches.push(format!("{name}: PostgreSQL fails at {server_line:?}, strata at {strata_line:?} ({server:?})"));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}
