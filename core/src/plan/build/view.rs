//! Views and materialized views in a plan: a view only in the target is
//! created (as `ddl` writes it, after the tables, each after the views it
//! names; a materialized view `WITH NO DATA`, then refreshed when the
//! target's is populated), a view only in the source is dropped first; a
//! view that differs is dropped and created again (a materialized one is
//! computed again, named as a hazard). So is every view that stays but
//! reads, directly or through other views, a view that is recreated or a
//! table whose columns are dropped or retyped ([`recreated_views`]): the
//! server refuses those changes while the view exists (`DROP VIEW` without
//! `CASCADE`, `ALTER COLUMN … TYPE` of a column a view uses), as migra and
//! pg_dump-based tools do it.

use std::collections::{BTreeMap, BTreeSet};

use super::{k_ns, k_rel, step, Builder, P_DROP_DEPENDENT};
use crate::diff::view_path;
use crate::model::{qualified_sql, quote_ident, Schema, View};
use crate::plan::order::Draft;

/// Last: after tables, columns, constraints and foreign keys, and after
/// the drops too — a view's `SELECT *` takes every column its table has
/// when it is created, so a column the plan drops must be gone first (and
/// nothing a view of the target reads is dropped).
const P_VIEW: u8 = 14;

impl Builder<'_> {
    pub(super) fn views(&mut self) {
        let b = self.b;
        let again = recreated_views_with(&self.a, b, &self.recreated_names);
        let again_has = |ns: &str, name: &str| again.contains(&(ns.to_string(), name.to_string()));
        // Created: only in the target, changed, or recreated for what it
        // reads (dropped first, below).
        let created: Vec<(&str, &str, &View)> = crate::ddl::ordered_views(b)
            .into_iter()
            .filter(|(ns, name, v)| {
                again_has(ns, name)
                    || self
                        .a
                        .namespaces
                        .get(*ns)
                        .and_then(|n| n.views.get(*name))
                        .is_none_or(|x| !x.same_but_triggers(v))
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
            let unchanged = recreated
                && self
                    .a
                    .namespaces
                    .get(*ns)
                    .and_then(|n| n.views.get(*name))
                    .is_some_and(|x| x.same_but_triggers(v));
            let action = match (v.materialized, recreated, unchanged) {
                (true, _, _) => "create materialized view",
                (false, false, _) => "create view",
                (false, true, false) => "create view (dropped to change it)",
                (false, true, true) => "create view (dropped for what it reads)",
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
                again_has(ns, name)
                    || b.namespaces
                        .get(*ns)
                        .and_then(|n| n.views.get(*name))
                        .is_none_or(|x| !x.same_but_triggers(v))
            })
            .collect();
        for (ns, name, v) in &dropped {
            let stmt = format!("DROP {} {}", v.keyword(), qualified_sql(ns, name));
            let recreated = b
                .namespaces
                .get(*ns)
                .is_some_and(|n| n.views.contains_key(*name));
            let action = match (v.materialized, recreated) {
                (true, _) => "drop materialized view",
                (false, false) => "drop view",
                (false, true) => "drop view (to create it again)",
            };
            let mut d = Draft::new(
                step(view_path(ns, name, v), action, vec![stmt]),
                P_DROP_DEPENDENT,
            );
            d.drops.push(k_rel(ns, name));
            // Its triggers go with it: before the functions they call.
            for g in v.triggers.values() {
                d.releases.push(super::routine::k_routine(
                    &g.function_schema,
                    &format!("{}()", g.function),
                ));
            }
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

/// The views in both schemas that the plan drops and creates again: those
/// that differ, and — to a fixpoint — those kept unchanged whose query
/// names (as a word, in any namespace: a view may read through its search
/// path) a view already in the set, or a table that is dropped or has a
/// column dropped, retyped or with a changed generation expression (which
/// may be a drop and an add), or a column of a type that changes. Naming
/// is an over-approximation: recreating a view that did not need it costs
/// only the work; missing one would make the server refuse the plan.
pub(super) fn recreated_views(a: &Schema, b: &Schema) -> BTreeSet<(String, String)> {
    let names = super::partition::recreated_tables(a, b)
        .unwrap_or_default()
        .into_iter()
        .map(|(_, t)| t)
        .collect();
    recreated_views_with(a, b, &names)
}

/// [`recreated_views`], with the names of tables dropped and created again
/// (`recreated`) read as changed too.
pub(super) fn recreated_views_with(
    a: &Schema,
    b: &Schema,
    recreated: &BTreeSet<String>,
) -> BTreeSet<(String, String)> {
    let mut out: BTreeSet<(String, String)> = BTreeSet::new();
    let in_both = |ns: &str, vn: &str| b.namespaces.get(ns).and_then(|n| n.views.get(vn)).is_some();
    // Names whose readers are recreated: changed tables and changed types.
    let mut names_read: BTreeSet<String> = recreated.clone();
    for (ns, n) in &a.namespaces {
        let nb = b.namespaces.get(ns);
        for (tn, t) in &n.tables {
            let Some(tb) = nb.and_then(|x| x.tables.get(tn)) else {
                names_read.insert(tn.clone());
                continue;
            };
            let reshaped = t.columns.iter().any(|c| {
                tb.columns
                    .iter()
                    .find(|x| x.name == c.name)
                    .is_none_or(|x| x.data_type != c.data_type || x.generated != c.generated)
            });
            if reshaped {
                names_read.insert(tn.clone());
            }
        }
        for (en, e) in &n.enums {
            if nb.and_then(|x| x.enums.get(en)).is_none_or(|x| x != e) {
                names_read.insert(en.clone());
            }
        }
        for (dn, d) in &n.domains {
            if nb.and_then(|x| x.domains.get(dn)).is_none_or(|x| x != d) {
                names_read.insert(dn.clone());
            }
        }
        for (cn, c) in &n.composites {
            if nb.and_then(|x| x.composites.get(cn)).is_none_or(|x| x != c) {
                names_read.insert(cn.clone());
            }
        }
        for (rn, r) in &n.ranges {
            if nb.and_then(|x| x.ranges.get(rn)).is_none_or(|x| x != r) {
                names_read.insert(rn.clone());
                names_read.insert(r.multirange.name.clone());
            }
        }
        for (vn, v) in &n.views {
            let changed = nb
                .and_then(|x| x.views.get(vn))
                .is_none_or(|x| !x.same_but_triggers(v));
            if changed {
                names_read.insert(vn.clone());
                if in_both(ns, vn) {
                    out.insert((ns.clone(), vn.clone()));
                }
            }
        }
    }
    // Tables whose columns use a changed type are reshaped too.
    for n in a.namespaces.values() {
        for (tn, t) in &n.tables {
            if t.columns.iter().any(|c| {
                let base = c.data_type.trim_end_matches("[]");
                let last = base.rsplit('.').next().unwrap_or(base).trim_matches('"');
                names_read.contains(last)
            }) {
                names_read.insert(tn.clone());
            }
        }
    }
    loop {
        let before = out.len();
        for (ns, n) in &a.namespaces {
            for (vn, v) in &n.views {
                if !in_both(ns, vn) || out.contains(&(ns.clone(), vn.clone())) {
                    continue;
                }
                if names_read.iter().any(|r| r != vn && names(&v.query.sql, r)) {
                    out.insert((ns.clone(), vn.clone()));
                    names_read.insert(vn.clone());
                }
            }
        }
        if out.len() == before {
            return out;
        }
    }
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
    let again = recreated_views(a, b);
    let names: BTreeSet<&String> = a.namespaces.keys().chain(b.namespaces.keys()).collect();
    for ns in names {
        let va: &BTreeMap<String, View> = a.namespaces.get(ns).map_or(&empty, |n| &n.views);
        let vb: &BTreeMap<String, View> = b.namespaces.get(ns).map_or(&empty, |n| &n.views);
        let name =
            |v: &View, n: &str| format!("{} {}.{}", v.label(), quote_ident(ns), quote_ident(n));
        // Views only on one side are created or dropped; a recreated view
        // is dropped and created again (a materialized one computed again,
        // a hazard the step names) — unless what strata keeps by name only
        // is on it.
        for (n, v) in vb {
            if !again.contains(&(ns.clone(), n.clone())) {
                continue;
            }
            let prefix = format!("{}.{}.", quote_ident(ns), quote_ident(n));
            let on_it: Vec<String> = a
                .unmanaged
                .iter()
                .filter(|u| {
                    matches!(
                        u.kind,
                        crate::model::UnmanagedKind::Trigger | crate::model::UnmanagedKind::Policy
                    ) && u.name.starts_with(&prefix)
                })
                .map(|u| u.to_string())
                .collect();
            if !on_it.is_empty() {
                let why = if va.get(n).is_some_and(|x| x.same_but_triggers(v)) {
                    "is dropped and created again for what it reads"
                } else {
                    "differs"
                };
                details.push(format!(
                    "{}: {why}, and {} on it would be lost by dropping and recreating it (strata keeps {} by name only)",
                    name(v, n),
                    on_it.join(", "),
                    if on_it.len() == 1 { "it" } else { "them" }
                ));
            }
        }
    }
    details
}

/// The views of the source kept in the target, and not recreated, whose
/// query names `table` (in any namespace, through its search path), as
/// `view ns.name`: what a step that drops or retypes the table or its
/// columns would break. Empty unless [`recreated_views`] missed one.
pub(super) fn views_reading(from: &Schema, to: &Schema, table: &str) -> Vec<String> {
    let again = recreated_views(from, to);
    from.namespaces
        .iter()
        .flat_map(|(nsn, n)| n.views.iter().map(move |(vn, v)| (nsn, vn, v)))
        .filter(|(nsn, vn, v)| {
            !again.contains(&(nsn.to_string(), vn.to_string()))
                && names(&v.query.sql, table)
                && to
                    .namespaces
                    .get(*nsn)
                    .and_then(|n| n.views.get(*vn))
                    .is_some_and(|w| w.same_but_triggers(v))
        })
        .map(|(nsn, vn, v)| format!("{} {}.{}", v.label(), quote_ident(nsn), quote_ident(vn)))
        .collect()
}
