//! Rewrite rules compared property by property: the event, `INSTEAD` or
//! `ALSO`, the condition and the actions (by what the server stores —
//! `pg_get_ruledef`'s text — or "cannot prove" when either side is
//! unproven), the enabled state and the comment.

use std::collections::BTreeMap;

use crate::ddl::rule_sql;
use crate::model::{ObjectKind, ObjectPath, Rule};

use super::{expr_field, field, missing, opt_field, pairs, unexpected, Difference};

/// The rules of relation `ns.rel` on both sides.
pub(super) fn diff_rules(
    d: &mut Vec<Difference>,
    ns: &str,
    rel: &str,
    e: &BTreeMap<String, Rule>,
    f: &BTreeMap<String, Rule>,
) {
    for (name, er, fr) in pairs(e, f) {
        let p = ObjectPath::in_table(ObjectKind::Rule, ns, rel, name);
        match (er, fr) {
            (Some(er), None) => d.push(missing(p, render_rule(ns, rel, name, er))),
            (None, Some(fr)) => d.push(unexpected(p, render_rule(ns, rel, name, fr))),
            (Some(er), Some(fr)) => compare(d, &p, er, fr),
            (None, None) => {}
        }
    }
}

/// A rule as a report shows it: its `CREATE RULE`, with its state when it
/// does not fire on origin.
pub fn render_rule(ns: &str, rel: &str, name: &str, r: &Rule) -> String {
    let mut s = rule_sql(ns, rel, name, r, false);
    if r.enabled != crate::model::TriggerEnabled::Origin {
        s.push_str(&format!(" ({})", r.enabled.sql()));
    }
    s
}

fn compare(d: &mut Vec<Difference>, p: &ObjectPath, e: &Rule, f: &Rule) {
    field(d, p, "event", e.event.keyword(), f.event.keyword());
    let kind = |r: &Rule| if r.instead { "INSTEAD" } else { "ALSO" };
    field(d, p, "instead or also", kind(e), kind(f));
    expr_field(
        d,
        p,
        "WHERE condition",
        e.condition.as_ref(),
        f.condition.as_ref(),
    );
    expr_field(d, p, "actions", Some(&e.actions), Some(&f.actions));
    field(d, p, "enabled", e.enabled.sql(), f.enabled.sql());
    opt_field(d, p, "comment", &e.comment, &f.comment);
}
