//! Privileges written as pg_dump writes them relative to a starting ACL
//! (`buildACLCommands`): for each grantee, `REVOKE` what it holds and
//! should not, `GRANT` what it lacks, with or without the grant option.
//! `ddl` starts from `acldefault` (objects it creates are new); the plan
//! starts from the source's ACL. Default privileges come last, once every
//! object exists, so they apply to nothing `ddl` writes.
//!
//! The owner is written `CURRENT_USER`: the role that applies the SQL
//! creates, so owns, the objects. The `public` schema exists before and
//! belongs to `pg_database_owner` in PostgreSQL 15: its owner is written so.

use std::collections::BTreeSet;

use crate::model::acl::effective;
use crate::model::{
    qualified_sql, quote_ident, split_signature, Acl, AclKind, DefaultAclKey, Grantee, ObjectKind,
    ObjectPath, Privilege, RoutineKind, Schema,
};

/// The statements that take an object from ACL `from` to ACL `to`.
/// `on` is what follows `ON` (`TABLE app.t`); `column`, for a column's
/// privileges; `owner`, how to write the owner.
pub(crate) fn acl_statements(
    on: &str,
    column: Option<&str>,
    from: &Acl,
    to: &Acl,
    owner: &str,
) -> Vec<String> {
    let grantees: BTreeSet<&Grantee> = from.grantees().into_iter().chain(to.grantees()).collect();
    let mut out = Vec::new();
    for g in grantees {
        let who = match g {
            Grantee::Owner => owner.to_string(),
            g => g.sql(),
        };
        let held = |acl: &Acl| -> Vec<(Privilege, bool)> { acl.of(g) };
        let (f, t) = (held(from), held(to));
        let get = |v: &[(Privilege, bool)], p: Privilege| {
            v.iter().find(|(q, _)| *q == p).map(|(_, o)| *o)
        };
        let mut revoke = Vec::new();
        let mut revoke_option = Vec::new();
        let mut grant = Vec::new();
        let mut grant_option = Vec::new();
        let all: BTreeSet<Privilege> = f.iter().chain(&t).map(|(p, _)| *p).collect();
        for p in all {
            match (get(&f, p), get(&t, p)) {
                (Some(_), None) => revoke.push(p),
                (Some(true), Some(false)) => revoke_option.push(p),
                (None, Some(false)) => grant.push(p),
                (None | Some(false), Some(true)) => grant_option.push(p),
                _ => {}
            }
        }
        let list = |ps: &[Privilege]| {
            ps.iter()
                .map(|p| match column {
                    Some(c) => format!("{}({})", p.keyword(), quote_ident(c)),
                    None => p.keyword().to_string(),
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        if !revoke.is_empty() {
            out.push(format!("REVOKE {} ON {on} FROM {who}", list(&revoke)));
        }
        if !revoke_option.is_empty() {
            out.push(format!(
                "REVOKE GRANT OPTION FOR {} ON {on} FROM {who}",
                list(&revoke_option)
            ));
        }
        if !grant.is_empty() {
            out.push(format!("GRANT {} ON {on} TO {who}", list(&grant)));
        }
        if !grant_option.is_empty() {
            out.push(format!(
                "GRANT {} ON {on} TO {who} WITH GRANT OPTION",
                list(&grant_option)
            ));
        }
    }
    out
}

/// `FUNCTION app.f(integer, text)` for a routine's signature key.
pub(crate) fn routine_target(keyword: &str, ns: &str, key: &str) -> String {
    let (name, args) = split_signature(key);
    format!("{keyword} {}{args}", qualified_sql(ns, name))
}

/// How the owner of an object in `ns` is written.
pub(crate) fn owner_of_namespace(ns: &str) -> &'static str {
    if ns == "public" {
        "pg_database_owner"
    } else {
        "CURRENT_USER"
    }
}

/// How a grant names an object's owner: by name when known, else the role
/// running the SQL.
fn owner_sql(owner: &crate::model::Owner) -> String {
    owner
        .role()
        .map_or_else(|| "CURRENT_USER".to_string(), quote_ident)
}

/// One object's ACL, for every kind of object in a schema: what to write
/// after `ON`, the column if any, the kind, and the ACL.
pub(crate) struct AclEntry<'s> {
    pub on: String,
    pub column: Option<&'s str>,
    pub kind: AclKind,
    pub acl: &'s Option<Acl>,
    /// How to write the owner: its name when the object's owner is named
    /// (`OWNER TO`, or read from a database), else `CURRENT_USER` (the role
    /// running the SQL) — for `public`, `pg_database_owner`.
    pub owner: String,
    /// The object's identity, to match entries of two schemas.
    pub key: String,
    /// The object, as differences name it.
    pub path: ObjectPath,
}

/// Every ACL of a schema's objects, in a stable order.
pub(crate) fn acl_entries(schema: &Schema) -> Vec<AclEntry<'_>> {
    acl_entries_of(schema, true)
}

/// [`acl_entries`]; with `all` false, only the namespaces' and the ACLs
/// that are set (what `ddl` writes), so a schema of 10,000 tables does not
/// build an entry, and its texts, for each of its 100,000 columns.
fn acl_entries_of(schema: &Schema, all: bool) -> Vec<AclEntry<'_>> {
    let mut out = Vec::new();
    let entry = |on: String, column, kind, acl, owner, key: String, path| AclEntry {
        on,
        column,
        kind,
        acl,
        owner,
        key,
        path,
    };
    for (ns, n) in &schema.namespaces {
        out.push(entry(
            format!("SCHEMA {}", quote_ident(ns)),
            None,
            AclKind::Namespace,
            &n.acl,
            match n.owner.role() {
                Some(r) => quote_ident(r),
                None => owner_of_namespace(ns).to_string(),
            },
            format!("n {ns}"),
            ObjectPath::new(ObjectKind::Namespace, "", ns),
        ));
        for (name, e) in &n.enums {
            if all || e.acl.is_some() {
                out.push(entry(
                    format!("TYPE {}", qualified_sql(ns, name)),
                    None,
                    AclKind::Type,
                    &e.acl,
                    owner_sql(&e.owner),
                    format!("y {ns}.{name}"),
                    ObjectPath::new(ObjectKind::Enum, ns, name),
                ));
            }
        }
        for (name, d) in &n.domains {
            if all || d.acl.is_some() {
                out.push(entry(
                    format!("DOMAIN {}", qualified_sql(ns, name)),
                    None,
                    AclKind::Type,
                    &d.acl,
                    owner_sql(&d.owner),
                    format!("y {ns}.{name}"),
                    ObjectPath::new(ObjectKind::Domain, ns, name),
                ));
            }
        }
        for (name, c) in &n.composites {
            if all || c.acl.is_some() {
                out.push(entry(
                    format!("TYPE {}", qualified_sql(ns, name)),
                    None,
                    AclKind::Type,
                    &c.acl,
                    owner_sql(&c.owner),
                    format!("y {ns}.{name}"),
                    ObjectPath::new(ObjectKind::Type, ns, name),
                ));
            }
        }
        for (name, r) in &n.ranges {
            if all || r.acl.is_some() {
                out.push(entry(
                    format!("TYPE {}", qualified_sql(ns, name)),
                    None,
                    AclKind::Type,
                    &r.acl,
                    owner_sql(&r.owner),
                    format!("y {ns}.{name}"),
                    ObjectPath::new(ObjectKind::Range, ns, name),
                ));
            }
        }
        for (name, s) in &n.sequences {
            if all || s.acl.is_some() {
                out.push(entry(
                    format!("SEQUENCE {}", qualified_sql(ns, name)),
                    None,
                    AclKind::Sequence,
                    &s.acl,
                    owner_sql(&s.owner),
                    format!("s {ns}.{name}"),
                    ObjectPath::new(ObjectKind::Sequence, ns, name),
                ));
            }
        }
        for (key, r) in &n.routines {
            if all || r.acl.is_some() {
                out.push(entry(
                    routine_target(r.kind.keyword(), ns, key),
                    None,
                    AclKind::Routine,
                    &r.acl,
                    owner_sql(&r.owner),
                    format!("f {ns}.{key}"),
                    ObjectPath::new(
                        match r.kind {
                            RoutineKind::Function => ObjectKind::Function,
                            RoutineKind::Procedure => ObjectKind::Procedure,
                        },
                        ns,
                        key,
                    ),
                ));
            }
        }
        for (name, t) in &n.tables {
            let on = format!("TABLE {}", qualified_sql(ns, name));
            if all || t.acl.is_some() {
                out.push(entry(
                    on.clone(),
                    None,
                    AclKind::Relation,
                    &t.acl,
                    owner_sql(&t.owner),
                    format!("r {ns}.{name}"),
                    ObjectPath::new(ObjectKind::Table, ns, name),
                ));
            }
            for c in &t.columns {
                if all || c.acl.is_some() {
                    out.push(entry(
                        on.clone(),
                        Some(&c.name),
                        AclKind::Column,
                        &c.acl,
                        owner_sql(&t.owner),
                        format!("c {ns}.{name}.{}", c.name),
                        ObjectPath::in_table(ObjectKind::Column, ns, name, &c.name),
                    ));
                }
            }
        }
        for (name, v) in &n.views {
            let on = format!("TABLE {}", qualified_sql(ns, name));
            if all || v.acl.is_some() {
                out.push(entry(
                    on.clone(),
                    None,
                    AclKind::Relation,
                    &v.acl,
                    owner_sql(&v.owner),
                    format!("r {ns}.{name}"),
                    crate::diff::view_path(ns, name, v),
                ));
            }
            for c in &v.columns {
                if all || c.acl.is_some() {
                    out.push(entry(
                        on.clone(),
                        Some(&c.name),
                        AclKind::Column,
                        &c.acl,
                        owner_sql(&v.owner),
                        format!("c {ns}.{name}.{}", c.name),
                        crate::diff::view_path(ns, name, v),
                    ));
                }
            }
        }
    }
    for (name, w) in &schema.foreign_data_wrappers {
        if all || w.acl.is_some() {
            out.push(entry(
                format!("FOREIGN DATA WRAPPER {}", quote_ident(name)),
                None,
                AclKind::ForeignDataWrapper,
                &w.acl,
                owner_sql(&w.owner),
                format!("fdw {name}"),
                ObjectPath::new(ObjectKind::ForeignDataWrapper, "", name),
            ));
        }
    }
    for (name, sv) in &schema.foreign_servers {
        if all || sv.acl.is_some() {
            out.push(entry(
                format!("FOREIGN SERVER {}", quote_ident(name)),
                None,
                AclKind::ForeignServer,
                &sv.acl,
                owner_sql(&sv.owner),
                format!("srv {name}"),
                ObjectPath::new(ObjectKind::ForeignServer, "", name),
            ));
        }
    }
    out
}

/// `ALTER DEFAULT PRIVILEGES …` taking one entry from `from` to `to`.
pub(crate) fn default_acl_statements(key: &DefaultAclKey, from: &Acl, to: &Acl) -> Vec<String> {
    let mut head = "ALTER DEFAULT PRIVILEGES".to_string();
    let owner = match &key.role {
        Grantee::Owner => "CURRENT_USER".to_string(),
        g => {
            head.push_str(&format!(" FOR ROLE {}", g.sql()));
            g.sql()
        }
    };
    if let Some(s) = &key.schema {
        head.push_str(&format!(" IN SCHEMA {}", quote_ident(s)));
    }
    acl_statements(key.object.keyword(), None, from, to, &owner)
        .into_iter()
        .map(|s| {
            // `GRANT x ON TABLES TO …` → `ALTER DEFAULT PRIVILEGES … GRANT …`.
            format!("{head} {s}")
        })
        .collect()
}

/// Every privilege of `schema` that differs from what creating its objects
/// gives, then its default privileges: the last section `ddl` writes.
/// `owners`: the owners are written too (after these), so a grant names the
/// owner; else the role applying the SQL owns everything, `CURRENT_USER`.
pub(crate) fn write_privileges(schema: &Schema, owners: bool) -> String {
    let mut out = String::new();
    for mut e in acl_entries_of(schema, false) {
        if !owners {
            e.owner = match e.path.kind {
                ObjectKind::Namespace => owner_of_namespace(&e.path.name).to_string(),
                _ => "CURRENT_USER".to_string(),
            };
        }
        let public = e.key == "n public";
        if e.acl.is_none() && !public {
            continue;
        }
        let from = if public {
            public_start()
        } else {
            e.kind.default_acl()
        };
        let to = effective(e.acl, e.kind);
        for s in acl_statements(&e.on, e.column, &from, &to, &e.owner) {
            out.push_str(&s);
            out.push_str(";\n");
        }
    }
    for (key, acl) in &schema.default_privileges {
        for s in default_acl_statements(key, &key.base(), acl) {
            out.push_str(&s);
            out.push_str(";\n");
        }
    }
    out
}

/// The `public` schema's ACL in a new database: what `ddl` starts from.
pub(crate) fn public_start() -> Acl {
    crate::model::acl::public_schema_acl()
}
