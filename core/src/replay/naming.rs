//! What a name in a schema is taken by: relations, and the registry of
//! index and constraint names, kept in step with the tables so that a lookup
//! does not scan every table (replay stays linear).

use std::collections::BTreeSet;

use crate::model::{quote_ident, ConstraintKind, Table, Unmanaged, UnmanagedKind};

use super::Replayer;

type Key = (String, String);
type IndexNames = std::collections::HashMap<Key, (String, bool)>;
type ConstraintNames = std::collections::HashMap<Key, u32>;
type Owned = std::collections::HashMap<Key, (Vec<String>, Vec<String>)>;

/// Index-like relation names and constraint names of every namespace, with
/// what each table contributed (so a changed table can be re-registered).
#[derive(Debug, Clone, Default)]
pub(super) struct Names {
    /// (namespace, name) → (table, backs a constraint).
    indexes: IndexNames,
    /// (namespace, constraint name) → how many tables use the name.
    constraints: ConstraintNames,
    /// (namespace, table) → (its index names, its constraint names).
    owned: Owned,
    pub(super) dirty: BTreeSet<(String, String)>,
    rebuild: bool,
}

impl Replayer {
    pub(super) fn relation_kind_in(&self, ns: &str, name: &str) -> Option<&'static str> {
        let n = self.schema.namespaces.get(ns)?;
        if n.tables.contains_key(name) {
            return Some("table");
        }
        if n.sequences.contains_key(name)
            || self
                .hidden_relations
                .contains(&(ns.to_string(), name.to_string()))
        {
            return Some("sequence");
        }
        if self.index_owner(ns, name).is_some() || self.view_index_owner(ns, name).is_some() {
            return Some("index");
        }
        if let Some(v) = n.views.get(name) {
            return Some(if v.materialized {
                "materialized view"
            } else {
                "view"
            });
        }
        let qn = format!("{}.{}", quote_ident(ns), quote_ident(name));
        for kind in [
            UnmanagedKind::View,
            UnmanagedKind::MaterializedView,
            UnmanagedKind::ForeignTable,
            UnmanagedKind::CompositeType,
        ] {
            if self.schema.unmanaged.contains(&Unmanaged {
                kind,
                name: qn.clone(),
            }) {
                return Some(match kind {
                    UnmanagedKind::View => "view",
                    UnmanagedKind::MaterializedView => "materialized view",
                    UnmanagedKind::ForeignTable => "foreign table",
                    _ => "composite type",
                });
            }
        }
        None
    }

    pub(super) fn relation_taken(&self, ns: &str, name: &str) -> bool {
        self.relation_kind_in(ns, name).is_some()
    }

    pub(super) fn constraint_name_taken(&self, ns: &str, name: &str) -> bool {
        self.flush_names();
        self.names
            .borrow()
            .constraints
            .get(&(ns.to_string(), name.to_string()))
            .is_some_and(|n| *n > 0)
    }

    /// The table that owns an index (or index-backed constraint) of this
    /// name, and whether it backs a constraint.
    pub(super) fn index_owner(&self, ns: &str, name: &str) -> Option<(String, bool)> {
        self.flush_names();
        self.names
            .borrow()
            .indexes
            .get(&(ns.to_string(), name.to_string()))
            .cloned()
    }

    /// Brings the name registry up to date with the tables changed since
    /// the last lookup.
    fn flush_names(&self) {
        let mut names = self.names.borrow_mut();
        if names.rebuild {
            let Names {
                indexes,
                constraints,
                owned,
                ..
            } = &mut *names;
            indexes.clear();
            constraints.clear();
            owned.clear();
            for (nsn, n) in &self.schema.namespaces {
                for (tn, t) in &n.tables {
                    register(indexes, constraints, owned, nsn, tn, t);
                }
            }
            names.rebuild = false;
            names.dirty.clear();
            return;
        }
        if names.dirty.is_empty() {
            return;
        }
        let dirty = std::mem::take(&mut names.dirty);
        let Names {
            indexes,
            constraints,
            owned,
            ..
        } = &mut *names;
        // Everything the changed tables registered goes first, then what
        // they hold now: a renamed table keeps its index names, which its
        // old name must not take away from its new one.
        for (nsn, tn) in &dirty {
            if let Some((idx, cons)) = owned.remove(&(nsn.clone(), tn.clone())) {
                for i in idx {
                    indexes.remove(&(nsn.clone(), i));
                }
                for c in cons {
                    if let Some(n) = constraints.get_mut(&(nsn.clone(), c)) {
                        *n = n.saturating_sub(1);
                    }
                }
            }
        }
        for (nsn, tn) in &dirty {
            if let Some(t) = self.table(nsn, tn) {
                register(indexes, constraints, owned, nsn, tn, t);
            }
        }
    }

    /// Marks the whole registry for a rebuild (after bulk changes: schemas
    /// dropped or renamed, tables renamed or moved, foreign keys dropped
    /// across tables).
    pub(super) fn names_changed(&mut self) {
        self.names.get_mut().rebuild = true;
    }

    pub(super) fn table_changed(&mut self, ns: &str, name: &str) {
        self.names
            .get_mut()
            .dirty
            .insert((ns.to_string(), name.to_string()));
    }
}

fn register(
    indexes: &mut IndexNames,
    constraints: &mut ConstraintNames,
    owned: &mut Owned,
    ns: &str,
    table: &str,
    t: &Table,
) {
    let mut idx = Vec::new();
    let mut cons = Vec::new();
    for name in t.indexes.keys() {
        indexes.insert((ns.to_string(), name.clone()), (table.to_string(), false));
        idx.push(name.clone());
    }
    for (name, c) in &t.constraints {
        *constraints
            .entry((ns.to_string(), name.clone()))
            .or_insert(0) += 1;
        cons.push(name.clone());
        if matches!(
            c.kind,
            ConstraintKind::PrimaryKey { .. }
                | ConstraintKind::Unique { .. }
                | ConstraintKind::Exclusion { .. }
        ) {
            indexes.insert((ns.to_string(), name.clone()), (table.to_string(), true));
            idx.push(name.clone());
        }
    }
    owned.insert((ns.to_string(), table.to_string()), (idx, cons));
}
