//! Who owns an object (`relowner`, `nspowner`, `typowner`, `proowner`, …).
//!
//! Owners are roles, cluster objects: strata references them and never
//! creates them. They are compared only when asked (`--owners`): a schema
//! is the same schema whoever owns it, and offline the owner of most objects
//! is not known — it is whichever role runs the migrations. So an [`Owner`]
//! holds a role's name when one is known (read from the catalog; written in
//! the SQL with `OWNER TO`, `AUTHORIZATION`, or created after `SET ROLE`),
//! and `None` for "the role that ran the SQL". [`crate::model::Schema::resolve_owners`]
//! names that role when the caller knows it, before a comparison.
//!
//! `Owner`'s equality is always true, so that the derived equality of
//! every object that carries one ignores it: only
//! [`crate::diff::diff`] with `DiffOptions::owners` compares owners, by
//! their [`Owner::role`].

use std::cmp::Ordering;
use std::hash::{Hash, Hasher};

use serde::{Deserialize, Serialize};

/// An object's owner: a role's name, or `None` for the role the SQL runs as.
/// Equal to every other `Owner` (see the module's documentation).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Owner(pub Option<String>);

impl Owner {
    /// A named role.
    pub fn role_named(role: impl Into<String>) -> Owner {
        Owner(Some(role.into()))
    }

    /// The role's name, `None` for the role the SQL runs as.
    pub fn role(&self) -> Option<&str> {
        self.0.as_deref()
    }

    /// Whether the owner is the role the SQL runs as (serde skips it).
    pub fn is_implicit(&self) -> bool {
        self.0.is_none()
    }

    /// Names the implicit owner `role`.
    pub fn resolve(&mut self, role: &str) {
        if self.0.is_none() {
            self.0 = Some(role.to_string());
        }
    }
}

impl PartialEq for Owner {
    fn eq(&self, _: &Owner) -> bool {
        true
    }
}

impl Eq for Owner {}

impl PartialOrd for Owner {
    fn partial_cmp(&self, other: &Owner) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Owner {
    fn cmp(&self, _: &Owner) -> Ordering {
        Ordering::Equal
    }
}

impl Hash for Owner {
    fn hash<H: Hasher>(&self, _: &mut H) {}
}

/// Every object of `schema` that has an owner, with its path (as the
/// comparison names it) and its owner, in a stable order.
pub fn owners(schema: &super::Schema) -> Vec<(super::ObjectPath, &Owner)> {
    use super::{ObjectKind as K, ObjectPath as P};
    let mut out = Vec::new();
    for (name, e) in &schema.event_triggers {
        out.push((P::new(K::EventTrigger, "", name), &e.owner));
    }
    for (name, w) in &schema.foreign_data_wrappers {
        out.push((P::new(K::ForeignDataWrapper, "", name), &w.owner));
    }
    for (name, p) in &schema.publications {
        out.push((P::new(K::Publication, "", name), &p.owner));
    }
    for (name, s) in &schema.foreign_servers {
        out.push((P::new(K::ForeignServer, "", name), &s.owner));
    }
    for (nsn, n) in &schema.namespaces {
        out.push((P::new(K::Namespace, "", nsn), &n.owner));
        for (name, t) in &n.tables {
            out.push((P::new(K::Table, nsn, name), &t.owner));
        }
        for (name, v) in &n.views {
            let kind = if v.materialized {
                K::MaterializedView
            } else {
                K::View
            };
            out.push((P::new(kind, nsn, name), &v.owner));
        }
        for (name, s) in &n.sequences {
            out.push((P::new(K::Sequence, nsn, name), &s.owner));
        }
        for (name, e) in &n.enums {
            out.push((P::new(K::Enum, nsn, name), &e.owner));
        }
        for (name, d) in &n.domains {
            out.push((P::new(K::Domain, nsn, name), &d.owner));
        }
        for (name, c) in &n.composites {
            out.push((P::new(K::Type, nsn, name), &c.owner));
        }
        for (name, r) in &n.ranges {
            out.push((P::new(K::Range, nsn, name), &r.owner));
        }
        for (key, r) in &n.routines {
            let kind = if r.kind == super::RoutineKind::Procedure {
                K::Procedure
            } else {
                K::Function
            };
            out.push((P::new(kind, nsn, key), &r.owner));
        }
        for (key, a) in &n.aggregates {
            out.push((P::new(K::Aggregate, nsn, key), &a.owner));
        }
        for (key, o) in &n.operators {
            out.push((P::new(K::Operator, nsn, key), &o.owner));
        }
        for (name, c) in &n.collations {
            out.push((P::new(K::Collation, nsn, name), &c.owner));
        }
        for (name, s) in &n.statistics {
            out.push((P::new(K::Statistics, nsn, name), &s.owner));
        }
    }
    out
}

/// Calls `f` with every owner in `schema`.
pub fn for_each_owner_mut(schema: &mut super::Schema, mut f: impl FnMut(&mut Owner)) {
    for e in schema.event_triggers.values_mut() {
        f(&mut e.owner);
    }
    for w in schema.foreign_data_wrappers.values_mut() {
        f(&mut w.owner);
    }
    for p in schema.publications.values_mut() {
        f(&mut p.owner);
    }
    for s in schema.foreign_servers.values_mut() {
        f(&mut s.owner);
    }
    for n in schema.namespaces.values_mut() {
        f(&mut n.owner);
        n.tables.values_mut().for_each(|x| f(&mut x.owner));
        n.views.values_mut().for_each(|x| f(&mut x.owner));
        n.sequences.values_mut().for_each(|x| f(&mut x.owner));
        n.enums.values_mut().for_each(|x| f(&mut x.owner));
        n.domains.values_mut().for_each(|x| f(&mut x.owner));
        n.composites.values_mut().for_each(|x| f(&mut x.owner));
        n.ranges.values_mut().for_each(|x| f(&mut x.owner));
        n.routines.values_mut().for_each(|x| f(&mut x.owner));
        n.aggregates.values_mut().for_each(|x| f(&mut x.owner));
        n.operators.values_mut().for_each(|x| f(&mut x.owner));
        n.collations.values_mut().for_each(|x| f(&mut x.owner));
        n.statistics.values_mut().for_each(|x| f(&mut x.owner));
    }
}

impl super::Schema {
    /// Names the role the SQL ran as: every implicit owner becomes `role`.
    /// Called before a comparison of owners (`--owners`) by a caller that
    /// knows which role ran (or will run) the migrations.
    pub fn resolve_owners(&mut self, role: &str) {
        for_each_owner_mut(self, |o| o.resolve(role));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owners_never_make_objects_unequal_and_resolve_only_the_implicit_one() {
        assert_eq!(Owner::role_named("alice"), Owner::role_named("bob"));
        let mut implicit = Owner::default();
        implicit.resolve("carol");
        assert_eq!(implicit.role(), Some("carol"));
        let mut named = Owner::role_named("alice");
        named.resolve("carol");
        assert_eq!(named.role(), Some("alice"));
    }
}
