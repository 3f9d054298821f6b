//! Partitions and inheritance children: a partition attached, detached or
//! re-attached with another bound, an inheritance parent added or removed
//! (`INHERIT` / `NO INHERIT`), and what a kept parent's own steps do to its
//! children as the server passes them down ([`simulate`]): columns added
//! and dropped; a column's type, default or NOT NULL changed
//! ([`column_ops`]: they recurse to every descendant with the column);
//! checks added and dropped (merged with a child's own, down to
//! grandchildren, inherited from two parents); a partitioned table's
//! primary key, unique constraints and foreign keys, copied to (or
//! attached on) every partition and dropped with it; any of these changed
//! on the parent, dropped and added again there. A standalone table
//! attached as a partition gets its parent's keys, foreign keys and indexes
//! from `ATTACH PARTITION` (planned as nothing else); a partition detached
//! keeps them as its own. Only the parent's step
//! is planned; each child is planned from what the parent's steps leave of
//! it, its own steps after its ancestors'. A partitioned table's own
//! indexes are [`index_propagation`]'s. What the server would do in a way
//! strata cannot tell or model (which of several matching keys it attaches,
//! a foreign key of a partition under another name, marks no `ALTER`
//! makes, a column a partition key uses retyped, an identity or generation
//! change inside a hierarchy) is refused by name ([`unsupported`]).

use super::{hz, k_col, k_con, k_rel, k_table, step, table_path, Builder, P_ALTER};
use crate::ddl::attach_partition_sql;
use crate::model::{
    qualified_sql, quote_ident, Column, Constraint, Index, Inherited, Schema, Table,
};
use crate::plan::hazard::Hazard;
use crate::plan::order::Draft;
use crate::plan::order::Key;
use std::collections::HashSet;
use std::collections::{BTreeMap, BTreeSet};

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

/// What a parent's column step does to a child's keys in the plan's order.
#[derive(Debug, Clone)]
pub(super) enum KeyOp {
    /// The parent's `ADD COLUMN` gives the child the column.
    Provides(Key),
    /// The parent's `DROP COLUMN` takes it from the child.
    Drops(Key),
    /// The parent's `DROP COLUMN` leaves the child's own column, which a
    /// later child step may drop.
    Releases(Key),
    /// The parent's step waits for this (the child's own column dropped
    /// first, so that it inherits the parent's).
    Requires(Key),
}

/// A child as the server leaves it after its parents' steps.
pub(super) struct Sim {
    pub table: Table,
    /// `(parent namespace, parent, column)` → what that parent column step
    /// also does to the child.
    pub effects: Vec<((String, String, String), KeyOp)>,
    /// `(parent namespace, parent, constraint)` → what that parent's
    /// `ADD | DROP CONSTRAINT` also does to the child's constraints.
    pub con_effects: Vec<(ConstraintAt, KeyOp)>,
    /// The child's own columns dropped before the parent adds a column of
    /// that name that the child must only inherit (`attislocal` false,
    /// which no `ALTER` sets on a column that exists).
    pub predrops: Vec<Column>,
}

pub(super) fn predrop_key(ns: &str, t: &str, c: &str) -> Key {
    format!("predrop:{ns}.{t}.{c}")
}

/// The parents a table has on both sides (a partition's parent with the
/// same bound, or an inheritance parent kept).
fn kept_parents(ta: &Table, tb: &Table) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let (Some(x), Some(y)) = (&ta.partition_of, &tb.partition_of) {
        if x == y {
            out.push((x.parent.namespace.clone(), x.parent.name.clone()));
        }
    }
    for p in ta.inherits.iter().filter(|p| tb.inherits.contains(p)) {
        out.push((p.namespace.clone(), p.name.clone()));
    }
    out
}

/// The column as compared inside a hierarchy: what a parent's step would
/// change on a child, without what stays the child's own.
fn propagated_part(c: &Column) -> Column {
    let mut c = c.clone();
    c.inherited = None;
    c.comment = None;
    c.statistics = None;
    c.acl = None;
    c
}

/// The child `ns.t` as its kept parents' steps leave it, or `None` when
/// no kept parent changes anything the server passes down:
///
/// - columns added and dropped (`ALTER TABLE parent ADD | DROP COLUMN`
///   recurses: an added column is merged with the child's own of that name
///   or appended as inherited only; a dropped one goes from the child when
///   it inherited it only, else stays as the child's own);
/// - a kept column's type, default or NOT NULL changed on a parent
///   ([`column_ops`]: `ALTER COLUMN … TYPE | SET DEFAULT | DROP DEFAULT |
///   SET NOT NULL | DROP NOT NULL` recurse to every descendant that has the
///   column, its own default or NOT NULL overwritten);
/// - constraints added to or dropped from a parent ([`constraint_changes`]).
///
/// An error names what cannot be planned so.
pub(super) fn simulate(
    a: &Schema,
    b: &Schema,
    ns: &str,
    t: &str,
    ta: &Table,
    tb: &Table,
) -> Result<Option<Sim>, String> {
    let mut sim = Sim {
        table: ta.clone(),
        effects: Vec::new(),
        con_effects: Vec::new(),
        predrops: Vec::new(),
    };
    let mut any = column_changes(a, b, ns, t, tb, &mut sim)?;
    let ops = reaching_ops(a, b, ns, t, 0);
    if !ops.is_empty() {
        let before = sim.table.columns.clone();
        apply_ops(&mut sim.table, &ops, &table_path(ns, t).to_string())?;
        any |= sim.table.columns != before;
    }
    any |= constraint_changes(a, b, ns, t, tb, &mut sim)?;
    Ok(any.then_some(sim))
}

/// The columns added to and dropped from kept parents, applied to `sim`.
fn column_changes(
    a: &Schema,
    b: &Schema,
    ns: &str,
    t: &str,
    tb: &Table,
    sim: &mut Sim,
) -> Result<bool, String> {
    let ta = sim.table.clone();
    let mut any = false;
    for (pns, pt) in kept_parents(&ta, tb) {
        let (Some(pa), Some(pb)) = (a.table(&pns, &pt), b.table(&pns, &pt)) else {
            continue;
        };
        if pa.partition_by != pb.partition_by {
            continue;
        }
        let added: Vec<&Column> = pb
            .columns
            .iter()
            .filter(|c| pa.column(&c.name).is_none())
            .collect();
        let dropped: Vec<&Column> = pa
            .columns
            .iter()
            .filter(|c| pb.column(&c.name).is_none())
            .collect();
        if added.is_empty() && dropped.is_empty() {
            continue;
        }
        any = true;
        for cb in added {
            let key = (pns.clone(), pt.clone(), cb.name.clone());
            let mut fresh = propagated_part(cb);
            fresh.inherited = Some(Inherited {
                count: 1,
                local: false,
            });
            let inherit_only = tb
                .column(&cb.name)
                .is_some_and(|c| c.inherited.is_some_and(|i| !i.local));
            match sim.table.columns.iter().position(|c| c.name == cb.name) {
                None => {
                    sim.table.columns.push(fresh);
                    sim.effects
                        .push((key, KeyOp::Provides(k_col(ns, t, &cb.name))));
                }
                Some(i) if inherit_only && sim.table.columns[i].inherited.is_none() => {
                    sim.predrops.push(sim.table.columns.remove(i));
                    sim.table.columns.push(fresh);
                    sim.effects
                        .push((key.clone(), KeyOp::Requires(predrop_key(ns, t, &cb.name))));
                    sim.effects
                        .push((key, KeyOp::Provides(k_col(ns, t, &cb.name))));
                }
                Some(i) => {
                    let c = &mut sim.table.columns[i];
                    c.inherited = Some(Inherited {
                        count: c.inherited.map_or(0, |x| x.count) + 1,
                        local: c.inherited.is_none_or(|x| x.local),
                    });
                }
            }
        }
        for ca in dropped {
            let key = (pns.clone(), pt.clone(), ca.name.clone());
            let Some(i) = sim.table.columns.iter().position(|c| c.name == ca.name) else {
                continue;
            };
            match sim.table.columns[i].inherited {
                Some(Inherited { count, local }) if count <= 1 && !local => {
                    sim.table.columns.remove(i);
                    sim.effects
                        .push((key, KeyOp::Drops(k_col(ns, t, &ca.name))));
                }
                Some(Inherited { count, local }) => {
                    sim.table.columns[i].inherited = (count > 1).then_some(Inherited {
                        count: count - 1,
                        local,
                    });
                    sim.effects
                        .push((key, KeyOp::Releases(k_col(ns, t, &ca.name))));
                }
                None => {}
            }
        }
    }
    Ok(any)
}

/// A column step on a parent that the server repeats on every descendant
/// that has the column (`ATSimpleRecursion` for `SET | DROP DEFAULT`,
/// `SET | DROP NOT NULL`; `ATPrepAlterColumnType` for `TYPE`).
#[derive(Debug, Clone, PartialEq)]
pub(super) enum ColumnOp {
    Type {
        data_type: String,
        collation: Option<String>,
    },
    Default(Option<crate::model::Expression>),
    NotNull(bool),
}

/// The recursing steps `Builder::alter_column` plans for a parent's column
/// going from `ca` to `cb`, in its order: the default dropped (before a
/// type change, which may not cast it, or for good), the type, the default
/// set (again), NOT NULL.
pub(super) fn column_ops(ca: &Column, cb: &Column) -> Vec<ColumnOp> {
    let mut out = Vec::new();
    let type_changes = ca.data_type != cb.data_type || ca.collation != cb.collation;
    let default_changes = ca.default != cb.default;
    let drop_default =
        ca.default.is_some() && (type_changes || (default_changes && cb.default.is_none()));
    if drop_default {
        out.push(ColumnOp::Default(None));
    }
    if type_changes {
        out.push(ColumnOp::Type {
            data_type: cb.data_type.clone(),
            collation: cb.collation.as_deref().map(str::to_string),
        });
    }
    if cb.default.is_some() && (default_changes || type_changes) {
        out.push(ColumnOp::Default(cb.default.clone()));
    }
    if ca.not_null != cb.not_null {
        out.push(ColumnOp::NotNull(cb.not_null));
    }
    out
}

/// The column steps that reach `ns.t` from its kept parents: each parent's
/// own (planned from what reached it to its target) and what reached it.
fn reaching_ops(
    a: &Schema,
    b: &Schema,
    ns: &str,
    t: &str,
    depth: usize,
) -> Vec<(String, ColumnOp)> {
    let mut out = Vec::new();
    let (Some(ta), Some(tb)) = (a.table(ns, t), b.table(ns, t)) else {
        return out;
    };
    if depth > 32 {
        return out;
    }
    for (pns, pt) in kept_parents(ta, tb) {
        let (Some(pa), Some(pb)) = (a.table(&pns, &pt), b.table(&pns, &pt)) else {
            continue;
        };
        if pa.partition_by != pb.partition_by {
            continue;
        }
        let above = reaching_ops(a, b, &pns, &pt, depth + 1);
        let mut state = pa.clone();
        let _ = apply_ops(&mut state, &above, "");
        out.extend(above);
        for cb in &pb.columns {
            if let Some(ca) = state.column(&cb.name) {
                out.extend(
                    column_ops(ca, cb)
                        .into_iter()
                        .map(|op| (cb.name.clone(), op)),
                );
            }
        }
    }
    out
}

/// `ops` done to the columns of `t` that have them; an error names what
/// the server would refuse.
fn apply_ops(t: &mut Table, ops: &[(String, ColumnOp)], path: &str) -> Result<(), String> {
    let keyed: BTreeSet<String> = t
        .constraints
        .values()
        .filter_map(|c| match &c.kind {
            crate::model::ConstraintKind::PrimaryKey { columns, .. } => Some(columns.clone()),
            _ => None,
        })
        .flatten()
        .collect();
    for (name, op) in ops {
        let Some(c) = t.columns.iter_mut().find(|c| c.name == *name) else {
            continue;
        };
        match op {
            ColumnOp::Type {
                data_type,
                collation,
            } => {
                c.data_type = data_type.clone();
                c.collation = collation.as_deref().map(Into::into);
            }
            ColumnOp::Default(d) => c.default = d.clone(),
            ColumnOp::NotNull(false) if keyed.contains(name) => {
                return Err(format!(
                    "{path}.{}: its parent's DROP NOT NULL would reach it, which is in its \
                     primary key: the server refuses it",
                    quote_ident(name)
                ));
            }
            ColumnOp::NotNull(x) => c.not_null = *x,
        }
    }
    Ok(())
}

/// Every table above `ns.t` in `s` (parents, their parents, …).
pub(super) fn ancestors(s: &Schema, ns: &str, t: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut stack = vec![(ns.to_string(), t.to_string())];
    while let Some((xns, xt)) = stack.pop() {
        let Some(x) = s.table(&xns, &xt) else {
            continue;
        };
        for p in x
            .partition_of
            .iter()
            .map(|p| &p.parent)
            .chain(x.inherits.iter())
        {
            let k = (p.namespace.clone(), p.name.clone());
            if !out.contains(&k) && out.len() < 64 {
                out.push(k.clone());
                stack.push(k);
            }
        }
    }
    out
}

/// A key or unique constraint as `DefineIndex` matches a partition's index
/// to its parent's: its columns, included columns and NULLS NOT DISTINCT.
fn key_shape(k: &crate::model::ConstraintKind) -> Option<(&[String], &[String], bool)> {
    match k {
        crate::model::ConstraintKind::PrimaryKey { columns, include } => {
            Some((columns, include, false))
        }
        crate::model::ConstraintKind::Unique {
            columns,
            include,
            nulls_not_distinct,
        } => Some((columns, include, *nulls_not_distinct)),
        _ => None,
    }
}

/// The constraints of a kept parent added or dropped, applied to its child
/// `sim.table` as the server passes them down:
///
/// - an inheritable check (`ATAddCheckConstraint`, `ATExecDropConstraint`):
///   a child without it gets an inherited-only copy, one with the same
///   check merges it (inherited once more, still its own); dropped, a copy
///   inherited once and not the child's own goes, else it is inherited once
///   less. The recursion goes on below a child only when its own set of
///   checks changed, which is what its parent's diff says one level down.
/// - a primary key or unique constraint of a partitioned table
///   (`DefineIndex` recursing): the partition's own key of the same shape
///   is attached, else one is created, named by the server (the target's
///   name for it, checked when the plan is verified); dropped with the
///   parent's.
/// - a foreign key of a partitioned table (`addFkRecurseReferencing`): the
///   partition's own foreign key of that name and definition is attached,
///   else a copy of that name is made; dropped with the parent's.
///
/// Returns whether anything changed; an error names what cannot be planned
/// so.
fn constraint_changes(
    a: &Schema,
    b: &Schema,
    ns: &str,
    t: &str,
    tb: &Table,
    sim: &mut Sim,
) -> Result<bool, String> {
    use crate::model::ConstraintKind as K;
    let path = table_path(ns, t);
    let once = |local| Some(Inherited { count: 1, local });
    let mut any = false;
    let parents = kept_parents(&sim.table, tb);
    for (pns, pt) in parents {
        let (Some(pa), Some(pb)) = (a.table(&pns, &pt), b.table(&pns, &pt)) else {
            continue;
        };
        if pa.partition_by != pb.partition_by {
            continue;
        }
        let partitioned = pb.partition_by.is_some() && tb.partition_of.is_some();
        let at = |c: &str| (pns.clone(), pt.clone(), c.to_string());
        let parent = qualified_sql(&pns, &pt);
        // Changed on the parent: dropped and added again there (as
        // `Builder::constraints` plans it), which the children follow.
        let mut replaced: BTreeSet<&String> = BTreeSet::new();
        for (cn, ca) in &pa.constraints {
            let Some(cb) = pb.constraints.get(cn) else {
                continue;
            };
            let passed_down = inheritable_check(ca)
                || (partitioned && (key_shape(&ca.kind).is_some() || is_fk(ca)));
            let mut x = ca.clone();
            x.comment = cb.comment.clone();
            x.inherited = cb.inherited;
            if !passed_down || x == *cb {
                continue;
            }
            let def_changes = ca.kind != cb.kind
                && crate::diff::render_constraint_kind(&ca.kind)
                    != crate::diff::render_constraint_kind(&cb.kind);
            let deferral_changes =
                ca.deferrable != cb.deferrable || ca.initially_deferred != cb.initially_deferred;
            let unvalidate = ca.validated && !cb.validated;
            if def_changes || deferral_changes || unvalidate {
                replaced.insert(cn);
            } else {
                return Err(format!(
                    "{path}: constraint {} of its parent {parent} changes in place (VALIDATE), \
                     which the server passes down to it; strata does not plan that inside a \
                     hierarchy yet",
                    quote_ident(cn)
                ));
            }
        }
        // Dropped from the parent.
        for (cn, pc) in &pa.constraints {
            if pb.constraints.contains_key(cn) && !replaced.contains(cn) {
                continue;
            }
            let kids = &mut sim.table.constraints;
            if inheritable_check(pc) {
                let Some(c) = kids.get_mut(cn).filter(|c| c.inherited.is_some()) else {
                    continue;
                };
                let i = c.inherited.expect("inherited");
                any = true;
                if i.count <= 1 && !i.local {
                    kids.remove(cn);
                    sim.con_effects
                        .push((at(cn), KeyOp::Drops(k_con(ns, t, cn))));
                } else {
                    c.inherited = (i.count > 1).then_some(Inherited {
                        count: i.count - 1,
                        local: i.local,
                    });
                    sim.con_effects
                        .push((at(cn), KeyOp::Releases(k_con(ns, t, cn))));
                }
            } else if partitioned && (key_shape(&pc.kind).is_some() || is_fk(pc)) {
                let copies: Vec<String> = kids
                    .iter()
                    .filter(|(_, c)| c.inherited.is_some() && c.kind == pc.kind)
                    .map(|(n, _)| n.clone())
                    .collect();
                if is_fk(pc) && copies.iter().any(|n| n != cn) {
                    return Err(format!(
                        "{path}: its copy of foreign key {} of {parent} has another name; \
                         strata does not plan dropping it with its parent's",
                        quote_ident(cn)
                    ));
                }
                if copies.len() > 1 {
                    return Err(format!(
                        "{path}: more than one of its constraints is inherited as {} of {parent}",
                        quote_ident(cn)
                    ));
                }
                for n in copies {
                    any = true;
                    kids.remove(&n);
                    sim.con_effects
                        .push((at(cn), KeyOp::Drops(k_con(ns, t, &n))));
                }
            }
        }
        // Added to the parent.
        for (cn, pc) in &pb.constraints {
            if pa.constraints.contains_key(cn) && !replaced.contains(cn) {
                continue;
            }
            let mut copy = pc.clone();
            copy.comment = None;
            copy.inherited = once(false);
            let kids = &mut sim.table.constraints;
            if inheritable_check(pc) {
                any = true;
                match kids.get_mut(cn) {
                    Some(c) if same_check(c, pc) => {
                        c.inherited = Some(Inherited {
                            count: c.inherited.map_or(0, |i| i.count) + 1,
                            local: c.inherited.is_none_or(|i| i.local),
                        });
                        sim.con_effects
                            .push((at(cn), KeyOp::Provides(k_con(ns, t, cn))));
                    }
                    Some(_) => {
                        return Err(format!(
                            "{path}: it has a different constraint {} than the check its parent \
                             {parent} gains, which the server refuses to merge",
                            quote_ident(cn)
                        ));
                    }
                    None => {
                        kids.insert(cn.clone(), copy);
                        sim.con_effects
                            .push((at(cn), KeyOp::Provides(k_con(ns, t, cn))));
                    }
                }
            } else if partitioned && key_shape(&pc.kind).is_some() {
                any = true;
                let shape = key_shape(&pc.kind);
                let own: Vec<(&String, &Constraint)> = kids
                    .iter()
                    .map(|(n, c)| (n, &**c))
                    .filter(|(_, c)| c.inherited.is_none() && key_shape(&c.kind) == shape)
                    .collect();
                let name = match own.as_slice() {
                    [] => {
                        let named: Vec<&String> = tb
                            .constraints
                            .iter()
                            .filter(|(_, c)| c.inherited.is_some() && c.kind == pc.kind)
                            .map(|(n, _)| n)
                            .collect();
                        let [n] = named.as_slice() else {
                            return Err(format!(
                                "{path}: the server would give it a copy of {} of {parent}, \
                                 which the target does not have",
                                quote_ident(cn)
                            ));
                        };
                        if kids.contains_key(*n) {
                            return Err(format!(
                                "{path}: the copy of {} of {parent} would be named {}, \
                                 which one of its constraints is",
                                quote_ident(cn),
                                quote_ident(n)
                            ));
                        }
                        // A primary key makes its columns NOT NULL.
                        if let K::PrimaryKey { columns, .. } = &pc.kind {
                            for c in &mut sim.table.columns {
                                if columns.contains(&c.name) {
                                    c.not_null = true;
                                }
                            }
                        }
                        sim.table.constraints.insert((*n).clone(), copy);
                        (*n).clone()
                    }
                    [(n, c)]
                        if c.kind.label() == pc.kind.label()
                            && c.deferrable == pc.deferrable
                            && c.initially_deferred == pc.initially_deferred =>
                    {
                        let n = (*n).clone();
                        kids.get_mut(&n).expect("found").inherited = once(false);
                        n
                    }
                    _ => {
                        return Err(format!(
                            "{path}: which of its own keys the server would attach to {} of \
                             {parent} is not certain (several match, or one of another kind or \
                             deferrability)",
                            quote_ident(cn)
                        ));
                    }
                };
                sim.con_effects
                    .push((at(cn), KeyOp::Provides(k_con(ns, t, &name))));
            } else if partitioned && is_fk(pc) {
                any = true;
                if kids
                    .iter()
                    .any(|(n, c)| n != cn && c.inherited.is_none() && c.kind == pc.kind)
                {
                    return Err(format!(
                        "{path}: it has a foreign key like {} of {parent} under another name, \
                         which the server would attach instead of making a copy",
                        quote_ident(cn)
                    ));
                }
                match kids.get_mut(cn) {
                    Some(c) if c.inherited.is_none() && c.kind == pc.kind => {
                        c.inherited = once(false);
                    }
                    Some(_) => {
                        return Err(format!(
                            "{path}: it has a constraint named {} unlike the foreign key its \
                             parent {parent} gains",
                            quote_ident(cn)
                        ));
                    }
                    None => {
                        kids.insert(cn.clone(), copy);
                    }
                }
                sim.con_effects
                    .push((at(cn), KeyOp::Provides(k_con(ns, t, cn))));
            }
        }
    }
    Ok(any)
}

fn is_fk(c: &Constraint) -> bool {
    matches!(c.kind, crate::model::ConstraintKind::ForeignKey { .. })
}

/// Why a column's type cannot change on `ns.t`: its partition key uses it
/// (the server refuses `ALTER COLUMN … TYPE` of it, on the table or reached
/// from a parent). The key's text is searched for the name as a word, so a
/// key expression that merely mentions it is refused too.
fn partition_key_retyped(ns: &str, t: &str, ta: &Table, tb: &Table) -> Option<String> {
    let key = ta.partition_by.as_deref()?;
    let words: BTreeSet<String> = key
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '"' || c == '$'))
        .map(|w| w.trim_matches('"').to_string())
        .collect();
    ta.columns.iter().find_map(|ca| {
        let cb = tb.column(&ca.name)?;
        let retyped = ca.data_type != cb.data_type || ca.collation != cb.collation;
        (retyped && words.contains(&ca.name)).then(|| {
            format!(
                "{}.{}: its type changes ({} → {}) and the partition key {key} uses it, which the \
                 server refuses",
                table_path(ns, t),
                quote_ident(&ca.name),
                ca.data_type,
                cb.data_type
            )
        })
    })
}

/// The column apart from what a table's own `ALTER COLUMN` may change
/// inside a hierarchy (type, default, NOT NULL).
fn own_part(c: &Column) -> Column {
    let mut c = propagated_part(c);
    c.data_type = String::new();
    c.collation = None;
    c.default = None;
    c.not_null = false;
    c
}

/// Why the columns of `ns.t` (as its parents' steps leave it, `ta`) cannot
/// be planned into `tb` inside a hierarchy, if they cannot.
fn column_refusal(ns: &str, t: &str, ta: &Table, tb: &Table) -> Option<String> {
    let same_parents = ta.inherits == tb.inherits
        && ta.partition_of.as_ref().map(|p| &p.parent)
            == tb.partition_of.as_ref().map(|p| &p.parent);
    for cb in &tb.columns {
        let col = || format!("{}.{}", table_path(ns, t), quote_ident(&cb.name));
        match ta.column(&cb.name) {
            // What stays once the parents' steps are simulated: its own
            // steps, which the server passes down to its children too
            // (they are simulated there). A type is the inherited column's
            // only through its parents.
            Some(ca) if own_part(ca) != own_part(cb) => {
                return Some(format!(
                    "{}: changes while its table is in an inheritance hierarchy or partitioned; \
                     strata plans only a type, default or NOT NULL change the server passes \
                     between parents and children",
                    col()
                ));
            }
            Some(ca)
                if ca.inherited.is_some()
                    && (ca.data_type != cb.data_type || ca.collation != cb.collation) =>
            {
                return Some(format!(
                    "{}: its type would change ({} → {}) where it is inherited, which the \
                     server allows only through its parent",
                    col(),
                    ca.data_type,
                    cb.data_type
                ));
            }
            Some(ca) if same_parents && ca.inherited != cb.inherited => {
                return Some(format!(
                    "{}: would be {} instead of {} in an inheritance hierarchy, which no ALTER \
                     TABLE makes",
                    col(),
                    Inherited::describe(cb.inherited),
                    Inherited::describe(ca.inherited)
                ));
            }
            None if cb.inherited.is_some() && same_parents => {
                return Some(format!(
                    "{}: would be inherited without its parent adding it, in an inheritance \
                     hierarchy",
                    col()
                ));
            }
            _ => {}
        }
    }
    for ca in &ta.columns {
        if tb.column(&ca.name).is_none() && ca.inherited.is_some() {
            return Some(format!(
                "{}.{}: would be dropped from a table that inherits it while its parent keeps it \
                 (in an inheritance hierarchy), which the server refuses",
                table_path(ns, t),
                quote_ident(&ca.name)
            ));
        }
    }
    None
}

/// A standalone table the plan attaches as a partition.
pub(super) fn attached_by_plan(ta: &Table, tb: &Table) -> bool {
    ta.partition_of.is_none() && ta.inherits.is_empty() && tb.partition_of.is_some()
}

/// A partition the plan detaches to stand alone.
fn detached_by_plan(ta: &Table, tb: &Table) -> bool {
    ta.partition_of.is_some() && tb.partition_of.is_none() && tb.inherits.is_empty()
}

/// Why the constraints of `ns.t` (as its parents' steps leave it, `ta`)
/// cannot be planned into `tb`: one inherited a different number of times,
/// or its own in one and not the other, while its parents stay (no `ALTER`
/// sets `conislocal` or `coninhcount`).
fn constraint_mark_refusal(ns: &str, t: &str, ta: &Table, tb: &Table) -> Option<String> {
    let same_parents = ta.inherits == tb.inherits
        && ta.partition_of.as_ref().map(|p| &p.parent)
            == tb.partition_of.as_ref().map(|p| &p.parent);
    if !same_parents {
        return None;
    }
    for (cn, cb) in &tb.constraints {
        let Some(ca) = ta.constraints.get(cn) else {
            continue;
        };
        if (ca.inherited.is_some() || cb.inherited.is_some()) && ca.inherited != cb.inherited {
            return Some(format!(
                "{}: constraint {} would be {} instead of {} in an inheritance hierarchy, which \
                 no ALTER TABLE makes",
                table_path(ns, t),
                quote_ident(cn),
                Inherited::describe(cb.inherited),
                Inherited::describe(ca.inherited)
            ));
        }
    }
    None
}

fn in_hierarchy(parents: &Parents, ns: &str, name: &str, t: &Table) -> bool {
    t.partition_of.is_some() || !t.inherits.is_empty() || parents.has_children(ns, name)
}

/// The tables of a schema that have partitions or inheritance children,
/// gathered once: asked per table, a scan of every table was quadratic
/// (6 % of a diff at 5,000 tables, and growing).
pub(super) struct Parents<'s>(HashSet<(&'s str, &'s str)>);

impl<'s> Parents<'s> {
    pub(super) fn of(s: &'s Schema) -> Parents<'s> {
        let mut set = HashSet::new();
        for n in s.namespaces.values() {
            for t in n.tables.values() {
                if let Some(p) = &t.partition_of {
                    set.insert((p.parent.namespace.as_str(), p.parent.name.as_str()));
                }
                for p in &t.inherits {
                    set.insert((p.namespace.as_str(), p.name.as_str()));
                }
            }
        }
        Parents(set)
    }

    pub(super) fn has_children(&self, ns: &str, name: &str) -> bool {
        self.0.contains(&(ns, name))
    }
}

/// What strata refuses to plan in hierarchies, one line each, naming the
/// table.
pub(super) fn unsupported(a: &Schema, b: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    let (parents_a, parents_b) = (Parents::of(a), Parents::of(b));
    let prop = index_propagation(a, b);
    let recreated = match recreated_tables(a, b) {
        Ok(r) => r,
        Err(e) => {
            out.extend(e);
            BTreeSet::new()
        }
    };
    for (ns, nb) in &b.namespaces {
        let Some(na) = a.namespaces.get(ns) else {
            continue;
        };
        for (name, tb) in &nb.tables {
            let Some(ta) = na.tables.get(name) else {
                continue;
            };
            if !(in_hierarchy(&parents_a, ns, name, ta) || in_hierarchy(&parents_b, ns, name, tb)) {
                continue;
            }
            if ta.partition_by != tb.partition_by || recreated.contains(&(ns.clone(), name.clone()))
            {
                // Recreated (or refused there): the partition key changes.
                continue;
            }
            let sim = match simulate(a, b, ns, name, ta, tb) {
                Ok(sim) => sim,
                Err(why) => {
                    out.push(why);
                    continue;
                }
            };
            if let Some(why) = partition_key_retyped(ns, name, ta, tb) {
                out.push(why);
                continue;
            }
            let ta = sim.as_ref().map_or(ta, |s| &s.table);
            if let Some(why) = column_refusal(ns, name, ta, tb) {
                out.push(why);
                continue;
            }
            let (mut x, mut y) = (without_hierarchy(ta), without_hierarchy(tb));
            x.columns.clear();
            y.columns.clear();
            // The indexes the parent's index steps make, drop or attach.
            x.indexes.retain(|i, _| !prop.covers(ns, name, i));
            y.indexes.retain(|i, _| !prop.covers(ns, name, i));
            // Its own constraints are planned as on any table; what it
            // inherits must be what its parents' steps leave it (`sim`).
            let inherited = |src: &Table, t: &mut Table| {
                t.constraints.retain(|k, _| {
                    src.constraints
                        .get(k)
                        .is_some_and(|c| c.inherited.is_some())
                });
            };
            inherited(ta, &mut x);
            inherited(tb, &mut y);
            if attached_by_plan(ta, tb) {
                // ATTACH PARTITION gives it its parent's keys, foreign keys
                // and indexes, or attaches its own (replay's
                // `clone_parent_indexes`, the plan verified), and takes its
                // checks as inherited.
                y.constraints.clear();
                y.indexes.retain(|k, _| {
                    ta.indexes.contains_key(k)
                        || tb.indexes.get(k).is_none_or(|i| i.attached_to.is_none())
                });
            } else if detached_by_plan(ta, tb) {
                // DETACH PARTITION leaves its keys, foreign keys, checks and
                // indexes its own: only those the target does not have would
                // need a step after it.
                x.constraints.retain(|k, _| !tb.constraints.contains_key(k));
                x.indexes.retain(|k, _| !tb.indexes.contains_key(k));
            }
            if let Some(why) = constraint_mark_refusal(ns, name, ta, tb) {
                out.push(why);
                continue;
            }
            if ta.partition_by.is_none()
                && tb.partition_by.is_none()
                && ta.partition_of.is_none()
                && tb.partition_of.is_none()
            {
                // Inheritance alone: indexes are never inherited, so they
                // are planned as on any table.
                x.indexes.clear();
                y.indexes.clear();
            } else if ta.partition_by.is_some() && ta.partition_by == tb.partition_by {
                // A partitioned table's own index created or dropped: the
                // server does the same to every partition, which the
                // propagation must account for.
                let kept_kids = kept_partitions(a, b, ns, name);
                let parent_idx = |i: &str| (ns.clone(), name.clone(), i.to_string());
                let new: Vec<String> = y
                    .indexes
                    .keys()
                    .filter(|i| !x.indexes.contains_key(*i))
                    .cloned()
                    .collect();
                for i in new {
                    let covered = kept_kids.iter().all(|(kns, kt)| {
                        prop.created
                            .iter()
                            .any(|((cns, ct, _), p)| cns == kns && ct == kt && *p == parent_idx(&i))
                    });
                    if covered {
                        y.indexes.remove(&i);
                    }
                }
                let gone: Vec<String> = x
                    .indexes
                    .keys()
                    .filter(|i| !y.indexes.contains_key(*i))
                    .cloned()
                    .collect();
                for i in gone {
                    let covered = kept_kids.iter().all(|(kns, kt)| {
                        a.table(kns, kt).is_some_and(|k| {
                            k.indexes.iter().all(|(kn, ki)| {
                                ki.attached_to
                                    .as_ref()
                                    .is_none_or(|r| r.namespace != *ns || r.name != i)
                                    || prop.dropped.contains_key(&(
                                        kns.clone(),
                                        kt.clone(),
                                        kn.clone(),
                                    ))
                            })
                        })
                    });
                    if covered {
                        x.indexes.remove(&i);
                    }
                }
            }
            if !(parents_a.has_children(ns, name) || parents_b.has_children(ns, name)) {
                // A leaf's own checks and indexes are its own: planned as
                // on any table (what it inherits or has attached is
                // compared below).
                let own = |src: &Table, t: &mut Table| {
                    t.indexes
                        .retain(|k, _| src.indexes.get(k).is_some_and(|i| i.attached_to.is_some()));
                };
                own(ta, &mut x);
                own(tb, &mut y);
            }
            if x != y {
                out.push(format!(
                    "{}: its constraints or indexes change while it is a partition, a \
                     partitioned table with partitions, or in an inheritance hierarchy; strata \
                     does not plan changes the server propagates between parents and children \
                     yet",
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
                    .filter(|(n, i)| i.attached_to.is_some() && !prop.covers(ns, name, n))
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
                    d.provides.push(format!("detached:{ns}.{name}"));
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

/// The tables the plan drops and creates again: those whose partition key
/// changes (`PARTITION BY` added, removed or changed, which no `ALTER
/// TABLE` does), with their partitions (dropped with them). What would
/// stop `DROP TABLE` or lose more than the table is refused by name, one
/// line each: a table that is itself a partition or inherits, one with
/// inheritance children, one a kept table's foreign key references, one
/// whose column owns a sequence.
/// Why a table must be dropped and created again for what makes it a
/// foreign table: it becomes one or stops being one, or its server changes
/// (no `ALTER FOREIGN TABLE` sets the server).
pub(super) fn foreign_recreation(a: &Table, b: &Table) -> Option<String> {
    match (&a.foreign, &b.foreign) {
        (None, None) => None,
        (Some(_), None) => Some("it stops being a foreign table".to_string()),
        (None, Some(_)) => Some("it becomes a foreign table".to_string()),
        (Some(x), Some(y)) if x.server != y.server => Some(format!(
            "its server changes ({} → {}), which no ALTER FOREIGN TABLE does",
            quote_ident(&x.server),
            quote_ident(&y.server)
        )),
        _ => None,
    }
}

pub(super) fn recreated_tables(
    a: &Schema,
    b: &Schema,
) -> Result<BTreeSet<(String, String)>, Vec<String>> {
    let mut out: BTreeSet<(String, String)> = BTreeSet::new();
    let mut errors = Vec::new();
    let key_of = |t: &Table| {
        t.partition_by
            .as_deref()
            .unwrap_or("not partitioned")
            .to_string()
    };
    for (ns, nb) in &b.namespaces {
        for (name, tb) in &nb.tables {
            let Some(ta) = a.table(ns, name) else {
                continue;
            };
            let foreign_change = foreign_recreation(ta, tb);
            if ta.partition_by == tb.partition_by && foreign_change.is_none() {
                continue;
            }
            let what = match foreign_change {
                Some(why) => format!("{}: {why}", table_path(ns, name)),
                None => format!(
                    "{}: the partition key changes ({} → {})",
                    table_path(ns, name),
                    key_of(ta),
                    key_of(tb)
                ),
            };
            if ta.partition_of.is_some()
                || tb.partition_of.is_some()
                || !ta.inherits.is_empty()
                || !tb.inherits.is_empty()
            {
                errors.push(format!(
                    "{what}, and it is a partition or inherits: strata recreates only a table \
                     at the top of its hierarchy"
                ));
                continue;
            }
            let mut stack = vec![(ns.clone(), name.clone())];
            while let Some((pns, pt)) = stack.pop() {
                for (cns, n) in &a.namespaces {
                    for (cn, c) in &n.tables {
                        let parent =
                            |r: &crate::model::RelationRef| r.namespace == pns && r.name == pt;
                        if c.partition_of.as_ref().is_some_and(|p| parent(&p.parent)) {
                            stack.push((cns.clone(), cn.clone()));
                        } else if c.inherits.iter().any(parent) {
                            errors.push(format!(
                                "{what}, and {} inherits from {}: DROP TABLE would need CASCADE",
                                table_path(cns, cn),
                                qualified_sql(&pns, &pt)
                            ));
                        }
                    }
                }
                out.insert((pns, pt));
            }
        }
    }
    for (ns, n) in &a.namespaces {
        for (name, t) in &n.tables {
            let kept = b.table(ns, name).is_some() && !out.contains(&(ns.clone(), name.clone()));
            for (cn, c) in &t.constraints {
                if let crate::model::ConstraintKind::ForeignKey {
                    ref_namespace,
                    ref_table,
                    ..
                } = &c.kind
                {
                    let target = (ref_namespace.clone(), ref_table.clone());
                    if kept && out.contains(&target) {
                        errors.push(format!(
                            "{}: its partition key changes, so it is dropped and created again, \
                             and foreign key {} of {} references it",
                            table_path(ref_namespace, ref_table),
                            quote_ident(cn),
                            qualified_sql(ns, name)
                        ));
                    }
                }
            }
        }
        for (sn, sq) in &n.sequences {
            if let Some((ot, oc)) = &sq.owned_by {
                if out.contains(&(ns.clone(), ot.clone())) {
                    errors.push(format!(
                        "{}: its partition key changes, so it is dropped and created again, and \
                         sequence {} is owned by its column {} (DROP TABLE would drop it)",
                        table_path(ns, ot),
                        qualified_sql(ns, sn),
                        quote_ident(oc)
                    ));
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

impl Builder<'_> {
    /// Orders the columns steps of parents with their children: a parent's
    /// `ADD | DROP COLUMN` does what [`simulate`] says to the children that
    /// stay (the keys of [`KeyOp`]), runs after the children that leave are
    /// detached (or `NO INHERIT`), and before those that join are attached
    /// (or `INHERIT`) or created (written with the parent's columns of the
    /// target).
    pub(super) fn hierarchy_order(&mut self) {
        let b = self.b;
        let a = &self.a;
        let parents_of = |t: &Table| -> Vec<(String, String)> {
            t.partition_of
                .iter()
                .map(|p| &p.parent)
                .chain(t.inherits.iter())
                .map(|p| (p.namespace.clone(), p.name.clone()))
                .collect()
        };
        // (parent) → children that leave it.
        let mut leaving: Vec<((String, String), String)> = Vec::new();
        for (ns, n) in &a.namespaces {
            for (name, ta) in &n.tables {
                let Some(tb) = b.table(ns, name) else {
                    continue;
                };
                let now = parents_of(tb);
                for p in parents_of(ta) {
                    let moved = ta.partition_of != tb.partition_of
                        && ta.partition_of.as_ref().is_some_and(|x| {
                            (x.parent.namespace.as_str(), x.parent.name.as_str())
                                == (p.0.as_str(), p.1.as_str())
                        });
                    if !now.contains(&p) || moved {
                        leaving.push((p, format!("detached:{ns}.{name}")));
                    }
                }
            }
        }
        let mut effects = std::mem::take(&mut self.hier_effects);
        // A grandchild's column follows its parent's, which follows the
        // root's step (the server recurses only below a child whose column
        // it added or dropped): effects keyed by a child's column that is
        // itself an effect of its parent's step belong to that step. The
        // same for constraints.
        to_roots(&mut effects, k_col);
        let mut con_effects = std::mem::take(&mut self.hier_con_effects);
        to_roots(&mut con_effects, k_con);
        for d in &mut self.drafts {
            let o = &d.step.object;
            let is_column_step = o.kind == crate::model::ObjectKind::Column
                && matches!(d.step.action.as_str(), "add column" | "drop column");
            if is_column_step {
                let Some(pt) = o.table.clone() else { continue };
                let parent = (o.namespace.clone(), pt);
                for ((pns, pt, c), op) in &effects {
                    if (pns, pt) != (&parent.0, &parent.1) || *c != o.name {
                        continue;
                    }
                    match op {
                        KeyOp::Provides(k) => d.provides.push(k.clone()),
                        KeyOp::Drops(k) => d.drops.push(k.clone()),
                        KeyOp::Releases(k) => d.releases.push(k.clone()),
                        KeyOp::Requires(k) => d.requires.push(k.clone()),
                    }
                }
                for (p, k) in &leaving {
                    if *p == parent {
                        d.requires.push(k.clone());
                    }
                }
                d.provides.push(format!("hier:{}.{}", parent.0, parent.1));
            }
            let is_constraint_step = o.kind == crate::model::ObjectKind::Constraint
                && (d.step.action.starts_with("add ") || d.step.action.starts_with("drop "));
            if is_constraint_step {
                let Some(pt) = o.table.clone() else { continue };
                // A replaced constraint has both steps: what its drop does
                // goes on the drop, what its add does on the add.
                let adds = d.step.action.starts_with("add ");
                for ((pns, ppt, c), op) in &con_effects {
                    if (pns, ppt) != (&o.namespace, &pt) || *c != o.name {
                        continue;
                    }
                    match op {
                        KeyOp::Provides(k) if adds => d.provides.push(k.clone()),
                        KeyOp::Requires(k) if adds => d.requires.push(k.clone()),
                        KeyOp::Drops(k) if !adds => d.drops.push(k.clone()),
                        KeyOp::Releases(k) if !adds => d.releases.push(k.clone()),
                        _ => {}
                    }
                }
            }
            if matches!(
                d.step.action.as_str(),
                "attach partition" | "inherit" | "create table"
            ) {
                if let Some(tb) = b.table(&o.namespace, &o.name) {
                    for (pns, pt) in parents_of(tb) {
                        d.requires.push(format!("hier:{pns}.{pt}"));
                    }
                }
            }
        }
    }
}

/// Effects keyed by a child's object that is itself what its parent's step
/// provides or drops, keyed by that parent's step instead (to a fixpoint):
/// the server's recursion runs them all in the root's step.
fn to_roots(effects: &mut [(ConstraintAt, KeyOp)], key_of: fn(&str, &str, &str) -> Key) {
    for _ in 0..effects.len() {
        let roots: Vec<(ConstraintAt, ConstraintAt)> = effects
            .iter()
            .filter_map(|((pns, pt, c), op)| match op {
                KeyOp::Provides(k) | KeyOp::Drops(k) => {
                    let child = effects.iter().map(|(key, _)| key).find(|(cns, ct, cc)| {
                        *k == key_of(cns, ct, cc) && (cns, ct) != (pns, pt)
                    })?;
                    Some((child.clone(), (pns.clone(), pt.clone(), c.clone())))
                }
                _ => None,
            })
            .collect();
        let mut changed = false;
        for (from, to) in roots {
            for (key, _) in effects.iter_mut() {
                if *key == from {
                    *key = to.clone();
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
}

/// The partitions of `ns.t` on both sides with the same bound.
fn kept_partitions(a: &Schema, b: &Schema, ns: &str, t: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (kns, n) in &b.namespaces {
        for (kt, tb) in &n.tables {
            let Some(p) = &tb.partition_of else {
                continue;
            };
            if p.parent.namespace == ns
                && p.parent.name == t
                && a.table(kns, kt)
                    .is_some_and(|ta| ta.partition_of.as_ref() == Some(p))
            {
                out.push((kns.clone(), kt.clone()));
            }
        }
    }
    out
}

/// A table's index named by (namespace, table, index).
pub(super) type IndexAt = (String, String, String);

/// What the server does to the indexes of kept partitions when the plan
/// creates or drops their parent's index, or attaches one (`DefineIndex`
/// recursing to partitions; `DROP INDEX` of a partitioned index; `ALTER
/// INDEX … ATTACH PARTITION`).
#[derive(Debug, Default)]
pub(super) struct IndexPropagation {
    /// A partition's index made by its parent's `CREATE INDEX`: created
    /// (named by the server) or, when the partition has a matching index
    /// already, that one attached. → the parent's index.
    pub created: BTreeMap<IndexAt, IndexAt>,
    /// A partition's index dropped with its parent's. → the parent's index.
    pub dropped: BTreeMap<IndexAt, IndexAt>,
    /// A partition's index attached to its parent's existing index:
    /// (parent's index, the partition's).
    pub attached: Vec<(IndexAt, IndexAt)>,
}

impl IndexPropagation {
    /// Whether the hierarchy steps account for this index of `ns.t`.
    pub fn covers(&self, ns: &str, t: &str, index: &str) -> bool {
        let k = (ns.to_string(), t.to_string(), index.to_string());
        self.created.contains_key(&k)
            || self.dropped.contains_key(&k)
            || self.attached.iter().any(|(_, c)| *c == k)
    }
}

/// The indexes of `t` that match `ib` (as `CompareIndexInfo` does: the
/// definition, not the name) and are attached to no parent's index.
fn unattached_matching<'t>(t: &'t Table, ib: &Index) -> Vec<&'t String> {
    t.indexes
        .iter()
        .filter(|(_, i)| i.attached_to.is_none() && super::same_index(i, ib))
        .map(|(n, _)| n)
        .collect()
}

/// The index propagation of a plan from `a` to `b`, over partitions on
/// both sides with the same parent and bound (a partition attached or
/// detached takes its indexes with it: planned there). What it cannot
/// plan soundly it leaves out, so `unsupported` names it.
pub(super) fn index_propagation(a: &Schema, b: &Schema) -> IndexPropagation {
    let mut out = IndexPropagation::default();
    for (ns, nb) in &b.namespaces {
        let Some(na) = a.namespaces.get(ns) else {
            continue;
        };
        for (name, tb) in &nb.tables {
            let Some(ta) = na.tables.get(name) else {
                continue;
            };
            let (Some(pa_of), Some(pb_of)) = (&ta.partition_of, &tb.partition_of) else {
                continue;
            };
            if pa_of != pb_of {
                continue;
            }
            let parent = &pb_of.parent;
            let (Some(pa), Some(pb)) = (
                a.table(&parent.namespace, &parent.name),
                b.table(&parent.namespace, &parent.name),
            ) else {
                continue;
            };
            if pa.partition_by != pb.partition_by {
                continue;
            }
            let at = |i: &str| (ns.clone(), name.clone(), i.to_string());
            let parent_at =
                |i: &str| (parent.namespace.clone(), parent.name.clone(), i.to_string());
            for (iname, ib) in &tb.indexes {
                let Some(p) = &ib.attached_to else {
                    continue;
                };
                if p.namespace != parent.namespace {
                    continue;
                }
                let matching = unattached_matching(ta, ib);
                match (pa.indexes.get(&p.name), pb.indexes.get(&p.name)) {
                    // The parent's CREATE INDEX makes this one: the only
                    // matching unattached index is attached, else one is
                    // created (the server's name for it is checked when
                    // the plan is verified).
                    (None, Some(_)) => {
                        let sound = match ta.indexes.get(iname) {
                            Some(ia) => {
                                ia.attached_to.is_none()
                                    && super::same_index(ia, ib)
                                    && matching.len() == 1
                            }
                            None => matching.is_empty(),
                        };
                        if sound {
                            out.created.insert(at(iname), parent_at(&p.name));
                        }
                    }
                    (Some(x), Some(y)) if super::same_index(x, y) => {
                        if let Some(ia) = ta.indexes.get(iname) {
                            if ia.attached_to.is_none() && super::same_index(ia, ib) {
                                out.attached.push((parent_at(&p.name), at(iname)));
                            }
                        }
                    }
                    _ => {}
                }
            }
            for (iname, ia) in &ta.indexes {
                let Some(p) = &ia.attached_to else {
                    continue;
                };
                if p.namespace == parent.namespace
                    && pa.indexes.contains_key(&p.name)
                    && !pb.indexes.contains_key(&p.name)
                    && !tb.indexes.contains_key(iname)
                {
                    out.dropped.insert(at(iname), parent_at(&p.name));
                }
            }
        }
    }
    out
}

/// A table's constraint (or column) named by (namespace, table, name).
pub(super) type ConstraintAt = (String, String, String);

/// A check that its children inherit.
fn inheritable_check(c: &Constraint) -> bool {
    matches!(
        c.kind,
        crate::model::ConstraintKind::Check {
            no_inherit: false,
            ..
        }
    )
}

/// The same check apart from how it is inherited and its comment.
fn same_check(x: &Constraint, y: &Constraint) -> bool {
    crate::diff::render_constraint_kind(&x.kind) == crate::diff::render_constraint_kind(&y.kind)
        && x.validated == y.validated
}
