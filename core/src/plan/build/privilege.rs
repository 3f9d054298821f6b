//! Privileges: `GRANT` / `REVOKE` steps after every other step (the
//! objects exist by then), taking each object's ACL from the source's to
//! the target's; then `ALTER DEFAULT PRIVILEGES`. An object the plan
//! creates (or drops and creates again: a view, a column added again, a
//! swapped enum) starts from the ACL creation gives it — `acldefault`, or
//! the source's default privileges — not the source's ACL. Objects only the
//! source has are dropped with their privileges: nothing to revoke.

use std::collections::{BTreeMap, BTreeSet};

use super::{step, Builder};
use crate::ddl::{acl_entries, acl_statements, default_acl_statements};
use crate::diff::default_acl_path;
use crate::model::acl::{effective, initial_acl, public_schema_acl};
use crate::model::{AclKind, DefaultAclObject, ObjectPath};
use crate::plan::order::Draft;

/// After everything, drops of namespaces included.
const P_PRIVILEGE: u8 = 14;

impl Builder<'_> {
    pub(super) fn privileges(&mut self) {
        let b = self.b;
        let created: BTreeSet<ObjectPath> = self
            .drafts
            .iter()
            .filter(|d| {
                let a = d.step.action.as_str();
                a.starts_with("create ") || a == "add column" || a.contains("swap")
            })
            .map(|d| d.step.object.clone())
            .collect();
        let a_entries: BTreeMap<String, _> = acl_entries(&self.a)
            .into_iter()
            .map(|e| (e.key.clone(), e))
            .collect();
        let mut drafts = Vec::new();
        for e in acl_entries(b) {
            let to = effective(e.acl, e.kind);
            let from = match a_entries.get(&e.key) {
                Some(x) if !created.contains(&e.path) => effective(x.acl, x.kind),
                _ => {
                    let object = match e.kind {
                        AclKind::Relation => Some(DefaultAclObject::Tables),
                        AclKind::Sequence => Some(DefaultAclObject::Sequences),
                        AclKind::Routine => Some(DefaultAclObject::Functions),
                        AclKind::Type => Some(DefaultAclObject::Types),
                        AclKind::Namespace => Some(DefaultAclObject::Schemas),
                        AclKind::Column | AclKind::ForeignServer | AclKind::ForeignDataWrapper => {
                            None
                        }
                    };
                    if e.key == "n public" {
                        public_schema_acl()
                    } else {
                        let start = object.and_then(|o| {
                            let ns =
                                (e.kind != AclKind::Namespace).then_some(e.path.namespace.as_str());
                            initial_acl(&self.a.default_privileges, o, ns)
                        });
                        effective(&start, e.kind)
                    }
                }
            };
            // The owner when the grants run: the target's when owners are
            // planned (their steps come first) or named; else the source's,
            // which the object keeps.
            let owner = match a_entries.get(&e.key) {
                Some(x) if self.opts.owners.is_none() && e.owner == "CURRENT_USER" => {
                    x.owner.as_str()
                }
                _ => e.owner.as_str(),
            };
            let stmts = acl_statements(&e.on, e.column, &from, &to, owner);
            if !stmts.is_empty() {
                drafts.push(Draft::new(
                    step(e.path.clone(), "change privileges", stmts),
                    P_PRIVILEGE,
                ));
            }
        }
        let keys: BTreeSet<_> = self
            .a
            .default_privileges
            .keys()
            .chain(b.default_privileges.keys())
            .cloned()
            .collect();
        for key in keys {
            let base = key.base();
            let from = self.a.default_privileges.get(&key).unwrap_or(&base);
            let to = b.default_privileges.get(&key).unwrap_or(&base);
            let stmts = default_acl_statements(&key, from, to);
            if !stmts.is_empty() {
                drafts.push(Draft::new(
                    step(default_acl_path(&key), "change default privileges", stmts),
                    P_PRIVILEGE,
                ));
            }
        }
        for d in drafts {
            self.push(d);
        }
    }
}
