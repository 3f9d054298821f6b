//! Views and materialized views, property by property.

use crate::model::{qualified, quote_ident, Expression, ObjectKind, ObjectPath, View};

use super::{
    diff_index, diff_trigger, expr_field, field, missing, opt_field, pairs, render_index,
    render_options, render_trigger, unexpected, yes_no, Change, Difference,
};

/// The path of a view.
pub fn view_path(ns: &str, name: &str, v: &View) -> ObjectPath {
    ObjectPath::new(
        if v.materialized {
            ObjectKind::MaterializedView
        } else {
            ObjectKind::View
        },
        ns,
        name,
    )
}

/// `CREATE [MATERIALIZED] VIEW name AS query`, on one line.
pub fn render_view(ns: &str, name: &str, v: &View) -> String {
    format!(
        "CREATE {} {} AS {}",
        v.keyword(),
        qualified(ns, name),
        one_line(&v.query.sql)
    )
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A query for a report: the server's text when known, on one line.
fn shown_query(e: &Expression) -> String {
    one_line(e.exact().unwrap_or(&e.sql))
}

pub(super) fn diff_views(
    d: &mut Vec<Difference>,
    ns: &str,
    expected: &std::collections::BTreeMap<String, View>,
    found: &std::collections::BTreeMap<String, View>,
) {
    for (name, e, f) in pairs(expected, found) {
        match (e, f) {
            (Some(e), None) => d.push(missing(view_path(ns, name, e), render_view(ns, name, e))),
            (None, Some(f)) => d.push(unexpected(
                view_path(ns, name, f),
                format!("{} {}", f.label(), qualified(ns, name)),
            )),
            (Some(e), Some(f)) => diff_view(d, ns, name, e, f),
            (None, None) => {}
        }
    }
}

fn diff_view(d: &mut Vec<Difference>, ns: &str, name: &str, e: &View, f: &View) {
    let p = &view_path(ns, name, e);
    field(d, p, "kind", e.label(), f.label());
    super::privilege::diff_acl(d, p, crate::model::AclKind::Relation, &e.acl, &f.acl, "");
    let names = |v: &View| {
        v.columns
            .iter()
            .map(|c| quote_ident(&c.name))
            .collect::<Vec<_>>()
            .join(", ")
    };
    field(d, p, "columns", &names(e), &names(f));
    if e.query != f.query {
        if e.query.unproven().is_some() || f.query.unproven().is_some() {
            d.push(Difference {
                path: p.clone(),
                change: Change::Unproven {
                    field: "query".to_string(),
                    expected: shown_query(&e.query),
                    found: shown_query(&f.query),
                    reason: e
                        .query
                        .unproven()
                        .or(f.query.unproven())
                        .unwrap_or_default()
                        .to_string(),
                },
                security: false,
            });
        } else {
            field(
                d,
                p,
                "query",
                &shown_query(&e.query),
                &shown_query(&f.query),
            );
        }
    }
    if names(e) == names(f) {
        for (ec, fc) in e.columns.iter().zip(&f.columns) {
            let c = quote_ident(&ec.name);
            match (&ec.data_type, &fc.data_type) {
                (Some(a), Some(b)) => field(d, p, &format!("type of column {c}"), a, b),
                (None, None) => {}
                (a, b) => d.push(Difference {
                    path: p.clone(),
                    change: Change::Unproven {
                        field: format!("type of column {c}"),
                        expected: a.clone().unwrap_or_else(|| "(unknown)".to_string()),
                        found: b.clone().unwrap_or_else(|| "(unknown)".to_string()),
                        reason: "strata does not know the type of this view column offline"
                            .to_string(),
                    },
                    security: false,
                }),
            }
            expr_field(
                d,
                p,
                &format!("default of column {c}"),
                ec.default.as_ref(),
                fc.default.as_ref(),
            );
            opt_field(
                d,
                p,
                &format!("comment of column {c}"),
                &ec.comment,
                &fc.comment,
            );
            super::privilege::diff_acl(
                d,
                p,
                crate::model::AclKind::Column,
                &ec.acl,
                &fc.acl,
                &format!(" on column {c}"),
            );
        }
    }
    let check = |v: &View| match v.check_option {
        Some(c) => format!("WITH {} CHECK OPTION", c.sql()),
        None => "(none)".to_string(),
    };
    field(d, p, "check option", &check(e), &check(f));
    field(
        d,
        p,
        "options",
        &render_options(&e.options),
        &render_options(&f.options),
    );
    if e.materialized && f.materialized {
        field(
            d,
            p,
            "populated",
            &yes_no(e.populated),
            &yes_no(f.populated),
        );
    }
    opt_field(d, p, "comment", &e.comment, &f.comment);
    for (iname, ei, fi) in pairs(&e.indexes, &f.indexes) {
        let ip = ObjectPath::in_table(ObjectKind::Index, ns, name, iname);
        match (ei, fi) {
            (Some(ei), None) => d.push(missing(ip, render_index(ns, name, iname, ei))),
            (None, Some(fi)) => d.push(unexpected(ip, render_index(ns, name, iname, fi))),
            (Some(ei), Some(fi)) => diff_index(d, &ip, ei, fi),
            (None, None) => {}
        }
    }
    for (gname, eg, fg) in pairs(&e.triggers, &f.triggers) {
        let gp = ObjectPath::in_table(ObjectKind::Trigger, ns, name, gname);
        match (eg, fg) {
            (Some(eg), None) => d.push(missing(gp, render_trigger(ns, name, gname, eg))),
            (None, Some(fg)) => d.push(unexpected(gp, render_trigger(ns, name, gname, fg))),
            (Some(eg), Some(fg)) => diff_trigger(d, &gp, eg, fg),
            (None, None) => {}
        }
    }
    super::rule::diff_rules(d, ns, name, &e.rules, &f.rules);
}
