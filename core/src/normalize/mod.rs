//! Canonical forms of types and expressions.
//!
//! strata compares a schema built offline from hand-written SQL with one read
//! from a live catalog (`format_type`, `pg_get_expr`, `pg_get_indexdef`, run
//! with `search_path = public`). Both sides go through these functions, which
//! give the same text whenever the two mean the same thing to PostgreSQL.
//!
//! - Types ([`data_type`], [`type_text`]) are canonical in the form
//!   `format_type(atttypid, atttypmod)` prints them: `integer`,
//!   `character varying(255)[]`, `timestamp(3) with time zone`,
//!   `"TaskRunStatus"`, `other.thing`.
//! - Expressions ([`expr`], [`expr_text`]) are parsed into sqlparser's AST,
//!   rewritten so that the written form and the server's deparsed form meet
//!   (parentheses, casts of literals, `IN`/`BETWEEN`/`LIKE` spelled the way the
//!   server stores them, identifiers folded and quoted like `quote_ident`), and
//!   printed back. The rules are listed on [`expr`].
//! - Interval literals ([`interval_literal`]) are printed the way PostgreSQL
//!   prints intervals: `'1 month'` → `1 mon`.

mod expr;
mod interval;
mod types;

pub use expr::{expr, expr_text, predicate, predicate_text};
pub use interval::interval_literal;
pub use types::{data_type, type_text};

/// For the serial pseudo-types (`serial`, `serial4`, `bigserial`, `serial8`,
/// `smallserial`, `serial2`, in any case) the real type the column gets:
/// `integer`, `bigint` or `smallint`. `None` for every other name.
pub fn serial_type(name: &str) -> Option<&'static str> {
    types::serial_real_type(name)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::{expr_text, serial_type};

    /// `(context, as written, as the server deparses it, canonical)`.
    ///
    /// The server column is read from PostgreSQL 15 (`SET search_path =
    /// public`): `default T` from `pg_get_expr(adbin, adrelid)` of a column of
    /// type T with `DEFAULT <written>`; `gen T` likewise for `GENERATED ALWAYS
    /// AS (<written>) STORED`; `check` from `pg_get_expr(conbin, conrelid)`;
    /// `index` from `pg_get_indexdef(indexrelid, 1, true)` of `CREATE INDEX …
    /// ((<written>))`; `pred` from `pg_get_expr(indpred, indrelid)` of `CREATE
    /// INDEX … WHERE <written>`. The table's columns: `id`, `agent_id`,
    /// `name`, `email`, `first_name`, `last_name`, `"userId"`, `"User"` text;
    /// `status` agent_run_status (enum); `kind` "TaskRunStatus" (enum); `th`
    /// other.thing (enum); `ancestor_run_ids` text[]; `tags` varchar(10)[];
    /// `flags` int[]; `a`, `b`, `c`, `x`, `"order"` int; `n` bigint; `price`,
    /// `balance` numeric; `amount` numeric(10,2); `f` float8; `label`
    /// varchar(20); `code` char(3); `ci` citext; `data` jsonb; `ok` boolean;
    /// `d` date; `ts` timestamp; `created_at`, `completed_at`, `expires_at`,
    /// `deleted_at`, `"emailVerified"` timestamptz; `user_id`, `org_id` uuid.
    pub(crate) const SERVER: &[(&str, &str, &str, &str)] = &[
        ("default timestamptz", "now()", "now()", "now()"),
        ("default timestamptz", "CURRENT_TIMESTAMP", "CURRENT_TIMESTAMP", "CURRENT_TIMESTAMP"),
        ("default timestamptz", "now() + interval '1 month'", "(now() + '1 mon'::interval)", "now() + '1 mon'::interval"),
        ("default timestamptz", "now() + '1 month'::interval", "(now() + '1 mon'::interval)", "now() + '1 mon'::interval"),
        ("default timestamp", "LOCALTIMESTAMP", "LOCALTIMESTAMP", "LOCALTIMESTAMP"),
        ("default date", "CURRENT_DATE", "CURRENT_DATE", "CURRENT_DATE"),
        ("default text", "CURRENT_USER", "CURRENT_USER", "CURRENT_USER"),
        ("default timestamptz", "CURRENT_TIMESTAMP(3)", "CURRENT_TIMESTAMP(3)", "CURRENT_TIMESTAMP(3)"),
        ("default text", "gen_random_uuid()", "gen_random_uuid()", "gen_random_uuid()"),
        ("default uuid", "gen_random_uuid()", "gen_random_uuid()", "gen_random_uuid()"),
        ("default text", "'ref-' || gen_random_uuid()", "('ref-'::text || gen_random_uuid())", "'ref-' || gen_random_uuid()"),
        ("default numeric", "0", "0", "0"),
        ("default numeric(10,2)", "0", "0", "0"),
        ("default numeric", "1.50", "1.50", "1.50"),
        ("default numeric", "'1.50'", "1.50", "1.50"),
        ("default integer", "-1", "'-1'::integer", "-1"),
        ("default integer", "- 1", "'-1'::integer", "-1"),
        ("default integer", "'-1'", "'-1'::integer", "-1"),
        ("default bigint", "-1", "'-1'::integer", "-1"),
        ("default numeric", "-1.5", "'-1.5'::numeric", "-1.5"),
        ("default double precision", "-1.5", "'-1.5'::numeric", "-1.5"),
        ("default agent_run_status", "'running'", "'running'::agent_run_status", "'running'"),
        ("default agent_run_status", "'running'::agent_run_status", "'running'::agent_run_status", "'running'"),
        (r#"default "TaskRunStatus""#, "'PENDING'", r#"'PENDING'::"TaskRunStatus""#, "'PENDING'"),
        ("default other.thing", "'x'", "'x'::other.thing", "'x'"),
        ("default text[]", "'{}'", "'{}'::text[]", "'{}'"),
        ("default text[]", "ARRAY[]::text[]", "ARRAY[]::text[]", "ARRAY[]"),
        ("default text[]", "ARRAY['a', 'b']", "ARRAY['a'::text, 'b'::text]", "ARRAY['a', 'b']"),
        ("default varchar(10)[]", "'{}'", "'{}'::character varying[]", "'{}'"),
        ("default jsonb", "'{}'::jsonb", "'{}'::jsonb", "'{}'"),
        ("default jsonb", "'{}'", "'{}'::jsonb", "'{}'"),
        ("default json", "'[]'", "'[]'::json", "'[]'"),
        ("default boolean", "false", "false", "false"),
        ("default boolean", "TRUE", "true", "true"),
        ("default bigint", "nextval('seq')", "nextval('seq'::regclass)", "nextval('seq'::regclass)"),
        ("default bigint", "nextval('seq'::regclass)", "nextval('seq'::regclass)", "nextval('seq'::regclass)"),
        ("default bigint", "nextval('public.users_id_seq'::regclass)", "nextval('users_id_seq'::regclass)", "nextval('users_id_seq'::regclass)"),
        ("default bigint", r#"nextval('"users_id_seq"'::regclass)"#, "nextval('users_id_seq'::regclass)", "nextval('users_id_seq'::regclass)"),
        ("default bigint", r#"nextval('"MySeq"')"#, r#"nextval('"MySeq"'::regclass)"#, r#"nextval('"MySeq"'::regclass)"#),
        ("default bigint", "nextval('other.oseq')", "nextval('other.oseq'::regclass)", "nextval('other.oseq'::regclass)"),
        ("default text", "'x'", "'x'::text", "'x'"),
        ("default text", "'it''s'", "'it''s'::text", "'it''s'"),
        ("default varchar(20)", "'x'", "'x'::character varying", "'x'"),
        ("default char(3)", "'abc'", "'abc'::bpchar", "'abc'"),
        ("default integer", "5", "5", "5"),
        ("default integer", "'5'", "5", "5"),
        ("default bigint", "5000000000", "'5000000000'::bigint", "5000000000"),
        ("default interval", "'1 hour'", "'01:00:00'::interval", "'01:00:00'"),
        ("default interval", "interval '30 days'", "'30 days'::interval", "'30 days'"),
        ("default interval", "'1 year 2 months'", "'1 year 2 mons'::interval", "'1 year 2 mons'"),
        ("default interval", "'01:00:00'", "'01:00:00'::interval", "'01:00:00'"),
        ("default timestamptz", "now() - interval '1 hour'", "(now() - '01:00:00'::interval)", "now() - '01:00:00'::interval"),
        ("default date", "'2020-01-01'", "'2020-01-01'::date", "'2020-01-01'"),
        ("default date", "DATE '2020-01-01'", "'2020-01-01'::date", "'2020-01-01'"),
        ("default timestamp", "TIMESTAMP '2020-01-01 00:00:00'", "'2020-01-01 00:00:00'::timestamp without time zone", "'2020-01-01 00:00:00'"),
        ("default timestamptz", "CURRENT_TIMESTAMP + INTERVAL '7 days'", "(CURRENT_TIMESTAMP + '7 days'::interval)", "CURRENT_TIMESTAMP + '7 days'::interval"),
        ("default text", "md5(random()::text)", "md5((random())::text)", "md5(random())"),
        ("default text", "lower('ABC')", "lower('ABC'::text)", "lower('ABC')"),
        ("default integer", "(1 + 2) * 3", "((1 + 2) * 3)", "(1 + 2) * 3"),
        ("default integer", "1 + 2 * 3", "(1 + (2 * 3))", "1 + (2 * 3)"),
        ("default text", "'a' || 'b' || 'c'", "(('a'::text || 'b'::text) || 'c'::text)", "('a' || 'b') || 'c'"),
        ("default numeric", "(1000)::numeric", "(1000)::numeric", "1000"),
        ("default real", "1.5", "1.5", "1.5"),
        ("default timestamptz", "timezone('utc', now())", "timezone('utc'::text, now())", "timezone('utc', now())"),
        ("default timestamp", "(now() AT TIME ZONE 'utc')", "(now() AT TIME ZONE 'utc'::text)", "now() AT TIME ZONE 'utc'"),
        ("default timestamp", "now()", "now()", "now()"),
        ("default date", "now()", "now()", "now()"),
        ("default timestamptz", "pg_catalog.now()", "now()", "now()"),
        ("default integer", "EXTRACT(year FROM now())", "EXTRACT(year FROM now())", "EXTRACT(year FROM now())"),
        ("default citext", "'x'", "'x'::citext", "'x'"),
        ("default integer[]", "'{1,2}'", "'{1,2}'::integer[]", "'{1,2}'"),
        ("default integer[]", "ARRAY[1, 2]", "ARRAY[1, 2]", "ARRAY[1, 2]"),
        ("default bigint", "(EXTRACT(epoch FROM now()) * 1000)::bigint", "((EXTRACT(epoch FROM now()) * (1000)::numeric))::bigint", "EXTRACT(epoch FROM now()) * 1000"),
        ("default text", "substring('abc' from 1 for 2)", "SUBSTRING('abc'::text FROM 1 FOR 2)", r#""substring"('abc', 1, 2)"#),
        ("default text", "concat('a', 'b')", "concat('a', 'b')", "concat('a', 'b')"),
        ("default text", "CASE WHEN true THEN 'a' ELSE 'b' END", r#"
CASE
    WHEN true THEN 'a'::text
    ELSE 'b'::text
END"#, "CASE WHEN true THEN 'a' ELSE 'b' END"),
        ("default text", "'a'::character varying::text", "('a'::character varying)::text", "'a'"),
        ("default text", "COALESCE(NULL, 'x')", "COALESCE(NULL::text, 'x'::text)", "COALESCE(NULL, 'x')"),
        ("default numeric", "0.0", "0.0", "0.0"),
        ("default text", r#"E'a\nb'"#, r#"'a
b'::text"#, r#"'a
b'"#),
        ("default integer", "- (1)", "'-1'::integer", "-1"),
        ("default double precision", "random()", "random()", "random()"),
        ("default text", "to_char(now(), 'YYYY')", "to_char(now(), 'YYYY'::text)", "to_char(now(), 'YYYY')"),
        ("default text", "current_setting('app.x')", "current_setting('app.x'::text)", "current_setting('app.x')"),
        ("default text", "SESSION_USER", "SESSION_USER", "SESSION_USER"),
        ("default text", "current_schema()", r#""current_schema"()"#, r#""current_schema"()"#),
        ("default text", "current_schema", "CURRENT_SCHEMA", "CURRENT_SCHEMA"),
        ("default time", "CURRENT_TIME", "CURRENT_TIME", "CURRENT_TIME"),
        ("default time", "LOCALTIME", "LOCALTIME", "LOCALTIME"),
        ("default timestamptz", "statement_timestamp()", "statement_timestamp()", "statement_timestamp()"),
        ("default timestamptz", "transaction_timestamp()", "transaction_timestamp()", "transaction_timestamp()"),
        ("default timestamptz", "clock_timestamp()", "clock_timestamp()", "clock_timestamp()"),
        ("default timestamptz", "'infinity'", "'infinity'::timestamp with time zone", "'infinity'"),
        ("default timestamptz", "'-infinity'::timestamptz", "'-infinity'::timestamp with time zone", "'-infinity'"),
        ("default double precision", "'NaN'", "'NaN'::double precision", "'NaN'"),
        ("default bigint", "9223372036854775807", "'9223372036854775807'::bigint", "9223372036854775807"),
        ("default integer", "+1", "(+ 1)", "1"),
        ("default numeric", "1e3", "'1000'::numeric", "1000"),
        ("default numeric", "1.0e-3", "0.0010", "0.0010"),
        ("gen text", "split_part(agent_id, '/', 1)", "split_part(agent_id, '/'::text, 1)", "split_part(agent_id, '/', 1)"),
        ("gen text", "CASE WHEN agent_id ~ '^[^/]+/' THEN split_part(agent_id, '/', 1) ELSE NULL END", r#"
CASE
    WHEN (agent_id ~ '^[^/]+/'::text) THEN split_part(agent_id, '/'::text, 1)
    ELSE NULL::text
END"#, "CASE WHEN agent_id ~ '^[^/]+/' THEN split_part(agent_id, '/', 1) END"),
        ("gen text", "CASE WHEN agent_id ~ '^[^/]+/' THEN split_part(agent_id, '/', 1) END", r#"
CASE
    WHEN (agent_id ~ '^[^/]+/'::text) THEN split_part(agent_id, '/'::text, 1)
    ELSE NULL::text
END"#, "CASE WHEN agent_id ~ '^[^/]+/' THEN split_part(agent_id, '/', 1) END"),
        ("gen text", "COALESCE(ancestor_run_ids[1], id)", "COALESCE(ancestor_run_ids[1], id)", "COALESCE(ancestor_run_ids[1], id)"),
        ("gen text", "ancestor_run_ids[array_length(ancestor_run_ids, 1)]", "ancestor_run_ids[array_length(ancestor_run_ids, 1)]", "ancestor_run_ids[array_length(ancestor_run_ids, 1)]"),
        ("gen integer", "(EXTRACT(EPOCH FROM (completed_at - created_at)) * 1000)::integer", "((EXTRACT(epoch FROM (completed_at - created_at)) * (1000)::numeric))::integer", "EXTRACT(epoch FROM completed_at - created_at) * 1000"),
        ("gen integer", "EXTRACT(EPOCH FROM (completed_at - created_at)) * 1000", "(EXTRACT(epoch FROM (completed_at - created_at)) * (1000)::numeric)", "EXTRACT(epoch FROM completed_at - created_at) * 1000"),
        ("gen bigint", "a + b", "(a + b)", "a + b"),
        ("gen text", "lower(email)", "lower(email)", "lower(email)"),
        ("gen text", "'ref-' || id", "('ref-'::text || id)", "'ref-' || id"),
        ("gen text", "id || '-' || agent_id", "((id || '-'::text) || agent_id)", "(id || '-') || agent_id"),
        ("gen integer", "CASE status WHEN 'running' THEN 1 WHEN 'done' THEN 2 ELSE 0 END", r#"
CASE status
    WHEN 'running'::agent_run_status THEN 1
    WHEN 'done'::agent_run_status THEN 2
    ELSE 0
END"#, "CASE status WHEN 'running' THEN 1 WHEN 'done' THEN 2 ELSE 0 END"),
        ("gen boolean", "status IN ('running', 'done')", "(status = ANY (ARRAY['running'::agent_run_status, 'done'::agent_run_status]))", "status = ANY(ARRAY['running', 'done'])"),
        ("gen integer", "x % 7", "(x % 7)", "x % 7"),
        ("gen numeric", "round(price * 1.1, 2)", "round((price * 1.1), 2)", "round(price * 1.1, 2)"),
        ("gen date", "ts::date", "(ts)::date", "ts"),
        ("gen text", r#""userId""#, r#""userId""#, r#""userId""#),
        ("gen text", r#"upper("User")"#, r#"upper("User")"#, r#"upper("User")"#),
        ("gen integer", r#""order" + 1"#, r#"("order" + 1)"#, r#""order" + 1"#),
        ("gen text", "label::text", "(label)::text", "label"),
        ("gen varchar(20)", "id", "id", "id"),
        ("gen integer", "abs(x)", "abs(x)", "abs(x)"),
        ("gen text", "amount::text", "(amount)::text", "amount"),
        ("gen text", "data->>'name'", "(data ->> 'name'::text)", "data ->> 'name'"),
        ("gen jsonb", "data->'a'", "(data -> 'a'::text)", "data -> 'a'"),
        ("gen text", "data#>>'{a,b}'", "(data #>> '{a,b}'::text[])", "data #>> '{a,b}'"),
        ("gen integer", "array_length(flags, 1)", "array_length(flags, 1)", "array_length(flags, 1)"),
        ("gen text", "substr(name, 1, 3)", "substr(name, 1, 3)", "substr(name, 1, 3)"),
        ("gen text", r#""left"(name, 3)"#, r#""left"(name, 3)"#, r#""left"(name, 3)"#),
        ("gen text", "left(name, 3)", r#""left"(name, 3)"#, r#""left"(name, 3)"#),
        ("gen integer", "CAST(price AS integer)", "(price)::integer", "price"),
        ("gen text", "CAST(x AS varchar)", "(x)::character varying", "x"),
        ("gen text", "x::varchar(10)", "(x)::character varying(10)", "x"),
        ("gen text", "x::char", "(x)::character(1)", "x"),
        ("gen text", "x::bpchar", "(x)::bpchar", "x"),
        ("gen numeric", "x::decimal(10,2)", "(x)::numeric(10,2)", "x"),
        ("gen boolean", "NOT ok", "(NOT ok)", "NOT ok"),
        ("gen integer", "-x", "(- x)", "-x"),
        ("gen integer", "- x", "(- x)", "-x"),
        ("gen boolean", "ok IS TRUE", "(ok IS TRUE)", "ok IS TRUE"),
        ("gen boolean", "ok IS NOT FALSE", "(ok IS NOT FALSE)", "ok IS NOT FALSE"),
        ("gen boolean", "a IS DISTINCT FROM b", "(a IS DISTINCT FROM b)", "a IS DISTINCT FROM b"),
        ("gen boolean", "a IS NOT DISTINCT FROM b", "(NOT (a IS DISTINCT FROM b))", "NOT (a IS DISTINCT FROM b)"),
        ("gen integer", "NULLIF(a, 0)", "NULLIF(a, 0)", "NULLIF(a, 0)"),
        ("gen integer", "GREATEST(a, b, 0)", "GREATEST(a, b, 0)", "GREATEST(a, b, 0)"),
        ("gen integer", "LEAST(a, b)", "LEAST(a, b)", "LEAST(a, b)"),
        ("gen text", "trim(name)", "TRIM(BOTH FROM name)", "btrim(name)"),
        ("gen text", "btrim(name)", "btrim(name)", "btrim(name)"),
        ("gen text", "TRIM(BOTH ' ' FROM name)", "TRIM(BOTH ' '::text FROM name)", "btrim(name, ' ')"),
        ("gen integer", "position('a' in name)", "POSITION(('a'::text) IN (name))", "POSITION('a' IN name)"),
        ("gen timestamp", "date_trunc('day', ts)", "date_trunc('day'::text, ts)", "date_trunc('day', ts)"),
        ("gen integer", "(a + b) * c", "((a + b) * c)", "(a + b) * c"),
        ("gen integer", "((a+b))*c", "((a + b) * c)", "(a + b) * c"),
        ("gen integer", "a + b * c", "(a + (b * c))", "a + (b * c)"),
        ("gen integer", "a * b + c", "((a * b) + c)", "(a * b) + c"),
        ("gen integer", "a - (b - c)", "(a - (b - c))", "a - (b - c)"),
        ("gen integer", "a - b - c", "((a - b) - c)", "(a - b) - c"),
        ("gen boolean", "ancestor_run_ids @> ARRAY['x']", "(ancestor_run_ids @> ARRAY['x'::text])", "ancestor_run_ids @> ARRAY['x']"),
        ("gen boolean", "name ~* 'abc'", "(name ~* 'abc'::text)", "name ~* 'abc'"),
        ("gen boolean", "name !~ 'abc'", "(name !~ 'abc'::text)", "name !~ 'abc'"),
        ("gen text", r#"name COLLATE "C""#, r#"(name COLLATE "C")"#, r#"name COLLATE "C""#),
        ("gen text", "CASE WHEN a > 0 THEN 'p' WHEN a < 0 THEN 'n' ELSE NULL END", r#"
CASE
    WHEN (a > 0) THEN 'p'::text
    WHEN (a < 0) THEN 'n'::text
    ELSE NULL::text
END"#, "CASE WHEN a > 0 THEN 'p' WHEN a < 0 THEN 'n' END"),
        ("gen double precision", "f ^ 2", "(f ^ (2)::double precision)", "f ^ 2"),
        ("gen text", "to_tsvector('english', name)::text", "(to_tsvector('english'::regconfig, name))::text", "to_tsvector('english', name)"),
        ("gen tsvector", "to_tsvector('english', coalesce(name, '') || ' ' || coalesce(email, ''))", "to_tsvector('english'::regconfig, ((COALESCE(name, ''::text) || ' '::text) || COALESCE(email, ''::text)))", "to_tsvector('english', (COALESCE(name, '') || ' ') || COALESCE(email, ''))"),
        ("gen tsvector", "setweight(to_tsvector('english', coalesce(name,'')), 'A')", r#"setweight(to_tsvector('english'::regconfig, COALESCE(name, ''::text)), 'A'::"char")"#, "setweight(to_tsvector('english', COALESCE(name, '')), 'A')"),
        ("gen integer", "char_length(name)", "char_length(name)", "char_length(name)"),
        ("gen integer", "(data->>'n')::integer", "((data ->> 'n'::text))::integer", "data ->> 'n'"),
        ("gen boolean", "(data ? 'k')", "(data ? 'k'::text)", "data ? 'k'"),
        ("gen text", "repeat('x', 3)", "repeat('x'::text, 3)", "repeat('x', 3)"),
        ("gen text", "x::text || 'a'", "((x)::text || 'a'::text)", "x || 'a'"),
        ("gen numeric", "amount * 100", "(amount * (100)::numeric)", "amount * 100"),
        ("gen numeric", "0.5 * amount", "(0.5 * amount)", "0.5 * amount"),
        ("gen integer", "2147483647", "2147483647", "2147483647"),
        ("gen bigint", "n / 2", "(n / 2)", "n / 2"),
        ("gen integer", "a / 2 + 1", "((a / 2) + 1)", "(a / 2) + 1"),
        ("gen text", "CASE WHEN (a IS NULL) THEN 'x' ELSE 'y' END", r#"
CASE
    WHEN (a IS NULL) THEN 'x'::text
    ELSE 'y'::text
END"#, "CASE WHEN a IS NULL THEN 'x' ELSE 'y' END"),
        ("gen boolean", "a BETWEEN 1 AND 10", "((a >= 1) AND (a <= 10))", "(a >= 1) AND (a <= 10)"),
        ("gen boolean", "a NOT BETWEEN 1 AND 10", "((a < 1) OR (a > 10))", "(a < 1) OR (a > 10)"),
        ("gen boolean", "name LIKE 'a%'", "(name ~~ 'a%'::text)", "name ~~ 'a%'"),
        ("gen boolean", "name NOT LIKE 'a%'", "(name !~~ 'a%'::text)", "name !~~ 'a%'"),
        ("gen boolean", "name ILIKE 'a%'", "(name ~~* 'a%'::text)", "name ~~* 'a%'"),
        ("gen boolean", "name NOT ILIKE 'a%'", "(name !~~* 'a%'::text)", "name !~~* 'a%'"),
        ("gen boolean", "name SIMILAR TO 'a%'", "(name ~ similar_to_escape('a%'::text))", "name ~ similar_to_escape('a%')"),
        ("gen boolean", "a <> ALL (ARRAY[1,2])", "(a <> ALL (ARRAY[1, 2]))", "a <> ALL(ARRAY[1, 2])"),
        ("gen boolean", "a = ANY (ARRAY[1,2])", "(a = ANY (ARRAY[1, 2]))", "a = ANY(ARRAY[1, 2])"),
        ("gen boolean", "a NOT IN (1, 2)", "(a <> ALL (ARRAY[1, 2]))", "a <> ALL(ARRAY[1, 2])"),
        ("gen boolean", "a != 1", "(a <> 1)", "a <> 1"),
        ("gen text", "ci::text", "(ci)::text", "ci"),
        ("gen integer", "length(ci)", "length((ci)::text)", "length(ci)"),
        ("gen integer", "array_length(tags, 1)", "array_length(tags, 1)", "array_length(tags, 1)"),
        ("gen text", "code", "code", "code"),
        ("gen integer", "x::int4", "x", "x"),
        ("gen bigint", "x::int8", "(x)::bigint", "x"),
        ("gen double precision", "x::float8", "(x)::double precision", "x"),
        ("gen real", "x::float4", "(x)::real", "x"),
        ("gen double precision", "x::float", "(x)::double precision", "x"),
        ("gen integer", "cardinality(flags)", "cardinality(flags)", "cardinality(flags)"),
        ("gen text", "(ARRAY['a','b'])[1]", "(ARRAY['a'::text, 'b'::text])[1]", "(ARRAY['a', 'b'])[1]"),
        ("gen integer", "flags[1] + flags[2]", "(flags[1] + flags[2])", "flags[1] + flags[2]"),
        ("gen text", "'a' || x", "('a'::text || x)", "'a' || x"),
        ("gen boolean", "NOT (a > 1 AND b > 1)", "(NOT ((a > 1) AND (b > 1)))", "NOT ((a > 1) AND (b > 1))"),
        ("gen boolean", "NOT a > 1", "(NOT (a > 1))", "NOT (a > 1)"),
        ("gen boolean", "a > 1 AND b > 1 AND c > 1", "((a > 1) AND (b > 1) AND (c > 1))", "((a > 1) AND (b > 1)) AND (c > 1)"),
        ("gen boolean", "a > 1 OR b > 1 AND c > 1", "((a > 1) OR ((b > 1) AND (c > 1)))", "(a > 1) OR ((b > 1) AND (c > 1))"),
        ("gen boolean", "(a > 1 OR b > 1) AND c > 1", "(((a > 1) OR (b > 1)) AND (c > 1))", "((a > 1) OR (b > 1)) AND (c > 1)"),
        ("gen integer", "EXTRACT(YEAR FROM d)", "EXTRACT(year FROM d)", "EXTRACT(year FROM d)"),
        ("gen integer", "date_part('year', d)", "date_part('year'::text, d)", "date_part('year', d)"),
        ("check", "status = 'running'", "(status = 'running'::agent_run_status)", "status = 'running'"),
        ("check", "status IN ('running','done')", "(status = ANY (ARRAY['running'::agent_run_status, 'done'::agent_run_status]))", "status = ANY(ARRAY['running', 'done'])"),
        ("check", "status IN ('running')", "(status = 'running'::agent_run_status)", "status = 'running'"),
        ("check", "kind IN ('PENDING', 'RUNNING')", r#"(kind = ANY (ARRAY['PENDING'::"TaskRunStatus", 'RUNNING'::"TaskRunStatus"]))"#, "kind = ANY(ARRAY['PENDING', 'RUNNING'])"),
        ("check", "balance <> 0 AND expires_at IS NULL", "((balance <> (0)::numeric) AND (expires_at IS NULL))", "(balance <> 0) AND (expires_at IS NULL)"),
        ("check", "(user_id IS NOT NULL AND org_id IS NULL) OR (user_id IS NULL AND org_id IS NOT NULL)", "(((user_id IS NOT NULL) AND (org_id IS NULL)) OR ((user_id IS NULL) AND (org_id IS NOT NULL)))", "((user_id IS NOT NULL) AND (org_id IS NULL)) OR ((user_id IS NULL) AND (org_id IS NOT NULL))"),
        ("check", "num_nonnulls(a, b) = 1", "(num_nonnulls(a, b) = 1)", "num_nonnulls(a, b) = 1"),
        ("check", "x BETWEEN 1 AND 10", "((x >= 1) AND (x <= 10))", "(x >= 1) AND (x <= 10)"),
        ("check", "name LIKE 'a%'", "(name ~~ 'a%'::text)", "name ~~ 'a%'"),
        ("check", "price > 0", "(price > (0)::numeric)", "price > 0"),
        ("check", "char_length(name) <= 100", "(char_length(name) <= 100)", "char_length(name) <= 100"),
        ("check", r#""emailVerified" IS NOT NULL"#, r#"("emailVerified" IS NOT NULL)"#, r#""emailVerified" IS NOT NULL"#),
        ("check", "a + b * c > 0", "((a + (b * c)) > 0)", "(a + (b * c)) > 0"),
        ("check", "(a + b) * c > 0", "(((a + b) * c) > 0)", "((a + b) * c) > 0"),
        ("check", "x > 1", "(x > 1)", "x > 1"),
        ("check", "x >= 1", "(x >= 1)", "x >= 1"),
        ("check", "a > 1 AND (b > 1 AND c > 1)", "((a > 1) AND ((b > 1) AND (c > 1)))", "((a > 1) AND (b > 1)) AND (c > 1)"),
        ("check", "(a > 1 AND b > 1) AND c > 1", "((a > 1) AND (b > 1) AND (c > 1))", "((a > 1) AND (b > 1)) AND (c > 1)"),
        ("check", "a > 1 OR (b > 1 OR c > 1)", "((a > 1) OR ((b > 1) OR (c > 1)))", "((a > 1) OR (b > 1)) OR (c > 1)"),
        ("check", "email ~* '^[^@]+@[^@]+$'", "(email ~* '^[^@]+@[^@]+$'::text)", "email ~* '^[^@]+@[^@]+$'"),
        ("check", "length(name) > 0", "(length(name) > 0)", "length(name) > 0"),
        ("check", "name <> ''", "(name <> ''::text)", "name <> ''"),
        ("check", "amount >= 0.00", "(amount >= 0.00)", "amount >= 0.00"),
        ("check", "price >= -1", "(price >= ('-1'::integer)::numeric)", "price >= -1"),
        ("check", "x IN (1, 2, 3)", "(x = ANY (ARRAY[1, 2, 3]))", "x = ANY(ARRAY[1, 2, 3])"),
        ("check", "label IN ('a', 'b')", "((label)::text = ANY ((ARRAY['a'::character varying, 'b'::character varying])::text[]))", "label = ANY(ARRAY['a', 'b'])"),
        ("check", "code IN ('abc')", "(code = 'abc'::bpchar)", "code = 'abc'"),
        ("check", "tags <> '{}'", "(tags <> '{}'::character varying[])", "tags <> '{}'"),
        ("check", "array_length(flags, 1) > 0", "(array_length(flags, 1) > 0)", "array_length(flags, 1) > 0"),
        ("check", "completed_at > created_at", "(completed_at > created_at)", "completed_at > created_at"),
        ("check", "completed_at IS NULL OR completed_at >= created_at", "((completed_at IS NULL) OR (completed_at >= created_at))", "(completed_at IS NULL) OR (completed_at >= created_at)"),
        ("check", "d >= DATE '2020-01-01'", "(d >= '2020-01-01'::date)", "d >= '2020-01-01'"),
        ("check", "expires_at > created_at + interval '1 day'", "(expires_at > (created_at + '1 day'::interval))", "expires_at > (created_at + '1 day'::interval)"),
        ("check", "jsonb_typeof(data) = 'object'", "(jsonb_typeof(data) = 'object'::text)", "jsonb_typeof(data) = 'object'"),
        ("check", "(data ->> 'kind') IS NOT NULL", "((data ->> 'kind'::text) IS NOT NULL)", "(data ->> 'kind') IS NOT NULL"),
        ("check", "NOT (a IS NULL)", "(NOT (a IS NULL))", "NOT (a IS NULL)"),
        ("check", "a IS NOT NULL AND b IS NOT NULL", "((a IS NOT NULL) AND (b IS NOT NULL))", "(a IS NOT NULL) AND (b IS NOT NULL)"),
        ("check", "ok = true", "(ok = true)", "ok = true"),
        ("check", "ok", "ok", "ok"),
        ("check", "NOT ok", "(NOT ok)", "NOT ok"),
        ("check", "a IS NOT DISTINCT FROM b", "(NOT (a IS DISTINCT FROM b))", "NOT (a IS DISTINCT FROM b)"),
        ("check", "ci <> ''", "(ci <> ''::citext)", "ci <> ''"),
        ("check", "th = 'x'", "(th = 'x'::other.thing)", "th = 'x'"),
        ("check", r#""order" > 0"#, r#"("order" > 0)"#, r#""order" > 0"#),
        ("check", "x NOT IN (1,2)", "(x <> ALL (ARRAY[1, 2]))", "x <> ALL(ARRAY[1, 2])"),
        ("check", "label LIKE 'a%'", "((label)::text ~~ 'a%'::text)", "label ~~ 'a%'"),
        ("check", "price BETWEEN 0 AND 100", "((price >= (0)::numeric) AND (price <= (100)::numeric))", "(price >= 0) AND (price <= 100)"),
        ("check", "a = ANY(ARRAY[1,2])", "(a = ANY (ARRAY[1, 2]))", "a = ANY(ARRAY[1, 2])"),
        ("check", "created_at < now()", "(created_at < now())", "created_at < now()"),
        ("check", "f > 0.5", "(f > (0.5)::double precision)", "f > 0.5"),
        ("check", "n > 5000000000", "(n > '5000000000'::bigint)", "n > 5000000000"),
        ("check", "x <> -1", "(x <> '-1'::integer)", "x <> -1"),
        ("check", "x > - 1", "(x > '-1'::integer)", "x > -1"),
        ("check", "name !~~ 'x%'", "(name !~~ 'x%'::text)", "name !~~ 'x%'"),
        ("check", "id ~~ 'x%'", "(id ~~ 'x%'::text)", "id ~~ 'x%'"),
        ("check", "x::text <> ''", "((x)::text <> ''::text)", "x <> ''"),
        ("check", "CAST(x AS text) <> ''", "((x)::text <> ''::text)", "x <> ''"),
        ("check", "octet_length(name) < 10", "(octet_length(name) < 10)", "octet_length(name) < 10"),
        ("check", "status::text <> 'x'", "((status)::text <> 'x'::text)", "status <> 'x'"),
        ("check", "status <> ALL ('{running}')", "(status <> ALL ('{running}'::agent_run_status[]))", "status <> ALL('{running}')"),
        ("check", "status = ANY ('{running,done}'::agent_run_status[])", "(status = ANY ('{running,done}'::agent_run_status[]))", "status = ANY('{running,done}')"),
        ("check", "label::text = 'x'", "((label)::text = 'x'::text)", "label = 'x'"),
        ("check", "email = lower(email)", "(email = lower(email))", "email = lower(email)"),
        ("check", "1 = 1", "(1 = 1)", "1 = 1"),
        ("check", "name NOT SIMILAR TO 'a%'", "(name !~ similar_to_escape('a%'::text))", "name !~ similar_to_escape('a%')"),
        ("check", "a IN (b, c)", "((a = b) OR (a = c))", "(a = b) OR (a = c)"),
        ("check", "a IN (1, b)", "((a = 1) OR (a = b))", "(a = 1) OR (a = b)"),
        ("check", "name IS NOT NULL AND name <> '' AND length(name) < 10 AND name ~ '^a'", "((name IS NOT NULL) AND (name <> ''::text) AND (length(name) < 10) AND (name ~ '^a'::text))", "(((name IS NOT NULL) AND (name <> '')) AND (length(name) < 10)) AND (name ~ '^a')"),
        ("check", "(a > 1)", "(a > 1)", "a > 1"),
        ("check", "(((a > 1)))", "(a > 1)", "a > 1"),
        ("check", "(a > 1) AND ((b > 1))", "((a > 1) AND (b > 1))", "(a > 1) AND (b > 1)"),
        ("check", "f <> 'NaN'", "(f <> 'NaN'::double precision)", "f <> 'NaN'"),
        ("check", "price <> 'NaN'::numeric", "(price <> 'NaN'::numeric)", "price <> 'NaN'"),
        ("check", "ts <> '-infinity'", "(ts <> '-infinity'::timestamp without time zone)", "ts <> '-infinity'"),
        ("check", "a + 1 > b", "((a + 1) > b)", "(a + 1) > b"),
        ("check", "a * -1 > 0", "((a * '-1'::integer) > 0)", "(a * -1) > 0"),
        ("check", "-a > 0", "((- a) > 0)", "(-a) > 0"),
        ("check", "-(a + b) > 0", "((- (a + b)) > 0)", "(-(a + b)) > 0"),
        ("check", "a % 2 = 0", "((a % 2) = 0)", "(a % 2) = 0"),
        ("check", "substring(name from 1 for 2) = 'ab'", "(SUBSTRING(name FROM 1 FOR 2) = 'ab'::text)", r#""substring"(name, 1, 2) = 'ab'"#),
        ("check", "substring(name, 1, 2) = 'ab'", r#"("substring"(name, 1, 2) = 'ab'::text)"#, r#""substring"(name, 1, 2) = 'ab'"#),
        ("check", "trim(name) <> ''", "(TRIM(BOTH FROM name) <> ''::text)", "btrim(name) <> ''"),
        ("check", "a IS NULL = false", "((a IS NULL) = false)", "(a IS NULL) = false"),
        ("check", "(a IS NULL) IS FALSE", "((a IS NULL) IS FALSE)", "(a IS NULL) IS FALSE"),
        ("check", r#"data @> '{"a": 1}'"#, r#"(data @> '{"a": 1}'::jsonb)"#, r#"data @> '{"a": 1}'"#),
        ("check", "data ? 'a'", "(data ? 'a'::text)", "data ? 'a'"),
        ("check", "data ?| array['a','b']", "(data ?| ARRAY['a'::text, 'b'::text])", "data ?| ARRAY['a', 'b']"),
        ("check", "data ?& array['a','b']", "(data ?& ARRAY['a'::text, 'b'::text])", "data ?& ARRAY['a', 'b']"),
        ("check", "coalesce(a, 0) >= 0", "(COALESCE(a, 0) >= 0)", "COALESCE(a, 0) >= 0"),
        ("check", "nullif(name, '') IS NOT NULL", "(NULLIF(name, ''::text) IS NOT NULL)", "NULLIF(name, '') IS NOT NULL"),
        ("check", "current_date > d", "(CURRENT_DATE > d)", "CURRENT_DATE > d"),
        ("check", "'a' = name", "('a'::text = name)", "'a' = name"),
        ("check", "name = 'it''s'", "(name = 'it''s'::text)", "name = 'it''s'"),
        ("check", r#"name = E'a\\b'"#, r#"(name = 'a\b'::text)"#, r#"name = 'a\b'"#),
        ("check", r#"name = 'a\b'"#, r#"(name = 'a\b'::text)"#, r#"name = 'a\b'"#),
        ("check", "name = $$x$$", "(name = 'x'::text)", "name = 'x'"),
        ("check", r#"upper(name) = name COLLATE "C""#, r#"(upper(name) = (name COLLATE "C"))"#, r#"upper(name) = (name COLLATE "C")"#),
        ("check", "a > 0 AND NOT b > 0", "((a > 0) AND (NOT (b > 0)))", "(a > 0) AND (NOT (b > 0))"),
        ("check", "NOT (a > 0 AND b > 0)", "(NOT ((a > 0) AND (b > 0)))", "NOT ((a > 0) AND (b > 0))"),
        ("check", "NOT a IS NULL", "(NOT (a IS NULL))", "NOT (a IS NULL)"),
        ("check", "a::bigint > 0", "((a)::bigint > 0)", "a::bigint > 0"),
        ("check", "n::int > 0", "((n)::integer > 0)", "n::integer > 0"),
        ("check", "x::numeric(10,2) > 0", "((x)::numeric(10,2) > (0)::numeric)", "x::numeric(10,2) > 0"),
        ("check", "x::float > 0", "((x)::double precision > (0)::double precision)", "x::double precision > 0"),
        ("check", "ts::date > '2020-01-01'", "((ts)::date > '2020-01-01'::date)", "ts::date > '2020-01-01'"),
        ("check", "created_at::date > d", "((created_at)::date > d)", "created_at::date > d"),
        ("check", "user_id::text <> ''", "((user_id)::text <> ''::text)", "user_id <> ''"),
        ("check", "ancestor_run_ids[1] IS NOT NULL", "(ancestor_run_ids[1] IS NOT NULL)", "ancestor_run_ids[1] IS NOT NULL"),
        ("check", "cardinality(ancestor_run_ids) < 10", "(cardinality(ancestor_run_ids) < 10)", "cardinality(ancestor_run_ids) < 10"),
        ("check", "d + 1 > d", "((d + 1) > d)", "(d + 1) > d"),
        ("check", "d - 1 < d", "((d - 1) < d)", "(d - 1) < d"),
        ("check", r#""User" IS NULL"#, r#"("User" IS NULL)"#, r#""User" IS NULL"#),
        ("check", "pg_catalog.num_nonnulls(a, b) = 1", "(num_nonnulls(a, b) = 1)", "num_nonnulls(a, b) = 1"),
        ("check", "pg_catalog.lower(name) = 'a'", "(lower(name) = 'a'::text)", "lower(name) = 'a'"),
        ("check", "x::pg_catalog.int8 > 0", "((x)::bigint > 0)", "x::bigint > 0"),
        ("check", "status = 'running'::public.agent_run_status", "(status = 'running'::agent_run_status)", "status = 'running'"),
        ("index", "lower(email)", "lower(email)", "lower(email)"),
        ("index", "ts::date", "(ts::date)", "ts"),
        ("index", "(ts::date)", "(ts::date)", "ts"),
        ("index", "a + b", "(a + b)", "a + b"),
        ("index", "coalesce(a, 0)", "COALESCE(a, 0)", "COALESCE(a, 0)"),
        ("index", "lower(name) || email", "(lower(name) || email)", "lower(name) || email"),
        ("index", "(data->>'k')", "(data ->> 'k'::text)", "data ->> 'k'"),
        ("index", "date_trunc('day', ts)", "date_trunc('day'::text, ts)", "date_trunc('day', ts)"),
        ("index", "upper(label)", "upper(label::text)", "upper(label)"),
        ("index", "label::text", "(label::text)", "label"),
        ("index", "lower(ci::text)", "lower(ci::text)", "lower(ci)"),
        ("index", "ancestor_run_ids[1]", "(ancestor_run_ids[1])", "ancestor_run_ids[1]"),
        ("index", "x::text", "(x::text)", "x"),
        ("index", "(a IS NULL)", "(a IS NULL)", "a IS NULL"),
        ("index", "CASE WHEN a > 0 THEN 1 ELSE 0 END", r#"(
CASE
    WHEN a > 0 THEN 1
    ELSE 0
END)"#, "CASE WHEN a > 0 THEN 1 ELSE 0 END"),
        ("index", "to_tsvector('english', name)", "to_tsvector('english'::regconfig, name)", "to_tsvector('english', name)"),
        ("index", "md5(name)", "md5(name)", "md5(name)"),
        ("pred", "status = 'running'", "(status = 'running'::agent_run_status)", "status = 'running'"),
        ("pred", "status IN ('running', 'done')", "(status = ANY (ARRAY['running'::agent_run_status, 'done'::agent_run_status]))", "status = ANY(ARRAY['running', 'done'])"),
        ("pred", r#""emailVerified" IS NOT NULL"#, r#"("emailVerified" IS NOT NULL)"#, r#""emailVerified" IS NOT NULL"#),
        ("pred", "expires_at IS NULL", "(expires_at IS NULL)", "expires_at IS NULL"),
        ("pred", "a > 0 AND b IS NULL", "((a > 0) AND (b IS NULL))", "(a > 0) AND (b IS NULL)"),
        ("pred", "NOT ok", "(NOT ok)", "NOT ok"),
        ("pred", "ok", "ok", "ok"),
        ("pred", "ok = false", "(ok = false)", "ok = false"),
        ("pred", "label = 'x'", "((label)::text = 'x'::text)", "label = 'x'"),
        ("pred", "label IN ('x', 'y')", "((label)::text = ANY ((ARRAY['x'::character varying, 'y'::character varying])::text[]))", "label = ANY(ARRAY['x', 'y'])"),
        ("pred", "label LIKE 'a%'", "((label)::text ~~ 'a%'::text)", "label ~~ 'a%'"),
        ("pred", "label <> 'x'", "((label)::text <> 'x'::text)", "label <> 'x'"),
        ("pred", "a IN (1, 2, b)", "((a = ANY (ARRAY[1, 2])) OR (a = b))", "(a = ANY(ARRAY[1, 2])) OR (a = b)"),
        ("pred", "a IN (b, 1, 2)", "((a = ANY (ARRAY[1, 2])) OR (a = b))", "(a = ANY(ARRAY[1, 2])) OR (a = b)"),
        ("pred", "a NOT IN (1, 2, b)", "((a <> ALL (ARRAY[1, 2])) AND (a <> b))", "(a <> ALL(ARRAY[1, 2])) AND (a <> b)"),
        ("pred", "a IN (1, 2, b, c)", "(((a = ANY (ARRAY[1, 2])) OR (a = b)) OR (a = c))", "((a = ANY(ARRAY[1, 2])) OR (a = b)) OR (a = c)"),
        ("pred", "status IN ('running', 'done', 'failed')", "(status = ANY (ARRAY['running'::agent_run_status, 'done'::agent_run_status, 'failed'::agent_run_status]))", "status = ANY(ARRAY['running', 'done', 'failed'])"),
        ("pred", "code = 'ab'", "(code = 'ab'::bpchar)", "code = 'ab'"),
        ("pred", "tags = '{}'", "(tags = '{}'::character varying[])", "tags = '{}'"),
        ("pred", "name NOT IN ('a')", "(name <> 'a'::text)", "name <> 'a'"),
        ("pred", "x IN (1, NULL)", "(x = ANY (ARRAY[1, NULL::integer]))", "x = ANY(ARRAY[1, NULL])"),
        ("pred", "x IN (1+1, 2)", "(x = ANY (ARRAY[(1 + 1), 2]))", "x = ANY(ARRAY[1 + 1, 2])"),
        ("pred", "ci = 'x'", "(ci = 'x'::citext)", "ci = 'x'"),
        ("pred", "ci IN ('x', 'y')", "(ci = ANY (ARRAY['x'::citext, 'y'::citext]))", "ci = ANY(ARRAY['x', 'y'])"),
        ("pred", r#""User" IS NULL"#, r#"("User" IS NULL)"#, r#""User" IS NULL"#),
        ("pred", "kind <> 'PENDING'", r#"(kind <> 'PENDING'::"TaskRunStatus")"#, "kind <> 'PENDING'"),
        ("pred", "label ILIKE '%x%'", "((label)::text ~~* '%x%'::text)", "label ~~* '%x%'"),
        ("pred", "label::text LIKE 'a%'", "((label)::text ~~ 'a%'::text)", "label ~~ 'a%'"),
        ("pred", "lower(label) = 'x'", "(lower((label)::text) = 'x'::text)", "lower(label) = 'x'"),
        ("pred", "label || 'x' = 'ax'", "(((label)::text || 'x'::text) = 'ax'::text)", "(label || 'x') = 'ax'"),
        ("pred", "label = label", "((label)::text = (label)::text)", "label = label"),
        ("pred", "label = name", "((label)::text = name)", "label = name"),
        ("pred", "tags @> ARRAY['a']::varchar[]", "(tags @> ARRAY['a'::character varying])", "tags @> ARRAY['a']"),
        ("pred", "'a' = ANY(tags)", "('a'::text = ANY ((tags)::text[]))", "'a' = ANY(tags)"),
        ("pred", "id = ANY(ancestor_run_ids)", "(id = ANY (ancestor_run_ids))", "id = ANY(ancestor_run_ids)"),
        ("pred", "label ~ 'x'", "((label)::text ~ 'x'::text)", "label ~ 'x'"),
        ("pred", "label = ANY(ARRAY['a', 'b'])", "((label)::text = ANY (ARRAY['a'::text, 'b'::text]))", "label = ANY(ARRAY['a', 'b'])"),
        ("pred", "n IN (1, 2)", "(n = ANY (ARRAY[(1)::bigint, (2)::bigint]))", "n = ANY(ARRAY[1, 2])"),
        ("pred", "amount IN (1, 2.5)", "(amount = ANY (ARRAY[(1)::numeric, 2.5]))", "amount = ANY(ARRAY[1, 2.5])"),
        ("default text", "USER", "USER", "USER"),
        ("default text", "CURRENT_ROLE", "CURRENT_ROLE", "CURRENT_ROLE"),
        ("default text", "CURRENT_CATALOG", "CURRENT_CATALOG", "CURRENT_CATALOG"),
        ("default text", "current_user", "CURRENT_USER", "CURRENT_USER"),
        ("default jsonb", r#"'{"b":1,"a":[1,2.50, 1e2, -0, 0.0], "aa": {"x": "q\"\u00e9\n"}}'"#, r#"'{"a": [1, 2.50, 100, 0, 0.0], "b": 1, "aa": {"x": "q\"é\n"}}'::jsonb"#, r#"'{"a": [1, 2.50, 100, 0, 0.0], "b": 1, "aa": {"x": "q\"é\n"}}'"#),
        ("default jsonb", r#"'{"a":1,"a":2}'"#, r#"'{"a": 2}'::jsonb"#, r#"'{"a": 2}'"#),
        ("default json", r#"'{"b":1,"a":2}'"#, r#"'{"b":1,"a":2}'::json"#, r#"'{"a": 2, "b": 1}'"#),
        ("default jsonb", "'[]'", "'[]'::jsonb", "'[]'"),
        ("default jsonb", r#"'{"enabled": true, "n": null}'"#, r#"'{"n": null, "enabled": true}'::jsonb"#, r#"'{"n": null, "enabled": true}'"#),
        ("default jsonb", r#"'"x"'"#, r#"'"x"'::jsonb"#, r#"'"x"'"#),
        ("default jsonb", "'1'", "'1'::jsonb", "1"),
        ("default text[]", r#"'{"a","b"}'"#, "'{a,b}'::text[]", "'{a,b}'"),
        ("default text[]", "'{a,b}'", "'{a,b}'::text[]", "'{a,b}'"),
        ("check", "name LIKE 'a#%' ESCAPE '#'", "(name ~~ like_escape('a#%'::text, '#'::text))", "name ~~ like_escape('a#%', '#')"),
        ("check", "name ILIKE 'a#%' ESCAPE '#'", "(name ~~* like_escape('a#%'::text, '#'::text))", "name ~~* like_escape('a#%', '#')"),
        ("check", "name SIMILAR TO 'a#%' ESCAPE '#'", "(name ~ similar_to_escape('a#%'::text, '#'::text))", "name ~ similar_to_escape('a#%', '#')"),
        ("check", "a IN (b, 1)", "((a = b) OR (a = 1))", "(a = b) OR (a = 1)"),
        ("check", "price > 1e3", "(price > '1000'::numeric)", "price > 1000"),
        ("check", "price > 007", "(price > (7)::numeric)", "price > 7"),
        ("check", "price > .5", "(price > 0.5)", "price > 0.5"),
        ("check", "price > 5.", "(price > '5'::numeric)", "price > 5"),
        ("check", "ts > now() - interval '1' day", "(ts > (now() - '1 day'::interval day))", "ts > (now() - '1 day'::interval)"),
        ("check", "trim(name, 'x') <> ''", "(TRIM(BOTH 'x'::text FROM name) <> ''::text)", "btrim(name, 'x') <> ''"),
        ("check", "trim(LEADING 'x' FROM name) <> ''", "(TRIM(LEADING 'x'::text FROM name) <> ''::text)", "ltrim(name, 'x') <> ''"),
        ("check", "ltrim(name) <> ''", "(ltrim(name) <> ''::text)", "ltrim(name) <> ''"),
        ("check", "substring(name for 2) <> ''", "(SUBSTRING(name FROM 1 FOR 2) <> ''::text)", r#""substring"(name, 1, 2) <> ''"#),
        ("check", "substring(name from 2) <> ''", "(SUBSTRING(name FROM 2) <> ''::text)", r#""substring"(name, 2) <> ''"#),
        ("check", "position('a' in name) > 0", "(POSITION(('a'::text) IN (name)) > 0)", "POSITION('a' IN name) > 0"),
        ("check", "t.a > 0", "(a > 0)", "a > 0"),
        ("check", "public.t.a > 0", "(a > 0)", "a > 0"),
        ("check", "ceil(price) > 0", "(ceil(price) > (0)::numeric)", "ceil(price) > 0"),
        ("check", "floor(price) > 0", "(floor(price) > (0)::numeric)", "floor(price) > 0"),
        ("check", "-2 ^ 2 > 0", "((('-2'::integer)::double precision ^ (2)::double precision) > (0)::double precision)", "((-2) ^ 2) > 0"),
        ("check", "a = SOME (ARRAY[1])", "(a = ANY (ARRAY[1]))", "a = ANY(ARRAY[1])"),
        ("check", "ts > TIMESTAMP '2020-01-01'", "(ts > '2020-01-01 00:00:00'::timestamp without time zone)", "ts > '2020-01-01 00:00:00'"),
        ("check", "name = N'x'", "(name = ('x'::bpchar)::text)", "name = 'x'"),
        ("check", r#"name = U&'d\0061t\+000061'"#, "(name = 'data'::text)", "name = 'data'"),
        ("check", "OVERLAY(name PLACING 'x' FROM 1 FOR 2) <> ''", "(OVERLAY(name PLACING 'x'::text FROM 1 FOR 2) <> ''::text)", "OVERLAY(name PLACING 'x' FROM 1 FOR 2) <> ''"),
        ("check", "row(a, b) IS NOT NULL", "(ROW(a, b) IS NOT NULL)", "ROW(a, b) IS NOT NULL"),
        ("check", "(a, b) IS NOT NULL", "(ROW(a, b) IS NOT NULL)", "ROW(a, b) IS NOT NULL"),
        ("check", "a + b IS NOT NULL", "((a + b) IS NOT NULL)", "(a + b) IS NOT NULL"),
        ("check", "(price)::integer > 0", "((price)::integer > 0)", "price::integer > 0"),
        ("check", "- - a > 0", "((- (- a)) > 0)", "(-(-a)) > 0"),
        ("check", "x > -(-1)", "(x > 1)", "x > 1"),
        ("check", "ts AT TIME ZONE 'UTC' > now()", "((ts AT TIME ZONE 'UTC'::text) > now())", "(ts AT TIME ZONE 'UTC') > now()"),
        ("check", "date_part('epoch', ts) > 0", "(date_part('epoch'::text, ts) > (0)::double precision)", "date_part('epoch', ts) > 0"),
        ("check", "EXTRACT(EPOCH FROM ts) > 0", "(EXTRACT(epoch FROM ts) > (0)::numeric)", "EXTRACT(epoch FROM ts) > 0"),
        ("check", "EXTRACT(day FROM ts) > 0", "(EXTRACT(day FROM ts) > (0)::numeric)", "EXTRACT(day FROM ts) > 0"),
        ("check", "EXTRACT('day' FROM ts) > 0", "(EXTRACT(day FROM ts) > (0)::numeric)", "EXTRACT(day FROM ts) > 0"),
        ("default text[]", "'{ a , b }'", "'{a,b}'::text[]", "'{a,b}'"),
        ("default text[]", r#"'{"a b",c}'"#, r#"'{"a b",c}'::text[]"#, r#"'{"a b",c}'"#),
        ("default text[]", r#"'{"",NULL,"NULL",null}'"#, r#"'{"",NULL,"NULL",NULL}'::text[]"#, r#"'{"",NULL,"NULL",NULL}'"#),
        ("default integer[]", "'{{1,2},{3,4}}'", "'{{1,2},{3,4}}'::integer[]", "'{{1,2},{3,4}}'"),
        ("default text[]", r#"'{"a\"b","c\\d"}'"#, r#"'{"a\"b","c\\d"}'::text[]"#, r#"'{"a\"b","c\\d"}'"#),
        ("default text[]", r#"'{a\,b}'"#, r#"'{"a,b"}'::text[]"#, r#"'{"a,b"}'"#),
        ("default text[]", r#"'{"user"}'"#, "'{user}'::text[]", "'{user}'"),
        ("default text[]", r#"'{ "x" }'"#, "'{x}'::text[]", "'{x}'"),
        ("default text[]", "'{a b}'", r#"'{"a b"}'::text[]"#, r#"'{"a b"}'"#),
        ("default integer[]", "'{ 1, 2 }'", "'{1,2}'::integer[]", "'{1,2}'"),
        ("default text[]", r#"'{"{x}"}'"#, r#"'{"{x}"}'::text[]"#, r#"'{"{x}"}'"#),
        ("default boolean", "'f'", "false", "false"),
        ("default boolean", "'true'", "true", "true"),
        ("default boolean", "'FALSE'", "false", "false"),
        ("default timestamp(3)", "CURRENT_TIMESTAMP", "CURRENT_TIMESTAMP", "CURRENT_TIMESTAMP"),
        ("default timestamp(3)", "CURRENT_TIMESTAMP(3)", "CURRENT_TIMESTAMP(3)", "CURRENT_TIMESTAMP(3)"),
        ("default timestamptz", "(now() AT TIME ZONE 'utc')", "(now() AT TIME ZONE 'utc'::text)", "now() AT TIME ZONE 'utc'"),
        ("default varchar(255)", "'pending'::character varying", "'pending'::character varying", "'pending'"),
        ("default varchar(255)", "'pending'::varchar", "'pending'::character varying", "'pending'"),
        ("default bigint", r#"nextval('public."MySeq"'::regclass)"#, r#"nextval('"MySeq"'::regclass)"#, r#"nextval('"MySeq"'::regclass)"#),
        ("default bigint", r#"nextval('"public"."users_id_seq"'::regclass)"#, "nextval('users_id_seq'::regclass)", "nextval('users_id_seq'::regclass)"),
        ("default bigint", "nextval('PUBLIC.Users_Id_Seq')", "nextval('users_id_seq'::regclass)", "nextval('users_id_seq'::regclass)"),
        ("default text", "''::text", "''::text", "''"),
        ("default text", "''", "''::text", "''"),
        ("default jsonb", "'[]'::jsonb", "'[]'::jsonb", "'[]'"),
        ("default jsonb", r#"'{"a":1}'::jsonb"#, r#"'{"a": 1}'::jsonb"#, r#"'{"a": 1}'"#),
        ("default json", "'{}'::json", "'{}'::json", "'{}'"),
        ("default text[]", "'{}'::text[]", "'{}'::text[]", "'{}'"),
        ("default varchar(20)[]", "ARRAY['a','b']::varchar[]", "ARRAY['a'::character varying, 'b'::character varying]", "ARRAY['a', 'b']"),
        ("default integer", "0", "0", "0"),
        ("default double precision", "0", "0", "0"),
        ("default double precision", "0.5", "0.5", "0.5"),
        ("default real", "0", "0", "0"),
        ("default numeric(10,2)", "0.00", "0.00", "0.00"),
        ("default smallint", "1", "1", "1"),
        ("default timestamptz", "now() + interval '7 days'", "(now() + '7 days'::interval)", "now() + '7 days'::interval"),
        ("default timestamptz", "now() + interval '1 hour'", "(now() + '01:00:00'::interval)", "now() + '01:00:00'::interval"),
        ("default timestamptz", "now() + '1 day'::interval", "(now() + '1 day'::interval)", "now() + '1 day'::interval"),
        ("default date", "CURRENT_DATE + 30", "(CURRENT_DATE + 30)", "CURRENT_DATE + 30"),
        ("default date", "(now() + interval '30 days')::date", "((now() + '30 days'::interval))::date", "now() + '30 days'::interval"),
        ("default integer", "floor(random() * 100)::int", "(floor((random() * (100)::double precision)))::integer", "floor(random() * 100)"),
        ("default text", "upper(substr(md5(random()::text), 1, 8))", "upper(substr(md5((random())::text), 1, 8))", "upper(substr(md5(random()), 1, 8))"),
        ("default agent_run_status", "'running'::public.agent_run_status", "'running'::agent_run_status", "'running'"),
        (r#"default "TaskRunStatus"[]"#, r#"ARRAY['PENDING']::"TaskRunStatus"[]"#, r#"ARRAY['PENDING'::"TaskRunStatus"]"#, "ARRAY['PENDING']"),
        (r#"default "TaskRunStatus"[]"#, "'{PENDING}'", r#"'{PENDING}'::"TaskRunStatus"[]"#, "'{PENDING}'"),
        ("default interval", "'5 minutes'", "'00:05:00'::interval", "'00:05:00'"),
        ("default interval", "interval '5 minutes'", "'00:05:00'::interval", "'00:05:00'"),
        ("default interval", "make_interval(days => 1)", "make_interval(days => 1)", "make_interval(days => 1)"),
        ("gen text", "(first_name || ' ') || last_name", "((first_name || ' '::text) || last_name)", "(first_name || ' ') || last_name"),
        ("gen text", "coalesce(label, '') || '-' || coalesce(name, '')", "(((COALESCE(label, ''::character varying))::text || '-'::text) || COALESCE(name, ''::text))", "(COALESCE(label, '') || '-') || COALESCE(name, '')"),
        ("gen integer", "COALESCE(array_length(ancestor_run_ids, 1), 0)", "COALESCE(array_length(ancestor_run_ids, 1), 0)", "COALESCE(array_length(ancestor_run_ids, 1), 0)"),
        ("gen text", "lower(label)", "lower((label)::text)", "lower(label)"),
        ("gen text", "label || '-x'", "((label)::text || '-x'::text)", "label || '-x'"),
        ("gen boolean", "status = 'done' OR status = 'failed'", "((status = 'done'::agent_run_status) OR (status = 'failed'::agent_run_status))", "(status = 'done') OR (status = 'failed')"),
        ("gen numeric", "amount / NULLIF(price, 0)", "(amount / NULLIF(price, (0)::numeric))", "amount / NULLIF(price, 0)"),
        ("index", "lower(label)", "lower(label::text)", "lower(label)"),
        ("index", "(label || name)", "(label::text || name)", "label || name"),
        ("index", "lower(email::text)", "lower(email)", "lower(email)"),
        ("index", "COALESCE(user_id, org_id)", "COALESCE(user_id, org_id)", "COALESCE(user_id, org_id)"),
        ("pred", "deleted_at IS NULL", "(deleted_at IS NULL)", "deleted_at IS NULL"),
        ("pred", "status <> 'done'::agent_run_status", "(status <> 'done'::agent_run_status)", "status <> 'done'"),
        ("pred", "NOT (ok)", "(NOT ok)", "NOT ok"),
        ("pred", "ok IS TRUE", "(ok IS TRUE)", "ok IS TRUE"),
        ("check", "char_length(label) >= 3", "(char_length((label)::text) >= 3)", "char_length(label) >= 3"),
        ("check", "label ~ '^[a-z]+$'", "((label)::text ~ '^[a-z]+$'::text)", "label ~ '^[a-z]+$'"),
        ("check", "label::text ~ '^[a-z]+$'", "((label)::text ~ '^[a-z]+$'::text)", "label ~ '^[a-z]+$'"),
        ("check", "length(label::text) > 0", "(length((label)::text) > 0)", "length(label) > 0"),
        ("check", "amount >= 0::numeric", "(amount >= (0)::numeric)", "amount >= 0"),
        ("check", "tags <> ARRAY[]::varchar[]", "(tags <> ARRAY[]::character varying[])", "tags <> ARRAY[]"),
        ("check", "array_length(tags, 1) <= 10", "(array_length(tags, 1) <= 10)", "array_length(tags, 1) <= 10"),
        ("check", "data ? 'x' OR data ? 'y'", "((data ? 'x'::text) OR (data ? 'y'::text))", "(data ? 'x') OR (data ? 'y')"),
        ("check", "jsonb_typeof(data->'a') = 'array'", "(jsonb_typeof((data -> 'a'::text)) = 'array'::text)", "jsonb_typeof(data -> 'a') = 'array'"),
        ("check", "(data->>'n')::int > 0", "(((data ->> 'n'::text))::integer > 0)", "(data ->> 'n')::integer > 0"),
        ("check", r#""userId" IS NOT NULL OR "User" IS NOT NULL"#, r#"(("userId" IS NOT NULL) OR ("User" IS NOT NULL))"#, r#"("userId" IS NOT NULL) OR ("User" IS NOT NULL)"#),
        ("check", "status IN ('running'::agent_run_status, 'done'::agent_run_status)", "(status = ANY (ARRAY['running'::agent_run_status, 'done'::agent_run_status]))", "status = ANY(ARRAY['running', 'done'])"),
        ("check", "label IN ('a'::varchar, 'b'::varchar)", "((label)::text = ANY ((ARRAY['a'::character varying, 'b'::character varying])::text[]))", "label = ANY(ARRAY['a', 'b'])"),
        ("check", "label::text IN ('a', 'b')", "((label)::text = ANY (ARRAY['a'::text, 'b'::text]))", "label = ANY(ARRAY['a', 'b'])"),
        ("check", "label::text = ANY (ARRAY['a'::text, 'b'::text])", "((label)::text = ANY (ARRAY['a'::text, 'b'::text]))", "label = ANY(ARRAY['a', 'b'])"),
        ("check", "code IN ('a', 'b')", "(code = ANY (ARRAY['a'::bpchar, 'b'::bpchar]))", "code = ANY(ARRAY['a', 'b'])"),
        ("check", "ci IN ('a', 'b')", "(ci = ANY (ARRAY['a'::citext, 'b'::citext]))", "ci = ANY(ARRAY['a', 'b'])"),
        ("check", "th IN ('x', 'y')", "(th = ANY (ARRAY['x'::other.thing, 'y'::other.thing]))", "th = ANY(ARRAY['x', 'y'])"),
        ("check", "tags && ARRAY['a']::varchar[]", "(tags && ARRAY['a'::character varying])", "tags && ARRAY['a']"),
        ("check", "ts > now()", "(ts > now())", "ts > now()"),
        ("check", "d > now()", "(d > now())", "d > now()"),
        ("check", "n > a", "(n > a)", "n > a"),
        ("default boolean", "'yes'", "true", "true"),
        ("default bytea", r#"'\x00'"#, r#"'\x00'::bytea"#, r#"'\x00'"#),
        ("default inet", "'127.0.0.1'", "'127.0.0.1'::inet", "'127.0.0.1'"),
        ("default uuid", "'00000000-0000-0000-0000-000000000000'", "'00000000-0000-0000-0000-000000000000'::uuid", "'00000000-0000-0000-0000-000000000000'"),
        ("default bigint", "0", "0", "0"),
        ("gen bigint", "a + n", "(a + n)", "a + n"),
    ];

    #[test]
    fn written_and_server_forms_meet() {
        for (context, written, server, canonical) in SERVER {
            assert_eq!(
                expr_text(written).as_deref(),
                Ok(*canonical),
                "[{context}] written: {written}"
            );
            assert_eq!(
                expr_text(server).as_deref(),
                Ok(*canonical),
                "[{context}] server: {server}"
            );
        }
    }

    #[test]
    fn canonical_text_is_a_fixed_point() {
        for (context, _, _, canonical) in SERVER {
            assert_eq!(
                expr_text(canonical).as_deref(),
                Ok(*canonical),
                "[{context}] {canonical}"
            );
        }
    }

    /// Pairs read from PostgreSQL 15 as above that these rules cannot bring
    /// together: the server's form depends on column types the expression
    /// does not carry (implicit casts of columns, no-op casts removed,
    /// untyped literals read as timestamps, times or boolean arrays, a
    /// `timestamptz` literal printed in the session time zone), or sqlparser
    /// cannot read the written form (`BETWEEN SYMMETRIC`).
    const KNOWN_GAPS: &[(&str, &str, &str)] = &[
        ("check", "ts > '2020-01-01'", "(ts > '2020-01-01 00:00:00'::timestamp without time zone)"),
        ("check", "x BETWEEN SYMMETRIC 1 AND 10", "(((x >= 1) AND (x <= 10)) OR ((x >= 10) AND (x <= 1)))"),
        ("check", "x > 1e3", "((x)::numeric > '1000'::numeric)"),
        ("gen boolean", "expires_at IS NOT NULL AND expires_at < '2030-01-01'::timestamptz", "((expires_at IS NOT NULL) AND (expires_at < '2030-01-01 00:00:00+00'::timestamp with time zone))"),
        ("check", "a * 1.5 > 0", "(((a)::numeric * 1.5) > (0)::numeric)"),
        ("check", "x::integer + 1 > 0", "((x + 1) > 0)"),
        ("check", "f > a", "(f > (a)::double precision)"),
        ("default timestamp", "'2020-01-01'", "'2020-01-01 00:00:00'::timestamp without time zone"),
        ("default boolean[]", "'{true}'", "'{t}'::boolean[]"),
        ("default time", "'12:30'", "'12:30:00'::time without time zone"),
    ];

    #[test]
    fn known_gaps_stay_documented() {
        for (context, written, server) in KNOWN_GAPS {
            assert!(expr_text(server).is_ok(), "[{context}] {server}");
            assert_ne!(
                expr_text(written),
                expr_text(server),
                "[{context}] {written}"
            );
        }
    }

    #[test]
    fn serial_types() {
        assert_eq!(serial_type("serial"), Some("integer"));
        assert_eq!(serial_type("SERIAL4"), Some("integer"));
        assert_eq!(serial_type("bigserial"), Some("bigint"));
        assert_eq!(serial_type("serial8"), Some("bigint"));
        assert_eq!(serial_type("smallserial"), Some("smallint"));
        assert_eq!(serial_type("serial2"), Some("smallint"));
        assert_eq!(serial_type("integer"), None);
        assert_eq!(serial_type("int4"), None);
        assert_eq!(serial_type(""), None);
    }
}

#[cfg(test)]
mod predicate_tests {
    use super::{expr_text, predicate_text};

    /// An index on `(ts::date)` is not an index on `ts`: boolean and index
    /// expressions keep their top-level cast (the server's form read from
    /// PostgreSQL 15 `pg_get_indexdef(…, 1, true)` is `(ts)::date`), while
    /// defaults drop it (the server adds assignment casts there).
    #[test]
    fn predicates_keep_their_top_level_cast() {
        let written = predicate_text("ts::date").unwrap();
        assert_eq!(written, predicate_text("(ts)::date").unwrap());
        assert_ne!(written, predicate_text("ts").unwrap());
        assert_eq!(
            expr_text("(gen_random_uuid())::text").unwrap(),
            expr_text("gen_random_uuid()").unwrap()
        );
    }
}
