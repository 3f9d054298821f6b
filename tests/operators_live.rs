//! Operators and aggregates against the real server: SQL applied with psql and read back
//! by `strata::inspect` must equal the same SQL replayed offline; each
//! property changed out of band is drift that names it; `strata inspect`'s
//! output rebuilds a database `pg_dump -s` finds equal; plans in both
//! directions converge by `pg_dump -s` or are refused by name.

use crate::support;
use support::kinds::read;

use strata_core::diff::{diff, DiffOptions};
use strata_core::model::{ObjectRef, Operator, Schema};
use support::judge::{build_db, plan_converges, same_dump};
use support::{psql_apply_sql, run_strata, TestDb};

/// Infix and prefix operators; a commutator that is the operator itself,
/// one that is a shell filled later, a negator left a shell; estimators;
/// operators of another schema and over a user type; comments.
const FIXTURE: &str = r#"
CREATE SCHEMA other;
CREATE TYPE other.mood AS ENUM ('sad', 'happy');
CREATE FUNCTION eqf(integer, text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT $1::text = $2 $$;
CREATE FUNCTION eqr(text, integer) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT $2::text = $1 $$;
CREATE FUNCTION same(integer, integer) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT $1 = $2 $$;
CREATE FUNCTION neg(integer) RETURNS integer LANGUAGE sql IMMUTABLE AS $$ SELECT -$1 $$;
CREATE FUNCTION other.happy(other.mood, other.mood) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT $1 = $2 $$;
CREATE OPERATOR === (FUNCTION = eqf, LEFTARG = int, RIGHTARG = text, COMMUTATOR = ===,
    NEGATOR = !==, RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES);
CREATE OPERATOR public.=== (PROCEDURE = eqr, LEFTARG = text, RIGHTARG = int);
CREATE OPERATOR <=> (FUNCTION = same, LEFTARG = integer, RIGHTARG = integer, COMMUTATOR = <=>,
    RESTRICT = scalarltsel, JOIN = scalarltjoinsel);
CREATE OPERATOR @@ (RIGHTARG = int, FUNCTION = neg);
COMMENT ON OPERATOR @@ (NONE, integer) IS 'prefix, it''s said';
CREATE OPERATOR other.~~~ (FUNCTION = other.happy, LEFTARG = other.mood, RIGHTARG = other.mood,
    COMMUTATOR = OPERATOR(other.~~~));
COMMENT ON OPERATOR other.~~~ (other.mood, other.mood) IS 'moods';
"#;

fn replay(sql: &str) -> Schema {
    let text: std::sync::Arc<str> = std::sync::Arc::from(sql);
    strata_core::replay::replay_texts([("schema.sql", &text)])
        .unwrap_or_else(|e| panic!("{e}\n{sql}"))
        .schema
}

/// The oracle: offline replay and the server agree on every operator and
/// every property; the shell the negator made is read from both.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_replay_builds_the_operators_the_server_builds() {
    let db = TestDb::create("strata_ops_oracle").await;
    psql_apply_sql(&db.url, FIXTURE, true).unwrap();
    let server = read(&db.url).await;
    let offline = replay(FIXTURE);
    let d = diff(&offline, &server, DiffOptions::default());
    assert!(d.is_empty(), "offline and server differ: {d:#?}");

    let public = &server.namespaces["public"].operators;
    let keys: Vec<&str> = public.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "!==(integer, text)",
            "<=>(integer, integer)",
            "===(integer, text)",
            "===(text, integer)",
            "@@(NONE, integer)"
        ]
    );
    let eq = &public["===(integer, text)"];
    assert_eq!(eq.function, Some(ObjectRef::new("public", "eqf")));
    assert_eq!(eq.commutator, Some(ObjectRef::new("public", "===")));
    assert_eq!(eq.negator, Some(ObjectRef::new("public", "!==")));
    assert_eq!(eq.restrict, Some(ObjectRef::new("pg_catalog", "eqsel")));
    assert!(eq.hashes && eq.merges);
    // The shell filled later kept the link the first one wrote into it.
    assert_eq!(
        public["===(text, integer)"].commutator,
        Some(ObjectRef::new("public", "==="))
    );
    let shell = &public["!==(integer, text)"];
    assert_eq!(shell.function, None);
    assert_eq!(shell.negator, Some(ObjectRef::new("public", "===")));
    assert_eq!(
        server.namespaces["other"].operators["~~~(other.mood, other.mood)"]
            .comment
            .as_deref(),
        Some("moods")
    );
}

/// The server's errors, raised offline at the statement.
#[test]
fn replay_raises_the_servers_errors() {
    let base = "CREATE FUNCTION same(integer, integer) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT $1 = $2 $$;\n\
                CREATE OPERATOR <=> (FUNCTION = same, LEFTARG = int, RIGHTARG = int);\n";
    let cases: &[&str] = &[
        "CREATE OPERATOR <=> (FUNCTION = same, LEFTARG = int, RIGHTARG = int)",
        "CREATE OPERATOR <#> (FUNCTION = nope, LEFTARG = int, RIGHTARG = int)",
        "CREATE OPERATOR <#> (FUNCTION = same, LEFTARG = int, RIGHTARG = int, RESTRICT = nope)",
        "CREATE OPERATOR <#> (FUNCTION = same, LEFTARG = int, RIGHTARG = int, NEGATOR = <#>)",
        "CREATE OPERATOR <#> (FUNCTION = same, LEFTARG = int)",
        "DROP OPERATOR <#> (int, int)",
        "DROP FUNCTION same(integer, integer)",
        "ALTER OPERATOR <=> (int, int) SET SCHEMA nowhere",
    ];
    for sql in cases {
        // The server first: offline replay must fail with its message.
        let db = build_db("strata_ops_err", base).unwrap();
        let e = psql_apply_sql(&db.url, sql, true).unwrap_err();
        let text: std::sync::Arc<str> = std::sync::Arc::from(format!("{base}{sql};\n"));
        let err = strata_core::replay::replay_texts([("schema.sql", &text)])
            .err()
            .unwrap_or_else(|| panic!("{sql}: replays, the server says {e}"));
        let shown = err.to_string();
        let message = shown.split_once(": ").map_or(shown.as_str(), |(_, m)| m);
        assert!(
            e.contains(&format!("ERROR:  {message}")),
            "{sql}: offline {shown:?}, server {e}"
        );
    }
    // IF EXISTS, CASCADE and the links cleared by a drop, as the server.
    let sql = format!(
        "{base}DROP OPERATOR IF EXISTS <#> (int, int);\n\
         CREATE OPERATOR <##> (FUNCTION = same, LEFTARG = int, RIGHTARG = int, NEGATOR = <=>);\n\
         DROP OPERATOR <##> (int, int);\n\
         CREATE FUNCTION s2(integer, integer) RETURNS boolean LANGUAGE sql AS 'SELECT true';\n\
         CREATE OPERATOR <%> (FUNCTION = s2, LEFTARG = int, RIGHTARG = int);\n\
         DROP FUNCTION s2(integer, integer) CASCADE;\n\
         ALTER FUNCTION same(integer, integer) RENAME TO same2;\n\
         ALTER OPERATOR <=> (int, int) SET (RESTRICT = eqsel);\n"
    );
    let offline = replay(&sql);
    let db = build_db("strata_ops_err", &sql).unwrap();
    let server = futures_executor(read(&db.url));
    let d = diff(&offline, &server, DiffOptions::default());
    assert!(d.is_empty(), "{d:#?}");
    assert!(
        offline.namespaces["public"].operators["<=>(integer, integer)"]
            .negator
            .is_none()
    );
}

fn futures_executor<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

/// Drift injection: each property changed on the server out of band is
/// drift (`strata drift` exits 1) that names it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_property_changed_out_of_band_is_drift_that_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("schema.sql");
    std::fs::write(&file, FIXTURE).unwrap();
    let against = format!("schema:{}", file.display());
    let cases: &[(&str, &str)] = &[
        ("ALTER OPERATOR <=> (int, int) SET (RESTRICT = eqsel)", "restrict differs"),
        ("ALTER OPERATOR <=> (int, int) SET (JOIN = NONE)", "join differs"),
        ("COMMENT ON OPERATOR @@ (NONE, int) IS 'changed'", "comment differs"),
        (
            "DROP OPERATOR @@ (NONE, int); CREATE FUNCTION neg2(integer) RETURNS integer LANGUAGE sql AS 'SELECT 0'; \
             CREATE OPERATOR @@ (RIGHTARG = int, FUNCTION = neg2); COMMENT ON OPERATOR @@ (NONE, integer) IS 'prefix, it''s said'",
            "function differs",
        ),
        (
            "DROP OPERATOR <=> (int, int); CREATE OPERATOR <=> (FUNCTION = same, LEFTARG = integer, \
             RIGHTARG = integer, COMMUTATOR = <=>, RESTRICT = scalarltsel, JOIN = scalarltjoinsel, HASHES)",
            "hashes differ",
        ),
        (
            "DROP OPERATOR <=> (int, int); CREATE OPERATOR <=> (FUNCTION = same, LEFTARG = integer, \
             RIGHTARG = integer, COMMUTATOR = <=>, RESTRICT = scalarltsel, JOIN = scalarltjoinsel, MERGES)",
            "merges differ",
        ),
        (
            "DROP OPERATOR <=> (int, int); CREATE OPERATOR <=> (FUNCTION = same, LEFTARG = integer, \
             RIGHTARG = integer, RESTRICT = scalarltsel, JOIN = scalarltjoinsel)",
            "commutator differs",
        ),
        ("DROP OPERATOR other.~~~ (other.mood, other.mood)", "operator other.~~~(other.mood, other.mood): missing"),
    ];
    for (sql, named) in cases {
        let db = TestDb::create("strata_ops_drift").await;
        psql_apply_sql(&db.url, FIXTURE, true).unwrap();
        psql_apply_sql(&db.url, sql, true).unwrap();
        let o = run_strata(
            dir.path(),
            &["drift", "--database-url", &db.url, "--against", &against],
        );
        let out = String::from_utf8_lossy(&o.stdout);
        assert_eq!(
            o.status.code(),
            Some(1),
            "{sql}:\n{out}{}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(out.contains(named), "{sql}: expected {named:?}:\n{out}");
    }
    // Untouched: no drift.
    let db = TestDb::create("strata_ops_drift").await;
    psql_apply_sql(&db.url, FIXTURE, true).unwrap();
    let o = run_strata(
        dir.path(),
        &["drift", "--database-url", &db.url, "--against", &against],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
}

/// `strata inspect` writes the operators as pg_dump does; applied to an
/// empty database they give what pg_dump -s finds equal, and the model
/// read back is the same.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inspect_output_rebuilds_the_operators() {
    let db = TestDb::create("strata_ops_rt").await;
    psql_apply_sql(&db.url, FIXTURE, true).unwrap();
    let original = read(&db.url).await;
    let sql = strata_core::ddl::schema_sql(&original);
    assert!(
        sql.contains(
            "CREATE OPERATOR public.=== (\n    FUNCTION = public.eqf,\n    LEFTARG = integer,\n    \
             RIGHTARG = text,\n    COMMUTATOR = OPERATOR(public.===),\n    NEGATOR = OPERATOR(public.!==),\n    \
             MERGES,\n    HASHES,\n    RESTRICT = eqsel,\n    JOIN = eqjoinsel\n);\n"
        ),
        "{sql}"
    );
    assert!(!sql.contains("unmanaged"), "{sql}");
    let copy = TestDb::create("strata_ops_rt_copy").await;
    psql_apply_sql(&copy.url, &sql, true).unwrap_or_else(|e| panic!("{e}\n{sql}"));
    let (same, d) = same_dump(&db.url, &copy.url).unwrap();
    assert!(same, "{d}");
    let again = read(&copy.url).await;
    assert!(diff(&original, &again, DiffOptions::default()).is_empty());
    // The written SQL replays offline to the same model.
    let d = diff(&original, &replay(&sql), DiffOptions::default());
    assert!(d.is_empty(), "{d:#?}");
}

/// Plans both ways, judged by pg_dump -s: created after their functions,
/// dropped before them; estimators changed in place; anything else dropped
/// and created again; refused by name when something kept uses one that
/// must go.
#[test]
fn operator_plans_converge_or_are_refused_by_name() {
    use strata_core::plan::{plan_verified, Hazard, PlanOptions};
    let opts = PlanOptions {
        allow: Hazard::ALL.into_iter().collect(),
        ..PlanOptions::default()
    };
    const F: &str = "CREATE FUNCTION same(integer, integer) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT $1 = $2 $$;\n\
                     CREATE FUNCTION eqf(integer, text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT $1::text = $2 $$;\n\
                     CREATE FUNCTION eqr(text, integer) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT $2::text = $1 $$;\n";
    let cases: &[(&str, String, String)] = &[
        ("the fixture from nothing", String::new(), FIXTURE.to_string()),
        (
            "estimators and a comment changed in place",
            format!("{F}CREATE OPERATOR <=> (FUNCTION = same, LEFTARG = int, RIGHTARG = int, RESTRICT = eqsel);\n"),
            format!("{F}CREATE OPERATOR <=> (FUNCTION = same, LEFTARG = int, RIGHTARG = int, JOIN = eqjoinsel);\n\
                     COMMENT ON OPERATOR <=> (int, int) IS 'same';\n"),
        ),
        (
            "hashes, a negator and a commutator pair",
            format!("{F}CREATE OPERATOR <=> (FUNCTION = same, LEFTARG = int, RIGHTARG = int);\n\
                     CREATE OPERATOR === (FUNCTION = eqf, LEFTARG = int, RIGHTARG = text);\n\
                     CREATE OPERATOR === (FUNCTION = eqr, LEFTARG = text, RIGHTARG = int);\n"),
            format!("{F}CREATE OPERATOR <=> (FUNCTION = same, LEFTARG = int, RIGHTARG = int, HASHES, NEGATOR = <!>);\n\
                     CREATE OPERATOR === (FUNCTION = eqf, LEFTARG = int, RIGHTARG = text, COMMUTATOR = ===);\n\
                     CREATE OPERATOR === (FUNCTION = eqr, LEFTARG = text, RIGHTARG = int);\n"),
        ),
        (
            "an operator a check uses, with its table",
            format!("{F}CREATE SCHEMA \"My Schema\";\n\
                     CREATE OPERATOR \"My Schema\".%% (FUNCTION = same, LEFTARG = int, RIGHTARG = int);\n\
                     CREATE TABLE t (a integer CHECK (a OPERATOR(\"My Schema\".%%) 1));\n"),
            F.to_string(),
        ),
        (
            "a function and its operator go together",
            format!("{F}CREATE FUNCTION neg(integer) RETURNS integer LANGUAGE sql AS 'SELECT -$1';\n\
                     CREATE OPERATOR @@ (RIGHTARG = int, FUNCTION = neg);\n"),
            F.to_string(),
        ),
    ];
    for (name, a, b) in cases {
        for (label, x, y) in [
            (name.to_string(), a, b),
            (format!("{name} (reversed)"), b, a),
        ] {
            let p = plan_verified(&replay(x), &replay(y), &opts)
                .unwrap_or_else(|e| panic!("{label}: {e}: {:?}", e.details));
            plan_converges(&label, x, y, &p).unwrap_or_else(|e| panic!("{e}"));
        }
    }
    // In place: ALTER OPERATOR … SET, not a drop.
    let p = plan_verified(&replay(&cases[1].1), &replay(&cases[1].2), &opts).unwrap();
    let sql = p.sql();
    assert!(
        sql.contains(
            "ALTER OPERATOR public.<=> (integer, integer) SET (RESTRICT = NONE, JOIN = eqjoinsel)"
        ) && !sql.contains("DROP OPERATOR"),
        "{sql}"
    );
    // Refused: a check that stays uses an operator that must be recreated.
    let a = format!(
        "{F}CREATE OPERATOR <=> (FUNCTION = same, LEFTARG = int, RIGHTARG = int);\n\
                     CREATE TABLE t (a integer CHECK (a <=> 1));\n"
    );
    let b = format!(
        "{F}CREATE OPERATOR <=> (FUNCTION = same, LEFTARG = int, RIGHTARG = int, HASHES);\n\
                     CREATE TABLE t (a integer CHECK (a <=> 1));\n"
    );
    let e = plan_verified(&replay(&a), &replay(&b), &opts).unwrap_err();
    assert!(
        e.details
            .iter()
            .any(|d| d.contains("operator public.<=> (integer, integer)")
                && d.contains("constraint t_a_check on public.t")),
        "{:?}",
        e.details
    );
    let _ = Operator::shell();
}

// ------------------------------------------------------------ aggregates

/// Plain, old-syntax, ordered-set, `*`, moving-aggregate and named-argument
/// aggregates; comments; one replaced with `CREATE OR REPLACE`.
const AGGREGATES: &str = r#"
CREATE SCHEMA other;
CREATE FUNCTION add2(integer, integer) RETURNS integer LANGUAGE sql IMMUTABLE AS $$ SELECT $1 + $2 $$;
CREATE FUNCTION sub2(integer, integer) RETURNS integer LANGUAGE sql IMMUTABLE AS $$ SELECT $1 - $2 $$;
CREATE FUNCTION shown(integer) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT $1::text $$;
CREATE FUNCTION other.longest(text, text) RETURNS text LANGUAGE sql IMMUTABLE
    AS $$ SELECT CASE WHEN length($2) > length(coalesce($1, '')) THEN $2 ELSE $1 END $$;
CREATE AGGREGATE total(integer) (SFUNC = add2, STYPE = integer, INITCOND = '0', COMBINEFUNC = add2, PARALLEL = safe);
COMMENT ON AGGREGATE total(integer) IS 'a sum, it''s said';
CREATE AGGREGATE total_text (BASETYPE = integer, SFUNC = add2, STYPE = int4, FINALFUNC = shown, INITCOND = 0);
CREATE AGGREGATE moving(x integer) (SFUNC = add2, STYPE = integer, MSFUNC = add2, MINVFUNC = sub2,
    MSTYPE = integer, MINITCOND = '0', SORTOP = >);
CREATE AGGREGATE pct(float8 ORDER BY float8) (SFUNC = ordered_set_transition, STYPE = internal,
    FINALFUNC = percentile_disc_final, FINALFUNC_EXTRA);
CREATE AGGREGATE counted(*) (SFUNC = int8inc, STYPE = bigint, INITCOND = '0');
CREATE AGGREGATE other.longest(text) (SFUNC = other.longest, STYPE = text, PARALLEL = restricted);
CREATE OR REPLACE AGGREGATE total(integer) (SFUNC = add2, STYPE = integer, INITCOND = '1', COMBINEFUNC = add2, PARALLEL = safe);
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_replay_builds_the_aggregates_the_server_builds() {
    let db = TestDb::create("strata_aggs_oracle").await;
    psql_apply_sql(&db.url, AGGREGATES, true).unwrap();
    let server = read(&db.url).await;
    let offline = replay(AGGREGATES);
    let d = diff(&offline, &server, DiffOptions::default());
    assert!(d.is_empty(), "offline and server differ: {d:#?}");
    let keys: Vec<&str> = server.namespaces["public"]
        .aggregates
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "counted(*)",
            "moving(integer)",
            "pct(double precision ORDER BY double precision)",
            "total(integer)",
            "total_text(integer)"
        ]
    );
    let total = &server.namespaces["public"].aggregates["total(integer)"];
    // CREATE OR REPLACE kept the comment and took the new INITCOND.
    assert_eq!(total.initcond.as_deref(), Some("1"));
    assert_eq!(total.comment.as_deref(), Some("a sum, it's said"));
    assert!(server.unmanaged.is_empty(), "{:?}", server.unmanaged);
}

#[test]
fn aggregate_replay_raises_the_servers_errors() {
    let base = "CREATE FUNCTION add2(integer, integer) RETURNS integer LANGUAGE sql IMMUTABLE AS $$ SELECT $1 + $2 $$;\n\
                CREATE AGGREGATE total(integer) (SFUNC = add2, STYPE = integer);\n";
    let cases: &[&str] = &[
        "CREATE AGGREGATE total(integer) (SFUNC = add2, STYPE = integer)",
        "CREATE AGGREGATE t2(integer) (STYPE = integer)",
        "CREATE AGGREGATE t2(integer) (SFUNC = add2)",
        "CREATE AGGREGATE t2(integer) (SFUNC = nope, STYPE = integer)",
        "CREATE AGGREGATE t2(integer) (SFUNC = add2, STYPE = integer, HYPOTHETICAL)",
        "DROP AGGREGATE nope(integer)",
        "DROP FUNCTION add2(integer, integer)",
        "ALTER AGGREGATE total(integer) SET SCHEMA nowhere",
    ];
    for sql in cases {
        let db = build_db("strata_aggs_err", base).unwrap();
        let e = psql_apply_sql(&db.url, sql, true).unwrap_err();
        let text: std::sync::Arc<str> = std::sync::Arc::from(format!("{base}{sql};\n"));
        let err = strata_core::replay::replay_texts([("schema.sql", &text)])
            .err()
            .unwrap_or_else(|| panic!("{sql}: replays, the server says {e}"));
        let shown = err.to_string();
        let message = shown.split_once(": ").map_or(shown.as_str(), |(_, m)| m);
        // The same error; its wording where strata knows the server's.
        let first = message
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            e.contains("ERROR:  ") && e.contains(&first),
            "{sql}: offline {shown:?}, server {e}"
        );
    }
    let sql = format!(
        "{base}DROP AGGREGATE IF EXISTS nope(integer);\n\
         ALTER AGGREGATE total(integer) RENAME TO summed;\n\
         CREATE SCHEMA s;\nALTER AGGREGATE summed(integer) SET SCHEMA s;\n\
         COMMENT ON AGGREGATE s.summed(integer) IS 'moved';\n\
         CREATE AGGREGATE gone(integer) (SFUNC = add2, STYPE = integer);\n\
         DROP AGGREGATE gone(integer);\n"
    );
    let offline = replay(&sql);
    let db = build_db("strata_aggs_err", &sql).unwrap();
    let server = futures_executor(read(&db.url));
    let d = diff(&offline, &server, DiffOptions::default());
    assert!(d.is_empty(), "{d:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_aggregate_property_changed_out_of_band_is_drift_that_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("schema.sql");
    std::fs::write(&file, AGGREGATES).unwrap();
    let against = format!("schema:{}", file.display());
    let redo = "CREATE OR REPLACE AGGREGATE total(integer) (SFUNC = add2, STYPE = integer, COMBINEFUNC = add2, ";
    let cases: Vec<(String, &str)> = vec![
        (format!("{redo}INITCOND = '7', PARALLEL = safe)"), "initcond differs"),
        (format!("{redo}INITCOND = '1')"), "parallel differs"),
        (format!("{redo}INITCOND = '1', PARALLEL = safe, SSPACE = 64)"), "sspace differs"),
        ("CREATE OR REPLACE AGGREGATE total_text(integer) (SFUNC = add2, STYPE = integer, FINALFUNC = shown, INITCOND = 0, FINALFUNC_MODIFY = SHAREABLE)".to_string(), "finalfunc_modify differs"),
        ("COMMENT ON AGGREGATE total(integer) IS 'changed'".to_string(), "comment differs"),
        ("DROP AGGREGATE moving(integer); CREATE AGGREGATE moving(x integer) (SFUNC = add2, STYPE = integer, MSFUNC = add2, MINVFUNC = sub2, MSTYPE = integer, MINITCOND = '0')".to_string(), "sortop differs"),
        ("DROP AGGREGATE moving(integer); CREATE AGGREGATE moving(x integer) (SFUNC = sub2, STYPE = integer, MSFUNC = add2, MINVFUNC = sub2, MSTYPE = integer, MINITCOND = '0', SORTOP = >)".to_string(), "sfunc differs"),
        ("ALTER AGGREGATE counted(*) RENAME TO counted2".to_string(), "aggregate public.counted(*): missing"),
    ];
    for (sql, named) in &cases {
        let db = TestDb::create("strata_aggs_drift").await;
        psql_apply_sql(&db.url, AGGREGATES, true).unwrap();
        psql_apply_sql(&db.url, sql, true).unwrap();
        let o = run_strata(
            dir.path(),
            &["drift", "--database-url", &db.url, "--against", &against],
        );
        let out = String::from_utf8_lossy(&o.stdout);
        assert_eq!(
            o.status.code(),
            Some(1),
            "{sql}:\n{out}{}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(out.contains(named), "{sql}: expected {named:?}:\n{out}");
    }
    let db = TestDb::create("strata_aggs_drift").await;
    psql_apply_sql(&db.url, AGGREGATES, true).unwrap();
    let o = run_strata(
        dir.path(),
        &["drift", "--database-url", &db.url, "--against", &against],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inspect_output_rebuilds_the_aggregates() {
    let db = TestDb::create("strata_aggs_rt").await;
    psql_apply_sql(&db.url, AGGREGATES, true).unwrap();
    let original = read(&db.url).await;
    let sql = strata_core::ddl::schema_sql(&original);
    assert!(
        sql.contains(
            "CREATE AGGREGATE public.pct(double precision ORDER BY double precision) (\n    \
             SFUNC = ordered_set_transition,\n    STYPE = internal,\n    \
             FINALFUNC = percentile_disc_final,\n    FINALFUNC_EXTRA\n);\n"
        ),
        "{sql}"
    );
    let copy = TestDb::create("strata_aggs_rt_copy").await;
    psql_apply_sql(&copy.url, &sql, true).unwrap_or_else(|e| panic!("{e}\n{sql}"));
    let (same, d) = same_dump(&db.url, &copy.url).unwrap();
    assert!(same, "{d}");
    let d = diff(&original, &replay(&sql), DiffOptions::default());
    assert!(d.is_empty(), "{d:#?}");
}

#[test]
fn aggregate_plans_converge_or_are_refused_by_name() {
    use strata_core::plan::{plan_verified, Hazard, PlanOptions};
    let opts = PlanOptions {
        allow: Hazard::ALL.into_iter().collect(),
        ..PlanOptions::default()
    };
    const F: &str = "CREATE FUNCTION add2(integer, integer) RETURNS integer LANGUAGE sql IMMUTABLE AS $$ SELECT $1 + $2 $$;\n\
                     CREATE FUNCTION shown(integer) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT $1::text $$;\n";
    let cases: Vec<(&str, String, String)> = vec![
        ("the fixture from nothing", String::new(), AGGREGATES.to_string()),
        (
            "initcond and parallel replaced in place",
            format!("{F}CREATE AGGREGATE total(integer) (SFUNC = add2, STYPE = integer);\n"),
            format!("{F}CREATE AGGREGATE total(integer) (SFUNC = add2, STYPE = integer, INITCOND = '0', PARALLEL = safe);\n\
                     COMMENT ON AGGREGATE total(integer) IS 'sum';\n"),
        ),
        (
            "a final function added: dropped and created again",
            format!("{F}CREATE AGGREGATE total(integer) (SFUNC = add2, STYPE = integer);\n"),
            format!("{F}CREATE AGGREGATE total(integer) (SFUNC = add2, STYPE = integer, FINALFUNC = shown);\n"),
        ),
    ];
    for (name, a, b) in &cases {
        for (label, x, y) in [
            (name.to_string(), a, b),
            (format!("{name} (reversed)"), b, a),
        ] {
            let p = plan_verified(&replay(x), &replay(y), &opts)
                .unwrap_or_else(|e| panic!("{label}: {e}: {:?}", e.details));
            plan_converges(&label, x, y, &p).unwrap_or_else(|e| panic!("{e}"));
        }
    }
    let p = plan_verified(&replay(&cases[1].1), &replay(&cases[1].2), &opts).unwrap();
    assert!(
        p.sql()
            .contains("CREATE OR REPLACE AGGREGATE public.total(integer)"),
        "{}",
        p.sql()
    );
    // Refused: a view that stays calls an aggregate that must be recreated.
    let a = format!(
        "{F}CREATE AGGREGATE total(integer) (SFUNC = add2, STYPE = integer);\n\
                     CREATE TABLE t (a integer);\nCREATE VIEW v AS SELECT total(a) FROM t;\n"
    );
    let b = format!(
        "{F}CREATE AGGREGATE total(integer) (SFUNC = add2, STYPE = integer, FINALFUNC = shown);\n\
                     CREATE TABLE t (a integer);\nCREATE VIEW v AS SELECT total(a) FROM t;\n"
    );
    let e = plan_verified(&replay(&a), &replay(&b), &opts).unwrap_err();
    assert!(
        e.details
            .iter()
            .any(|d| d.contains("aggregate public.total(integer)") && d.contains("view public.v")),
        "{:?}",
        e.details
    );
}
