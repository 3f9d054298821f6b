//! Extended statistics: created once their table and columns exist,
//! dropped before the columns they use go; a changed definition (or a
//! column under them dropped, retyped or rebuilt, or their table created
//! again) dropped and created again; the target changed with `ALTER
//! STATISTICS … SET STATISTICS`, the comment with `COMMENT ON STATISTICS`.

use std::collections::BTreeSet;

use super::{k_col, k_ns, k_table, mentioned, step, Builder, P_COMMENT, P_DROP_DEPENDENT};
use crate::ddl::{comment_on_sql, statistics_statements, statistics_target_sql};
use crate::model::{qualified_sql, ObjectKind, ObjectPath, Statistics};
use crate::plan::order::Draft;

/// After foreign keys, with the policies: a statistics object needs only
/// its table's columns.
const P_STATISTICS: u8 = 9;

impl Builder<'_> {
    pub(super) fn statistics(&mut self) {
        let mut names: BTreeSet<(String, String)> = BTreeSet::new();
        for s in [&self.a, self.b] {
            for (ns, n) in &s.namespaces {
                for name in n.statistics.keys() {
                    names.insert((ns.clone(), name.clone()));
                }
            }
        }
        for (ns, name) in names {
            let get = |s: &crate::model::Schema| {
                s.namespaces
                    .get(&ns)
                    .and_then(|n| n.statistics.get(&name))
                    .cloned()
            };
            let (sa, sb) = (get(&self.a), get(self.b));
            match (sa, sb) {
                (None, Some(sb)) => self.create_statistics(&ns, &name, &sb),
                (Some(sa), None) => self.drop_statistics(&ns, &name, &sa),
                (Some(sa), Some(sb)) => {
                    let same = sa.table == sb.table
                        && sa.kinds == sb.kinds
                        && sa.columns == sb.columns
                        && sa.expressions == sb.expressions;
                    if !same || self.statistics_disturbed(&sa) {
                        self.drop_statistics(&ns, &name, &sa);
                        self.create_statistics(&ns, &name, &sb);
                        continue;
                    }
                    let q = qualified_sql(&ns, &name);
                    let path = ObjectPath::new(ObjectKind::Statistics, &ns, &name);
                    if sa.target != sb.target {
                        let mut d = Draft::new(
                            step(
                                path.clone(),
                                "set statistics target",
                                vec![statistics_target_sql(&q, sb.target)],
                            ),
                            P_STATISTICS,
                        );
                        d.requires
                            .push(k_table(&sb.table.namespace, &sb.table.name));
                        self.push(d);
                    }
                    if sa.comment != sb.comment {
                        let stmts: Vec<String> =
                            comment_on_sql("STATISTICS", &q, sb.comment.as_deref(), true)
                                .into_iter()
                                .collect();
                        let mut d =
                            Draft::new(step(path, "comment on statistics", stmts), P_COMMENT);
                        d.requires
                            .push(k_table(&sb.table.namespace, &sb.table.name));
                        self.push(d);
                    }
                }
                (None, None) => {}
            }
        }
    }

    /// The columns a statistics object uses on its table (`t`).
    fn statistics_columns(s: &Statistics, t: &crate::model::Table) -> BTreeSet<String> {
        let mut cols: BTreeSet<String> = s.columns.iter().cloned().collect();
        for e in &s.expressions {
            cols.extend(mentioned(t, &e.sql));
            if let Some(x) = e.exact() {
                cols.extend(mentioned(t, x));
            }
        }
        cols
    }

    /// Whether the plan takes the source's statistics object away from
    /// under it: its table created again, or a column it uses dropped,
    /// retyped, converted or rebuilt.
    fn statistics_disturbed(&self, sa: &Statistics) -> bool {
        let (tns, tn) = (&sa.table.namespace, &sa.table.name);
        let (Some(ta), Some(tb)) = (self.a.table(tns, tn), self.b.table(tns, tn)) else {
            return true;
        };
        Self::statistics_columns(sa, ta).iter().any(|c| {
            let key = (tns.clone(), tn.clone(), c.clone());
            match (ta.column(c), tb.column(c)) {
                (Some(ca), Some(cb)) => {
                    ca.data_type != cb.data_type
                        || ca.collation != cb.collation
                        || self.converted.contains(&key)
                        || self.rebuilt_columns.contains(&key)
                }
                _ => true,
            }
        })
    }

    fn create_statistics(&mut self, ns: &str, name: &str, s: &Statistics) {
        let mut d = Draft::new(
            step(
                ObjectPath::new(ObjectKind::Statistics, ns, name),
                "create statistics",
                statistics_statements(ns, name, s),
            ),
            P_STATISTICS,
        );
        let (tns, tn) = (&s.table.namespace, &s.table.name);
        d.requires.push(k_ns(ns));
        d.requires.push(k_table(tns, tn));
        if let Some(tb) = self.b.table(tns, tn) {
            for c in Self::statistics_columns(s, tb) {
                d.requires.push(k_col(tns, tn, &c));
            }
        }
        for e in &s.expressions {
            self.expr_keys(&e.sql, &mut d.requires, false);
        }
        self.push(d);
    }

    fn drop_statistics(&mut self, ns: &str, name: &str, s: &Statistics) {
        // IF EXISTS: the server drops a statistics object by itself with its
        // table or one of its columns.
        let mut d = Draft::new(
            step(
                ObjectPath::new(ObjectKind::Statistics, ns, name),
                "drop statistics",
                vec![format!(
                    "DROP STATISTICS IF EXISTS {}",
                    qualified_sql(ns, name)
                )],
            ),
            P_DROP_DEPENDENT,
        );
        let (tns, tn) = (&s.table.namespace, &s.table.name);
        d.releases.push(k_ns(ns));
        if let Some(ta) = self.a.table(tns, tn) {
            for c in Self::statistics_columns(s, ta) {
                d.releases.push(k_col(tns, tn, &c));
            }
        }
        for e in &s.expressions {
            self.expr_keys(&e.sql, &mut d.releases, true);
        }
        self.push(d);
    }
}
