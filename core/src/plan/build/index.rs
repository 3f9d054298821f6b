//! Indexes of a kept table: create, drop, replace (online: built
//! concurrently under a temporary name, then swapped in).

use std::collections::BTreeSet;

use super::{
    fresh_name, hz, index_backed, index_columns, index_path, k_col, k_rel, k_table, k_unique, key,
    options_sql, renamed_indexes, same_index, step, unique_index_columns, Builder, K_EXTENSIONS,
    P_ALTER, P_COMMENT, P_CONSTRAINT, P_DROP_DEPENDENT, P_ONLINE, P_RENAME,
};
use crate::ddl::{comment_on_sql, create_index_sql, index_statistics_sql};
use crate::model::{qualified_sql, quote_ident, Index, IndexKeyExpr, Schema, Table};
use crate::plan::hazard::Hazard;
use crate::plan::order::Draft;

impl<'a> Builder<'a> {
    pub(super) fn indexes(&mut self, a: &Schema, ns: &str, t: &str, ta: &Table, tb: &Table) {
        let renamed = renamed_indexes(ta, tb);
        let mut skip: BTreeSet<&String> = BTreeSet::new();
        for (x, y) in &renamed {
            skip.insert(x);
            skip.insert(y);
            let (Some(ia), Some(ib)) = (ta.indexes.get(x), tb.indexes.get(y)) else {
                continue;
            };
            let mut stmts = vec![format!(
                "ALTER INDEX {} RENAME TO {}",
                qualified_sql(ns, x),
                quote_ident(y)
            )];
            if ia.comment != ib.comment {
                stmts.extend(comment_on_sql(
                    "INDEX",
                    &qualified_sql(ns, y),
                    ib.comment.as_deref(),
                    true,
                ));
            }
            stmts.extend(index_statistics_sql(ns, y, Some(ia), ib));
            let mut d = Draft::new(step(index_path(ns, t, y), "rename index", stmts), P_RENAME);
            d.drops.push(k_rel(ns, x));
            d.provides.push(k_rel(ns, y));
            self.push(d);
        }
        let names: BTreeSet<&String> = ta
            .indexes
            .keys()
            .chain(tb.indexes.keys())
            .filter(|n| !skip.contains(n))
            .collect();
        let online = self.online_for(tb);
        for iname in names {
            let ia = ta.indexes.get(iname);
            let ib = tb.indexes.get(iname);
            let rebuild =
                self.rebuilt_indexes
                    .contains(&(ns.to_string(), t.to_string(), iname.clone()));
            // Made, dropped or attached by the parent's index steps.
            let at = (ns.to_string(), t.to_string(), iname.clone());
            if self.index_prop.created.contains_key(&at)
                || self.index_prop.dropped.contains_key(&at)
            {
                continue;
            }
            // Made by the ATTACH PARTITION that attaches the table.
            if ia.is_none()
                && ib.is_some_and(|i| i.attached_to.is_some())
                && super::partition::attached_by_plan(ta, tb)
            {
                continue;
            }
            match (ia, ib) {
                (Some(ia), None) => self.drop_index(ns, t, iname, ia, ta, online),
                (None, Some(ib)) => self.create_index(ns, t, iname, ib, tb, online),
                (Some(ia), Some(ib)) => {
                    if rebuild {
                        self.drop_index(ns, t, iname, ia, ta, false);
                        self.create_index(ns, t, iname, ib, tb, online);
                    } else if !same_index(ia, ib) {
                        if online {
                            self.replace_index_online(a, ns, t, iname, ia, ib, ta, tb);
                        } else {
                            self.drop_index(ns, t, iname, ia, ta, false);
                            self.create_index(ns, t, iname, ib, tb, false);
                        }
                    } else {
                        if ia.comment != ib.comment {
                            let stmts: Vec<String> = comment_on_sql(
                                "INDEX",
                                &qualified_sql(ns, iname),
                                ib.comment.as_deref(),
                                true,
                            )
                            .into_iter()
                            .collect();
                            let mut d = Draft::new(
                                step(index_path(ns, t, iname), "comment on index", stmts),
                                P_COMMENT,
                            );
                            d.requires.push(k_rel(ns, iname));
                            self.push(d);
                        }
                        let stmts = options_sql(
                            "INDEX",
                            &qualified_sql(ns, iname),
                            &ia.options,
                            &ib.options,
                        );
                        if !stmts.is_empty() {
                            let mut d = Draft::new(
                                step(index_path(ns, t, iname), "storage parameters", stmts),
                                P_ALTER,
                            );
                            d.requires.push(k_rel(ns, iname));
                            self.push(d);
                        }
                        let stmts = index_statistics_sql(ns, iname, Some(ia), ib);
                        if !stmts.is_empty() {
                            let mut d = Draft::new(
                                step(index_path(ns, t, iname), "set statistics targets", stmts),
                                P_ALTER,
                            );
                            d.requires.push(k_rel(ns, iname));
                            self.push(d);
                        }
                    }
                }
                (None, None) => {}
            }
        }
    }

    fn drop_index(&mut self, ns: &str, t: &str, iname: &str, ia: &Index, ta: &Table, online: bool) {
        let mut s = step(
            index_path(ns, t, iname),
            "drop index",
            vec![format!(
                "DROP INDEX {}{}",
                if online { "CONCURRENTLY " } else { "" },
                qualified_sql(ns, iname)
            )],
        );
        s.no_transaction = online;
        let mut d = Draft::new(s, if online { P_ONLINE } else { P_DROP_DEPENDENT });
        d.drops.push(k_rel(ns, iname));
        // The partitions' indexes attached to it go with it.
        let me = (ns.to_string(), t.to_string(), iname.to_string());
        for ((cns, _, ci), _) in self.index_prop.dropped.iter().filter(|(_, p)| **p == me) {
            d.drops.push(k_rel(cns, ci));
        }
        if let Some(u) = unique_index_columns(ia) {
            d.drops.push(k_unique(ns, t, &u));
        }
        for c in index_columns(ta, ia) {
            d.releases.push(k_col(ns, t, &c));
            d.provides.push(key("pre", &[ns, t, &c]));
        }
        let mut rel = Vec::new();
        for k in &ia.keys {
            if let IndexKeyExpr::Expression(e) = &k.key {
                self.expr_keys(e, &mut rel, true);
            }
        }
        if let Some(p) = &ia.predicate {
            self.expr_keys(p, &mut rel, true);
        }
        d.releases.extend(rel);
        self.push(d);
    }

    fn create_index(
        &mut self,
        ns: &str,
        t: &str,
        iname: &str,
        ib: &Index,
        tb: &Table,
        online: bool,
    ) {
        let mut stmts = vec![create_index_sql(ns, t, iname, ib, online)];
        stmts.extend(index_statistics_sql(ns, iname, None, ib));
        stmts.extend(comment_on_sql(
            "INDEX",
            &qualified_sql(ns, iname),
            ib.comment.as_deref(),
            false,
        ));
        let mut s = step(index_path(ns, t, iname), "create index", stmts);
        s.no_transaction = online;
        if !online {
            s.hazards.push(hz(
                Hazard::BlocksWrites,
                "writes to the table wait while the index is built",
            ));
        }
        if ib.unique {
            s.hazards.push(hz(
                Hazard::MayFail,
                "fails if existing rows hold duplicate values",
            ));
        }
        let mut d = Draft::new(s, if online { P_ONLINE } else { P_CONSTRAINT });
        self.index_provides(ns, t, iname, ib, tb, &mut d);
        // The server creates (or attaches) the partitions' indexes too.
        let me = (ns.to_string(), t.to_string(), iname.to_string());
        for ((cns, ct, ci), _) in self.index_prop.created.iter().filter(|(_, p)| **p == me) {
            d.provides.push(k_rel(cns, ci));
            d.requires.push(k_table(cns, ct));
        }
        self.push(d);
    }

    /// `ALTER INDEX parent ATTACH PARTITION child` for a partition's index
    /// attached to its parent's kept index.
    pub(super) fn index_attachments(&mut self) {
        let attached = std::mem::take(&mut self.index_prop.attached);
        for ((pns, _, pi), (cns, ct, ci)) in &attached {
            let mut d = Draft::new(
                step(
                    index_path(cns, ct, ci),
                    "attach index",
                    vec![format!(
                        "ALTER INDEX {} ATTACH PARTITION {}",
                        qualified_sql(pns, pi),
                        qualified_sql(cns, ci)
                    )],
                ),
                P_ALTER,
            );
            d.requires.push(k_rel(pns, pi));
            d.requires.push(k_rel(cns, ci));
            self.push(d);
        }
        self.index_prop.attached = attached;
    }

    fn index_provides(
        &self,
        ns: &str,
        t: &str,
        iname: &str,
        ib: &Index,
        tb: &Table,
        d: &mut Draft,
    ) {
        d.provides.push(k_rel(ns, iname));
        if let Some(u) = unique_index_columns(ib) {
            d.provides.push(k_unique(ns, t, &u));
        }
        d.requires.push(k_table(ns, t));
        d.requires.push(K_EXTENSIONS.to_string());
        for c in index_columns(tb, ib) {
            d.requires.push(k_col(ns, t, &c));
        }
        self.index_expr_keys(ib, &mut d.requires);
    }

    /// A changed index replaced without a moment without it: the new one
    /// built concurrently under a temporary name, the old one dropped
    /// concurrently, the new one renamed.
    #[allow(clippy::too_many_arguments)]
    fn replace_index_online(
        &mut self,
        a: &Schema,
        ns: &str,
        t: &str,
        iname: &str,
        ia: &Index,
        ib: &Index,
        ta: &Table,
        tb: &Table,
    ) {
        let a_ns = a.namespaces.get(ns);
        let b_ns = self.b.namespaces.get(ns);
        let taken = |n: &str| {
            [a_ns, b_ns].iter().flatten().any(|x| {
                x.tables.contains_key(n)
                    || x.sequences.contains_key(n)
                    || x.enums.contains_key(n)
                    || x.tables.values().any(|t| {
                        t.indexes.contains_key(n)
                            || t.constraints.get(n).is_some_and(|c| index_backed(c))
                    })
            })
        };
        let tmp = fresh_name(iname, "__strata_new", &taken);
        let mut stmts = vec![
            create_index_sql(ns, t, &tmp, ib, true),
            format!("DROP INDEX CONCURRENTLY {}", qualified_sql(ns, iname)),
            format!(
                "ALTER INDEX {} RENAME TO {}",
                qualified_sql(ns, &tmp),
                quote_ident(iname)
            ),
        ];
        stmts.extend(index_statistics_sql(ns, iname, None, ib));
        stmts.extend(comment_on_sql(
            "INDEX",
            &qualified_sql(ns, iname),
            ib.comment.as_deref(),
            false,
        ));
        let mut s = step(
            index_path(ns, t, iname),
            "replace index (concurrently)",
            stmts,
        );
        s.no_transaction = true;
        if ib.unique {
            s.hazards.push(hz(
                Hazard::MayFail,
                "fails if existing rows hold duplicate values (and leaves an invalid index to drop)",
            ));
        }
        let mut d = Draft::new(s, P_ONLINE);
        d.drops.push(k_rel(ns, iname));
        if let Some(u) = unique_index_columns(ia) {
            d.drops.push(k_unique(ns, t, &u));
        }
        for c in index_columns(ta, ia) {
            d.releases.push(k_col(ns, t, &c));
        }
        self.index_provides(ns, t, iname, ib, tb, &mut d);
        self.push(d);
    }
}
