//! Schemas and the search path: looking names up as PostgreSQL does
//! (`namespace.c`, with `"$user"` and the role), `CREATE` / `DROP` /
//! `ALTER SCHEMA … RENAME` (`schemacmds.c`) and `SET [LOCAL] search_path`.

use crate::model::{quote_ident, ConstraintKind, Namespace, ObjectKind, ObjectPath};
use crate::parse::QName;

use super::{
    display_q, err, help, ReplayError, Replayer, DEPENDENT_OBJECTS, DUPLICATE_SCHEMA,
    FEATURE_NOT_SUPPORTED, INSUFFICIENT_PRIVILEGE, INVALID_SCHEMA, R, UNDEFINED_OBJECT,
    UNDEFINED_TABLE, WRONG_OBJECT_TYPE,
};

/// The role statements run as, which `"$user"` in `search_path` (the
/// default path is `"$user", public`) stands for: the schema named like the
/// role, when it exists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Role {
    /// The default: the role is assumed to have no schema of its own name,
    /// so `"$user"` never matches. An assumption: with a role named like a
    /// schema the history creates, PostgreSQL would create unqualified
    /// objects there.
    #[default]
    AssumedWithoutSchema,
    /// Unknown, and never guessed: a lookup or a creation whose result
    /// would depend on it (a schema other than `public` could be the role's
    /// and `"$user"` comes first) is an error naming `"$user"`.
    Unknown,
    /// This role (`current_user`).
    Named(String),
}

impl Replayer {
    /// The search path in effect: `SET LOCAL`'s, else the session's.
    fn effective_path(&self) -> &[String] {
        self.local_search_path
            .as_deref()
            .unwrap_or(self.search_path.as_slice())
    }

    /// The existing schemas of the search path, in order (`"$user"` as the
    /// known role's schema; pg_catalog and pg_temp hold nothing modelled).
    pub(super) fn search_namespaces(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for s in self.effective_path() {
            let s = if is_user(s) {
                match &self.role {
                    Role::Named(r) => r.as_str(),
                    _ => continue,
                }
            } else {
                s.as_str()
            };
            if self.schema.namespaces.contains_key(s) && !out.iter().any(|o| o == s) {
                out.push(s.to_string());
            }
        }
        out
    }

    /// With the role unknown: the error when a schema other than `found`
    /// that satisfies `has` could be the role's own and `"$user"` comes in
    /// the path before `found`.
    fn user_dependence(
        &self,
        found: Option<&str>,
        has: &dyn Fn(&str) -> bool,
    ) -> Option<ReplayError> {
        if self.role != Role::Unknown {
            return None;
        }
        for s in self.effective_path() {
            if Some(s.as_str()) == found {
                return None;
            }
            if is_user(s) {
                let other = self
                    .schema
                    .namespaces
                    .keys()
                    .find(|n| Some(n.as_str()) != found && could_be_role_schema(n) && has(n))?;
                return Some(help(
                    err(
                        FEATURE_NOT_SUPPORTED,
                        format!(
                            "the search path starts with \"$user\": the result depends on the role the migration runs as (a role named \"{other}\" would use schema \"{other}\")"
                        ),
                    ),
                    "qualify the name, or SET search_path without \"$user\" before this statement",
                ));
            }
        }
        None
    }

    pub(super) fn note_user_dependence(&self, found: Option<&str>, has: &dyn Fn(&str) -> bool) {
        if let Some(e) = self.user_dependence(found, has) {
            let mut slot = self.user_ambiguity.borrow_mut();
            if slot.is_none() {
                *slot = Some(e);
            }
        }
    }

    /// The namespace a new object goes to.
    pub(super) fn creation_ns(&self, q: &QName) -> R<String> {
        match &q.schema {
            Some(s) => {
                if self.schema.namespaces.contains_key(s) {
                    Ok(s.clone())
                } else {
                    Err(err(
                        INVALID_SCHEMA,
                        format!("schema \"{s}\" does not exist"),
                    ))
                }
            }
            None => {
                // The first entry that names an existing schema; pg_catalog
                // and pg_temp always exist.
                for s in self.effective_path() {
                    if s == "pg_catalog" {
                        return Err(err(
                            INSUFFICIENT_PRIVILEGE,
                            format!("permission denied to create \"pg_catalog.{}\"", q.name),
                        ));
                    }
                    if s == "pg_temp" || s.starts_with("pg_temp_") {
                        return Err(help(
                            err(
                                FEATURE_NOT_SUPPORTED,
                                format!(
                                    "\"{}\" would be created in pg_temp (the search path names it first): strata does not model temporary objects",
                                    q.name
                                ),
                            ),
                            "qualify the name, or put pg_temp after the schema to create in",
                        ));
                    }
                    let s = if is_user(s) {
                        match &self.role {
                            Role::Named(r) => r.as_str(),
                            Role::AssumedWithoutSchema => continue,
                            Role::Unknown => {
                                let found = self.search_namespaces().into_iter().next();
                                if let Some(e) = self.user_dependence(found.as_deref(), &|_| true) {
                                    return Err(e);
                                }
                                continue;
                            }
                        }
                    } else {
                        s.as_str()
                    };
                    if self.schema.namespaces.contains_key(s) {
                        return Ok(s.to_string());
                    }
                }
                Err(err(
                    INVALID_SCHEMA,
                    "no schema has been selected to create in",
                ))
            }
        }
    }

    pub(super) fn find_ns<F: Fn(&Namespace) -> bool>(&self, q: &QName, has: F) -> Option<String> {
        match &q.schema {
            Some(s) => self
                .schema
                .namespaces
                .get(s)
                .filter(|ns| has(ns))
                .map(|_| s.clone()),
            None => {
                let found = self
                    .search_namespaces()
                    .into_iter()
                    .find(|s| self.schema.namespaces.get(s).is_some_and(&has));
                let in_ns = |n: &str| self.schema.namespaces.get(n).is_some_and(&has);
                self.note_user_dependence(found.as_deref(), &in_ns);
                found
            }
        }
    }

    pub(super) fn candidate_ns(&self, q: &QName) -> Vec<String> {
        match &q.schema {
            Some(s) => vec![s.clone()],
            None => self.search_namespaces(),
        }
    }

    pub(super) fn find_table(&self, q: &QName) -> Option<String> {
        self.find_ns(q, |ns| ns.tables.contains_key(&q.name))
    }

    pub(super) fn table_ns(&self, q: &QName) -> R<String> {
        self.find_table(q).ok_or_else(|| {
            let e = err(
                UNDEFINED_TABLE,
                format!("relation \"{}\" does not exist", display_q(q)),
            );
            if self.relation_kind(q).is_some() {
                err(
                    WRONG_OBJECT_TYPE,
                    format!("\"{}\" is not a table", display_q(q)),
                )
            } else {
                e
            }
        })
    }

    /// What kind of relation a name refers to, if any.
    pub(super) fn relation_kind(&self, q: &QName) -> Option<&'static str> {
        let nss: Vec<String> = match &q.schema {
            Some(s) => vec![s.clone()],
            None => self.search_namespaces(),
        };
        for ns in nss {
            if let Some(k) = self.relation_kind_in(&ns, &q.name) {
                return Some(k);
            }
        }
        None
    }

    pub(super) fn find_enum(&self, q: &QName) -> Option<String> {
        self.find_ns(q, |ns| ns.enums.contains_key(&q.name))
    }

    pub(super) fn find_sequence(&self, q: &QName) -> Option<String> {
        self.find_ns(q, |ns| ns.sequences.contains_key(&q.name))
    }

    /// `SET search_path`: the session's path (it ends a `SET LOCAL`).
    pub(super) fn set_search_path(&mut self, p: Vec<String>) -> R<()> {
        self.search_path = p;
        self.local_search_path = None;
        self.stats.data_statements += 1;
        Ok(())
    }

    /// `SET LOCAL search_path`: until the end of the transaction.
    pub(super) fn set_local_search_path(&mut self, p: Vec<String>) -> R<()> {
        self.local_search_path = Some(p);
        self.stats.data_statements += 1;
        Ok(())
    }

    /// `CREATE SCHEMA`.
    pub(super) fn create_schema(
        &mut self,
        name: String,
        if_not_exists: bool,
        authorization: Option<Option<String>>,
    ) -> R<()> {
        if self.schema.namespaces.contains_key(&name) {
            if if_not_exists {
                return Ok(());
            }
            return Err(err(
                DUPLICATE_SCHEMA,
                format!("schema \"{name}\" already exists"),
            ));
        }
        self.schema.namespaces.insert(
            name.clone(),
            Namespace {
                acl: self.initial_acl(crate::model::DefaultAclObject::Schemas, None),
                owner: match authorization {
                    Some(role) => self.owner_for(role),
                    None => self.creator(),
                },
                ..Namespace::default()
            },
        );
        self.touch(ObjectPath::new(ObjectKind::Namespace, "", &name));
        Ok(())
    }

    /// `DROP SCHEMA`.
    pub(super) fn drop_schema(
        &mut self,
        names: Vec<String>,
        if_exists: bool,
        cascade: bool,
    ) -> R<()> {
        for name in names {
            let Some(ns) = self.schema.namespaces.get(&name) else {
                if if_exists {
                    continue;
                }
                return Err(err(
                    UNDEFINED_OBJECT,
                    format!("schema \"{name}\" does not exist"),
                ));
            };
            let empty = ns.tables.is_empty()
                && ns.enums.is_empty()
                && ns.sequences.is_empty()
                && ns.routines.is_empty()
                && ns.views.is_empty()
                && ns.statistics.is_empty()
                && ns.domains.is_empty()
                && ns.composites.is_empty()
                && ns.collations.is_empty()
                && ns.operators.is_empty()
                && ns.aggregates.is_empty()
                && ns.ranges.is_empty()
                && !self.shell_types.iter().any(|(s, _)| *s == name);
            let prefix = format!("{}.", quote_ident(&name));
            let has_unmanaged = self
                .schema
                .unmanaged
                .iter()
                .any(|u| u.name.starts_with(&prefix));
            if (!empty || has_unmanaged) && !cascade {
                return Err(help(
                    err(
                        DEPENDENT_OBJECTS,
                        format!("cannot drop schema {name} because other objects depend on it"),
                    ),
                    "use DROP SCHEMA … CASCADE to drop the dependent objects too",
                ));
            }
            // Foreign keys from other namespaces into this one go too.
            let doomed: Vec<(String, String)> = ns
                .tables
                .keys()
                .map(|t| (name.clone(), t.clone()))
                .collect();
            let doomed_views: Vec<(String, String)> =
                ns.views.keys().map(|t| (name.clone(), t.clone())).collect();
            for (n, v) in &doomed_views {
                self.drop_dependent_views(n, v, None, true, "view")?;
            }
            for (n, t) in &doomed {
                self.drop_dependent_views(n, t, None, true, "table")?;
                self.drop_fks_referencing(n, t);
            }
            self.schema.namespaces.remove(&name);
            self.shell_types.retain(|(s, _)| *s != name);
            self.ranges_changed();
            self.publications_schema_dropped(&name);
            self.schema_dropped_triggers(&name);
            self.names_changed();
            self.schema
                .unmanaged
                .retain(|u| !u.name.starts_with(&prefix));
            self.schema.extensions.retain(|_, e| e.namespace != name);
        }
        Ok(())
    }

    /// `ALTER SCHEMA … RENAME TO`.
    pub(super) fn rename_schema(&mut self, name: String, new_name: String) -> R<()> {
        if self.schema.namespaces.contains_key(&new_name) {
            return Err(err(
                DUPLICATE_SCHEMA,
                format!("schema \"{new_name}\" already exists"),
            ));
        }
        let Some(ns) = self.schema.namespaces.remove(&name) else {
            return Err(err(
                UNDEFINED_OBJECT,
                format!("schema \"{name}\" does not exist"),
            ));
        };
        // Views reading its relations print them under the new name.
        let read: Vec<String> = ns.tables.keys().chain(ns.views.keys()).cloned().collect();
        let own_views: Vec<(String, bool)> = ns
            .views
            .iter()
            .map(|(v, x)| (v.clone(), x.materialized))
            .collect();
        self.schema.namespaces.insert(new_name.clone(), ns);
        for (v, materialized) in own_views {
            let old = super::view::view_key(&name, &v, materialized);
            if let Some(d) = self.view_deps.remove(&old) {
                self.view_deps
                    .insert(super::view::view_key(&new_name, &v, materialized), d);
            }
        }
        for rel in read {
            self.move_in_view_deps(&name, &rel, &new_name, &rel);
        }
        self.publications_schema_renamed(&name, &new_name);
        self.names_changed();
        for n in self.schema.namespaces.values_mut() {
            for t in n.tables.values_mut() {
                for c in t.constraints.values_mut() {
                    if let ConstraintKind::ForeignKey { ref_namespace, .. } = &mut c.kind {
                        if *ref_namespace == name {
                            *ref_namespace = new_name.clone();
                        }
                    }
                }
            }
        }
        for e in self.schema.extensions.values_mut() {
            if e.namespace == name {
                e.namespace = new_name.clone();
            }
        }
        // Range types name their multirange, collation and functions by
        // schema.
        for n in self.schema.namespaces.values_mut() {
            for r in n.ranges.values_mut() {
                for o in [
                    Some(&mut r.multirange),
                    r.collation.as_mut(),
                    r.canonical.as_mut(),
                    r.subtype_diff.as_mut(),
                ]
                .into_iter()
                .flatten()
                {
                    if o.schema == name {
                        o.schema = new_name.clone();
                    }
                }
            }
        }
        self.ranges_changed();
        self.shell_types = std::mem::take(&mut self.shell_types)
            .into_iter()
            .map(|(s, t)| {
                if s == name {
                    (new_name.clone(), t)
                } else {
                    (s, t)
                }
            })
            .collect();
        self.schema_renamed_triggers(&name, &new_name);
        self.schema_renamed_statistics(&name, &new_name);
        self.touch(ObjectPath::new(ObjectKind::Namespace, "", &new_name));
        Ok(())
    }
}

/// `$user` in a search path (written `"$user"` or `'$user'`).
fn is_user(s: &str) -> bool {
    s == "$user" || s == "\"$user\""
}

/// Whether a schema could be a role's own: roles cannot be named `public`
/// or start with `pg_`.
fn could_be_role_schema(name: &str) -> bool {
    name != "public" && !name.starts_with("pg_")
}
