//! Offline tests of the catalog data and the resolution rules. Expected
//! values are PostgreSQL 15's documented behaviour (checked against the
//! server by `tests/catalog_live.rs`).

use super::*;

#[test]
fn builtin_types_by_name_and_display() {
    let c = Catalog::pg15();
    let int4 = c.type_named("int4").unwrap();
    assert_eq!(int4.id, oid::INT4);
    assert_eq!(int4.display, "integer");
    assert_eq!(int4.category, 'N');
    assert_eq!(int4.len, 4);
    assert_eq!(c.type_named("integer").unwrap().id, oid::INT4);
    assert_eq!(c.type_named("character varying").unwrap().id, oid::VARCHAR);
    let text_arr = c.type_named("text[]").unwrap();
    assert_eq!(text_arr.elem, oid::TEXT);
    assert_eq!(c.type_info(oid::TEXT).unwrap().array, text_arr.id);
    assert!(c.type_info(oid::TEXT).unwrap().preferred);
    assert!(c.type_info(oid::TEXT).unwrap().collatable);
    assert_eq!(c.type_info(oid::TEXT).unwrap().storage, 'x');
    assert!(c.type_named("citext").is_none());
}

#[test]
fn extension_types_are_visible_only_when_installed() {
    let c = Catalog::pg15();
    let (citext, ext) = c.extension_type_named("citext").unwrap();
    assert_eq!(ext, "citext");
    assert!(citext.id >= EXTENSION_ID_BASE && citext.id < USER_TYPE_BASE);
    assert!(Env::pg15(&[]).type_named("citext").is_none());
    assert_eq!(
        Env::pg15(&["citext"]).type_named("citext").unwrap().id,
        citext.id
    );
    assert!(c.extensions().iter().any(|(n, _)| n == "pg_trgm"));
}

#[test]
fn procs_and_operators_by_name() {
    let c = Catalog::pg15();
    let lower: Vec<_> = c.procs_named("lower").collect();
    assert!(lower
        .iter()
        .any(|p| p.args == vec![oid::TEXT] && p.result == oid::TEXT));
    let plus = c
        .opers_named("+")
        .find(|o| o.left == oid::INT4 && o.right == oid::INT4)
        .unwrap();
    assert_eq!(plus.result, oid::INT4);
    let code = c.proc(plus.proc).unwrap();
    assert_eq!(code.name, "int4pl");
    assert!(code.strict);
    let cast = c.cast(oid::INT4, oid::INT8).unwrap();
    assert_eq!(cast.context, 'i');
    assert_eq!(cast.method, 'f');
    let env = Env::pg15(&[]);
    assert!(env.visible_procs("similarity").next().is_none());
    let env = Env::pg15(&["pg_trgm"]);
    assert!(env.visible_procs("similarity").next().is_some());
}

// Expected answers below were read from PostgreSQL 15 (psql); the live
// tests in tests/catalog_live.rs check hundreds more against the server.

fn err<T: std::fmt::Debug>(r: Resolve<T>) -> (&'static str, String) {
    match r {
        Resolve::Error { sqlstate, message } => (sqlstate, message),
        other => panic!("expected an error, got {other:?}"),
    }
}

fn found<T: std::fmt::Debug>(r: Resolve<T>) -> T {
    match r {
        Resolve::Found(t) => t,
        other => panic!("expected Found, got {other:?}"),
    }
}

/// A schema with one enum `mood` (and `mood[]`).
struct Mood;
const MOOD: TypeId = USER_TYPE_BASE;
const MOOD_ARRAY: TypeId = USER_TYPE_BASE + 1;
impl UserTypes for Mood {
    fn info(&self, id: TypeId) -> Option<std::borrow::Cow<'_, TypeInfo>> {
        let mood = TypeInfo::user_enum(MOOD, "mood", "mood", MOOD_ARRAY);
        match id {
            MOOD => Some(std::borrow::Cow::Owned(mood)),
            MOOD_ARRAY => Some(std::borrow::Cow::Owned(TypeInfo::user_enum_array(
                MOOD_ARRAY, &mood,
            ))),
            _ => None,
        }
    }
}

fn mood_env() -> Env<'static> {
    Env {
        catalog: Catalog::pg15(),
        extensions: Vec::new(),
        user: &Mood,
    }
}

#[test]
fn coercion_pathways() {
    use CoercionContext::*;
    let env = Env::pg15(&[]);
    assert_eq!(
        found(env.coercion(oid::INT4, oid::INT4, Implicit)),
        Pathway::None
    );
    assert_eq!(
        found(env.coercion(oid::INT4, oid::INT8, Implicit)),
        Pathway::Func(481)
    );
    assert_eq!(
        found(env.coercion(oid::TEXT, oid::VARCHAR, Implicit)),
        Pathway::Relabel
    );
    assert_eq!(
        found(env.coercion(oid::UNKNOWN, oid::DATE, Implicit)),
        Pathway::ViaIo
    );
    // int4 -> text: no pg_cast row; I/O conversion to a string type from
    // assignment context on, never implicitly.
    assert_eq!(err(env.coercion(oid::INT4, oid::TEXT, Implicit)).0, "42846");
    assert_eq!(
        found(env.coercion(oid::INT4, oid::TEXT, Assignment)),
        Pathway::ViaIo
    );
    // text -> int4: from a string type only explicitly.
    assert_eq!(
        err(env.coercion(oid::TEXT, oid::INT4, Assignment)).0,
        "42846"
    );
    assert_eq!(
        found(env.coercion(oid::TEXT, oid::INT4, Explicit)),
        Pathway::ViaIo
    );
    // numeric -> int4 is an assignment cast.
    assert!(matches!(
        env.coercion(oid::NUMERIC, oid::INT4, Implicit),
        Resolve::Error { .. }
    ));
    assert!(matches!(
        env.coercion(oid::NUMERIC, oid::INT4, Assignment),
        Resolve::Found(Pathway::Func(_))
    ));
    // Arrays element by element.
    let int4_array = env.type_named("integer[]").unwrap().id;
    let int8_array = env.type_named("bigint[]").unwrap().id;
    assert_eq!(
        found(env.coercion(int4_array, int8_array, Implicit)),
        Pathway::Array(Box::new(Pathway::Func(481)))
    );
    // Polymorphic targets.
    assert_eq!(
        found(env.coercion(oid::INT4, oid::ANYELEMENT, Implicit)),
        Pathway::None
    );
    assert!(matches!(
        env.coercion(oid::INT4, oid::ANYARRAY, Implicit),
        Resolve::Error { .. }
    ));
    assert_eq!(
        found(env.coercion(int4_array, oid::ANYARRAY, Implicit)),
        Pathway::None
    );
    // A user enum: to text through I/O in assignment context; anyenum.
    let env = mood_env();
    assert!(matches!(
        env.coercion(MOOD, oid::TEXT, Implicit),
        Resolve::Error { .. }
    ));
    assert_eq!(
        found(env.coercion(MOOD, oid::TEXT, Assignment)),
        Pathway::ViaIo
    );
    assert_eq!(
        found(env.coercion(MOOD, oid::ANYENUM, Implicit)),
        Pathway::None
    );
    assert!(matches!(
        env.coercion(oid::INT4, oid::ANYENUM, Implicit),
        Resolve::Error { .. }
    ));
}

#[test]
fn common_types() {
    let env = Env::pg15(&[]);
    assert_eq!(
        found(env.common_type(&[oid::INT4, oid::NUMERIC], "COALESCE")),
        oid::NUMERIC
    );
    assert_eq!(
        found(env.common_type(&[oid::INT2, oid::INT8], "COALESCE")),
        oid::INT8
    );
    assert_eq!(
        found(env.common_type(&[oid::UNKNOWN, oid::UNKNOWN], "CASE")),
        oid::TEXT
    );
    assert_eq!(
        found(env.common_type(&[oid::UNKNOWN, oid::INT4], "CASE")),
        oid::INT4
    );
    assert_eq!(
        found(env.common_type(&[oid::VARCHAR, oid::TEXT], "COALESCE")),
        oid::VARCHAR
    );
    assert_eq!(
        err(env.common_type(&[oid::INT4, oid::BOOL], "COALESCE")),
        (
            "42804",
            "COALESCE types integer and boolean cannot be matched".to_string()
        )
    );
    assert_eq!(
        err(env.common_type(&[oid::BYTEA, oid::UUID], "COALESCE")),
        (
            "42846",
            "COALESCE could not convert type uuid to bytea".to_string()
        )
    );
}

#[test]
fn operators() {
    let env = Env::pg15(&[]);
    let op = found(env.oper("+", Some(oid::INT4), oid::NUMERIC));
    assert_eq!(op.oper.oid, 1758);
    assert_eq!(
        (op.left, op.right, op.result),
        (Some(oid::NUMERIC), oid::NUMERIC, oid::NUMERIC)
    );
    let op = found(env.oper("||", Some(oid::TEXT), oid::INT4));
    assert_eq!(op.oper.oid, 2779);
    assert_eq!(
        (op.left, op.right, op.result),
        (Some(oid::TEXT), oid::INT4, oid::TEXT)
    );
    let op = found(env.oper("=", Some(oid::UNKNOWN), oid::UNKNOWN));
    assert_eq!((op.oper.left, op.oper.right), (oid::TEXT, oid::TEXT));
    let op = found(env.oper("-", None, oid::INT4));
    assert_eq!((op.left, op.right, op.result), (None, oid::INT4, oid::INT4));
    assert_eq!(
        err(env.oper("+", Some(oid::UNKNOWN), oid::UNKNOWN)),
        (
            "42725",
            "operator is not unique: unknown + unknown".to_string()
        )
    );
    assert_eq!(
        err(env.oper("+", Some(oid::BOOL), oid::INT4)),
        (
            "42883",
            "operator does not exist: boolean + integer".to_string()
        )
    );
    // anyenum = anyenum on a user enum, the literal taking the enum's type.
    let env = mood_env();
    let op = found(env.oper("=", Some(MOOD), oid::UNKNOWN));
    assert_eq!((op.oper.left, op.oper.right), (oid::ANYENUM, oid::ANYENUM));
    assert_eq!(
        (op.left, op.right, op.result),
        (Some(MOOD), MOOD, oid::BOOL)
    );
    // anycompatiblearray || anycompatible: mood[] || mood.
    let op = found(env.oper("||", Some(MOOD_ARRAY), MOOD));
    assert_eq!(op.result, MOOD_ARRAY);
}

#[test]
fn functions() {
    let env = Env::pg15(&[]);
    let f = found(env.func("lower", &[oid::UNKNOWN]));
    assert_eq!(
        (f.proc.args.clone(), f.args, f.result),
        (vec![oid::TEXT], vec![oid::TEXT], oid::TEXT)
    );
    let f = found(env.func("pg_catalog.length", &[oid::BPCHAR]));
    assert_eq!(f.proc.args, vec![oid::BPCHAR]);
    // VARIADIC text[]: folded into an array.
    let f = found(env.func(
        "jsonb_extract_path",
        &[oid::JSONB, oid::UNKNOWN, oid::UNKNOWN],
    ));
    assert!(f.variadic_folded);
    assert_eq!(f.args, vec![oid::JSONB, oid::TEXT, oid::TEXT]);
    // VARIADIC "any": not folded, arguments as they are.
    let f = found(env.func("concat_ws", &[oid::UNKNOWN, oid::TEXT, oid::INT4]));
    assert!(!f.variadic_folded);
    assert_eq!(f.args, vec![oid::TEXT, oid::TEXT, oid::INT4]);
    // Defaults fill the rest.
    let f = found(env.func("make_interval", &[oid::INT4]));
    assert_eq!(f.result, oid::INTERVAL);
    // Polymorphic result.
    let int4_array = env.type_named("integer[]").unwrap().id;
    let f = found(env.func("array_append", &[int4_array, oid::INT8]));
    assert_eq!(f.result, env.type_named("bigint[]").unwrap().id);
    assert_eq!(
        err(env.func("to_jsonb", &[oid::UNKNOWN])),
        (
            "42804",
            "could not determine polymorphic type because input has type unknown".to_string()
        )
    );
    assert_eq!(
        err(env.func("num_nonnulls", &[])),
        (
            "42883",
            "function num_nonnulls() does not exist".to_string()
        )
    );
    assert_eq!(
        err(env.func("to_char", &[oid::UNKNOWN, oid::UNKNOWN])),
        (
            "42725",
            "function to_char(unknown, unknown) is not unique".to_string()
        )
    );
    // A call the server reads as a cast is not a function call.
    assert!(matches!(
        env.func("text", &[oid::INT4]),
        Resolve::Unsupported(_)
    ));
    // Extension functions only when the extension is installed.
    assert_eq!(
        err(env.func("similarity", &[oid::UNKNOWN, oid::UNKNOWN])),
        (
            "42883",
            "function similarity(unknown, unknown) does not exist".to_string()
        )
    );
    let env = Env::pg15(&["pg_trgm"]);
    let f = found(env.func("similarity", &[oid::UNKNOWN, oid::UNKNOWN]));
    assert_eq!(f.result, oid::FLOAT4);
    assert_eq!(env.catalog.proc_extension(f.proc.oid), Some("pg_trgm"));
}

#[test]
fn domains_are_unsupported() {
    // No domain is built in; a user type claiming to be one is refused.
    struct Dom;
    impl UserTypes for Dom {
        fn info(&self, id: TypeId) -> Option<std::borrow::Cow<'_, TypeInfo>> {
            let mut t = TypeInfo::user_enum(id, "d", "d", 0);
            t.typtype = 'd';
            Some(std::borrow::Cow::Owned(t))
        }
    }
    let env = Env {
        catalog: Catalog::pg15(),
        extensions: Vec::new(),
        user: &Dom,
    };
    assert!(matches!(
        env.coercion(USER_TYPE_BASE, oid::TEXT, CoercionContext::Explicit),
        Resolve::Unsupported(_)
    ));
    assert!(matches!(
        env.oper("=", Some(USER_TYPE_BASE), oid::UNKNOWN),
        Resolve::Unsupported(_)
    ));
}

#[test]
fn an_extension_outside_the_catalog_leaves_only_exact_matches_proven() {
    let plain = Env::pg15(&["plpgsql", "citext"]);
    assert_eq!(plain.uncovered_extension(), None);
    let env = Env::pg15(&["plpgsql", "intarray"]);
    assert_eq!(env.uncovered_extension(), Some("intarray"));
    // Exact on every argument: no extension function can take it first.
    assert!(matches!(env.func("lower", &[oid::TEXT]), Resolve::Found(_)));
    assert!(matches!(
        env.oper("+", Some(oid::INT4), oid::INT4),
        Resolve::Found(_)
    ));
    // A coercion or an unknown literal: an extension's candidate could win.
    for r in [
        env.func("lower", &[oid::VARCHAR]),
        env.func("abs", &[oid::UNKNOWN]),
    ] {
        match r {
            Resolve::Unsupported(why) => assert!(why.contains("extension intarray"), "{why}"),
            _ => panic!("expected Unsupported"),
        }
    }
    match env.oper("<", Some(oid::TEXT), oid::UNKNOWN) {
        Resolve::Unsupported(why) => assert!(why.contains("operator <"), "{why}"),
        _ => panic!("expected Unsupported"),
    }
    // The same calls are proven without it.
    assert!(matches!(
        plain.func("lower", &[oid::VARCHAR]),
        Resolve::Found(_)
    ));
    assert!(matches!(
        plain.oper("<", Some(oid::TEXT), oid::UNKNOWN),
        Resolve::Found(_)
    ));
}
