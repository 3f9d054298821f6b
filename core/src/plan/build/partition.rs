//! Partitions and inheritance children: a partition attached, detached or
//! re-attached with another bound, an inheritance parent added or removed
//! (`INHERIT` / `NO INHERIT`). Changes inside a hierarchy that the server
//! would propagate from a parent to its children (a column, key or index
//! added to a partitioned table) are refused by name: strata does not plan
//! them yet.

use super::{hz, k_rel, k_table, step, table_path, Builder, P_ALTER};
use crate::ddl::attach_partition_sql;
use crate::model::{qualified_sql, Constraint, Schema, Table};
use crate::plan::hazard::Hazard;
use crate::plan::order::Draft;

/// A table as it is apart from how it sits in a hierarchy: what the
/// hierarchy steps cannot change.
fn without_hierarchy(t: &Table) -> Table {
    let mut t = t.clone();
    t.partition_of = None;
    t.inherits.clear();
    for c in &mut t.columns {
        c.inherited = None;
    }
    for c in t.constraints.values_mut() {
        c.inherited = None;
    }
    for i in t.indexes.values_mut() {
        i.attached_to = None;
    }
    t
}

fn in_hierarchy(s: &Schema, ns: &str, name: &str, t: &Table) -> bool {
    t.partition_of.is_some() || !t.inherits.is_empty() || has_children(s, ns, name)
}

pub(super) fn has_children(s: &Schema, ns: &str, name: &str) -> bool {
    s.namespaces.values().any(|n| {
        n.tables.values().any(|t| {
            t.partition_of
                .as_ref()
                .is_some_and(|p| p.parent.namespace == ns && p.parent.name == name)
                || t.inherits
                    .iter()
                    .any(|p| p.namespace == ns && p.name == name)
        })
    })
}

/// What strata refuses to plan in hierarchies, one line each, naming the
/// table.
pub(super) fn unsupported(a: &Schema, b: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    for (ns, nb) in &b.namespaces {
        let Some(na) = a.namespaces.get(ns) else {
            continue;
        };
        for (name, tb) in &nb.tables {
            let Some(ta) = na.tables.get(name) else {
                continue;
            };
            if !(in_hierarchy(a, ns, name, ta) || in_hierarchy(b, ns, name, tb)) {
                continue;
            }
            if ta.partition_by != tb.partition_by {
                // Refused already: the partition key changes.
                continue;
            }
            if without_hierarchy(ta) != without_hierarchy(tb) {
                out.push(format!(
                    "{}: its columns, constraints or indexes change while it is a partition, \
                     a partitioned table with partitions, or in an inheritance hierarchy; \
                     strata does not plan changes the server propagates between parents and \
                     children yet",
                    table_path(ns, name)
                ));
                continue;
            }
            // INHERIT keeps the child's columns local: what the target
            // inherits without a local definition cannot be reached.
            let added: Vec<_> = tb
                .inherits
                .iter()
                .filter(|p| !ta.inherits.contains(p))
                .collect();
            if !added.is_empty()
                && (tb
                    .columns
                    .iter()
                    .any(|c| c.inherited.is_some_and(|i| !i.local))
                    || tb
                        .constraints
                        .values()
                        .any(|c| c.inherited.is_some_and(|i| !i.local)))
            {
                out.push(format!(
                    "{}: it would inherit from {} with columns or checks defined by the parent \
                     only (not local), which ALTER TABLE … INHERIT cannot make: recreate the \
                     table with INHERITS by hand",
                    table_path(ns, name),
                    added.iter().map(|p| p.sql()).collect::<Vec<_>>().join(", ")
                ));
            }
            let attached = |t: &Table| -> Vec<(String, Option<String>)> {
                t.indexes
                    .iter()
                    .map(|(n, i)| (n.clone(), i.attached_to.as_ref().map(|r| r.sql())))
                    .collect()
            };
            // Attaching or detaching attaches or detaches the indexes.
            let moved = ta.partition_of != tb.partition_of;
            if attached(ta) != attached(tb) && !moved {
                out.push(format!(
                    "{}: which of its indexes are attached to its parent's indexes changes; \
                     strata does not plan ALTER INDEX … ATTACH PARTITION yet",
                    table_path(ns, name)
                ));
            }
        }
    }
    out
}

/// An inherited foreign key of a partition: `ATTACH PARTITION` clones it.
pub(super) fn cloned_by_attach(t: &Table, c: &Constraint) -> bool {
    t.partition_of.is_some()
        && matches!(c.kind, crate::model::ConstraintKind::ForeignKey { .. })
        && c.inherited.is_some_and(|i| !i.local)
}

impl Builder<'_> {
    /// Partitions attached, detached or re-attached and inheritance
    /// parents added or removed, on tables on both sides.
    pub(super) fn hierarchies(&mut self) {
        let b = self.b;
        let a = self.a.clone();
        for (ns, nb) in &b.namespaces {
            let Some(na) = a.namespaces.get(ns) else {
                continue;
            };
            for (name, tb) in &nb.tables {
                let Some(ta) = na.tables.get(name) else {
                    continue;
                };
                let tq = qualified_sql(ns, name);
                let path = table_path(ns, name);
                let same_place = match (&ta.partition_of, &tb.partition_of) {
                    (Some(x), Some(y)) => x.parent == y.parent && x.bound == y.bound,
                    (None, None) => true,
                    _ => false,
                };
                if !same_place {
                    if let Some(pa) = &ta.partition_of {
                        let mut s = step(
                            path.clone(),
                            "detach partition",
                            vec![format!(
                                "ALTER TABLE {} DETACH PARTITION {tq}",
                                pa.parent.sql()
                            )],
                        );
                        s.hazards.push(hz(
                            Hazard::LocksTable,
                            format!(
                                "{} is locked while the partition is detached; until it is \
                                 attached again its rows are not in {}",
                                pa.parent.sql(),
                                pa.parent.sql()
                            ),
                        ));
                        let mut d = Draft::new(s, P_ALTER);
                        d.requires.push(k_table(ns, name));
                        d.requires
                            .push(k_table(&pa.parent.namespace, &pa.parent.name));
                        d.provides.push(format!("detached:{ns}.{name}"));
                        self.push(d);
                    }
                    if let Some(pb) = &tb.partition_of {
                        let mut s = step(
                            path.clone(),
                            "attach partition",
                            vec![attach_partition_sql(ns, name, pb)],
                        );
                        s.hazards.push(hz(
                            Hazard::MayFail,
                            "rows of the table outside the bound, or of a default partition \
                             inside it, make the attach fail",
                        ));
                        s.hazards.push(hz(
                            Hazard::LocksTable,
                            "the table is scanned to check its rows against the bound",
                        ));
                        let mut d = Draft::new(s, P_ALTER + 1);
                        d.requires.push(k_table(ns, name));
                        d.requires
                            .push(k_table(&pb.parent.namespace, &pb.parent.name));
                        if ta.partition_of.is_some() {
                            d.requires.push(format!("detached:{ns}.{name}"));
                        }
                        for iname in tb.indexes.keys() {
                            d.requires.push(k_rel(ns, iname));
                        }
                        self.push(d);
                    }
                }
                for p in ta.inherits.iter().filter(|p| !tb.inherits.contains(p)) {
                    let s = step(
                        path.clone(),
                        "no inherit",
                        vec![format!("ALTER TABLE {tq} NO INHERIT {}", p.sql())],
                    );
                    let mut d = Draft::new(s, P_ALTER);
                    d.requires.push(k_table(ns, name));
                    d.releases.push(k_table(&p.namespace, &p.name));
                    self.push(d);
                }
                for p in tb.inherits.iter().filter(|p| !ta.inherits.contains(p)) {
                    let mut s = step(
                        path.clone(),
                        "inherit",
                        vec![format!("ALTER TABLE {tq} INHERIT {}", p.sql())],
                    );
                    s.hazards.push(hz(
                        Hazard::MayFail,
                        "the table must have every column and check of its new parent",
                    ));
                    let mut d = Draft::new(s, P_ALTER + 1);
                    d.requires.push(k_table(ns, name));
                    d.requires.push(k_table(&p.namespace, &p.name));
                    self.push(d);
                }
            }
        }
    }
}
