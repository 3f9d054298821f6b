//! Extensions: create, drop, move to another schema, update the version.

use std::collections::BTreeSet;

use super::{hz, k_ns, step, Builder, K_EXTENSIONS, K_EXTENSIONS_DROPPED, P_DROP, P_NAMESPACE};
use crate::model::{quote_ident, quote_literal, ObjectKind, ObjectPath};
use crate::plan::hazard::Hazard;
use crate::plan::order::Draft;

impl<'a> Builder<'a> {
    pub(super) fn extensions(&mut self) {
        let names: BTreeSet<String> = self
            .a
            .extensions
            .keys()
            .chain(self.b.extensions.keys())
            .cloned()
            .collect();
        for name in names {
            let ea = self.a.extensions.get(&name).cloned();
            let eb = self.b.extensions.get(&name).cloned();
            let path = ObjectPath::new(ObjectKind::Extension, "", &name);
            match (ea, eb) {
                (None, Some(eb)) => {
                    let mut sql = format!(
                        "CREATE EXTENSION IF NOT EXISTS {} WITH SCHEMA {}",
                        quote_ident(&name),
                        quote_ident(&eb.namespace)
                    );
                    if let Some(v) = &eb.version {
                        sql.push_str(&format!(" VERSION {}", quote_literal(v)));
                    }
                    let mut d = Draft::new(step(path, "create extension", vec![sql]), P_NAMESPACE);
                    d.requires.push(k_ns(&eb.namespace));
                    d.provides.push(K_EXTENSIONS.to_string());
                    self.push(d);
                }
                (Some(ea), None) => {
                    let mut s = step(
                        path,
                        "drop extension",
                        vec![format!("DROP EXTENSION {}", quote_ident(&name))],
                    );
                    s.hazards.push(hz(
                        Hazard::DeletesData,
                        "the extension's functions, types and operators are dropped with it",
                    ));
                    let mut d = Draft::new(s, P_DROP);
                    d.drops.push(K_EXTENSIONS_DROPPED.to_string());
                    d.releases.push(k_ns(&ea.namespace));
                    self.push(d);
                }
                (Some(ea), Some(eb)) => {
                    if ea.namespace != eb.namespace {
                        let mut d = Draft::new(
                            step(
                                path.clone(),
                                "move extension",
                                vec![format!(
                                    "ALTER EXTENSION {} SET SCHEMA {}",
                                    quote_ident(&name),
                                    quote_ident(&eb.namespace)
                                )],
                            ),
                            P_NAMESPACE,
                        );
                        d.requires.push(k_ns(&eb.namespace));
                        d.releases.push(k_ns(&ea.namespace));
                        d.provides.push(K_EXTENSIONS.to_string());
                        self.push(d);
                    }
                    if let (Some(va), Some(vb)) = (&ea.version, &eb.version) {
                        if va != vb {
                            let mut d = Draft::new(
                                step(
                                    path,
                                    "update extension",
                                    vec![format!(
                                        "ALTER EXTENSION {} UPDATE TO {}",
                                        quote_ident(&name),
                                        quote_literal(vb)
                                    )],
                                ),
                                P_NAMESPACE,
                            );
                            d.provides.push(K_EXTENSIONS.to_string());
                            self.push(d);
                        }
                    }
                }
                (None, None) => {}
            }
        }
    }
}
