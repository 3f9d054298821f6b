//! Range types against the real server: offline replay and
//! `strata::inspect` build the same model (`CREATE TYPE … AS RANGE` with
//! every parameter, shell types and a canonical function over one, the
//! multirange type's name chosen or given, renames and moves of a range
//! and of its multirange, comments, privileges, `DROP … CASCADE`), the
//! model written back dumps alike (`pg_dump -s`), replay fails where the
//! server fails with its SQLSTATE, plans converge both ways — a range
//! with a canonical function too — (or are refused by name), and `strata drift` names each property changed out
//! of band.

use crate::support;
use support::kinds::{read, shown};

use support::kinds;
use support::kinds::{all_hazards, converge, replay};

use strata::inspect::{inspect_url, InspectOptions};
use strata_core::diff::{diff, DiffOptions};
use strata_core::plan::plan_verified;
use support::judge::{fresh_db, same_dump};
use support::{psql_apply_sql, TestDb};

const BASE: &str = r#"
CREATE SCHEMA app;
CREATE FUNCTION time_diff(x time, y time) RETURNS float8
    LANGUAGE sql IMMUTABLE STRICT AS 'SELECT EXTRACT(EPOCH FROM (x - y))::float8';
"#;

/// Every parameter but CANONICAL: a subtype_diff of the schema and a
/// built-in one, a collation, a multirange name given in another schema,
/// an operator class that is not the default and one that is, a quoted
/// name without `range` in it, a range used by columns (as an array and
/// through its multirange), a domain, a composite type and a function; a
/// comment and a privilege.
const RANGES: &str = r#"
CREATE TYPE timerange AS RANGE (subtype = time, subtype_diff = time_diff);
CREATE TYPE floatrange AS RANGE (subtype = float8, subtype_diff = float8mi);
CREATE TYPE app.textrange AS RANGE (subtype = text, collation = "C", multirange_type_name = app.text_multi);
CREATE TYPE patrange AS RANGE (subtype = text, subtype_opclass = text_pattern_ops);
CREATE TYPE intr AS RANGE (subtype = int4, subtype_opclass = int4_ops);
CREATE TYPE "Mixed Range" AS RANGE (SUBTYPE = numeric);
CREATE TYPE app.daterange2 AS RANGE (subtype = date);
CREATE TABLE booking (id int PRIMARY KEY, during floatrange, slots timerange[], texts app.text_multi);
CREATE DOMAIN app.frdom AS floatrange;
CREATE TYPE pair AS (a floatrange, b intr);
CREATE FUNCTION width(r floatrange) RETURNS float8 LANGUAGE sql IMMUTABLE AS 'SELECT upper(r) - lower(r)';
COMMENT ON TYPE floatrange IS 'floats';
REVOKE USAGE ON TYPE intr FROM PUBLIC;
"#;

/// A shell type, a C function over it, the range that fills it.
const CANONICAL: &str = r#"
CREATE TYPE foo;
CREATE FUNCTION foo_canon(foo) RETURNS foo AS 'int4range_canonical' LANGUAGE internal IMMUTABLE STRICT;
CREATE TYPE foo AS RANGE (subtype = int4, canonical = foo_canon);
CREATE TABLE uses_foo (f foo, fm foo_multirange);
"#;

fn fixture() -> String {
    format!("{BASE}{RANGES}")
}

fn full() -> String {
    format!("{BASE}{RANGES}{CANONICAL}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_replay_builds_the_ranges_the_server_builds() {
    // A range renamed and moved, a multirange renamed, comments set and
    // cleared, a privilege given back, a range dropped with CASCADE
    // (taking the columns of it and of its multirange).
    let script = format!(
        "{}\nALTER TYPE intr RENAME TO int_r;\n\
         ALTER TYPE \"Mixed Range\" SET SCHEMA app;\n\
         ALTER TYPE patmultirange RENAME TO pat_multi;\n\
         ALTER TYPE app.text_multi SET SCHEMA public;\n\
         ALTER TYPE int_r OWNER TO CURRENT_USER;\n\
         COMMENT ON TYPE floatrange IS NULL;\n\
         COMMENT ON TYPE app.textrange IS 'texts';\n\
         GRANT USAGE ON TYPE int_r TO PUBLIC;\n\
         CREATE TYPE gone AS RANGE (subtype = int8);\n\
         CREATE TABLE uses_gone (id int, g gone, gm gone_multirange);\n\
         DROP TYPE gone CASCADE;\n\
         CREATE TYPE sh;\n\
         DROP TYPE sh;\n\
         CREATE TYPE a_very_long_range_type_name_that_goes_on_and_on_and_on_and_xx AS RANGE (subtype = int4);\n\
         CREATE TYPE a_very_long_type_name_without_the_word_that_goes_on_and_on_xyz AS RANGE (subtype = int4);\n",
        full()
    );
    for (name, sql) in [("fixture", full()), ("changed by statements", script)] {
        let db = TestDb::create("strata_ranges_oracle").await;
        psql_apply_sql(&db.url, &sql, true).unwrap();
        let server = read(&db.url).await;
        let offline = replay(&sql).unwrap();
        let d = diff(&offline, &server, DiffOptions::default());
        assert!(d.is_empty(), "{name}: {:#?}", shown(&d));
        let count: usize = server.namespaces.values().map(|n| n.ranges.len()).sum();
        assert!(count >= 7, "{name}: {count} range types read");
        assert!(
            server.unmanaged.is_empty(),
            "{name}: {:?}",
            server.unmanaged
        );
        for (side, model) in [("offline", &offline), ("inspected", &server)] {
            let written = strata_core::ddl::schema_sql(model);
            let copy = fresh_db("strata_ranges_copy");
            psql_apply_sql(&copy.url, &written, true)
                .unwrap_or_else(|e| panic!("{name}, {side}: does not apply: {e}\n{written}"));
            let (same, dd) = same_dump(&db.url, &copy.url).unwrap();
            assert!(same, "{name}, {side}: pg_dump -s differs:\n{dd}\n{written}");
        }
        if name == "fixture" {
            let p = &server.namespaces["public"].ranges;
            assert_eq!(p["timerange"].multirange.name, "timemultirange");
            assert_eq!(p["Mixed Range"].multirange.name, "Mixed Range_multirange");
            assert_eq!(
                p["intr"].subtype_opclass, None,
                "the default class is not kept"
            );
            assert_eq!(
                p["patrange"]
                    .subtype_opclass
                    .as_ref()
                    .map(|o| o.name.as_str()),
                Some("text_pattern_ops")
            );
            assert_eq!(
                p["foo"].canonical.as_ref().map(|f| f.function_sql()),
                Some("public.foo_canon".to_string())
            );
            assert_eq!(
                server.namespaces["app"].ranges["textrange"]
                    .collation
                    .as_ref()
                    .map(|c| c.name.as_str()),
                Some("C")
            );
            assert_eq!(server.counts().range_types, 8);
            let page = strata_core::docs::render(&server, &Default::default());
            assert!(
                page.contains("## Range types")
                    && page.contains("`floatmultirange`")
                    && page.contains("subtype_diff float8mi"),
                "{page}"
            );
        }
    }
}

/// A shell type, a C function over it, the range with it as canonical.
const CANON_SETUP: &str = "CREATE TYPE sh; \
    CREATE FUNCTION shf(sh) RETURNS sh AS 'int4range_canonical' LANGUAGE internal IMMUTABLE STRICT; \
    CREATE TYPE sh AS RANGE (subtype = int4, canonical = shf)";

/// (setup after the fixture, statement): the statement must fail on the
/// server and offline with the same SQLSTATE, or succeed on both.
const CASES: &[(&str, &str)] = &[
    ("", "CREATE TYPE floatrange AS RANGE (subtype = int4)"),
    ("", "CREATE TYPE r AS RANGE (subtype = int4, subtype = int4)"),
    ("", "CREATE TYPE r AS RANGE (subtype = int4, foo = int4)"),
    ("", "CREATE TYPE r AS RANGE (subtype_diff = float8mi)"),
    ("", "CREATE TYPE r AS RANGE (subtype = anyelement)"),
    ("", "CREATE TYPE r AS RANGE (subtype = int4, subtype_opclass = text_ops)"),
    ("", "CREATE TYPE r AS RANGE (subtype = varchar, subtype_opclass = text_ops)"),
    ("", "CREATE TYPE r AS RANGE (subtype = int4, subtype_opclass = nope_ops)"),
    ("", "CREATE TYPE r AS RANGE (subtype = point)"),
    ("", "CREATE TYPE r AS RANGE (subtype = int4[])"),
    ("", "CREATE TYPE r AS RANGE (subtype = pair)"),
    ("", "CREATE TYPE r AS RANGE (subtype = floatrange)"),
    ("", "CREATE TYPE r AS RANGE (subtype = int4, collation = \"C\")"),
    ("", "CREATE TYPE r AS RANGE (subtype = varchar(10), collation = \"POSIX\")"),
    ("", "CREATE TYPE r AS RANGE (subtype = int4, canonical = foo_canon)"),
    ("", "CREATE TYPE r AS RANGE (subtype = int4, subtype_diff = nope)"),
    ("", "CREATE TYPE r AS RANGE (subtype = int4, subtype_diff = int4mi)"),
    ("", "CREATE TYPE r AS RANGE (subtype = time, subtype_diff = time_diff, subtype_diff = time_diff)"),
    (
        "CREATE FUNCTION d(int, int) RETURNS float8 LANGUAGE sql AS 'SELECT 1.0::float8'",
        "CREATE TYPE r AS RANGE (subtype = int4, subtype_diff = d)",
    ),
    (
        "CREATE FUNCTION d(int, int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT 1'",
        "CREATE TYPE r AS RANGE (subtype = int4, subtype_diff = d)",
    ),
    ("", "CREATE TYPE r AS RANGE (subtype = nope)"),
    ("", "CREATE TYPE r AS RANGE (subtype = int4, multirange_type_name = nope.x)"),
    ("", "CREATE TYPE r AS RANGE (subtype = int4, multirange_type_name = floatrange)"),
    ("", "CREATE TYPE r AS RANGE (subtype = int4, multirange_type_name = floatmultirange)"),
    ("", "CREATE TYPE r AS RANGE (subtype = int4, multirange_type_name = r)"),
    ("", "CREATE TYPE floatmultirange AS RANGE (subtype = int4)"),
    ("CREATE TYPE xrange AS RANGE (subtype = int4)", "CREATE TYPE xmultirange AS RANGE (subtype = int8)"),
    ("", "CREATE TYPE r AS RANGE (subtype = int4, canonical = nope)"),
    ("CREATE TYPE sh", "CREATE TYPE sh AS RANGE (subtype = int4, canonical = nope)"),
    ("CREATE TYPE sh", "CREATE FUNCTION shf(sh) RETURNS sh LANGUAGE sql AS 'SELECT $1'"),
    ("CREATE TYPE sh", "CREATE TYPE sh"),
    ("CREATE TYPE sh", "CREATE TYPE floatrange"),
    ("CREATE TYPE sh", "CREATE TABLE tsh (a sh)"),
    ("CREATE TYPE sh", "DROP TYPE sh"),
    ("CREATE TYPE sh", "CREATE TYPE sh AS RANGE (subtype = int4)"),
    ("CREATE TYPE sh", "CREATE TYPE sh AS ENUM ('a')"),
    ("CREATE TYPE sh", "CREATE DOMAIN sh AS int"),
    ("CREATE TYPE app.sh", "DROP SCHEMA app CASCADE"),
    ("CREATE SCHEMA s2; CREATE TYPE s2.r AS RANGE (subtype = int4)", "DROP SCHEMA s2"),
    ("CREATE SCHEMA s2; CREATE TYPE s2.sh", "DROP SCHEMA s2"),
    (
        "CREATE TYPE sh; CREATE FUNCTION shf(sh) RETURNS sh AS 'int4range_canonical' LANGUAGE internal STABLE STRICT",
        "CREATE TYPE sh AS RANGE (subtype = int4, canonical = shf)",
    ),
    (
        "CREATE TYPE sh; CREATE FUNCTION shf(sh) RETURNS sh AS 'int4range_canonical' LANGUAGE internal IMMUTABLE STRICT",
        "DROP TYPE sh",
    ),
    (CANON_SETUP, "DROP FUNCTION shf(sh)"),
    (CANON_SETUP, "DROP FUNCTION shf(sh) CASCADE"),
    (CANON_SETUP, "DROP TYPE sh"),
    (CANON_SETUP, "DROP TYPE sh CASCADE"),
    (CANON_SETUP, "CREATE TABLE tsh (a sh, b sh_multirange)"),
    ("", "ALTER TYPE intr RENAME TO floatrange"),
    ("", "ALTER TYPE intr RENAME TO floatmultirange"),
    ("", "ALTER TYPE intr SET SCHEMA nope"),
    ("CREATE TYPE app.intr AS RANGE (subtype = int8)", "ALTER TYPE intr SET SCHEMA app"),
    ("", "ALTER TYPE intr ADD VALUE 'x'"),
    ("", "ALTER TYPE intr ADD ATTRIBUTE x int"),
    ("", "ALTER TYPE intr OWNER TO CURRENT_USER"),
    ("", "ALTER TYPE intr_multirange RENAME TO floatrange"),
    ("", "DROP TYPE floatrange"),
    ("", "DROP TYPE floatmultirange"),
    ("", "DROP TYPE timerange"),
    ("", "DROP TYPE intr"),
    ("", "DROP TYPE app.textrange"),
    ("", "DROP FUNCTION time_diff(time, time)"),
    ("", "DROP TYPE patrange"),
    ("", "DROP TYPE IF EXISTS nope, patrange"),
    ("", "DROP TYPE floatrange CASCADE"),
    ("", "DROP TYPE \"Mixed Range\", nope"),
    ("", "COMMENT ON TYPE nope IS 'x'"),
    ("", "COMMENT ON TYPE intr IS 'x'"),
    ("", "GRANT USAGE ON TYPE intr TO PUBLIC"),
    ("", "CREATE TABLE t2 (a intr_multirange, b app.text_multi[], c app.daterange2)"),
    ("", "CREATE TABLE t2 (a app.intr)"),
    ("", "CREATE FUNCTION f2(app.text_multi) RETURNS intr LANGUAGE sql AS 'SELECT NULL::intr'"),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_fails_where_the_server_fails_with_its_sqlstate() {
    // One database; each case in a transaction rolled back.
    let mismatches =
        support::kinds::sqlstate_mismatches("strata_ranges_errors", &fixture(), CASES).await;
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

/// The fixture with unused ranges redefined (subtype, operator class,
/// subtype_diff, multirange name), a comment changed, one dropped and one
/// added with a table using it.
fn changed() -> String {
    let s = RANGES
        .replace("(SUBTYPE = numeric)", "(subtype = int8)")
        .replace(
            "(subtype = text, subtype_opclass = text_pattern_ops)",
            "(subtype = text, multirange_type_name = pat_multi)",
        )
        .replace(
            "(subtype = date)",
            "(subtype = date, subtype_diff = daterange_subdiff)",
        )
        .replace("'floats'", "'doubles'")
        .replace("REVOKE USAGE ON TYPE intr FROM PUBLIC;\n", "")
        .replace(
            "CREATE TYPE timerange AS RANGE (subtype = time, subtype_diff = time_diff);\n",
            "CREATE TYPE timerange AS RANGE (subtype = time, subtype_diff = time_diff);\n\
             CREATE TYPE app.newrange AS RANGE (subtype = smallint);\n\
             CREATE TABLE app.uses_new (n app.newrange, m app.newmultirange[]);\n",
        );
    format!("{BASE}{s}")
}

#[test]
fn plans_create_drop_change_and_converge() {
    converge("ranges created", BASE, &fixture());
    converge("ranges dropped", &fixture(), BASE);
    let plan = converge("ranges changed", &fixture(), &changed());
    let sql = plan.sql();
    assert!(sql.contains("DROP TYPE public.patrange"), "{sql}");
    assert!(
        sql.contains("COMMENT ON TYPE public.floatrange IS 'doubles'"),
        "{sql}"
    );
    converge("ranges changed back", &changed(), &fixture());
    // A range whose users go with it: dropped after them.
    converge(
        "range and its users dropped",
        &fixture(),
        &fixture()
            .replace(", during floatrange", "")
            .replace("CREATE DOMAIN app.frdom AS floatrange;\n", "")
            .replace("CREATE TYPE pair AS (a floatrange, b intr);\n", "")
            .replace(
                "CREATE FUNCTION width(r floatrange) RETURNS float8 LANGUAGE sql IMMUTABLE AS 'SELECT upper(r) - lower(r)';\n",
                "",
            )
            .replace("COMMENT ON TYPE floatrange IS 'floats';\n", "")
            .replace(
                "CREATE TYPE floatrange AS RANGE (subtype = float8, subtype_diff = float8mi);\n",
                "",
            ),
    );
}

#[test]
fn a_changed_range_under_kept_users_is_refused_by_name() {
    let a = replay(&fixture()).unwrap();
    let b = replay(&fixture().replace(
        "(subtype = float8, subtype_diff = float8mi)",
        "(subtype = float4)",
    ))
    .unwrap();
    let e = plan_verified(&a, &b, &all_hazards())
        .unwrap_err()
        .to_string();
    assert!(e.contains("range type public.floatrange"), "{e}");
    assert!(e.contains("column public.booking.during"), "{e}");
}

/// A range with a canonical function (a C function over the shell type;
/// `LANGUAGE internal` over the server's own `int4range_canonical` is one
/// a superuser can write): created as pg_dump creates it, dropped with its
/// function, created again when its definition changes.
#[test]
fn ranges_with_a_canonical_function_are_planned() {
    let plan = converge("canonical created", &fixture(), &full());
    let sql = plan.sql();
    let at = |s: &str| sql.find(s).unwrap_or_else(|| panic!("{s}:\n{sql}"));
    assert!(
        at("CREATE TYPE public.foo;") < at("CREATE FUNCTION"),
        "{sql}"
    );
    assert!(
        at("CREATE FUNCTION") < at("CREATE TYPE public.foo AS RANGE"),
        "{sql}"
    );
    let plan = converge("canonical dropped", &full(), &fixture());
    assert!(
        plan.sql().contains("DROP TYPE public.foo CASCADE"),
        "{}",
        plan.sql()
    );
    let unused = full().replace("CREATE TABLE uses_foo (f foo, fm foo_multirange);\n", "");
    let changed = unused.replace(
        "canonical = foo_canon)",
        "canonical = foo_canon, subtype_diff = int4range_subdiff)",
    );
    let plan = converge("canonical range changed", &unused, &changed);
    assert!(
        plan.sql().contains("DROP TYPE public.foo CASCADE"),
        "{}",
        plan.sql()
    );
    converge("canonical range changed back", &changed, &unused);
    // Kept users: no ALTER TYPE changes a range, refused by name.
    let e = plan_verified(
        &replay(&full()).unwrap(),
        &replay(&full().replace(
            "canonical = foo_canon)",
            "canonical = foo_canon, subtype_diff = int4range_subdiff)",
        ))
        .unwrap(),
        &all_hazards(),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("column public.uses_foo.f"), "{e}");
}

/// Plans between live databases: the ranges as the server reports them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plans_between_inspected_databases_converge() {
    kinds::inspected_plans_converge("strata_ranges", &fixture(), &changed()).await;
    // A range with a canonical function created and dropped.
    kinds::inspected_plans_converge("strata_ranges_c", &fixture(), &full()).await;
}

/// Expressions over a user range are "cannot prove", never typed wrong:
/// a CHECK with `&&` and a constructor call compare unproven against the
/// server's text.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expressions_over_user_ranges_are_not_proven_equal() {
    let sql = format!(
        "{}CREATE TABLE slots (r floatrange, CHECK (r && floatrange(0, 10)));\n",
        fixture()
    );
    let db = TestDb::create("strata_ranges_expr").await;
    psql_apply_sql(&db.url, &sql, true).unwrap();
    let server = read(&db.url).await;
    let offline = replay(&sql).unwrap();
    let d = shown(&diff(&offline, &server, DiffOptions::default()));
    assert!(
        d.iter()
            .any(|x| x.contains("slots") && x.contains("cannot prove")),
        "{d:#?}"
    );
    let check = offline.namespaces["public"].tables["slots"]
        .constraints
        .values()
        .find_map(|c| match &c.kind {
            strata_core::model::ConstraintKind::Check { expression, .. } => Some(expression),
            _ => None,
        })
        .expect("the check");
    match &check.stored {
        strata_core::model::Stored::Unproven { reason, .. } => assert!(
            reason.contains("floatrange is a range type of the schema"),
            "{reason}"
        ),
        other => panic!("proven as {other:?}"),
    }
}

#[test]
fn strata_drift_names_each_property_changed_out_of_band() {
    kinds::drift_names_each_change(
        "strata_ranges_drift",
        &full(),
        kinds::Expect::Workspace,
        &[
        (
            "DROP TYPE \"Mixed Range\"; CREATE TYPE \"Mixed Range\" AS RANGE (subtype = int8)",
            "range type public.\"Mixed Range\": subtype differs",
        ),
        (
            "DROP TYPE patrange; CREATE TYPE patrange AS RANGE (subtype = text)",
            "range type public.patrange: subtype operator class differs",
        ),
        (
            "DROP TYPE patrange; CREATE TYPE patrange AS RANGE (subtype = text, subtype_opclass = text_pattern_ops, multirange_type_name = pm)",
            "range type public.patrange: multirange type differs",
        ),
        (
            "DROP TYPE app.textrange CASCADE; CREATE TYPE app.textrange AS RANGE (subtype = text, collation = \"POSIX\", multirange_type_name = app.text_multi)",
            "range type app.textrange: collation differs",
        ),
        (
            "DROP TYPE app.daterange2; CREATE TYPE app.daterange2 AS RANGE (subtype = date, subtype_diff = daterange_subdiff)",
            "range type app.daterange2: subtype_diff function differs",
        ),
        (
            "DROP TYPE foo CASCADE; CREATE TYPE foo AS RANGE (subtype = int4); CREATE TABLE uses_foo2 (f foo)",
            "range type public.foo: canonical function differs",
        ),
        ("COMMENT ON TYPE floatrange IS 'other'", "range type public.floatrange: comment differs"),
        ("GRANT USAGE ON TYPE intr TO PUBLIC", "range type public.intr"),
        ("DROP TYPE app.daterange2", "range type app.daterange2"),
        ("CREATE TYPE sneaky AS RANGE (subtype = int2)", "range type public.sneaky"),
    ],
    );
}

/// A call named like a range type of the schema may be its constructor:
/// unproven, with that reason, even where a built-in of the name exists.
#[test]
fn calls_of_range_constructors_are_unproven_by_name() {
    let s = replay(
        "CREATE TYPE int4range AS RANGE (subtype = int8);\n\
         CREATE TYPE spans AS RANGE (subtype = float8);\n\
         CREATE TABLE t (a int, b float8,\n\
           CONSTRAINT c1 CHECK (int4range(1, 2) @> a),\n\
           CONSTRAINT c2 CHECK (spans(0, 1) @> b),\n\
           CONSTRAINT c3 CHECK (spans_multirange() IS NOT NULL));\n",
    )
    .unwrap();
    let t = &s.namespaces["public"].tables["t"];
    for (c, needle) in [
        ("c1", "constructor of the schema's range type int4range"),
        ("c2", "constructor of the schema's range type spans"),
        ("c3", "multirange type spans_multirange (range type spans)"),
    ] {
        let strata_core::model::ConstraintKind::Check { expression, .. } = &t.constraints[c].kind
        else {
            panic!("{c} is not a check")
        };
        match &expression.stored {
            strata_core::model::Stored::Unproven { reason, .. } => {
                assert!(reason.contains(needle), "{c}: {reason}")
            }
            other => panic!("{c}: proven as {other:?}"),
        }
    }
}

/// codegen: a column of a user range type (or its multirange) maps to no
/// Rust type; generation fails naming the column and what to do.
#[test]
fn codegen_refuses_a_range_column_by_name() {
    let s = replay(
        "CREATE TYPE floatrange AS RANGE (subtype = float8);\n\
         CREATE TABLE slot (id int PRIMARY KEY, during floatrange, many floatmultirange);\n",
    )
    .unwrap();
    let errors = strata_core::codegen::generate(&s, &Default::default()).unwrap_err();
    let text: Vec<String> = errors.iter().map(|d| d.message.clone()).collect();
    assert!(
        text.iter().any(|m| m.contains("column slot.during has type floatrange")
            && m.contains("types: {")),
        "{text:#?}"
    );
    assert!(
        text.iter().any(|m| m.contains("has type floatmultirange")),
        "{text:#?}"
    );
}

/// What pg_dump does not keep of a multirange type (its comment, its
/// privileges) is refused by name rather than dropped silently.
#[test]
fn comments_and_grants_on_a_multirange_are_refused_by_name() {
    for stmt in [
        "COMMENT ON TYPE intr_multirange IS 'x'",
        "REVOKE USAGE ON TYPE app.text_multi FROM PUBLIC",
    ] {
        let e = replay(&format!("{}\n{stmt};\n", fixture())).unwrap_err();
        assert!(e.contains("multirange type"), "{stmt}: {e}");
    }
}

/// A shell type left undefined is refused by inspect, by name, rather than
/// passed over.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inspect_refuses_a_lone_shell_type_by_name() {
    let db = TestDb::create("strata_ranges_shell").await;
    psql_apply_sql(&db.url, "CREATE TYPE lonely;", true).unwrap();
    let e = inspect_url(&db.url, &InspectOptions::default())
        .await
        .expect_err("a lone shell is refused")
        .to_string();
    assert!(e.contains("lonely") && e.contains("shell type"), "{e}");
}
