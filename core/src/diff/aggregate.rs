//! Aggregates, property by property.

use std::collections::BTreeMap;

use crate::model::{Aggregate, ObjectKind, ObjectPath, ObjectRef};

use super::{field, missing, opt_field, pairs, unexpected, yes_no, Difference};

/// The path of an aggregate: `aggregate public.mysum(integer)`.
pub fn aggregate_path(ns: &str, key: &str) -> ObjectPath {
    ObjectPath::new(ObjectKind::Aggregate, ns, key)
}

fn render(ns: &str, key: &str, a: &Aggregate) -> String {
    crate::ddl::aggregate_sql(ns, key, a, false)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

pub(super) fn diff_aggregates(
    d: &mut Vec<Difference>,
    ns: &str,
    e: &BTreeMap<String, Aggregate>,
    f: &BTreeMap<String, Aggregate>,
) {
    let func = |r: &Option<ObjectRef>| {
        r.as_ref()
            .map_or("(none)".to_string(), |r| r.function_sql())
    };
    let text = |t: &Option<String>| t.clone().unwrap_or_else(|| "(none)".to_string());
    for (key, e, f) in pairs(e, f) {
        let p = aggregate_path(ns, key);
        match (e, f) {
            (Some(e), None) => d.push(missing(p, render(ns, key, e))),
            (None, Some(f)) => d.push(unexpected(p, render(ns, key, f))),
            (Some(e), Some(f)) => {
                field(d, &p, "arguments", &e.arguments_sql(), &f.arguments_sql());
                field(
                    d,
                    &p,
                    "hypothetical",
                    &yes_no(e.hypothetical),
                    &yes_no(f.hypothetical),
                );
                field(
                    d,
                    &p,
                    "sfunc",
                    &e.sfunc.function_sql(),
                    &f.sfunc.function_sql(),
                );
                field(d, &p, "stype", &e.stype, &f.stype);
                field(
                    d,
                    &p,
                    "sspace",
                    &e.sspace.to_string(),
                    &f.sspace.to_string(),
                );
                field(d, &p, "finalfunc", &func(&e.finalfunc), &func(&f.finalfunc));
                field(
                    d,
                    &p,
                    "finalfunc_extra",
                    &yes_no(e.finalfunc_extra),
                    &yes_no(f.finalfunc_extra),
                );
                field(
                    d,
                    &p,
                    "finalfunc_modify",
                    &e.finalfunc_modify.to_string(),
                    &f.finalfunc_modify.to_string(),
                );
                field(
                    d,
                    &p,
                    "combinefunc",
                    &func(&e.combinefunc),
                    &func(&f.combinefunc),
                );
                field(
                    d,
                    &p,
                    "serialfunc",
                    &func(&e.serialfunc),
                    &func(&f.serialfunc),
                );
                field(
                    d,
                    &p,
                    "deserialfunc",
                    &func(&e.deserialfunc),
                    &func(&f.deserialfunc),
                );
                field(d, &p, "initcond", &text(&e.initcond), &text(&f.initcond));
                field(d, &p, "msfunc", &func(&e.msfunc), &func(&f.msfunc));
                field(d, &p, "minvfunc", &func(&e.minvfunc), &func(&f.minvfunc));
                field(d, &p, "mstype", &text(&e.mstype), &text(&f.mstype));
                field(
                    d,
                    &p,
                    "msspace",
                    &e.msspace.to_string(),
                    &f.msspace.to_string(),
                );
                field(
                    d,
                    &p,
                    "mfinalfunc",
                    &func(&e.mfinalfunc),
                    &func(&f.mfinalfunc),
                );
                field(
                    d,
                    &p,
                    "mfinalfunc_extra",
                    &yes_no(e.mfinalfunc_extra),
                    &yes_no(f.mfinalfunc_extra),
                );
                field(
                    d,
                    &p,
                    "mfinalfunc_modify",
                    &e.mfinalfunc_modify.to_string(),
                    &f.mfinalfunc_modify.to_string(),
                );
                field(d, &p, "minitcond", &text(&e.minitcond), &text(&f.minitcond));
                let op = |r: &Option<ObjectRef>| {
                    r.as_ref()
                        .map_or("(none)".to_string(), |r| r.operator_sql())
                };
                field(d, &p, "sortop", &op(&e.sortop), &op(&f.sortop));
                let par = |a: &Aggregate| format!("{:?}", a.parallel).to_uppercase();
                field(d, &p, "parallel", &par(e), &par(f));
                opt_field(d, &p, "comment", &e.comment, &f.comment);
            }
            (None, None) => {}
        }
    }
}
