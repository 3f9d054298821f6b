//! Collations: created before what uses them, dropped after; a changed
//! definition is refused in [`super::check_supported`] (a collation cannot
//! be altered, and dropping one drops the columns that use it).

use std::collections::BTreeSet;

use super::{k_coll, k_ns, step, Builder, P_COMMENT, P_DROP, P_TYPE};
use crate::ddl::{collation_sql, comment_on_sql};
use crate::model::{qualified_sql, ObjectKind, ObjectPath};
use crate::plan::order::Draft;

impl<'a> Builder<'a> {
    pub(super) fn collations(&mut self) {
        let mut names: BTreeSet<(String, String)> = BTreeSet::new();
        for s in [&self.a, self.b] {
            for (ns, n) in &s.namespaces {
                for c in n.collations.keys() {
                    names.insert((ns.clone(), c.clone()));
                }
            }
        }
        for (ns, name) in names {
            let ca = self
                .a
                .namespaces
                .get(&ns)
                .and_then(|n| n.collations.get(&name))
                .cloned();
            let cb = self
                .b
                .namespaces
                .get(&ns)
                .and_then(|n| n.collations.get(&name))
                .cloned();
            let q = qualified_sql(&ns, &name);
            let path = ObjectPath::new(ObjectKind::Collation, &ns, &name);
            match (ca, cb) {
                (None, Some(cb)) => {
                    let mut stmts = vec![collation_sql(&q, &cb)];
                    stmts.extend(comment_on_sql(
                        "COLLATION",
                        &q,
                        cb.comment.as_deref(),
                        false,
                    ));
                    let mut d = Draft::new(step(path, "create collation", stmts), P_TYPE);
                    d.requires.push(k_ns(&ns));
                    d.provides.push(k_coll(&ns, &name));
                    self.push(d);
                }
                (Some(_), None) => {
                    let mut d = Draft::new(
                        step(path, "drop collation", vec![format!("DROP COLLATION {q}")]),
                        P_DROP,
                    );
                    d.drops.push(k_coll(&ns, &name));
                    d.releases.push(k_ns(&ns));
                    self.push(d);
                }
                (Some(ca), Some(cb)) if ca.comment != cb.comment => {
                    let stmts: Vec<String> =
                        comment_on_sql("COLLATION", &q, cb.comment.as_deref(), true)
                            .into_iter()
                            .collect();
                    let mut d = Draft::new(step(path, "comment on collation", stmts), P_COMMENT);
                    d.requires.push(k_coll(&ns, &name));
                    self.push(d);
                }
                _ => {}
            }
        }
    }
}
