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
