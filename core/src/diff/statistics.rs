//! Extended statistics compared property by property: the table, the kinds
//! built, the columns, the expressions (by what the server stores, or
//! "cannot prove"), the target and the comment.

use crate::ddl::create_statistics_sql;
use crate::model::{Namespace, ObjectKind, ObjectPath, Statistics};

use super::{field, missing, opt_field, pairs, shown, unexpected, unproven_of, Change, Difference};

pub(super) fn diff_statistics(d: &mut Vec<Difference>, nsn: &str, e: &Namespace, f: &Namespace) {
    for (name, e, f) in pairs(&e.statistics, &f.statistics) {
        let p = ObjectPath::new(ObjectKind::Statistics, nsn, name);
        match (e, f) {
            (Some(e), None) => d.push(missing(p, create_statistics_sql(nsn, name, e))),
            (None, Some(f)) => d.push(unexpected(p, create_statistics_sql(nsn, name, f))),
            (Some(e), Some(f)) => compare(d, &p, e, f),
            (None, None) => {}
        }
    }
}

fn compare(d: &mut Vec<Difference>, p: &ObjectPath, e: &Statistics, f: &Statistics) {
    field(d, p, "table", &e.table.sql(), &f.table.sql());
    field(d, p, "kinds", &kinds(e), &kinds(f));
    field(
        d,
        p,
        "columns",
        &e.columns.join(", "),
        &f.columns.join(", "),
    );
    if e.expressions != f.expressions {
        let show = |s: &Statistics| {
            let v: Vec<String> = s.expressions.iter().map(shown).collect();
            if v.is_empty() {
                "(none)".to_string()
            } else {
                v.join(", ")
            }
        };
        match unproven_of(e.expressions.iter().chain(&f.expressions)) {
            Some(reason) => d.push(Difference::new(
                p.clone(),
                Change::Unproven {
                    field: "expressions".to_string(),
                    expected: show(e),
                    found: show(f),
                    reason: reason.to_string(),
                },
            )),
            None => field(d, p, "expressions", &show(e), &show(f)),
        }
    }
    let target = |s: &Statistics| s.target.map_or("(default)".to_string(), |n| n.to_string());
    field(d, p, "statistics target", &target(e), &target(f));
    opt_field(d, p, "comment", &e.comment, &f.comment);
}

fn kinds(s: &Statistics) -> String {
    let v: Vec<&str> = s.kinds.iter().map(|k| k.keyword()).collect();
    if v.is_empty() {
        "(expression statistics only)".to_string()
    } else {
        v.join(", ")
    }
}
