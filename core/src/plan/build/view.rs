//! Views and materialized views in a plan: a view only in the target is
//! created (as `ddl` writes it, after the tables, each after the views it
//! names; a materialized view `WITH NO DATA`, then refreshed when the
//! target's is populated), a view only in the source is dropped first; a
//! view that differs is dropped and created again (a materialized one is
//! computed again, named as a hazard), refused by name when a view that
//! stays reads it; so is a step that drops or retypes what a kept view may
//! read.

use std::collections::BTreeMap;

use super::{k_ns, k_rel, step, Builder, P_DROP_DEPENDENT};
use crate::diff::view_path;
use crate::model::{qualified, quote_ident, Schema, View};
use crate::plan::order::Draft;

/// Last: after tables, columns, constraints and foreign keys, and after
/// the drops too — a view's `SELECT *` takes every column its table has
/// when it is created, so a column the plan drops must be gone first (and
/// nothing a view of the target reads is dropped).
const P_VIEW: u8 = 14;

impl Builder<'_> {
    pub(super) fn views(&mut self) {
        let b = self.b;
        // Created: only in the target, or changed (dropped first, below).
        let created: Vec<(&str, &str, &View)> = crate::ddl::ordered_views(b)
            .into_iter()
            .filter(|(ns, name, v)| {
                self.a
                    .namespaces
                    .get(*ns)
                    .and_then(|n| n.views.get(*name))
                    .is_none_or(|x| x != *v)
            })
            .collect();
        for (ns, name, v) in &created {
            let mut stmts = vec![crate::ddl::create_view_sql(ns, name, v)];
            stmts.extend(crate::ddl::view_extras_sql(ns, name, v));
            let recreated = self
                .a
                .namespaces
                .get(*ns)
                .is_some_and(|n| n.views.contains_key(*name));
            let action = match (v.materialized, recreated) {
                (true, _) => "create materialized view",
                (false, false) => "create view",
                (false, true) => "create view (dropped to change it)",
            };
            let mut d = Draft::new(step(view_path(ns, name, v), action, stmts), P_VIEW);
            if v.materialized && recreated && v.populated {
                d.step.hazards.push(super::hz(
                    crate::plan::hazard::Hazard::LocksTable,
                    "the materialized view is dropped and computed again from its query \
                     (REFRESH) inside the migration: that may take long, and its readers wait \
                     until the transaction commits",
                ));
            }
            d.requires.push(k_ns(ns));
            // The views it names that are created in this plan too.
            for (ons, oname, _) in &created {
                if (ons, oname) != (ns, name) && names(&v.query.sql, oname) {
                    d.requires.push(k_rel(ons, oname));
                }
            }
            d.provides.push(k_rel(ns, name));
            self.push(d);
        }
        let a = self.a.clone();
        let dropped: Vec<(&str, &str, &View)> = crate::ddl::ordered_views(&a)
            .into_iter()
            .filter(|(ns, name, v)| {
                b.namespaces
                    .get(*ns)
                    .and_then(|n| n.views.get(*name))
                    .is_none_or(|x| x != *v)
            })
            .collect();
        for (ns, name, v) in &dropped {
            let stmt = format!("DROP {} {}", v.keyword(), qualified(ns, name));
            let recreated = b
                .namespaces
                .get(*ns)
                .is_some_and(|n| n.views.contains_key(*name));
            let action = match (v.materialized, recreated) {
                (true, _) => "drop materialized view",
                (false, false) => "drop view",
                (false, true) => "drop view (to create it again)",
            };
            if recreated {
                self.warnings.push(format!(
                    "{} {} is dropped and created again: privileges granted on it are not \
                     modelled by strata and must be granted again",
                    v.label(),
                    qualified(ns, name)
                ));
            }
            let mut d = Draft::new(
                step(view_path(ns, name, v), action, vec![stmt]),
                P_DROP_DEPENDENT,
            );
            d.drops.push(k_rel(ns, name));
            // Before the views it names that go too.
            for (ons, oname, _) in &dropped {
                if (ons, oname) != (ns, name) && names(&v.query.sql, oname) {
                    d.releases.push(k_rel(ons, oname));
                }
            }
            self.push(d);
        }
    }
}

/// The views kept unchanged on both sides whose query names `name` (in any
/// namespace: a view may read another through its search path), as `view
/// ns.name`.
fn kept_readers(a: &Schema, b: &Schema, name: &str) -> Vec<String> {
    a.namespaces
        .iter()
        .flat_map(|(nsn, n)| n.views.iter().map(move |(vn, v)| (nsn, vn, v)))
        .filter(|(nsn, vn, v)| {
            vn.as_str() != name
                && b.namespaces
                    .get(*nsn)
                    .and_then(|n| n.views.get(*vn))
                    .is_some_and(|w| w == *v)
                && names(&v.query.sql, name)
        })
        .map(|(nsn, vn, v)| format!("{} {}.{}", v.label(), quote_ident(nsn), quote_ident(vn)))
        .collect()
}

/// Whether `sql` names `name` as a word (quoted or not).
fn names(sql: &str, name: &str) -> bool {
    let lower = name.to_lowercase();
    sql.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$' || c == '"'))
        .map(|w| w.trim_matches('"'))
        .any(|w| w == name || w.to_lowercase() == lower)
}

/// `view ns.name: only in the target` / `…: differs` / `…: only in the
/// source`, for [`super::check_supported`].
pub(super) fn unsupported_views(a: &Schema, b: &Schema) -> Vec<String> {
    let mut details = Vec::new();
    let empty = BTreeMap::new();
    let names: std::collections::BTreeSet<&String> =
        a.namespaces.keys().chain(b.namespaces.keys()).collect();
    for ns in names {
        let va: &BTreeMap<String, View> = a.namespaces.get(ns).map_or(&empty, |n| &n.views);
        let vb: &BTreeMap<String, View> = b.namespaces.get(ns).map_or(&empty, |n| &n.views);
        let name =
            |v: &View, n: &str| format!("{} {}.{}", v.label(), quote_ident(ns), quote_ident(n));
        // Views only on one side are created or dropped; a changed view is
        // dropped and created again (a materialized one computed again,
        // a hazard the step names) — unless a view that stays reads it.
        for (n, v) in vb {
            let Some(x) = va.get(n) else { continue };
            if x == v {
                continue;
            }
            let prefix = format!("{}.{}.", quote_ident(ns), quote_ident(n));
            let on_it: Vec<String> = a
                .unmanaged
                .iter()
                .filter(|u| {
                    matches!(
                        u.kind,
                        crate::model::UnmanagedKind::Trigger
                            | crate::model::UnmanagedKind::Rule
                            | crate::model::UnmanagedKind::Policy
                    ) && u.name.starts_with(&prefix)
                })
                .map(|u| u.to_string())
                .collect();
            if !on_it.is_empty() {
                details.push(format!(
                    "{}: differs, and {} on it would be lost by dropping and recreating it (strata keeps {} by name only)",
                    name(v, n),
                    on_it.join(", "),
                    if on_it.len() == 1 { "it" } else { "them" }
                ));
                continue;
            }
            let readers = kept_readers(a, b, n);
            if !readers.is_empty() {
                details.push(format!(
                    "{}: differs, and {} read{} it (dropping and recreating dependent views is not planned yet)",
                    name(v, n),
                    readers.join(", "),
                    if readers.len() == 1 { "s" } else { "" }
                ));
            }
        }
    }
    details
}

/// The views of the source kept unchanged in the target that may read a
/// table — any such view, since one in another namespace may read it
/// through its search path — as `view ns.name`: what a step that drops or
/// retypes a table or column may break. (Views only in the source, or
/// changed, are dropped first and created again last.)
pub(super) fn views_reading(from: &Schema, to: &Schema) -> Vec<String> {
    from.namespaces
        .iter()
        .flat_map(|(nsn, n)| n.views.iter().map(move |(vn, v)| (nsn, vn, v)))
        .filter(|(nsn, vn, v)| {
            to.namespaces
                .get(*nsn)
                .and_then(|n| n.views.get(*vn))
                .is_some_and(|w| w == *v)
        })
        .map(|(nsn, vn, v)| format!("{} {}.{}", v.label(), quote_ident(nsn), quote_ident(vn)))
        .collect()
}
