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
    ("domain_duplicate", "CREATE DOMAIN d AS int;\nCREATE DOMAIN d AS text;\n"),
    ("domain_name_taken_by_table", "CREATE TABLE d (a int);\nCREATE DOMAIN d AS int;\n"),
    ("domain_unknown_base_type", "CREATE DOMAIN d AS nope;\n"),
    ("domain_conflicting_null", "CREATE DOMAIN d AS int NOT NULL NULL;\n"),
    ("domain_check_names_a_column", "CREATE DOMAIN d AS int CHECK (a > 0);\n"),
    ("domain_duplicate_constraint", "CREATE DOMAIN d AS int CONSTRAINT c CHECK (VALUE > 0);\nALTER DOMAIN d ADD CONSTRAINT c CHECK (VALUE > 1);\n"),
    ("domain_auto_names_skip_table_constraints", "CREATE TABLE t (a int CONSTRAINT d_check CHECK (a > 0));\nCREATE DOMAIN d AS int CHECK (VALUE > 0);\nALTER DOMAIN d DROP CONSTRAINT d_check1;\nALTER DOMAIN d DROP CONSTRAINT d_check;\n"),
    ("domain_auto_names_count_up", "CREATE DOMAIN d AS int CHECK (VALUE > 0) CHECK (VALUE < 10);\nALTER DOMAIN d DROP CONSTRAINT d_check1;\nALTER DOMAIN d DROP CONSTRAINT d_check1;\n"),
    ("domain_drop_missing_constraint", "CREATE DOMAIN d AS int;\nALTER DOMAIN d DROP CONSTRAINT nope;\n"),
    ("domain_drop_constraint_if_exists", "CREATE DOMAIN d AS int;\nALTER DOMAIN d DROP CONSTRAINT IF EXISTS nope;\n"),
    ("domain_rename_missing_constraint", "CREATE DOMAIN d AS int;\nALTER DOMAIN d RENAME CONSTRAINT nope TO x;\n"),
    ("domain_validate_missing_constraint", "CREATE DOMAIN d AS int;\nALTER DOMAIN d VALIDATE CONSTRAINT nope;\n"),
    ("domain_add_not_null_is_a_syntax_error", "CREATE DOMAIN d AS int;\nALTER DOMAIN d ADD NOT NULL;\n"),
    ("domain_create_not_valid_is_a_syntax_error", "CREATE DOMAIN d AS int CHECK (VALUE > 0) NOT VALID;\n"),
    ("drop_domain_of_a_composite", "CREATE TYPE c AS (a int);\nDROP DOMAIN c;\n"),
    ("drop_type_of_a_domain", "CREATE DOMAIN d AS int;\nDROP TYPE d;\nCREATE DOMAIN d AS text;\n"),
    ("drop_domain_in_use", "CREATE DOMAIN d AS int;\nCREATE TABLE t (a d);\nDROP DOMAIN d;\n"),
    ("drop_domain_used_by_composite", "CREATE DOMAIN d AS int;\nCREATE TYPE c AS (a d);\nDROP DOMAIN d;\n"),
    ("drop_domain_cascade_drops_attribute", "CREATE DOMAIN d AS int;\nCREATE TYPE c AS (a d, b int);\nDROP DOMAIN d CASCADE;\nALTER TYPE c DROP ATTRIBUTE a;\n"),
    ("drop_domain_used_by_domain", "CREATE DOMAIN d AS int;\nCREATE DOMAIN e AS d;\nDROP DOMAIN d;\n"),
    ("domain_rename_and_move", "CREATE SCHEMA s;\nCREATE DOMAIN d AS int;\nCREATE TABLE t (a d);\nALTER DOMAIN d RENAME TO e;\nALTER DOMAIN e SET SCHEMA s;\nALTER TABLE t ALTER COLUMN a TYPE s.e;\nDROP DOMAIN e;\n"),
    ("domain_move_name_taken", "CREATE SCHEMA s;\nCREATE DOMAIN d AS int;\nCREATE DOMAIN s.d AS int;\nALTER DOMAIN d SET SCHEMA s;\n"),
    ("composite_duplicate", "CREATE TYPE c AS (a int);\nCREATE TYPE c AS (b int);\n"),
    ("composite_name_taken_by_table", "CREATE TABLE c (a int);\nCREATE TYPE c AS (a int);\n"),
    ("composite_duplicate_attribute", "CREATE TYPE c AS (a int, a text);\n"),
    ("composite_unknown_attribute_type", "CREATE TYPE c AS (a nope);\n"),
    ("composite_drop_missing_attribute", "CREATE TYPE c AS (a int);\nALTER TYPE c DROP ATTRIBUTE b;\n"),
    ("composite_add_existing_attribute", "CREATE TYPE c AS (a int);\nALTER TYPE c ADD ATTRIBUTE a text;\n"),
    ("composite_rename_missing_attribute", "CREATE TYPE c AS (a int);\nALTER TYPE c RENAME ATTRIBUTE a TO b;\nALTER TYPE c RENAME ATTRIBUTE z TO y;\n"),
    ("attribute_action_on_a_domain", "CREATE DOMAIN d AS int;\nALTER TYPE d ADD ATTRIBUTE a text;\n"),
    ("drop_composite_in_use", "CREATE TYPE c AS (a int);\nCREATE TABLE t (x c);\nDROP TYPE c;\n"),
    ("comment_on_domain_and_its_check", "CREATE DOMAIN d AS int CHECK (VALUE > 0);\nCOMMENT ON DOMAIN d IS 'x';\nCOMMENT ON CONSTRAINT d_check ON DOMAIN d IS 'y';\nCOMMENT ON CONSTRAINT nope ON DOMAIN d IS 'z';\n"),
    ("collation_duplicate", "CREATE COLLATION c (provider = icu, locale = 'und');\nCREATE COLLATION c (locale = 'C');\n"),
    ("collation_if_not_exists", "CREATE COLLATION c (provider = icu, locale = 'und');\nCREATE COLLATION IF NOT EXISTS c (locale = 'C');\n"),
    ("collation_from_posix_and_c", "CREATE COLLATION p FROM \"POSIX\";\nCREATE COLLATION q FROM \"C\";\nCREATE COLLATION r FROM p;\nCREATE COLLATION s FROM \"default\";\n"),
    ("collation_icu_without_locale", "CREATE COLLATION c (provider = icu, lc_collate = 'C');\n"),
    ("collation_libc_nondeterministic", "CREATE COLLATION c (locale = 'C', deterministic = false);\n"),
    ("collation_unknown_attribute", "CREATE COLLATION c (locale = 'C', colour = 'red');\n"),
    ("collation_locale_and_lc_collate", "CREATE COLLATION c (locale = 'C', lc_collate = 'C');\n"),
    ("collation_unknown_provider", "CREATE COLLATION c (provider = nope, locale = 'C');\n"),
    ("collation_drop_missing", "DROP COLLATION nope;\n"),
    ("collation_drop_if_exists", "DROP COLLATION IF EXISTS nope;\n"),
    ("collation_in_use", "CREATE COLLATION c (locale = 'C');\nCREATE TABLE t (a text COLLATE c);\nDROP COLLATION c;\n"),
    ("collation_cascade_drops_column", "CREATE COLLATION c (locale = 'C');\nCREATE TABLE t (a text COLLATE c, b int);\nDROP COLLATION c CASCADE;\nALTER TABLE t DROP COLUMN a;\n"),
    ("collation_rename_taken", "CREATE COLLATION c (locale = 'C');\nCREATE COLLATION d (locale = 'POSIX');\nALTER COLLATION c RENAME TO d;\n"),
    ("collation_rename_then_use", "CREATE COLLATION c (locale = 'C');\nALTER COLLATION c RENAME TO d;\nDROP COLLATION c;\n"),
    ("collation_comment_missing", "COMMENT ON COLLATION nope IS 'x';\n"),
    ("comment_on_composite_attribute", "CREATE TYPE c AS (a int);\nCOMMENT ON COLUMN c.a IS 'x';\nCOMMENT ON COLUMN c.b IS 'y';\n"),
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
    ("policy_duplicate", "CREATE TABLE t (a int);\nCREATE POLICY p ON t USING (true);\nCREATE POLICY p ON t USING (a > 0);\n"),
    ("policy_on_missing_table", "CREATE POLICY p ON nope USING (true);\n"),
    ("policy_on_view", "CREATE VIEW v AS SELECT 1 AS a;\nCREATE POLICY p ON v USING (true);\n"),
    ("policy_with_check_on_select", "CREATE TABLE t (a int);\nCREATE POLICY p ON t FOR SELECT WITH CHECK (a > 0);\n"),
    ("policy_with_check_on_delete", "CREATE TABLE t (a int);\nCREATE POLICY p ON t FOR DELETE USING (true) WITH CHECK (a > 0);\n"),
    ("policy_using_on_insert", "CREATE TABLE t (a int);\nCREATE POLICY p ON t FOR INSERT USING (a > 0);\n"),
    ("policy_unknown_column", "CREATE TABLE t (a int);\nCREATE POLICY p ON t USING (b > 0);\n"),
    ("policy_column_in_subquery_not_checked", "CREATE TABLE o (b int);\nCREATE TABLE t (a int);\nCREATE POLICY p ON t USING (a IN (SELECT b FROM o));\n"),
    ("policy_every_clause", "CREATE TABLE t (a int, owner name);\nCREATE POLICY p ON t AS RESTRICTIVE FOR UPDATE TO PUBLIC USING (owner = current_user) WITH CHECK (a > 0);\nCOMMENT ON POLICY p ON t IS 'x';\nALTER POLICY p ON t TO PUBLIC USING (a > 1) WITH CHECK (a > 2);\n"),
    ("policy_drop_missing", "CREATE TABLE t (a int);\nDROP POLICY p ON t;\n"),
    ("policy_drop_if_exists", "CREATE TABLE t (a int);\nDROP POLICY IF EXISTS p ON t;\n"),
    ("policy_drop_if_exists_missing_table", "DROP POLICY IF EXISTS p ON nope;\n"),
    ("policy_drop_then_create", "CREATE TABLE t (a int);\nCREATE POLICY p ON t USING (true);\nDROP POLICY p ON t CASCADE;\nCREATE POLICY p ON t USING (a > 0);\n"),
    ("policy_alter_missing", "CREATE TABLE t (a int);\nALTER POLICY p ON t USING (true);\n"),
    ("policy_alter_unknown_column", "CREATE TABLE t (a int);\nCREATE POLICY p ON t USING (true);\nALTER POLICY p ON t USING (b > 0);\n"),
    ("policy_alter_with_check_on_select", "CREATE TABLE t (a int);\nCREATE POLICY p ON t FOR SELECT USING (true);\nALTER POLICY p ON t WITH CHECK (a > 0);\n"),
    ("policy_alter_using_on_insert", "CREATE TABLE t (a int);\nCREATE POLICY p ON t FOR INSERT WITH CHECK (true);\nALTER POLICY p ON t USING (a > 0);\n"),
    ("policy_rename_to_existing", "CREATE TABLE t (a int);\nCREATE POLICY p ON t USING (true);\nCREATE POLICY q ON t USING (true);\nALTER POLICY p ON t RENAME TO q;\n"),
    ("policy_rename_then_drop_old", "CREATE TABLE t (a int);\nCREATE POLICY p ON t USING (true);\nALTER POLICY p ON t RENAME TO q;\nDROP POLICY p ON t;\n"),
    ("policy_comment_missing", "CREATE TABLE t (a int);\nCOMMENT ON POLICY p ON t IS 'x';\n"),
    ("policy_drop_column_in_use", "CREATE TABLE t (a int, b int);\nCREATE POLICY p ON t USING (a > 0);\nALTER TABLE t DROP COLUMN a;\n"),
    ("policy_drop_column_cascade", "CREATE TABLE t (a int, b int);\nCREATE POLICY p ON t USING (a > 0);\nALTER TABLE t DROP COLUMN a CASCADE;\nDROP POLICY p ON t;\n"),
    ("policy_retype_column", "CREATE TABLE t (a int, b int);\nCREATE POLICY p ON t WITH CHECK (a > 0);\nALTER TABLE t ALTER COLUMN a TYPE bigint;\n"),
    ("policy_rename_column", "CREATE TABLE t (a int, b int);\nCREATE POLICY p ON t USING (a > 0);\nALTER TABLE t RENAME COLUMN a TO c;\nALTER TABLE t DROP COLUMN c;\n"),
    ("policy_calls_a_dropped_function", "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';\nCREATE TABLE t (a int);\nCREATE POLICY p ON t USING (a = f());\nDROP FUNCTION f();\n"),
    ("policy_dropped_with_table", "CREATE TABLE t (a int);\nCREATE POLICY p ON t USING (true);\nDROP TABLE t;\nCREATE TABLE t (a int);\nCREATE POLICY p ON t USING (true);\n"),
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
    ("set_not_null_then_fk", "CREATE TABLE p (id int);\nALTER TABLE p ADD CONSTRAINT p_pkey PRIMARY KEY (id);\nCREATE TABLE c (p_id int NOT NULL REFERENCES p);\n"),
    ("trigger_function_schema_dropped", "CREATE SCHEMA s;\nCREATE TABLE t (a int);\nCREATE FUNCTION s.f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;\nCREATE TRIGGER g AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION s.f();\nDROP SCHEMA s;\nDROP SCHEMA s CASCADE;\nDROP TRIGGER g ON t;\n"),
    ("trigger_function_schema_renamed", "CREATE SCHEMA s;\nCREATE TABLE t (a int);\nCREATE FUNCTION s.f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;\nCREATE TRIGGER g AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION s.f();\nALTER SCHEMA s RENAME TO s2;\nDROP FUNCTION s2.f();\n"),
    ("trigger_view_enable", "CREATE TABLE t (a int);\nCREATE VIEW v AS SELECT a FROM t;\nCREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;\nCREATE TRIGGER g INSTEAD OF INSERT ON v FOR EACH ROW EXECUTE FUNCTION f();\nALTER TABLE v ENABLE TRIGGER g;\nCOMMENT ON TRIGGER g ON v IS 'x';\nALTER TRIGGER g ON v RENAME TO h;\nDROP TRIGGER h ON v;\nDROP TRIGGER h ON v;\n"),
    ("trigger_view_by_name", "CREATE TABLE t (a int);\nCREATE VIEW v AS SELECT a FROM t;\nCREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;\nCREATE TRIGGER g INSTEAD OF INSERT ON v FOR EACH ROW EXECUTE FUNCTION f();\nCOMMENT ON TRIGGER g ON v IS 'x';\nALTER TRIGGER g ON v RENAME TO h;\nDROP TRIGGER h ON v;\nDROP TRIGGER h ON v;\n"),
    ("trigger_on_missing_table", "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;\nCREATE TRIGGER g AFTER INSERT ON nope FOR EACH ROW EXECUTE FUNCTION f();\n"),
    ("trigger_missing_function", "CREATE TABLE t (a int);\nCREATE TRIGGER g AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION nope();\n"),
    ("trigger_function_not_trigger", "CREATE TABLE t (a int);\nCREATE FUNCTION g() RETURNS int LANGUAGE sql AS 'select 1';\nCREATE TRIGGER x AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION g();\n"),
    ("trigger_function_with_args_not_found", "CREATE TABLE t (a int);\nCREATE FUNCTION f(a int) RETURNS int LANGUAGE sql AS 'select 1';\nCREATE TRIGGER g AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();\n"),
    ("trigger_duplicate", "CREATE TABLE t (a int);\nCREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;\nCREATE TRIGGER g AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();\nCREATE TRIGGER g BEFORE DELETE ON t FOR EACH ROW EXECUTE PROCEDURE f();\n"),
    ("trigger_or_replace", "CREATE TABLE t (a int);\nCREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;\nCREATE TRIGGER g AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();\nCREATE OR REPLACE TRIGGER g BEFORE DELETE ON t FOR EACH ROW EXECUTE PROCEDURE f();\nDROP TRIGGER g ON t;\nDROP TRIGGER g ON t;\n"),
    ("trigger_instead_of_on_table", "CREATE TABLE t (a int);\nCREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;\nCREATE TRIGGER g INSTEAD OF INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();\n"),
    ("trigger_before_row_on_view", "CREATE TABLE t (a int);\nCREATE VIEW v AS SELECT a FROM t;\nCREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;\nCREATE TRIGGER g INSTEAD OF INSERT ON v FOR EACH ROW EXECUTE FUNCTION f();\nCREATE TRIGGER h BEFORE INSERT ON v FOR EACH ROW EXECUTE FUNCTION f();\n"),
    ("trigger_replace_constraint_trigger", "CREATE TABLE t (a int);\nCREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;\nCREATE CONSTRAINT TRIGGER g AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();\nCREATE OR REPLACE TRIGGER g AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();\n"),
    ("trigger_or_replace_constraint", "CREATE TABLE t (a int);\nCREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;\nCREATE OR REPLACE CONSTRAINT TRIGGER g AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();\n"),
    ("trigger_update_of_missing_column", "CREATE TABLE t (a int);\nCREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;\nCREATE TRIGGER g AFTER UPDATE OF a, zz ON t FOR EACH ROW EXECUTE FUNCTION f();\n"),
    ("trigger_update_of_twice", "CREATE TABLE t (a int);\nCREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;\nCREATE TRIGGER g AFTER UPDATE OF a, a ON t FOR EACH ROW EXECUTE FUNCTION f();\n"),
    ("trigger_drop_missing", "CREATE TABLE t (a int);\nDROP TRIGGER IF EXISTS g ON t;\nDROP TRIGGER IF EXISTS g ON nope;\nDROP TRIGGER g ON t;\n"),
    ("trigger_truncate_for_each_row", "CREATE TABLE t (a int);\nCREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;\nCREATE TRIGGER g AFTER TRUNCATE ON t EXECUTE FUNCTION f();\nCREATE TRIGGER h AFTER TRUNCATE ON t FOR EACH ROW EXECUTE FUNCTION f();\n"),
    ("trigger_insert_when_old", "CREATE TABLE t (a int);\nCREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;\nCREATE TRIGGER g BEFORE UPDATE ON t FOR EACH ROW WHEN (OLD.a IS DISTINCT FROM NEW.a) EXECUTE FUNCTION f();\nCREATE TRIGGER h BEFORE INSERT OR UPDATE ON t FOR EACH ROW WHEN (old.a > 0) EXECUTE FUNCTION f();\n"),
    ("trigger_delete_when_new", "CREATE TABLE t (a int);\nCREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;\nCREATE TRIGGER h AFTER DELETE ON t FOR EACH ROW WHEN (new.a > 0) EXECUTE FUNCTION f();\n"),
    ("trigger_statement_when_column", "CREATE TABLE t (a int);\nCREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;\nCREATE TRIGGER h AFTER UPDATE ON t FOR EACH STATEMENT WHEN (new.a > 0) EXECUTE FUNCTION f();\n"),
    ("trigger_when_missing_column", "CREATE TABLE t (a int);\nCREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;\nCREATE TRIGGER h AFTER UPDATE ON t FOR EACH ROW WHEN (new.b > 0) EXECUTE FUNCTION f();\n"),
    ("trigger_transition_on_before", "CREATE TABLE t (a int);\nCREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;\nCREATE TRIGGER g AFTER UPDATE ON t REFERENCING OLD TABLE AS o NEW TABLE AS n FOR EACH STATEMENT EXECUTE FUNCTION f();\nCREATE TRIGGER h BEFORE UPDATE ON t REFERENCING NEW TABLE AS n FOR EACH ROW EXECUTE FUNCTION f();\n"),
    ("trigger_transition_old_on_insert", "CREATE TABLE t (a int);\nCREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;\nCREATE TRIGGER h AFTER INSERT ON t REFERENCING OLD TABLE AS o FOR EACH ROW EXECUTE FUNCTION f();\n"),
    ("trigger_transition_two_events", "CREATE TABLE t (a int);\nCREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;\nCREATE TRIGGER h AFTER INSERT OR UPDATE ON t REFERENCING NEW TABLE AS o FOR EACH ROW EXECUTE FUNCTION f();\n"),
    ("trigger_drop_column_in_update_of", "CREATE TABLE t (a int, b int);\nCREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;\nCREATE TRIGGER g AFTER UPDATE OF a ON t FOR EACH ROW EXECUTE FUNCTION f();\nALTER TABLE t DROP COLUMN b;\nALTER TABLE t DROP COLUMN a;\n"),
    ("trigger_drop_column_in_when", "CREATE TABLE t (a int, b int);\nCREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;\nCREATE TRIGGER g AFTER UPDATE ON t FOR EACH ROW WHEN (new.b > 0) EXECUTE FUNCTION f();\nALTER TABLE t DROP COLUMN b;\n"),
    ("trigger_drop_column_cascade", "CREATE TABLE t (a int, b int);\nCREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;\nCREATE TRIGGER g AFTER UPDATE OF a ON t FOR EACH ROW EXECUTE FUNCTION f();\nALTER TABLE t DROP COLUMN a CASCADE;\nDROP TRIGGER g ON t;\n"),
    ("trigger_retype_column", "CREATE TABLE t (a int, b int);\nCREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;\nCREATE TRIGGER g AFTER UPDATE OF a ON t FOR EACH ROW EXECUTE FUNCTION f();\nALTER TABLE t ALTER COLUMN b TYPE bigint;\nALTER TABLE t ALTER COLUMN a TYPE bigint;\n"),
    ("trigger_rename_column_update_of", "CREATE TABLE t (a int, b int);\nCREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;\nCREATE TRIGGER g AFTER UPDATE OF a ON t FOR EACH ROW EXECUTE FUNCTION f();\nALTER TABLE t RENAME COLUMN a TO c;\nALTER TABLE t DROP COLUMN b;\nALTER TABLE t DROP COLUMN c;\n"),
    ("trigger_drop_function", "CREATE TABLE t (a int);\nCREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;\nCREATE TRIGGER g AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();\nDROP FUNCTION f();\n"),
    ("trigger_drop_function_cascade", "CREATE TABLE t (a int);\nCREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;\nCREATE TRIGGER g AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();\nDROP FUNCTION f() CASCADE;\nDROP TRIGGER g ON t;\n"),
    ("trigger_dropped_with_table", "CREATE TABLE t (a int);\nCREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;\nCREATE TRIGGER g AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();\nDROP TABLE t;\nDROP FUNCTION f();\n"),
    ("trigger_rename", "CREATE TABLE t (a int);\nCREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;\nCREATE TRIGGER g AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();\nCREATE TRIGGER h AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();\nALTER TRIGGER g ON t RENAME TO k;\nALTER TRIGGER k ON t RENAME TO h;\n"),
    ("trigger_rename_missing", "CREATE TABLE t (a int);\nALTER TRIGGER g ON t RENAME TO k;\n"),
    ("trigger_enable_disable", "CREATE TABLE t (a int);\nCREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;\nCREATE TRIGGER g AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();\nALTER TABLE t DISABLE TRIGGER g;\nALTER TABLE t ENABLE REPLICA TRIGGER g;\nALTER TABLE t ENABLE ALWAYS TRIGGER g;\nALTER TABLE t ENABLE TRIGGER USER;\nALTER TABLE t DISABLE TRIGGER ALL;\nALTER TABLE t ENABLE TRIGGER nope;\n"),
    ("trigger_enable_always_user", "CREATE TABLE t (a int);\nALTER TABLE t ENABLE ALWAYS TRIGGER USER;\n"),
    ("trigger_comment", "CREATE TABLE t (a int);\nCREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;\nCREATE TRIGGER g AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();\nCOMMENT ON TRIGGER g ON t IS 'x';\nCOMMENT ON TRIGGER nope ON t IS 'x';\n"),
    ("trigger_constraint_from_dropped", "CREATE TABLE t (a int);\nCREATE TABLE u (a int);\nCREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;\nCREATE CONSTRAINT TRIGGER g AFTER INSERT ON t FROM u DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION f();\nDROP TABLE u;\nDROP TRIGGER g ON t;\n"),
    ("trigger_function_renamed_follows", "CREATE TABLE t (a int);\nCREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;\nCREATE TRIGGER g AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();\nALTER FUNCTION f() RENAME TO f2;\nDROP FUNCTION f2();\n"),
    ("trigger_builtin_function", "CREATE TABLE t (a int);\nCREATE TRIGGER g BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger();\nCREATE TRIGGER h BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION pg_catalog.now();\n"),
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
