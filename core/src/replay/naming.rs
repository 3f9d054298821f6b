//! What a name in a schema is taken by: relations, and the registry of
//! index and constraint names, kept in step with the tables so that a lookup
//! does not scan every table (replay stays linear).

use std::collections::BTreeSet;

use crate::model::{quote_ident, ConstraintKind, Table, Unmanaged, UnmanagedKind};

use super::Replayer;

type Key = (String, String);
type IndexNames = std::collections::HashMap<Key, (String, bool)>;
type ConstraintNames = std::collections::HashMap<Key, u32>;
/// What one table put in the registry: its index names (sorted), its
/// constraint names (sorted) with whether each backs an index, the tables
/// it names.
type Owned = std::collections::HashMap<Key, Registered>;

#[derive(Debug, Clone, Default)]
struct Registered {
    indexes: BTreeSet<String>,
    constraints: std::collections::BTreeMap<String, bool>,
    refs: Vec<Key>,
}
/// (namespace, table) → the tables that name it (how many times each).
type Referrers = std::collections::HashMap<Key, std::collections::HashMap<Key, u32>>;

/// Index-like relation names and constraint names of every namespace, with
/// what each table contributed (so a changed table can be re-registered).
#[derive(Debug, Clone, Default)]
pub(super) struct Names {
    /// (namespace, name) → (table, backs a constraint).
    indexes: IndexNames,
    /// (namespace, constraint name) → how many tables use the name.
    constraints: ConstraintNames,
    /// (namespace, table) → (its index names, its constraint names, the
    /// tables it names).
    owned: Owned,
    /// The tables that name a table: by a foreign key, as a partition's
    /// parent, as an inheritance parent, or in a constraint trigger's
    /// `FROM`. A rename visits these, not every table (replay stays linear).
    /// Exact as long as every change to those references goes through
    /// `table_mut` / `table_changed` (or `names_changed`).
    referrers: Referrers,
    pub(super) dirty: BTreeSet<(String, String)>,
    rebuild: bool,
    /// Where the name choosers resume (see [`Hints`]).
    hints: Hints,
}

/// Which names an automatically named object must not take: any
/// relation's (an index, a sequence), any constraint's (a check, a foreign
/// key), or both (an index-backed constraint).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum TakenBy {
    Relation,
    Constraint,
    Both,
}

/// What a candidate name is taken by.
enum Taken {
    Free,
    /// By a name of the registry (an index or constraint of a table): its
    /// freeing is seen by [`Replayer::flush_names`].
    Registry,
    /// By another relation (table, sequence, view, a view's index,
    /// unmanaged relation): checked again at each choice.
    Other,
}

/// One chooser: (what must not be taken, namespace, name1, name2, label).
type Base = (TakenBy, String, String, Option<String>, String);

/// Per-base hints for `ChooseRelationName` / `ChooseConstraintName`, so that
/// N objects named automatically from the same base cost O(N) in total,
/// not O(N²), while giving exactly the server's name: the lowest free
/// pass (`t_a_idx`, `t_a_idx1`, …).
///
/// Invariant: every pass below `next` of a base names a taken name. Each
/// taken name a chooser stepped over is remembered: a registry name in
/// `watch` (when the registry sees it freed, by DROP or RENAME, the base
/// goes back to that pass), another relation's in the base's `other` list
/// (checked again at every choice; such collisions are rare). A full
/// rebuild of the registry forgets every hint.
#[derive(Debug, Clone, Default)]
struct Hints {
    ids: std::collections::HashMap<Base, usize>,
    bases: Vec<BaseHint>,
    /// (namespace, name) → the bases and passes that stepped over it.
    watch: std::collections::HashMap<Key, Vec<(usize, u64)>>,
}

#[derive(Debug, Clone, Default)]
struct BaseHint {
    /// Every pass below it names a taken name, but for `holes`.
    next: u64,
    /// Passes below `next` whose name was freed since: tried first, lowest
    /// first, and forgotten once found taken again.
    holes: BTreeSet<u64>,
    other: Vec<(String, u64)>,
}

impl Hints {
    fn freed(&mut self, key: &Key) {
        if let Some(list) = self.watch.remove(key) {
            for (id, pass) in list {
                if let Some(b) = self.bases.get_mut(id) {
                    if pass < b.next {
                        b.holes.insert(pass);
                    }
                }
            }
        }
    }
}

impl Replayer {
    pub(super) fn relation_kind_in(&self, ns: &str, name: &str) -> Option<&'static str> {
        let n = self.schema.namespaces.get(ns)?;
        if let Some(t) = n.tables.get(name) {
            return Some(if t.foreign.is_some() {
                "foreign table"
            } else {
                "table"
            });
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
            UnmanagedKind::CompositeType,
        ] {
            if self.schema.unmanaged.contains(&Unmanaged {
                kind,
                name: qn.clone(),
            }) {
                return Some(match kind {
                    UnmanagedKind::View => "view",
                    UnmanagedKind::MaterializedView => "materialized view",
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
                referrers,
                ..
            } = &mut *names;
            indexes.clear();
            constraints.clear();
            owned.clear();
            referrers.clear();
            let mut removed = Vec::new();
            for (nsn, n) in &self.schema.namespaces {
                for (tn, t) in &n.tables {
                    let key = (nsn.clone(), tn.clone());
                    let new = update(
                        indexes,
                        constraints,
                        &mut removed,
                        nsn,
                        tn,
                        Registered::default(),
                        t,
                    );
                    for r in &new.refs {
                        *referrers
                            .entry(r.clone())
                            .or_default()
                            .entry(key.clone())
                            .or_insert(0) += 1;
                    }
                    owned.insert(key, new);
                }
            }
            names.rebuild = false;
            names.dirty.clear();
            names.hints = Hints::default();
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
            referrers,
            hints,
            ..
        } = &mut *names;
        let mut removed: Vec<Key> = Vec::new();
        // Each changed table: what it registered before against what it
        // holds now, both sorted, so that a table with thousands of names
        // costs one comparison per name and a hash update per change. An
        // index name is removed only while this table owns it (a renamed
        // table's names now belong to its new name, whichever comes first).
        for (nsn, tn) in &dirty {
            let key = (nsn.clone(), tn.clone());
            let mut old = owned.remove(&key).unwrap_or_default();
            let old_refs = std::mem::take(&mut old.refs);
            let new = match self.table(nsn, tn) {
                Some(t) => Some(update(indexes, constraints, &mut removed, nsn, tn, old, t)),
                None => {
                    remove_all(indexes, constraints, &mut removed, nsn, tn, &old);
                    None
                }
            };
            let new_refs: &[Key] = new.as_ref().map_or(&[], |n| n.refs.as_slice());
            if old_refs != new_refs {
                for r in &old_refs {
                    if let Some(m) = referrers.get_mut(r) {
                        if let Some(n) = m.get_mut(&key) {
                            *n = n.saturating_sub(1);
                            if *n == 0 {
                                m.remove(&key);
                            }
                        }
                        if m.is_empty() {
                            referrers.remove(r);
                        }
                    }
                }
                for r in new_refs {
                    *referrers
                        .entry(r.clone())
                        .or_default()
                        .entry(key.clone())
                        .or_insert(0) += 1;
                }
            }
            if let Some(new) = new {
                owned.insert(key, new);
            }
        }
        // A name the changed tables held before and no table holds now is
        // free again: the choosers that stepped over it go back.
        if !hints.watch.is_empty() {
            for k in removed {
                if !indexes.contains_key(&k) && constraints.get(&k).is_none_or(|n| *n == 0) {
                    hints.freed(&k);
                }
            }
        }
    }

    /// PostgreSQL's `ChooseRelationName` / `ChooseConstraintName`
    /// ([`crate::names::choose_name`]) in O(1) amortised: the same name —
    /// the lowest free pass — resumed from the base's hint.
    pub(super) fn choose_name(
        &self,
        by: TakenBy,
        ns: &str,
        name1: &str,
        name2: Option<&str>,
        label: &str,
    ) -> String {
        self.flush_names();
        let base: Base = (
            by,
            ns.to_string(),
            name1.to_string(),
            name2.map(str::to_string),
            label.to_string(),
        );
        let (id, next, mut holes, other) = {
            let mut names = self.names.borrow_mut();
            let h = &mut names.hints;
            let id = match h.ids.get(&base) {
                Some(id) => *id,
                None => {
                    h.bases.push(BaseHint::default());
                    h.ids.insert(base, h.bases.len() - 1);
                    h.bases.len() - 1
                }
            };
            let b = &mut h.bases[id];
            (
                id,
                b.next,
                std::mem::take(&mut b.holes),
                std::mem::take(&mut b.other),
            )
        };
        let candidate = |pass: u64| {
            if pass == 0 {
                crate::names::make_object_name(name1, name2, Some(label))
            } else {
                crate::names::make_object_name(name1, name2, Some(&format!("{label}{pass}")))
            }
        };
        // Names other relations took may have been freed since.
        let mut kept_other: Vec<(String, u64)> = Vec::new();
        for (name, p) in other {
            if matches!(self.taken(by, ns, &name), Taken::Free) {
                holes.insert(p);
            } else {
                kept_other.push((name, p));
            }
        }
        let mut watched: Vec<(String, u64)> = Vec::new();
        let mut chosen = None;
        // The holes, lowest first: a hole still free is the answer (and
        // stays a hole until it is seen taken); one taken again is watched
        // again and forgotten.
        while let Some(&p) = holes.first() {
            let c = candidate(p);
            match self.taken(by, ns, &c) {
                Taken::Free => {
                    chosen = Some(c);
                    break;
                }
                Taken::Registry => watched.push((c, p)),
                Taken::Other => kept_other.push((c, p)),
            }
            holes.remove(&p);
        }
        let mut pass = next;
        let name = match chosen {
            Some(c) => c,
            None => loop {
                let c = candidate(pass);
                match self.taken(by, ns, &c) {
                    Taken::Free => break c,
                    Taken::Registry => watched.push((c, pass)),
                    Taken::Other => kept_other.push((c, pass)),
                }
                pass += 1;
            },
        };
        let mut names = self.names.borrow_mut();
        let h = &mut names.hints;
        for (n, p) in watched {
            h.watch
                .entry((ns.to_string(), n))
                .or_default()
                .push((id, p));
        }
        let b = &mut h.bases[id];
        b.next = pass;
        b.holes = holes;
        b.other = kept_other;
        name
    }

    /// What the statement added to a table it changed through
    /// [`Replayer::table_mut_quiet`]: one index, or one constraint (and
    /// the table its foreign key names), registered without going over
    /// the table's other names. When the table is waiting for a full
    /// update anyway (or was never registered), it just waits.
    pub(super) fn names_added(
        &mut self,
        ns: &str,
        table: &str,
        name: &str,
        constraint: Option<&crate::model::Constraint>,
    ) {
        let names = self.names.get_mut();
        let key = (ns.to_string(), table.to_string());
        if names.rebuild || names.dirty.contains(&key) {
            return;
        }
        let Some(reg) = names.owned.get_mut(&key) else {
            names.dirty.insert(key);
            return;
        };
        match constraint {
            None => {
                if reg.indexes.insert(name.to_string()) {
                    names.indexes.insert(
                        (ns.to_string(), name.to_string()),
                        (table.to_string(), false),
                    );
                } else {
                    names.dirty.insert(key);
                }
            }
            Some(c) => {
                if reg.constraints.contains_key(name) {
                    names.dirty.insert(key);
                    return;
                }
                let backs = backs_index(c);
                reg.constraints.insert(name.to_string(), backs);
                *names
                    .constraints
                    .entry((ns.to_string(), name.to_string()))
                    .or_insert(0) += 1;
                if backs {
                    names.indexes.insert(
                        (ns.to_string(), name.to_string()),
                        (table.to_string(), true),
                    );
                }
                if let ConstraintKind::ForeignKey {
                    ref_namespace,
                    ref_table,
                    ..
                } = &c.kind
                {
                    let r = (ref_namespace.clone(), ref_table.clone());
                    reg.refs.push(r.clone());
                    *names
                        .referrers
                        .entry(r)
                        .or_default()
                        .entry(key)
                        .or_insert(0) += 1;
                }
            }
        }
    }

    /// What a statement removed from a table it changed through
    /// [`Replayer::table_mut_quiet`]: one index (`constraint` false) or one
    /// constraint that names no other table, unregistered without going
    /// over the table's other names (N drops on a table of N names stay
    /// O(N log N), not O(N²)). A name the choosers stepped over goes back
    /// to them. When the table is waiting for a full update anyway, or the
    /// name is not what the registry holds for it, the table waits for one.
    pub(super) fn names_removed(&mut self, ns: &str, table: &str, name: &str, constraint: bool) {
        let names = self.names.get_mut();
        let key = (ns.to_string(), table.to_string());
        if names.rebuild || names.dirty.contains(&key) {
            return;
        }
        let Some(reg) = names.owned.get_mut(&key) else {
            names.dirty.insert(key);
            return;
        };
        let backed = if constraint {
            match reg.constraints.remove(name) {
                Some(backed) => backed,
                None => {
                    names.dirty.insert(key);
                    return;
                }
            }
        } else {
            if !reg.indexes.remove(name) {
                names.dirty.insert(key);
                return;
            }
            true
        };
        let mut removed = Vec::new();
        if constraint {
            remove_constraint(&mut names.constraints, &mut removed, ns, name);
        }
        if backed {
            remove_index(&mut names.indexes, &mut removed, ns, table, name);
        }
        if !names.hints.watch.is_empty() {
            for k in removed {
                if !names.indexes.contains_key(&k)
                    && names.constraints.get(&k).is_none_or(|n| *n == 0)
                {
                    names.hints.freed(&k);
                }
            }
        }
    }

    /// Whether `name` is taken in `ns` for an object that must avoid `by`,
    /// and by what.
    fn taken(&self, by: TakenBy, ns: &str, name: &str) -> Taken {
        if by != TakenBy::Constraint && self.other_relation_taken(ns, name) {
            return Taken::Other;
        }
        self.flush_names();
        let names = self.names.borrow();
        let key = (ns.to_string(), name.to_string());
        let index = by != TakenBy::Constraint && names.indexes.contains_key(&key);
        let constraint =
            by != TakenBy::Relation && names.constraints.get(&key).is_some_and(|n| *n > 0);
        if index || constraint {
            Taken::Registry
        } else {
            Taken::Free
        }
    }

    /// [`Self::relation_taken`] but for the registry's index names.
    fn other_relation_taken(&self, ns: &str, name: &str) -> bool {
        let Some(n) = self.schema.namespaces.get(ns) else {
            return false;
        };
        if n.tables.contains_key(name)
            || n.sequences.contains_key(name)
            || n.views.contains_key(name)
            || self
                .hidden_relations
                .contains(&(ns.to_string(), name.to_string()))
            || self.view_index_owner(ns, name).is_some()
        {
            return true;
        }
        let qn = format!("{}.{}", quote_ident(ns), quote_ident(name));
        [
            UnmanagedKind::View,
            UnmanagedKind::MaterializedView,
            UnmanagedKind::CompositeType,
        ]
        .into_iter()
        .any(|kind| {
            self.schema.unmanaged.contains(&Unmanaged {
                kind,
                name: qn.clone(),
            })
        })
    }

    /// The tables (by their current names, sorted) whose foreign keys,
    /// partition bound, inheritance or constraint triggers name the table
    /// `ns.name` — possibly the table itself.
    pub(super) fn referrers(&self, ns: &str, name: &str) -> Vec<Key> {
        self.flush_names();
        let mut v: Vec<Key> = self
            .names
            .borrow()
            .referrers
            .get(&(ns.to_string(), name.to_string()))
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        v.sort();
        v
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

/// A table's references: the tables its foreign keys, partition bound,
/// inheritance and constraint triggers name.
fn refs_of(t: &Table) -> Vec<Key> {
    let mut refs: Vec<Key> = Vec::new();
    for c in t.constraints.values() {
        if let ConstraintKind::ForeignKey {
            ref_namespace,
            ref_table,
            ..
        } = &c.kind
        {
            refs.push((ref_namespace.clone(), ref_table.clone()));
        }
    }
    if let Some(p) = &t.partition_of {
        refs.push((p.parent.namespace.clone(), p.parent.name.clone()));
    }
    for p in &t.inherits {
        refs.push((p.namespace.clone(), p.name.clone()));
    }
    for g in t.triggers.values() {
        if let Some(r) = g.constraint.as_ref().and_then(|c| c.referenced.as_ref()) {
            refs.push(r.clone());
        }
    }
    refs
}

fn backs_index(c: &crate::model::Constraint) -> bool {
    matches!(
        c.kind,
        ConstraintKind::PrimaryKey { .. }
            | ConstraintKind::Unique { .. }
            | ConstraintKind::Exclusion { .. }
    )
}

/// Removes an index name if `table` owns it.
fn remove_index(
    indexes: &mut IndexNames,
    removed: &mut Vec<Key>,
    ns: &str,
    table: &str,
    name: &str,
) {
    let k = (ns.to_string(), name.to_string());
    if indexes.get(&k).is_some_and(|(owner, _)| owner == table) {
        indexes.remove(&k);
        removed.push(k);
    }
}

fn remove_constraint(
    constraints: &mut ConstraintNames,
    removed: &mut Vec<Key>,
    ns: &str,
    name: &str,
) {
    let k = (ns.to_string(), name.to_string());
    if let Some(n) = constraints.get_mut(&k) {
        *n = n.saturating_sub(1);
        if *n == 0 {
            constraints.remove(&k);
        }
    }
    removed.push(k);
}

/// Everything a table that is gone had registered.
fn remove_all(
    indexes: &mut IndexNames,
    constraints: &mut ConstraintNames,
    removed: &mut Vec<Key>,
    ns: &str,
    table: &str,
    old: &Registered,
) {
    for i in &old.indexes {
        remove_index(indexes, removed, ns, table, i);
    }
    for (c, backs) in &old.constraints {
        remove_constraint(constraints, removed, ns, c);
        if *backs {
            remove_index(indexes, removed, ns, table, c);
        }
    }
}

/// Brings a table's entries from `old` (what it registered) to what it
/// holds now, by merging the sorted lists: names kept are moved, not
/// copied or hashed again.
fn update(
    indexes: &mut IndexNames,
    constraints: &mut ConstraintNames,
    removed: &mut Vec<Key>,
    ns: &str,
    table: &str,
    old: Registered,
    t: &Table,
) -> Registered {
    let mut new = Registered {
        indexes: BTreeSet::new(),
        constraints: std::collections::BTreeMap::new(),
        refs: refs_of(t),
    };
    let mut was = old.indexes.into_iter().peekable();
    let mut now = t.indexes.keys().peekable();
    loop {
        match (was.peek(), now.peek()) {
            (None, None) => break,
            (Some(w), Some(n)) if w.as_str() == n.as_str() => {
                // Kept: registered to this table already.
                now.next();
                new.indexes.insert(was.next().unwrap_or_default());
            }
            (Some(w), n) if n.is_none_or(|n| w.as_str() < n.as_str()) => {
                let w = was.next().unwrap_or_default();
                remove_index(indexes, removed, ns, table, &w);
            }
            _ => {
                let n = now.next().cloned().unwrap_or_default();
                indexes.insert((ns.to_string(), n.clone()), (table.to_string(), false));
                new.indexes.insert(n);
            }
        }
    }
    let mut was = old.constraints.into_iter().peekable();
    let mut now = t.constraints.iter().peekable();
    loop {
        match (was.peek(), now.peek()) {
            (None, None) => break,
            (Some((w, backed)), Some((n, c))) if w.as_str() == n.as_str() => {
                let backs = backs_index(c);
                if *backed && !backs {
                    remove_index(indexes, removed, ns, table, w);
                } else if backs && !*backed {
                    indexes.insert((ns.to_string(), w.clone()), (table.to_string(), true));
                }
                now.next();
                let (w, _) = was.next().unwrap_or_default();
                new.constraints.insert(w, backs);
            }
            (Some((w, _)), n) if n.is_none_or(|(n, _)| w.as_str() < n.as_str()) => {
                let (w, backed) = was.next().unwrap_or_default();
                remove_constraint(constraints, removed, ns, &w);
                if backed {
                    remove_index(indexes, removed, ns, table, &w);
                }
            }
            _ => {
                let Some((n, c)) = now.next() else { break };
                let backs = backs_index(c);
                *constraints.entry((ns.to_string(), n.clone())).or_insert(0) += 1;
                if backs {
                    indexes.insert((ns.to_string(), n.clone()), (table.to_string(), true));
                }
                new.constraints.insert(n.clone(), backs);
            }
        }
    }
    new
}
