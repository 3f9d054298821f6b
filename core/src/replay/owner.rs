//! Ownership (`ALTER … OWNER TO`, `SET ROLE`, `CREATE SCHEMA …
//! AUTHORIZATION`), as `alter.c`'s AlterObjectOwner and `tablecmds.c`'s
//! ATExecChangeOwner record it: the object's owner becomes the role; a
//! table's owned sequences (serial, `OWNED BY`) follow it. Owners are
//! compared only when asked (`--owners`); see [`crate::model::Owner`].

use super::*;
use crate::model::acl::owner_becomes;
use crate::model::AclKind;
use crate::parse::OwnerTarget;

impl Replayer {
    /// `ALTER SCHEMA | TYPE | DOMAIN | SEQUENCE … OWNER TO`.
    pub(super) fn alter_owner(&mut self, target: OwnerTarget, role: Option<String>) -> R<()> {
        let owner = self.owner_for(role);
        match target {
            OwnerTarget::Schema(name) => {
                let Some(n) = self.schema.namespaces.get_mut(&name) else {
                    return Err(err(
                        INVALID_SCHEMA,
                        format!("schema \"{name}\" does not exist"),
                    ));
                };
                if let Some(r) = owner.role() {
                    owner_becomes(&mut n.acl, r, AclKind::Namespace);
                }
                n.owner = owner;
                self.touch(ObjectPath::new(ObjectKind::Namespace, "", &name));
            }
            OwnerTarget::Sequence { name, if_exists } => {
                let Some(ns) = self.find_sequence(&name) else {
                    if if_exists && self.relation_kind(&name).is_none() {
                        return Ok(());
                    }
                    if let Some(k) = self.relation_kind(&name) {
                        if k != "sequence" {
                            return Err(err(
                                WRONG_OBJECT_TYPE,
                                format!("\"{}\" is not a sequence", name.name),
                            ));
                        }
                        // An identity column's sequence: not modelled.
                        return Ok(());
                    }
                    return Err(err(
                        UNDEFINED_TABLE,
                        format!("relation \"{}\" does not exist", display_q(&name)),
                    ));
                };
                let seq = &self.schema.namespaces[&ns].sequences[&name.name];
                if let Some((table, _)) = &seq.owned_by {
                    return Err(help(
                        err(
                            FEATURE_NOT_SUPPORTED,
                            format!("cannot change owner of sequence \"{}\"", name.name),
                        ),
                        format!(
                            "Sequence \"{}\" is linked to table \"{table}\": change the table's owner (ALTER TABLE … OWNER TO), which its sequences follow.",
                            name.name
                        ),
                    ));
                }
                let s = self
                    .ns_mut(&ns)
                    .sequences
                    .get_mut(&name.name)
                    .expect("found");
                if let Some(r) = owner.role() {
                    owner_becomes(&mut s.acl, r, AclKind::Sequence);
                }
                s.owner = owner;
                self.touch(ObjectPath::new(ObjectKind::Sequence, &ns, &name.name));
            }
            OwnerTarget::Type { name, domain } => {
                if let Some(ns) = self.find_domain(&name) {
                    let d = self.ns_mut(&ns).domains.get_mut(&name.name).expect("found");
                    if let Some(r) = owner.role() {
                        owner_becomes(&mut d.acl, r, AclKind::Type);
                    }
                    d.owner = owner;
                    self.touch(ObjectPath::new(ObjectKind::Domain, &ns, &name.name));
                    return Ok(());
                }
                if let (Some(ns), false) = (self.find_range(&name), domain) {
                    let r = self.ns_mut(&ns).ranges.get_mut(&name.name).expect("found");
                    if let Some(role) = owner.role() {
                        owner_becomes(&mut r.acl, role, AclKind::Type);
                    }
                    r.owner = owner;
                    self.touch(ObjectPath::new(ObjectKind::Range, &ns, &name.name));
                    return Ok(());
                }
                let ns = self.find_enum(&name).or_else(|| self.find_composite(&name));
                if let (Some(ns), false) = (&ns, domain) {
                    let n = self.ns_mut(ns);
                    if let Some(e) = n.enums.get_mut(&name.name) {
                        if let Some(r) = owner.role() {
                            owner_becomes(&mut e.acl, r, AclKind::Type);
                        }
                        e.owner = owner;
                        self.touch(ObjectPath::new(ObjectKind::Enum, ns, &name.name));
                    } else if let Some(c) = n.composites.get_mut(&name.name) {
                        if let Some(r) = owner.role() {
                            owner_becomes(&mut c.acl, r, AclKind::Type);
                        }
                        c.owner = owner;
                        self.touch(ObjectPath::new(ObjectKind::Type, ns, &name.name));
                    }
                    return Ok(());
                }
                if ns.is_some() {
                    return Err(err(
                        WRONG_OBJECT_TYPE,
                        format!("\"{}\" is not a domain", display_q(&name)),
                    ));
                }
                if !domain && self.relation_kind(&name).is_some() {
                    return Err(help(
                        err(
                            WRONG_OBJECT_TYPE,
                            format!("{} is a table's row type", display_q(&name)),
                        ),
                        "Use ALTER TABLE instead.".to_string(),
                    ));
                }
                // A type strata keeps by name (it must exist), or none.
                let exists = match &name.schema {
                    Some(s) => self.type_exists_in(s, &name.name),
                    None => self
                        .search_namespaces()
                        .iter()
                        .any(|s| self.type_exists_in(s, &name.name)),
                };
                if !exists {
                    return Err(err(
                        UNDEFINED_OBJECT,
                        format!("type \"{}\" does not exist", display_q(&name)),
                    ));
                }
            }
        }
        Ok(())
    }

    /// `ALTER TABLE … OWNER TO`: the table, and the sequences it owns (as
    /// ATExecChangeOwner recurses to them; its indexes are not modelled
    /// apart from it).
    pub(super) fn set_table_owner(&mut self, ns: &str, table: &str, role: Option<String>) {
        let owner = self.owner_for(role);
        let n = self.ns_mut(ns);
        if let Some(t) = n.tables.get_mut(table) {
            if let Some(r) = owner.role() {
                owner_becomes(&mut t.acl, r, AclKind::Relation);
                for c in &mut t.columns {
                    owner_becomes(&mut c.acl, r, AclKind::Column);
                }
            }
            t.owner = owner.clone();
        }
        let owned: Vec<String> = n
            .sequences
            .iter()
            .filter(|(_, s)| s.owned_by.as_ref().is_some_and(|(t, _)| t == table))
            .map(|(name, _)| name.clone())
            .collect();
        for s in &owned {
            let seq = n.sequences.get_mut(s).expect("listed");
            if let Some(r) = owner.role() {
                owner_becomes(&mut seq.acl, r, AclKind::Sequence);
            }
            seq.owner = owner.clone();
        }
        self.touch(ObjectPath::new(ObjectKind::Table, ns, table));
        for s in owned {
            self.touch(ObjectPath::new(ObjectKind::Sequence, ns, &s));
        }
    }
}
