//! Objects strata keeps by name only (foreign tables, range types, triggers on them,
//! …): `CREATE`, `DROP` and `RENAME` of them.

use crate::model::{ObjectKind, ObjectPath, Unmanaged, UnmanagedKind};
use crate::parse::{split_qualified, UnmanagedOp};

use super::{err, Replayer, DUPLICATE_OBJECT, DUPLICATE_TABLE, R, UNDEFINED_OBJECT};

impl Replayer {
    /// The parser qualifies unqualified names with `public`; re-qualify with
    /// the current creation namespace when the search path differs.
    pub(super) fn qualify_unmanaged(&self, _kind: UnmanagedKind, name: &str) -> String {
        name.to_string()
    }

    pub(super) fn unmanaged(&mut self, kind: UnmanagedKind, op: UnmanagedOp) -> R<()> {
        match op {
            UnmanagedOp::Create {
                name,
                or_replace,
                if_not_exists,
            } => {
                let name = self.qualify_unmanaged(kind, &name);
                let u = Unmanaged {
                    kind,
                    name: name.clone(),
                };
                if matches!(kind, UnmanagedKind::View | UnmanagedKind::MaterializedView) {
                    let (ns, rel) = split_unmanaged(&name);
                    if !or_replace && self.relation_taken(&ns, &rel) {
                        if if_not_exists {
                            return Ok(());
                        }
                        return Err(err(
                            DUPLICATE_TABLE,
                            format!("relation \"{rel}\" already exists"),
                        ));
                    }
                }
                if self.schema.unmanaged.contains(&u) && !or_replace {
                    if if_not_exists {
                        return Ok(());
                    }
                    return Err(err(
                        DUPLICATE_OBJECT,
                        format!("{} {name} already exists", kind.label()),
                    ));
                }
                self.schema.unmanaged.insert(u);
                self.touch(ObjectPath::new(
                    ObjectKind::Unmanaged,
                    "",
                    &format!("{} {name}", kind.label()),
                ));
            }
            UnmanagedOp::Drop { names, if_exists } => {
                for name in names {
                    let name = self.qualify_unmanaged(kind, &name);
                    if matches!(kind, UnmanagedKind::View | UnmanagedKind::MaterializedView)
                        && self.schema.unmanaged.contains(&Unmanaged {
                            kind,
                            name: name.clone(),
                        })
                    {
                        let (vns, vname) = split_unmanaged(&name);
                        let label = if kind == UnmanagedKind::View {
                            "view"
                        } else {
                            "materialized view"
                        };
                        let cascade = self.stmt_cascade;
                        self.drop_dependent_views(&vns, &vname, None, cascade, label)?;
                        self.view_deps.remove(&Unmanaged {
                            kind,
                            name: name.clone(),
                        });
                    }
                    let removed = if matches!(
                        kind,
                        UnmanagedKind::Function
                            | UnmanagedKind::Procedure
                            | UnmanagedKind::Aggregate
                    ) && !name.contains('(')
                    {
                        let before = self.schema.unmanaged.len();
                        let prefix = format!("{name}(");
                        self.schema
                            .unmanaged
                            .retain(|u| !(u.kind == kind && u.name.starts_with(&prefix)));
                        before != self.schema.unmanaged.len()
                    } else if matches!(
                        kind,
                        UnmanagedKind::Function
                            | UnmanagedKind::Procedure
                            | UnmanagedKind::Aggregate
                    ) && name.ends_with("()")
                    {
                        // `DROP FUNCTION f()` names the zero-argument one; the
                        // parser writes `f()` both for that and for `DROP FUNCTION f`.
                        let exact = self.schema.unmanaged.remove(&Unmanaged {
                            kind,
                            name: name.clone(),
                        });
                        if exact {
                            true
                        } else {
                            let prefix = format!("{}(", &name[..name.len() - 2]);
                            let matching: Vec<Unmanaged> = self
                                .schema
                                .unmanaged
                                .iter()
                                .filter(|u| u.kind == kind && u.name.starts_with(&prefix))
                                .cloned()
                                .collect();
                            if matching.len() == 1 {
                                self.schema.unmanaged.remove(&matching[0]);
                                true
                            } else {
                                false
                            }
                        }
                    } else {
                        self.schema.unmanaged.remove(&Unmanaged {
                            kind,
                            name: name.clone(),
                        })
                    };
                    if !removed && !if_exists {
                        return Err(err(
                            UNDEFINED_OBJECT,
                            format!("{} {name} does not exist", kind.label()),
                        ));
                    }
                }
            }
            UnmanagedOp::Rename { name, new_name } => {
                let name = self.qualify_unmanaged(kind, &name);
                if !self.schema.unmanaged.remove(&Unmanaged {
                    kind,
                    name: name.clone(),
                }) {
                    return Err(err(
                        UNDEFINED_OBJECT,
                        format!("{} {name} does not exist", kind.label()),
                    ));
                }
                if let Some(d) = self.view_deps.remove(&Unmanaged {
                    kind,
                    name: name.clone(),
                }) {
                    let (ons, orel) = split_unmanaged(&name);
                    let (nns, nrel) = split_unmanaged(&new_name);
                    self.view_deps.insert(
                        Unmanaged {
                            kind,
                            name: new_name.clone(),
                        },
                        d,
                    );
                    self.move_in_view_deps(&ons, &orel, &nns, &nrel);
                }
                self.schema.unmanaged.insert(Unmanaged {
                    kind,
                    name: new_name,
                });
            }
        }
        Ok(())
    }
}

pub(super) fn split_unmanaged(name: &str) -> (String, String) {
    let (ns, rel) = split_qualified(name);
    (ns.unwrap_or_else(|| "public".to_string()), rel)
}
