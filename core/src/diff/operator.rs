//! Operators, property by property: the function (or that it is a shell),
//! commutator, negator, estimators, `HASHES`, `MERGES`, comment.

use std::collections::BTreeMap;

use crate::model::{ObjectKind, ObjectPath, ObjectRef, Operator};

use super::{field, missing, opt_field, pairs, unexpected, yes_no, Difference};

/// The path of an operator: `operator public.===(integer, text)`.
pub fn operator_path(ns: &str, key: &str) -> ObjectPath {
    ObjectPath::new(ObjectKind::Operator, ns, key)
}

fn render(ns: &str, key: &str, o: &Operator) -> String {
    match crate::ddl::operator_sql(ns, key, o) {
        Some(sql) => sql.split_whitespace().collect::<Vec<_>>().join(" "),
        None => format!("shell operator {}", crate::ddl::operator_target(ns, key)),
    }
}

pub(super) fn diff_operators(
    d: &mut Vec<Difference>,
    ns: &str,
    e: &BTreeMap<String, Operator>,
    f: &BTreeMap<String, Operator>,
) {
    let shown = |r: &Option<ObjectRef>, op: bool| match r {
        None => "(none)".to_string(),
        Some(r) if op => r.operator_sql(),
        Some(r) => r.function_sql(),
    };
    for (key, e, f) in pairs(e, f) {
        let p = operator_path(ns, key);
        match (e, f) {
            (Some(e), None) => d.push(missing(p, render(ns, key, e))),
            (None, Some(f)) => d.push(unexpected(p, render(ns, key, f))),
            (Some(e), Some(f)) => {
                let function = |o: &Operator| match &o.function {
                    Some(x) => x.function_sql(),
                    None => "(none: a shell operator)".to_string(),
                };
                field(d, &p, "function", &function(e), &function(f));
                field(
                    d,
                    &p,
                    "commutator",
                    &shown(&e.commutator, true),
                    &shown(&f.commutator, true),
                );
                field(
                    d,
                    &p,
                    "negator",
                    &shown(&e.negator, true),
                    &shown(&f.negator, true),
                );
                field(
                    d,
                    &p,
                    "restrict",
                    &shown(&e.restrict, false),
                    &shown(&f.restrict, false),
                );
                field(
                    d,
                    &p,
                    "join",
                    &shown(&e.join, false),
                    &shown(&f.join, false),
                );
                field(d, &p, "hashes", &yes_no(e.hashes), &yes_no(f.hashes));
                field(d, &p, "merges", &yes_no(e.merges), &yes_no(f.merges));
                opt_field(d, &p, "comment", &e.comment, &f.comment);
            }
            (None, None) => {}
        }
    }
}
