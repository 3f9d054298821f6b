//! Row-level security policies: created after their table and its row
//! level security (as pg_dump orders them), dropped before the columns they
//! read change, changed in place with `ALTER POLICY` where the server can
//! (roles, USING, WITH CHECK), dropped and created again where it cannot
//! (the command, permissive or restrictive, an expression removed); renamed
//! when a policy only the source has equals one only the target has.

use std::collections::BTreeSet;

use super::{k_col, k_table, mentioned, step, Builder, P_COMMENT, P_DROP_DEPENDENT};
use crate::ddl::{comment_on_sql, policy_statements};
use crate::model::{qualified_sql, quote_ident, ObjectKind, ObjectPath, Policy, Table};
use crate::plan::order::Draft;

/// After foreign keys, before comments: a policy's expressions may read
/// any table and column.
const P_POLICY: u8 = 9;

fn policy_path(ns: &str, t: &str, p: &str) -> ObjectPath {
    ObjectPath::in_table(ObjectKind::Policy, ns, t, p)
}

fn target(ns: &str, t: &str, p: &str) -> String {
    format!("{} ON {}", quote_ident(p), qualified_sql(ns, t))
}

impl Builder<'_> {
    /// Every policy of every table, once the tables and columns are
    /// planned (it needs the columns rebuilt or converted).
    pub(super) fn policies(&mut self) {
        let b = self.b;
        let mut names: BTreeSet<(String, String)> = BTreeSet::new();
        for s in [&self.a, b] {
            for (ns, n) in &s.namespaces {
                for t in n.tables.keys() {
                    names.insert((ns.clone(), t.clone()));
                }
            }
        }
        let a = std::mem::take(&mut self.a);
        for (ns, t) in &names {
            let (ta, tb) = (a.table(ns, t), b.table(ns, t));
            match (ta, tb) {
                (None, Some(tb)) => {
                    for (pn, p) in &tb.policies {
                        self.create_policy(ns, t, pn, p, tb);
                    }
                }
                (Some(ta), Some(tb)) => self.table_policies(ns, t, ta, tb),
                // Dropped with its table.
                (Some(_), None) | (None, None) => {}
            }
        }
        self.a = a;
    }

    fn table_policies(&mut self, ns: &str, t: &str, ta: &Table, tb: &Table) {
        // Columns the server will not drop or retype while a policy reads
        // them (2BP01, 0A000).
        let changing: BTreeSet<&str> = ta
            .columns
            .iter()
            .filter(|c| {
                let key = (ns.to_string(), t.to_string(), c.name.clone());
                match tb.column(&c.name) {
                    None => true,
                    Some(cb) => {
                        cb.data_type != c.data_type
                            || cb.collation != c.collation
                            || self.converted.contains(&key)
                            || self.rebuilt_columns.contains(&key)
                    }
                }
            })
            .map(|c| c.name.as_str())
            .collect();
        let reads_changing = |p: &Policy| {
            p.using.iter().chain(&p.with_check).any(|e| {
                mentioned(ta, e)
                    .iter()
                    .any(|c| changing.contains(c.as_str()))
            })
        };
        // A policy only the source has, equal in every property to one only
        // the target has: renamed (the server keeps it, no moment without
        // it).
        let mut renamed: BTreeSet<&String> = BTreeSet::new();
        for (x, pa) in &ta.policies {
            if tb.policies.contains_key(x) || reads_changing(pa) {
                continue;
            }
            let twin = tb
                .policies
                .iter()
                .find(|(y, pb)| !ta.policies.contains_key(*y) && !renamed.contains(y) && *pb == pa);
            if let Some((y, _)) = twin {
                renamed.insert(x);
                renamed.insert(y);
                let mut d = Draft::new(
                    step(
                        policy_path(ns, t, y),
                        "rename policy",
                        vec![format!(
                            "ALTER POLICY {} RENAME TO {}",
                            target(ns, t, x),
                            quote_ident(y)
                        )],
                    ),
                    P_POLICY,
                );
                d.requires.push(k_table(ns, t));
                self.push(d);
            }
        }
        let names: BTreeSet<&String> = ta
            .policies
            .keys()
            .chain(tb.policies.keys())
            .filter(|n| !renamed.contains(n))
            .collect();
        for pn in names {
            match (ta.policies.get(pn), tb.policies.get(pn)) {
                (Some(pa), None) => self.drop_policy(ns, t, pn, pa, ta),
                (None, Some(pb)) => self.create_policy(ns, t, pn, pb, tb),
                (Some(pa), Some(pb)) => {
                    let in_place = pa.command == pb.command
                        && pa.permissive == pb.permissive
                        && (pa.using.is_none() || pb.using.is_some())
                        && (pa.with_check.is_none() || pb.with_check.is_some())
                        && !reads_changing(pa);
                    if !in_place {
                        self.drop_policy(ns, t, pn, pa, ta);
                        self.create_policy(ns, t, pn, pb, tb);
                    } else {
                        self.alter_policy(ns, t, pn, pa, pb, tb);
                    }
                }
                (None, None) => {}
            }
        }
    }

    fn create_policy(&mut self, ns: &str, t: &str, pn: &str, p: &Policy, tb: &Table) {
        let mut d = Draft::new(
            step(
                policy_path(ns, t, pn),
                "create policy",
                policy_statements(ns, t, pn, p),
            ),
            P_POLICY,
        );
        d.requires.push(k_table(ns, t));
        for e in p.using.iter().chain(&p.with_check) {
            for c in mentioned(tb, e) {
                d.requires.push(k_col(ns, t, &c));
            }
            self.expr_keys(e, &mut d.requires, false);
        }
        self.push(d);
    }

    fn drop_policy(&mut self, ns: &str, t: &str, pn: &str, p: &Policy, ta: &Table) {
        let mut d = Draft::new(
            step(
                policy_path(ns, t, pn),
                "drop policy",
                vec![format!("DROP POLICY {}", target(ns, t, pn))],
            ),
            P_DROP_DEPENDENT,
        );
        for e in p.using.iter().chain(&p.with_check) {
            for c in mentioned(ta, e) {
                d.releases.push(k_col(ns, t, &c));
            }
            self.expr_keys(e, &mut d.releases, true);
        }
        self.push(d);
    }

    fn alter_policy(&mut self, ns: &str, t: &str, pn: &str, pa: &Policy, pb: &Policy, tb: &Table) {
        let mut clauses = Vec::new();
        if pa.roles != pb.roles {
            clauses.push(format!("TO {}", pb.roles_sql()));
        }
        if pa.using != pb.using {
            if let Some(u) = &pb.using {
                clauses.push(format!("USING ({u})"));
            }
        }
        if pa.with_check != pb.with_check {
            if let Some(w) = &pb.with_check {
                clauses.push(format!("WITH CHECK ({w})"));
            }
        }
        if !clauses.is_empty() {
            let mut d = Draft::new(
                step(
                    policy_path(ns, t, pn),
                    "alter policy",
                    vec![format!(
                        "ALTER POLICY {} {}",
                        target(ns, t, pn),
                        clauses.join(" ")
                    )],
                ),
                P_POLICY,
            );
            d.requires.push(k_table(ns, t));
            for e in pb.using.iter().chain(&pb.with_check) {
                for c in mentioned(tb, e) {
                    d.requires.push(k_col(ns, t, &c));
                }
                self.expr_keys(e, &mut d.requires, false);
            }
            self.push(d);
        }
        if pa.comment != pb.comment {
            let stmts: Vec<String> =
                comment_on_sql("POLICY", &target(ns, t, pn), pb.comment.as_deref(), true)
                    .into_iter()
                    .collect();
            let mut d = Draft::new(
                step(policy_path(ns, t, pn), "comment on policy", stmts),
                P_COMMENT,
            );
            d.requires.push(k_table(ns, t));
            self.push(d);
        }
    }
}
