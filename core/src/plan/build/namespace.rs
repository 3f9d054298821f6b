//! Namespaces (schemas): create, drop, comment.

use std::collections::BTreeSet;

use super::{hz, k_ns, step, Builder, P_COMMENT, P_DROP_NAMESPACE, P_NAMESPACE};
use crate::ddl::comment_on_sql;
use crate::model::{quote_ident, ObjectKind, ObjectPath};
use crate::plan::hazard::Hazard;
use crate::plan::order::Draft;

impl<'a> Builder<'a> {
    pub(super) fn namespaces(&mut self) {
        let names: BTreeSet<String> = self
            .a
            .namespaces
            .keys()
            .chain(self.b.namespaces.keys())
            .cloned()
            .collect();
        for ns in names {
            let path = ObjectPath::new(ObjectKind::Namespace, "", &ns);
            let ca = self.a.namespaces.get(&ns).map(|n| n.comment.clone());
            let cb = self.b.namespaces.get(&ns).map(|n| n.comment.clone());
            match (ca, cb) {
                (None, Some(cb)) => {
                    let mut stmts = vec![format!("CREATE SCHEMA {}", quote_ident(&ns))];
                    stmts.extend(comment_on_sql(
                        "SCHEMA",
                        &quote_ident(&ns),
                        cb.as_deref(),
                        false,
                    ));
                    let mut d = Draft::new(step(path, "create schema", stmts), P_NAMESPACE);
                    d.provides.push(k_ns(&ns));
                    self.push(d);
                }
                (Some(_), None) => {
                    let mut s = step(
                        path,
                        "drop schema",
                        vec![format!("DROP SCHEMA {}", quote_ident(&ns))],
                    );
                    s.hazards.push(hz(
                        Hazard::MayFail,
                        "fails if the schema still holds objects strata does not model",
                    ));
                    let mut d = Draft::new(s, P_DROP_NAMESPACE);
                    d.drops.push(k_ns(&ns));
                    self.push(d);
                }
                (Some(ca), Some(cb)) if ca != cb => {
                    let stmts: Vec<String> =
                        comment_on_sql("SCHEMA", &quote_ident(&ns), cb.as_deref(), true)
                            .into_iter()
                            .collect();
                    let d = Draft::new(step(path, "comment on schema", stmts), P_COMMENT);
                    self.push(d);
                }
                _ => {}
            }
        }
    }
}
