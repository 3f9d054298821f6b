//! Constraints of a kept table: add, drop, and foreign keys added once
//! what they reference exists.

use std::collections::{BTreeMap, BTreeSet};

use super::{
    constraint_columns, constraint_path, constraint_unique_columns, hz, index_backed, k_col, k_con,
    k_no_pk, k_rel, k_table, k_unique, key, renamed_constraints, step, Builder, K_EXTENSIONS,
    P_COMMENT, P_CONSTRAINT, P_DROP_DEPENDENT, P_FOREIGN_KEY, P_ONLINE, P_RENAME,
};
use crate::ddl::{add_constraint_sql, comment_on_sql, constraint_sql, create_index_sql};
use crate::diff::render_constraint_kind;
use crate::model::{
    qualified_sql, quote_ident, Constraint, ConstraintKind, Index, IndexKey, IndexKeyExpr, Table,
};
use crate::plan::hazard::Hazard;
use crate::plan::order::Draft;

impl<'a> Builder<'a> {
    pub(super) fn constraints(&mut self, ns: &str, t: &str, ta: &Table, tb: &Table) {
        let renamed = renamed_constraints(ta, tb);
        let mut skip: BTreeSet<&String> = BTreeSet::new();
        for (x, y) in &renamed {
            skip.insert(x);
            skip.insert(y);
            let (Some(ca), Some(cb)) = (ta.constraints.get(x), tb.constraints.get(y)) else {
                continue;
            };
            let tq = qualified_sql(ns, t);
            let mut stmts = vec![format!(
                "ALTER TABLE {tq} RENAME CONSTRAINT {} TO {}",
                quote_ident(x),
                quote_ident(y)
            )];
            if ca.comment != cb.comment {
                stmts.extend(comment_on_sql(
                    "CONSTRAINT",
                    &format!("{} ON {tq}", quote_ident(y)),
                    cb.comment.as_deref(),
                    true,
                ));
            }
            let mut d = Draft::new(
                step(constraint_path(ns, t, y), "rename constraint", stmts),
                P_RENAME,
            );
            d.drops.push(k_con(ns, t, x));
            d.provides.push(k_con(ns, t, y));
            if index_backed(ca) {
                d.drops.push(k_rel(ns, x));
                d.provides.push(k_rel(ns, y));
            }
            self.push(d);
        }
        let names: BTreeSet<&String> = ta
            .constraints
            .keys()
            .chain(tb.constraints.keys())
            .filter(|n| !skip.contains(n))
            .collect();
        for cn in names {
            let ca = ta.constraints.get(cn);
            let cb = tb.constraints.get(cn);
            let rebuild =
                self.rebuilt_constraints
                    .contains(&(ns.to_string(), t.to_string(), cn.clone()));
            // Made by the ATTACH PARTITION that attaches the table.
            if ca.is_none()
                && cb.is_some_and(|c| c.inherited.is_some())
                && super::partition::attached_by_plan(ta, tb)
            {
                continue;
            }
            match (ca, cb) {
                (Some(ca), None) => self.drop_constraint(ns, t, cn, ca, ta),
                (None, Some(cb)) => self.add_constraint(ns, t, cn, cb, tb),
                (Some(ca), Some(cb)) => {
                    let def_changes = ca.kind != cb.kind
                        && render_constraint_kind(&ca.kind) != render_constraint_kind(&cb.kind);
                    let deferral_changes = ca.deferrable != cb.deferrable
                        || ca.initially_deferred != cb.initially_deferred;
                    let unvalidate = ca.validated && !cb.validated;
                    if rebuild || def_changes || unvalidate || deferral_changes {
                        self.drop_constraint(ns, t, cn, ca, ta);
                        self.add_constraint(ns, t, cn, cb, tb);
                        continue;
                    }
                    let tq = qualified_sql(ns, t);
                    let path = constraint_path(ns, t, cn);
                    if !ca.validated && cb.validated {
                        let mut s = step(
                            path.clone(),
                            "validate constraint",
                            vec![format!(
                                "ALTER TABLE {tq} VALIDATE CONSTRAINT {}",
                                quote_ident(cn)
                            )],
                        );
                        s.hazards.push(hz(
                            Hazard::MayFail,
                            "fails if an existing row breaks the constraint",
                        ));
                        let mut d = Draft::new(s, P_FOREIGN_KEY);
                        d.provides.push(k_con(ns, t, cn));
                        self.push(d);
                    }
                    if ca.comment != cb.comment {
                        let stmts: Vec<String> = comment_on_sql(
                            "CONSTRAINT",
                            &format!("{} ON {tq}", quote_ident(cn)),
                            cb.comment.as_deref(),
                            true,
                        )
                        .into_iter()
                        .collect();
                        let mut d =
                            Draft::new(step(path, "comment on constraint", stmts), P_COMMENT);
                        d.requires.push(k_con(ns, t, cn));
                        self.push(d);
                    }
                }
                (None, None) => {}
            }
        }
    }

    pub(super) fn drop_constraint(
        &mut self,
        ns: &str,
        t: &str,
        cn: &str,
        ca: &Constraint,
        ta: &Table,
    ) {
        let mut d = Draft::new(
            step(
                constraint_path(ns, t, cn),
                &format!("drop {}", ca.kind.label()),
                vec![format!(
                    "ALTER TABLE {} DROP CONSTRAINT {}",
                    qualified_sql(ns, t),
                    quote_ident(cn)
                )],
            ),
            P_DROP_DEPENDENT,
        );
        d.drops.push(k_con(ns, t, cn));
        if index_backed(ca) {
            d.drops.push(k_rel(ns, cn));
        }
        if let Some(u) = constraint_unique_columns(ca) {
            d.drops.push(k_unique(ns, t, u));
        }
        if matches!(ca.kind, ConstraintKind::PrimaryKey { .. }) {
            d.provides.push(k_no_pk(ns, t));
        }
        for c in constraint_columns(ta, ca) {
            d.releases.push(k_col(ns, t, &c));
            d.provides.push(key("pre", &[ns, t, &c]));
        }
        if let ConstraintKind::ForeignKey {
            ref_namespace,
            ref_table,
            ref_columns,
            ..
        } = &ca.kind
        {
            d.releases.push(k_table(ref_namespace, ref_table));
            d.releases
                .push(k_unique(ref_namespace, ref_table, ref_columns));
            for rc in ref_columns {
                d.releases.push(k_col(ref_namespace, ref_table, rc));
                d.provides.push(key("pre", &[ref_namespace, ref_table, rc]));
            }
        }
        let mut rel = Vec::new();
        if let ConstraintKind::Check { expression, .. } = &ca.kind {
            self.expr_keys(expression, &mut rel, true);
        }
        d.releases.extend(rel);
        self.push(d);
    }

    fn add_constraint(&mut self, ns: &str, t: &str, cn: &str, cb: &Constraint, tb: &Table) {
        if matches!(cb.kind, ConstraintKind::ForeignKey { .. }) {
            self.add_foreign_key(ns, t, cn, cb, tb, false);
            return;
        }
        let tq = qualified_sql(ns, t);
        let path = constraint_path(ns, t, cn);
        let online = self.online_for(tb);
        let comment = comment_on_sql(
            "CONSTRAINT",
            &format!("{} ON {tq}", quote_ident(cn)),
            cb.comment.as_deref(),
            false,
        );
        let mut drafts = Vec::new();
        match &cb.kind {
            ConstraintKind::Check { .. } if online && cb.validated => {
                let mut nv = cb.clone();
                nv.validated = false;
                let mut stmts = vec![add_constraint_sql(ns, t, cn, &nv)];
                stmts.extend(comment);
                let add = Draft::new(
                    step(path.clone(), "add check (not valid)", stmts),
                    P_CONSTRAINT,
                );
                let mut v = step(
                    path,
                    "validate check",
                    vec![format!(
                        "ALTER TABLE {tq} VALIDATE CONSTRAINT {}",
                        quote_ident(cn)
                    )],
                );
                v.no_transaction = true;
                v.hazards.push(hz(
                    Hazard::MayFail,
                    "fails if an existing row breaks the check",
                ));
                let mut vd = Draft::new(v, P_ONLINE);
                let added = key("added", &[ns, t, cn]);
                let mut add = add;
                add.provides.push(added.clone());
                vd.requires.push(added);
                drafts.push(add);
                drafts.push(vd);
            }
            ConstraintKind::PrimaryKey { columns, include }
            | ConstraintKind::Unique {
                columns, include, ..
            } if online => {
                let nulls_not_distinct = matches!(
                    cb.kind,
                    ConstraintKind::Unique {
                        nulls_not_distinct: true,
                        ..
                    }
                );
                let index = Index {
                    unique: true,
                    method: "btree".to_string(),
                    keys: columns
                        .iter()
                        .map(|c| IndexKey {
                            key: IndexKeyExpr::Column(c.clone()),
                            opclass: None,
                            collation: None,
                            descending: false,
                            nulls_first: false,
                            statistics: None,
                        })
                        .collect(),
                    include: include.clone(),
                    nulls_not_distinct,
                    predicate: None,
                    comment: None,
                    options: BTreeMap::new(),
                    attached_to: None,
                };
                let mut build = step(
                    path.clone(),
                    "build the key's index concurrently",
                    vec![create_index_sql(ns, t, cn, &index, true)],
                );
                build.no_transaction = true;
                build.hazards.push(hz(
                    Hazard::MayFail,
                    "fails on duplicate values (and leaves an invalid index to drop)",
                ));
                let mut bd = Draft::new(build, P_ONLINE);
                bd.provides.push(k_rel(ns, cn));
                let built = key("built", &[ns, t, cn]);
                bd.provides.push(built.clone());
                let mut sql = format!(
                    "ALTER TABLE {tq} ADD CONSTRAINT {} {} USING INDEX {}",
                    quote_ident(cn),
                    if matches!(cb.kind, ConstraintKind::PrimaryKey { .. }) {
                        "PRIMARY KEY"
                    } else {
                        "UNIQUE"
                    },
                    quote_ident(cn)
                );
                if cb.deferrable {
                    sql.push_str(" DEFERRABLE");
                    if cb.initially_deferred {
                        sql.push_str(" INITIALLY DEFERRED");
                    }
                }
                let mut stmts = vec![sql];
                stmts.extend(comment);
                let mut attach = step(
                    path,
                    &format!("add {} using the index", cb.kind.label()),
                    stmts,
                );
                attach.no_transaction = true;
                let mut ad = Draft::new(attach, P_ONLINE);
                ad.requires.push(built);
                drafts.push(bd);
                drafts.push(ad);
            }
            _ => {
                let mut stmts = vec![add_constraint_sql(ns, t, cn, cb)];
                stmts.extend(comment);
                let mut s = step(path, &format!("add {}", cb.kind.label()), stmts);
                match &cb.kind {
                    ConstraintKind::Check { .. } if cb.validated => {
                        s.hazards.push(hz(
                            Hazard::MayFail,
                            "fails if an existing row breaks the check",
                        ));
                        s.hazards.push(hz(
                            Hazard::LocksTable,
                            "the table is scanned while reads and writes wait",
                        ));
                    }
                    ConstraintKind::Check { .. } => {}
                    _ => {
                        s.hazards.push(hz(
                            Hazard::BlocksWrites,
                            "its index is built while writes wait",
                        ));
                        s.hazards.push(hz(
                            Hazard::LocksTable,
                            "reads wait too: the table is locked ACCESS EXCLUSIVE while the index is built",
                        ));
                        s.hazards.push(hz(
                            Hazard::MayFail,
                            "fails if existing rows hold duplicate (or NULL) values",
                        ));
                    }
                }
                drafts.push(Draft::new(s, P_CONSTRAINT));
            }
        }
        let cols = constraint_columns(tb, cb);
        let mut exprs = Vec::new();
        match &cb.kind {
            ConstraintKind::Check { expression, .. } => {
                self.expr_keys(expression, &mut exprs, false)
            }
            ConstraintKind::Exclusion { definition } => {
                self.expr_keys(definition, &mut exprs, false)
            }
            _ => {}
        }
        let n = drafts.len();
        for (i, mut d) in drafts.into_iter().enumerate() {
            d.requires.push(k_table(ns, t));
            d.requires.push(K_EXTENSIONS.to_string());
            for c in &cols {
                d.requires.push(k_col(ns, t, c));
            }
            d.requires.extend(exprs.iter().cloned());
            if i + 1 == n {
                d.provides.push(k_con(ns, t, cn));
                if index_backed(cb) {
                    d.provides.push(k_rel(ns, cn));
                }
                if let Some(u) = constraint_unique_columns(cb) {
                    d.provides.push(k_unique(ns, t, u));
                }
            }
            self.push(d);
        }
    }

    pub(super) fn add_foreign_key(
        &mut self,
        ns: &str,
        t: &str,
        cn: &str,
        cb: &Constraint,
        tb: &Table,
        new_table: bool,
    ) {
        let ConstraintKind::ForeignKey {
            columns,
            ref_namespace,
            ref_table,
            ref_columns,
            ..
        } = &cb.kind
        else {
            return;
        };
        let tq = qualified_sql(ns, t);
        let path = constraint_path(ns, t, cn);
        let online = !new_table && self.online_for(tb) && cb.validated;
        let comment = comment_on_sql(
            "CONSTRAINT",
            &format!("{} ON {tq}", quote_ident(cn)),
            cb.comment.as_deref(),
            false,
        );
        let mut drafts = Vec::new();
        if online {
            let mut nv = cb.clone();
            nv.validated = false;
            let mut stmts = vec![add_constraint_sql(ns, t, cn, &nv)];
            stmts.extend(comment);
            let mut add = Draft::new(
                step(path.clone(), "add foreign key (not valid)", stmts),
                P_CONSTRAINT,
            );
            let added = key("added", &[ns, t, cn]);
            add.provides.push(added.clone());
            let mut v = step(
                path,
                "validate foreign key",
                vec![format!(
                    "ALTER TABLE {tq} VALIDATE CONSTRAINT {}",
                    quote_ident(cn)
                )],
            );
            v.no_transaction = true;
            v.hazards.push(hz(
                Hazard::MayFail,
                "fails if an existing row references a missing key",
            ));
            let mut vd = Draft::new(v, P_ONLINE);
            vd.requires.push(added);
            drafts.push(add);
            drafts.push(vd);
        } else {
            let mut stmts = vec![format!(
                "ALTER TABLE {tq} ADD CONSTRAINT {} {}",
                quote_ident(cn),
                constraint_sql(cb)
            )];
            stmts.extend(comment);
            let mut s = step(path, "add foreign key", stmts);
            if !new_table && cb.validated {
                s.hazards.push(hz(
                    Hazard::MayFail,
                    "fails if an existing row references a missing key",
                ));
                s.hazards.push(hz(
                    Hazard::BlocksWrites,
                    "writes to both tables wait while existing rows are checked",
                ));
            }
            drafts.push(Draft::new(s, P_FOREIGN_KEY));
        }
        let n = drafts.len();
        for (i, mut d) in drafts.into_iter().enumerate() {
            d.requires.push(k_table(ns, t));
            d.requires.push(k_table(ref_namespace, ref_table));
            d.requires
                .push(k_unique(ref_namespace, ref_table, ref_columns));
            for c in columns {
                d.requires.push(k_col(ns, t, c));
            }
            for c in ref_columns {
                d.requires.push(k_col(ref_namespace, ref_table, c));
            }
            if i + 1 == n {
                d.provides.push(k_con(ns, t, cn));
            }
            self.push(d);
        }
    }
}
