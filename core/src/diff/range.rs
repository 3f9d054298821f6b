//! Range types compared property by property: the subtype, its operator
//! class, the collation, the canonical and subtype_diff functions, the
//! multirange type's name, the comment and the privileges (the owner is
//! not compared).

use crate::ddl::range_sql;
use crate::model::{
    qualified_sql, AclKind, Namespace, ObjectKind, ObjectPath, ObjectRef, RangeType,
};

use super::{diff_acl, field, missing, opt_field, pairs, unexpected, Difference};

pub(super) fn diff_ranges(d: &mut Vec<Difference>, nsn: &str, e: &Namespace, f: &Namespace) {
    for (name, e, f) in pairs(&e.ranges, &f.ranges) {
        let p = ObjectPath::new(ObjectKind::Range, nsn, name);
        let target = qualified_sql(nsn, name);
        match (e, f) {
            (Some(e), None) => d.push(missing(p, range_sql(&target, e).join(";\n"))),
            (None, Some(f)) => d.push(unexpected(p, range_sql(&target, f).join(";\n"))),
            (Some(e), Some(f)) => compare(d, &p, e, f),
            (None, None) => {}
        }
    }
}

fn function(r: &Option<ObjectRef>) -> Option<String> {
    r.as_ref().map(ObjectRef::function_sql)
}

fn name(r: &Option<ObjectRef>) -> Option<String> {
    r.as_ref().map(|r| qualified_sql(&r.schema, &r.name))
}

fn compare(d: &mut Vec<Difference>, p: &ObjectPath, e: &RangeType, f: &RangeType) {
    field(d, p, "subtype", &e.subtype, &f.subtype);
    opt_field(
        d,
        p,
        "subtype operator class",
        &name(&e.subtype_opclass),
        &name(&f.subtype_opclass),
    );
    opt_field(d, p, "collation", &name(&e.collation), &name(&f.collation));
    opt_field(
        d,
        p,
        "canonical function",
        &function(&e.canonical),
        &function(&f.canonical),
    );
    opt_field(
        d,
        p,
        "subtype_diff function",
        &function(&e.subtype_diff),
        &function(&f.subtype_diff),
    );
    field(
        d,
        p,
        "multirange type",
        &qualified_sql(&e.multirange.schema, &e.multirange.name),
        &qualified_sql(&f.multirange.schema, &f.multirange.name),
    );
    opt_field(d, p, "comment", &e.comment, &f.comment);
    diff_acl(d, p, AclKind::Type, &e.acl, &f.acl, "");
}
