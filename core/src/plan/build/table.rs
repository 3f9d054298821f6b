//! Tables: create, drop and alter, and the columns, constraints and indexes
//! that must be rebuilt around a changed column or a swapped enum.

use std::collections::BTreeSet;

use super::{
    constraint_columns, constraint_unique_columns, hz, index_backed, index_columns, k_col, k_con,
    k_ns, k_rel, k_table, k_unique, mentioned, options_sql, renamed_constraints, renamed_indexes,
    same_index, step, table_path, unique_index_columns, Builder, K_EXTENSIONS,
    K_EXTENSIONS_DROPPED, P_ALTER, P_COMMENT, P_DROP, P_TABLE,
};
use crate::ddl::{comment_on_sql, table_statements};
use crate::diff::render_constraint_kind;
use crate::model::{
    qualified_sql, quote_ident, Constraint, ConstraintKind, Index, IndexKeyExpr, Schema, Table,
};
use crate::plan::hazard::Hazard;
use crate::plan::order::{Draft, Key};
use crate::plan::PlanError;

/// Columns a constraint or index uses through an expression (not a plain
/// column reference).
fn expression_columns_constraint(t: &Table, c: &Constraint) -> Vec<String> {
    match &c.kind {
        ConstraintKind::Check { expression, .. } => mentioned(t, expression),
        ConstraintKind::Exclusion { definition } => mentioned(t, definition),
        _ => Vec::new(),
    }
}

fn expression_columns_index(t: &Table, i: &Index) -> Vec<String> {
    let mut out = Vec::new();
    for k in &i.keys {
        if let IndexKeyExpr::Expression(e) = &k.key {
            out.extend(mentioned(t, e));
        }
    }
    if let Some(p) = &i.predicate {
        out.extend(mentioned(t, p));
    }
    out
}

impl<'a> Builder<'a> {
    pub(super) fn tables(&mut self) -> Result<(), PlanError> {
        self.find_rebuilds();
        let mut names: BTreeSet<(String, String)> = BTreeSet::new();
        for s in [&self.a, self.b] {
            for (ns, n) in &s.namespaces {
                for t in n.tables.keys() {
                    names.insert((ns.clone(), t.clone()));
                }
            }
        }
        let b = self.b;
        // Tables dropped and created: renames without a hint?
        let dropped: Vec<(String, String)> = names
            .iter()
            .filter(|(ns, t)| b.table(ns, t).is_none())
            .cloned()
            .collect();
        let a = std::mem::take(&mut self.a);
        for (ns, t, ta) in std::mem::take(&mut self.recreated) {
            self.drop_table(&ns, &t, &ta);
            if let Some(d) = self
                .drafts
                .iter_mut()
                .rev()
                .find(|d| d.step.action == "drop table" && d.step.object == table_path(&ns, &t))
            {
                d.step.action = "drop table (to create it again)".to_string();
                let key_changes = b
                    .table(&ns, &t)
                    .is_some_and(|tb| tb.partition_by != ta.partition_by);
                let why = if key_changes {
                    Some(
                        "its partition key changes, which no ALTER TABLE does: the table is \
                         dropped with its rows (and partitions) and created again empty",
                    )
                } else if ta.foreign.is_none() {
                    Some(
                        "it becomes a foreign table, which no ALTER TABLE does: the table is \
                         dropped with its rows and created again over its server",
                    )
                } else {
                    // A foreign table's rows are its server's.
                    None
                };
                d.step.hazards.retain(|h| h.hazard != Hazard::DeletesData);
                if let Some(why) = why {
                    d.step.hazards.push(hz(Hazard::DeletesData, why));
                }
            }
            self.recreated.push((ns, t, ta));
        }
        for (ns, t) in &names {
            let ta = a.table(ns, t);
            let tb = b.table(ns, t);
            match (ta, tb) {
                (None, Some(tb)) => {
                    for (dns, dt) in &dropped {
                        if dns != ns {
                            continue;
                        }
                        if let Some(da) = a.table(dns, dt) {
                            let sig = |x: &Table| -> BTreeSet<(String, String)> {
                                x.columns
                                    .iter()
                                    .map(|c| (c.name.clone(), c.data_type.clone()))
                                    .collect()
                            };
                            if sig(da) == sig(tb) {
                                self.possible_renames.push(format!(
                                    "table {} is dropped and {} created with the same columns: if it was renamed, write `-- strata:renamed-from {}` on the line before its CREATE TABLE",
                                    qualified_sql(dns, dt),
                                    qualified_sql(ns, t),
                                    quote_ident(dt)
                                ));
                            }
                        }
                    }
                    self.create_table(ns, t, tb);
                }
                (Some(ta), None) => self.drop_table(ns, t, ta),
                (Some(ta), Some(tb)) => {
                    let sim = super::partition::simulate(&a, b, ns, t, ta, tb)
                        .ok()
                        .flatten();
                    if let Some(sim) = &sim {
                        self.hier_effects.extend(sim.effects.iter().cloned());
                        self.hier_con_effects
                            .extend(sim.con_effects.iter().cloned());
                        for c in &sim.predrops {
                            self.predrop_column(ns, t, c);
                        }
                    }
                    let ta = sim.as_ref().map_or(ta, |s| &s.table);
                    let touched = |set: &BTreeSet<(String, String, String)>| {
                        set.range((ns.clone(), t.clone(), String::new())..)
                            .next()
                            .is_some_and(|(n, x, _)| n == ns && x == t)
                    };
                    if ta != tb
                        || touched(&self.rebuilt_constraints)
                        || touched(&self.rebuilt_indexes)
                        || touched(&self.converted)
                    {
                        self.alter_table(&a, ns, t, ta, tb);
                    }
                }
                (None, None) => {}
            }
        }
        self.a = a;
        Ok(())
    }

    /// Columns dropped and added again, and the constraints and indexes
    /// that must be rebuilt around them and around enum swaps.
    fn find_rebuilds(&mut self) {
        let pg17 = self.opts.server_version_num >= 170000;
        let b = self.b;
        // Columns to rebuild, and columns converted by a swap.
        for (ns, na) in &self.a.namespaces {
            for (t, ta) in &na.tables {
                let Some(tb) = b.table(ns, t) else { continue };
                for ca in &ta.columns {
                    let Some(cb) = tb.column(&ca.name) else {
                        continue;
                    };
                    let rebuild = match (&ca.generated, &cb.generated) {
                        (None, Some(_)) => true,
                        (Some(ga), Some(gb)) => ga != gb && !pg17,
                        _ => false,
                    };
                    if rebuild {
                        self.rebuilt_columns
                            .insert((ns.clone(), t.clone(), ca.name.clone()));
                    }
                }
            }
        }
        // Converted columns are known from the swaps (enums ran first).
        let converted = self.converted.clone();
        let rebuilt = self.rebuilt_columns.clone();
        let mut rebuilt_keys: BTreeSet<Key> = BTreeSet::new();
        for (ns, na) in &self.a.namespaces {
            for (t, ta) in &na.tables {
                let Some(tb) = b.table(ns, t) else { continue };
                let has = |set: &BTreeSet<(String, String, String)>| {
                    set.range((ns.clone(), t.clone(), String::new())..)
                        .next()
                        .is_some_and(|(n, x, _)| n == ns && x == t)
                };
                if !has(&rebuilt) && !has(&converted) {
                    continue;
                }
                let hit = |cols: &[String]| {
                    cols.iter()
                        .any(|c| rebuilt.contains(&(ns.clone(), t.clone(), c.clone())))
                };
                let hit_converted = |cols: &[String]| {
                    cols.iter()
                        .any(|c| converted.contains(&(ns.clone(), t.clone(), c.clone())))
                };
                for (cn, ca) in &ta.constraints {
                    let Some(cb) = tb.constraints.get(cn) else {
                        continue;
                    };
                    let cols = constraint_columns(ta, ca);
                    let exprs = expression_columns_constraint(ta, ca);
                    let fk_converted = matches!(ca.kind, ConstraintKind::ForeignKey { .. })
                        && hit_converted(&cols);
                    if hit(&cols) || hit_converted(&exprs) || fk_converted {
                        self.rebuilt_constraints
                            .insert((ns.clone(), t.clone(), cn.clone()));
                        if let Some(u) = constraint_unique_columns(ca) {
                            rebuilt_keys.insert(k_unique(ns, t, u));
                        }
                    }
                    let _ = cb;
                }
                for (iname, ia) in &ta.indexes {
                    if !tb.indexes.contains_key(iname) {
                        continue;
                    }
                    let cols = index_columns(ta, ia);
                    let exprs = expression_columns_index(ta, ia);
                    if hit(&cols) || hit_converted(&exprs) {
                        self.rebuilt_indexes
                            .insert((ns.clone(), t.clone(), iname.clone()));
                        if let Some(u) = unique_index_columns(ia) {
                            rebuilt_keys.insert(k_unique(ns, t, &u));
                        }
                    }
                }
            }
        }
        // Unique keys dropped or replaced on kept tables.
        for (ns, na) in &self.a.namespaces {
            for (t, ta) in &na.tables {
                let Some(tb) = b.table(ns, t) else { continue };
                let renamed_c: BTreeSet<String> = renamed_constraints(ta, tb)
                    .into_iter()
                    .map(|(x, _)| x)
                    .collect();
                let renamed_i: BTreeSet<String> = renamed_indexes(ta, tb)
                    .into_iter()
                    .map(|(x, _)| x)
                    .collect();
                for (cn, ca) in &ta.constraints {
                    if renamed_c.contains(cn) {
                        continue;
                    }
                    if let Some(u) = constraint_unique_columns(ca) {
                        let replaced = tb.constraints.get(cn).is_none_or(|cb| {
                            (ca.kind != cb.kind
                                && render_constraint_kind(&ca.kind)
                                    != render_constraint_kind(&cb.kind))
                                || ca.deferrable != cb.deferrable
                                || ca.initially_deferred != cb.initially_deferred
                        });
                        if replaced {
                            rebuilt_keys.insert(k_unique(ns, t, u));
                        }
                    }
                }
                for (iname, ia) in &ta.indexes {
                    if renamed_i.contains(iname) {
                        continue;
                    }
                    if let Some(u) = unique_index_columns(ia) {
                        let replaced = tb.indexes.get(iname).is_none_or(|ib| !same_index(ia, ib));
                        if replaced {
                            rebuilt_keys.insert(k_unique(ns, t, &u));
                        }
                    }
                }
            }
        }
        // Foreign keys on those keys, or on rebuilt columns.
        for (ns, na) in &self.a.namespaces {
            for (t, ta) in &na.tables {
                let Some(tb) = b.table(ns, t) else { continue };
                for (cn, ca) in &ta.constraints {
                    let ConstraintKind::ForeignKey {
                        columns,
                        ref_namespace,
                        ref_table,
                        ref_columns,
                        ..
                    } = &ca.kind
                    else {
                        continue;
                    };
                    if !tb.constraints.contains_key(cn) {
                        continue;
                    }
                    let on_rebuilt_key =
                        rebuilt_keys.contains(&k_unique(ref_namespace, ref_table, ref_columns));
                    let own = columns
                        .iter()
                        .any(|c| rebuilt.contains(&(ns.clone(), t.clone(), c.clone())));
                    let referenced = ref_columns.iter().any(|c| {
                        rebuilt.contains(&(ref_namespace.clone(), ref_table.clone(), c.clone()))
                            || converted.contains(&(
                                ref_namespace.clone(),
                                ref_table.clone(),
                                c.clone(),
                            ))
                    });
                    if on_rebuilt_key || own || referenced {
                        self.rebuilt_constraints
                            .insert((ns.clone(), t.clone(), cn.clone()));
                    }
                }
            }
        }
    }

    fn create_table(&mut self, ns: &str, t: &str, tb: &Table) {
        let mut statements = table_statements(ns, t, tb);
        if let Some(po) = &tb.partition_of {
            statements.push(crate::ddl::attach_partition_sql(ns, t, po));
        }
        let mut d = Draft::new(step(table_path(ns, t), "create table", statements), P_TABLE);
        if let Some(po) = &tb.partition_of {
            d.requires
                .push(k_table(&po.parent.namespace, &po.parent.name));
            if let Some(parent) = self.b.table(&po.parent.namespace, &po.parent.name) {
                for iname in parent.indexes.keys() {
                    d.requires.push(k_rel(&po.parent.namespace, iname));
                }
            }
        }
        for p in &tb.inherits {
            d.requires.push(k_table(&p.namespace, &p.name));
            if let Some(parent) = self.b.table(&p.namespace, &p.name) {
                for c in &parent.columns {
                    d.requires.push(k_col(&p.namespace, &p.name, &c.name));
                }
            }
        }
        d.requires.push(k_ns(ns));
        d.requires.push(K_EXTENSIONS.to_string());
        d.provides.push(k_table(ns, t));
        d.provides.push(k_rel(ns, t));
        for c in &tb.columns {
            d.provides.push(k_col(ns, t, &c.name));
            d.requires.extend(self.column_keys(c, false));
        }
        for (cn, c) in &tb.constraints {
            if matches!(c.kind, ConstraintKind::ForeignKey { .. }) {
                continue;
            }
            d.provides.push(k_con(ns, t, cn));
            if index_backed(c) {
                d.provides.push(k_rel(ns, cn));
            }
            if let Some(u) = constraint_unique_columns(c) {
                d.provides.push(k_unique(ns, t, u));
            }
            if let ConstraintKind::Check { expression, .. } = &c.kind {
                self.expr_keys(expression, &mut d.requires, false);
            }
            if let ConstraintKind::Exclusion { definition } = &c.kind {
                self.expr_keys(definition, &mut d.requires, false);
            }
        }
        for (iname, i) in &tb.indexes {
            d.provides.push(k_rel(ns, iname));
            if let Some(u) = unique_index_columns(i) {
                d.provides.push(k_unique(ns, t, &u));
            }
            self.index_expr_keys(i, &mut d.requires);
        }
        self.push(d);
        for (cn, c) in &tb.constraints {
            if matches!(c.kind, ConstraintKind::ForeignKey { .. })
                && !super::partition::cloned_by_attach(tb, c)
            {
                self.add_foreign_key(ns, t, cn, c, tb, true);
            }
        }
    }

    pub(super) fn index_expr_keys(&self, i: &Index, out: &mut Vec<Key>) {
        for k in &i.keys {
            if let IndexKeyExpr::Expression(e) = &k.key {
                self.expr_keys(e, out, false);
            }
        }
        if let Some(p) = &i.predicate {
            self.expr_keys(p, out, false);
        }
    }

    fn drop_table(&mut self, ns: &str, t: &str, ta: &Table) {
        let mut statements = Vec::new();
        if let Some(po) = &ta.partition_of {
            statements.push(format!(
                "ALTER TABLE {} DETACH PARTITION {}",
                po.parent.sql(),
                qualified_sql(ns, t)
            ));
        }
        let foreign = ta.foreign.is_some();
        statements.push(format!(
            "DROP {}TABLE {}",
            if foreign { "FOREIGN " } else { "" },
            qualified_sql(ns, t)
        ));
        let mut s = step(table_path(ns, t), "drop table", statements);
        // A foreign table's rows are the remote server's: none are lost.
        if !foreign {
            s.hazards.push(hz(
                Hazard::DeletesData,
                "the table and all its rows are dropped",
            ));
        }
        if let Some(po) = &ta.partition_of {
            s.hazards.push(hz(
                Hazard::LocksTable,
                format!(
                    "{} is locked while the partition is detached",
                    po.parent.sql()
                ),
            ));
        }
        let mut d = Draft::new(s, P_DROP);
        // A partition or child goes before its parent.
        if let Some(po) = &ta.partition_of {
            d.releases
                .push(k_table(&po.parent.namespace, &po.parent.name));
        }
        for p in &ta.inherits {
            d.releases.push(k_table(&p.namespace, &p.name));
        }
        let mut fk_drops: Vec<(String, Constraint)> = Vec::new();
        d.drops.push(k_table(ns, t));
        d.drops.push(k_rel(ns, t));
        d.releases.push(k_ns(ns));
        d.releases.push(K_EXTENSIONS_DROPPED.to_string());
        // Its triggers go with it, before the functions they call.
        for g in ta.triggers.values() {
            d.releases.push(super::routine::k_routine(
                &g.function_schema,
                &format!("{}()", g.function),
            ));
        }
        for c in &ta.columns {
            d.drops.push(k_col(ns, t, &c.name));
            d.releases.extend(self.column_keys(c, true));
        }
        for (cn, c) in &ta.constraints {
            d.drops.push(k_con(ns, t, cn));
            if index_backed(c) {
                d.drops.push(k_rel(ns, cn));
            }
            if let Some(u) = constraint_unique_columns(c) {
                d.drops.push(k_unique(ns, t, u));
            }
            if let ConstraintKind::ForeignKey {
                ref_namespace,
                ref_table,
                ref_columns,
                ..
            } = &c.kind
            {
                let other = (ref_namespace.as_str(), ref_table.as_str()) != (ns, t);
                if other && self.b.table(ref_namespace, ref_table).is_none() {
                    // Both tables go: the key goes first, or neither
                    // table could be dropped before the other.
                    fk_drops.push((cn.clone(), (**c).clone()));
                } else {
                    d.releases.push(k_table(ref_namespace, ref_table));
                    d.releases
                        .push(k_unique(ref_namespace, ref_table, ref_columns));
                    for rc in ref_columns {
                        d.releases.push(k_col(ref_namespace, ref_table, rc));
                    }
                }
            }
        }
        for (iname, i) in &ta.indexes {
            d.drops.push(k_rel(ns, iname));
            if let Some(u) = unique_index_columns(i) {
                d.drops.push(k_unique(ns, t, &u));
            }
        }
        // What its index keys, predicates and checks call (functions,
        // operators, types) is free once the table is gone.
        let mut rel = Vec::new();
        for i in ta.indexes.values() {
            for k in &i.keys {
                if let crate::model::IndexKeyExpr::Expression(e) = &k.key {
                    self.expr_keys(e, &mut rel, true);
                }
            }
            if let Some(p) = &i.predicate {
                self.expr_keys(p, &mut rel, true);
            }
        }
        for c in ta.constraints.values() {
            match &c.kind {
                ConstraintKind::Check { expression, .. } => {
                    self.expr_keys(expression, &mut rel, true)
                }
                ConstraintKind::Exclusion { definition } => {
                    self.expr_keys(definition, &mut rel, true)
                }
                _ => {}
            }
        }
        d.releases.extend(rel);
        self.push(d);
        for (cn, c) in fk_drops {
            self.drop_constraint(ns, t, &cn, &c, ta);
        }
    }

    /// A child's own column dropped so that it inherits the one its parent
    /// adds (only inherited, as the target has it).
    fn predrop_column(&mut self, ns: &str, t: &str, c: &crate::model::Column) {
        let mut s = step(
            crate::model::ObjectPath::in_table(crate::model::ObjectKind::Column, ns, t, &c.name),
            "drop column (to inherit it)",
            vec![format!(
                "ALTER TABLE {} DROP COLUMN {}",
                qualified_sql(ns, t),
                quote_ident(&c.name)
            )],
        );
        s.hazards.push(hz(
            Hazard::DeletesData,
            "the table's own column and its values are dropped; the column its parent adds \
             takes its place, empty",
        ));
        let mut d = Draft::new(s, P_DROP);
        d.requires.push(k_table(ns, t));
        d.drops.push(k_col(ns, t, &c.name));
        d.provides
            .push(super::partition::predrop_key(ns, t, &c.name));
        self.push(d);
    }

    fn alter_table(&mut self, a: &Schema, ns: &str, t: &str, ta: &Table, tb: &Table) {
        let tq = qualified_sql(ns, t);
        let path = table_path(ns, t);
        if ta.unlogged != tb.unlogged {
            let mut s = step(
                path.clone(),
                if tb.unlogged {
                    "set table unlogged"
                } else {
                    "set table logged"
                },
                vec![format!(
                    "ALTER TABLE {tq} SET {}",
                    if tb.unlogged { "UNLOGGED" } else { "LOGGED" }
                )],
            );
            s.hazards
                .push(hz(Hazard::RewritesTable, "the table is rewritten"));
            s.hazards.push(hz(
                Hazard::LocksTable,
                "reads and writes wait while the table is rewritten",
            ));
            self.push(Draft::new(s, P_ALTER));
        }
        if let (Some(fa), Some(fb)) = (&ta.foreign, &tb.foreign) {
            if let Some(clause) = crate::ddl::alter_options_clause(&fa.options, &fb.options) {
                let mut d = Draft::new(
                    step(
                        path.clone(),
                        "alter foreign table options",
                        vec![format!("ALTER FOREIGN TABLE {tq} {clause}")],
                    ),
                    P_ALTER,
                );
                d.requires.push(k_table(ns, t));
                self.push(d);
            }
            for cb in &tb.columns {
                let Some(ca) = ta.column(&cb.name) else {
                    continue;
                };
                if let Some(clause) =
                    crate::ddl::alter_options_clause(&ca.fdw_options, &cb.fdw_options)
                {
                    let mut d = Draft::new(
                        step(
                            super::column_path(ns, t, &cb.name),
                            "alter foreign table column options",
                            vec![format!(
                                "ALTER FOREIGN TABLE {tq} ALTER COLUMN {} {clause}",
                                quote_ident(&cb.name)
                            )],
                        ),
                        P_ALTER,
                    );
                    d.requires.push(k_table(ns, t));
                    self.push(d);
                }
            }
        }
        if ta.row_level_security != tb.row_level_security {
            let s = step(
                path.clone(),
                "row level security",
                vec![format!(
                    "ALTER TABLE {tq} {} ROW LEVEL SECURITY",
                    if tb.row_level_security {
                        "ENABLE"
                    } else {
                        "DISABLE"
                    }
                )],
            );
            self.push(Draft::new(s, P_ALTER));
        }
        if ta.force_row_level_security != tb.force_row_level_security {
            let s = step(
                path.clone(),
                "forced row level security",
                vec![format!(
                    "ALTER TABLE {tq} {} ROW LEVEL SECURITY",
                    if tb.force_row_level_security {
                        "FORCE"
                    } else {
                        "NO FORCE"
                    }
                )],
            );
            self.push(Draft::new(s, P_ALTER));
        }
        if ta.comment != tb.comment {
            let what = if tb.foreign.is_some() {
                "FOREIGN TABLE"
            } else {
                "TABLE"
            };
            let stmts: Vec<String> = comment_on_sql(what, &tq, tb.comment.as_deref(), true)
                .into_iter()
                .collect();
            let mut d = Draft::new(step(path.clone(), "comment on table", stmts), P_COMMENT);
            d.requires.push(k_table(ns, t));
            self.push(d);
        }
        let stmts = options_sql("TABLE", &tq, &ta.options, &tb.options);
        if !stmts.is_empty() {
            let mut d = Draft::new(step(path, "storage parameters", stmts), P_ALTER);
            d.requires.push(k_table(ns, t));
            self.push(d);
        }
        self.columns(ns, t, ta, tb);
        self.constraints(ns, t, ta, tb);
        self.indexes(a, ns, t, ta, tb);
    }
}
