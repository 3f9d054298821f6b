//! Privileges: `GRANT` / `REVOKE` on objects and `ALTER DEFAULT
//! PRIVILEGES`, with the server's errors (PostgreSQL's `aclchk.c`); the
//! ACL a new object starts with (`get_user_default_acl`).
//!
//! A grant expands a NULL ACL to `acldefault` first, as
//! `merge_acl_with_grant` does, then adds or removes (grantee, privilege)
//! items; the result is kept canonical (`None` when it is the default
//! again). Roles are cluster objects: any name is accepted offline (live, a
//! grant to a missing role fails when applied, with the server's message).
//! The role running the migrations is the owner of what it creates:
//! `CURRENT_USER`, `CURRENT_ROLE`, `SESSION_USER` and the assumed role's
//! own name ([`super::Role::Named`]) stand for [`Grantee::Owner`].

use crate::model::acl::{canonical, effective};
use crate::model::{
    Acl, AclKind, DefaultAclKey, DefaultAclObject, Grantee, ObjectKind, ObjectPath, Privilege,
    RoutineKind,
};
use crate::parse::{
    AllInSchema, DefaultPrivilegesStmt, GrantStmt, GrantTarget, PolicyRoleSpec, PrivilegeSpec,
    QName,
};

use super::namespace::Role;
use super::{
    display_q, err, help, Replayer, FEATURE_NOT_SUPPORTED, INVALID_SCHEMA, R, UNDEFINED_COLUMN,
    UNDEFINED_OBJECT, UNDEFINED_TABLE, WRONG_OBJECT_TYPE,
};

const INVALID_GRANT_OPERATION: &str = "0LP01";

/// One object a grant applies to.
#[derive(Debug, Clone)]
enum AclTarget {
    /// A table, view or materialized view (`seq`: false) or a sequence.
    Relation {
        ns: String,
        name: String,
        seq: bool,
    },
    Routine {
        ns: String,
        key: String,
    },
    Namespace(String),
    Type {
        ns: String,
        name: String,
    },
    Server(String),
    Wrapper(String),
}

/// The privileges of a statement: on the object, and on columns.
struct Requested {
    object: Vec<Privilege>,
    columns: Vec<(String, Privilege)>,
    /// `ALL` without columns.
    all: bool,
}

impl Replayer {
    /// `GRANT` / `REVOKE` on objects (`ExecuteGrantStmt`).
    pub(super) fn grant(&mut self, g: GrantStmt) -> R<()> {
        // The objects first, then the grantees, then the privileges.
        let targets = self.grant_targets(&g.target)?;
        let grantees = self.grantees(&g.grantees);
        if g.is_grant && g.grant_option && grantees.contains(&Grantee::Public) {
            return Err(err(
                INVALID_GRANT_OPERATION,
                "grant options can only be granted to roles",
            ));
        }
        let (label, allowed): (&str, &[Privilege]) = match &g.target {
            GrantTarget::Tables(_) | GrantTarget::AllInSchema(AllInSchema::Tables, _) => {
                ("relation", RELATION_OR_SEQUENCE)
            }
            GrantTarget::Sequences(_) | GrantTarget::AllInSchema(AllInSchema::Sequences, _) => {
                ("sequence", AclKind::Sequence.all())
            }
            GrantTarget::Routines(k, _) => (routine_label(*k), AclKind::Routine.all()),
            GrantTarget::AllInSchema(AllInSchema::Functions, _) => {
                ("function", AclKind::Routine.all())
            }
            GrantTarget::AllInSchema(AllInSchema::Procedures, _) => {
                ("procedure", AclKind::Routine.all())
            }
            GrantTarget::AllInSchema(AllInSchema::Routines, _) => {
                ("routine", AclKind::Routine.all())
            }
            GrantTarget::Schemas(_) => ("schema", AclKind::Namespace.all()),
            GrantTarget::Types { domain: false, .. } => ("type", AclKind::Type.all()),
            GrantTarget::Types { domain: true, .. } => ("domain", AclKind::Type.all()),
            GrantTarget::ForeignServers(_) => ("foreign server", AclKind::ForeignServer.all()),
            GrantTarget::ForeignWrappers(_) => {
                ("foreign-data wrapper", AclKind::ForeignDataWrapper.all())
            }
        };
        let relation = matches!(
            g.target,
            GrantTarget::Tables(_)
                | GrantTarget::Sequences(_)
                | GrantTarget::AllInSchema(AllInSchema::Tables | AllInSchema::Sequences, _)
        );
        let req = requested(&g.privileges, label, allowed, relation)?;
        for t in targets {
            self.grant_one(&g, &t, &req, &grantees)?;
        }
        Ok(())
    }

    fn grant_one(
        &mut self,
        g: &GrantStmt,
        t: &AclTarget,
        req: &Requested,
        grantees: &[Grantee],
    ) -> R<()> {
        // A grant to the object's owner by name is the owner's (the server
        // stores the owner's oid either way).
        let owner = self.target_owner(t);
        let mut mapped: Vec<Grantee> = Vec::new();
        for g in grantees {
            let g = match g {
                Grantee::Role(r) if Some(r) == owner.as_ref() => Grantee::Owner,
                other => other.clone(),
            };
            if !mapped.contains(&g) {
                mapped.push(g);
            }
        }
        let grantees = &mapped[..];
        let (kind, object): (AclKind, Vec<Privilege>) = match t {
            AclTarget::Relation { seq: true, .. } => {
                // ExecGrant_Relation: a sequence keeps the sequence rights
                // (a warning for the rest).
                let all = AclKind::Sequence.all();
                let p = if req.all {
                    all.to_vec()
                } else {
                    req.object
                        .iter()
                        .copied()
                        .filter(|p| all.contains(p))
                        .collect()
                };
                (AclKind::Sequence, p)
            }
            AclTarget::Relation { seq: false, .. } => {
                let all = AclKind::Relation.all();
                if let Some(p) = req.object.iter().find(|p| !all.contains(p)) {
                    return Err(err(
                        INVALID_GRANT_OPERATION,
                        format!("invalid privilege type {} for table", p.keyword()),
                    ));
                }
                let p = if req.all {
                    all.to_vec()
                } else {
                    req.object.clone()
                };
                (AclKind::Relation, p)
            }
            AclTarget::Routine { .. } => (AclKind::Routine, AclKind::Routine.all().to_vec()),
            AclTarget::Namespace(_) => (
                AclKind::Namespace,
                if req.all {
                    AclKind::Namespace.all().to_vec()
                } else {
                    req.object.clone()
                },
            ),
            AclTarget::Type { .. } => (AclKind::Type, AclKind::Type.all().to_vec()),
            AclTarget::Server(_) => (
                AclKind::ForeignServer,
                AclKind::ForeignServer.all().to_vec(),
            ),
            AclTarget::Wrapper(_) => (
                AclKind::ForeignDataWrapper,
                AclKind::ForeignDataWrapper.all().to_vec(),
            ),
        };
        // Columns: checked before anything changes.
        let mut columns: Vec<(String, Privilege)> = req.columns.clone();
        if let AclTarget::Relation { ns, name, seq } = t {
            for (c, _) in &columns {
                if *seq || !self.relation_has_column(ns, name, c) {
                    return Err(err(
                        UNDEFINED_COLUMN,
                        format!("column \"{c}\" of relation \"{name}\" does not exist"),
                    ));
                }
            }
            // A revoke on the table takes the same rights off every column
            // (`expand_all_col_privileges`).
            if !g.is_grant && !*seq {
                for c in self.acl_relation_columns(ns, name) {
                    for p in &object {
                        if AclKind::Column.all().contains(p) {
                            columns.push((c.clone(), *p));
                        }
                    }
                }
            }
        }
        let apply = |acl: &mut Acl, privileges: &[Privilege]| {
            for grantee in grantees {
                for p in privileges {
                    if g.is_grant {
                        acl.grant(grantee, *p, g.grant_option);
                    } else {
                        acl.revoke(grantee, *p, g.grant_option);
                    }
                }
            }
        };
        let object_privs = if req.all || !req.object.is_empty() {
            object
        } else {
            Vec::new()
        };
        if !object_privs.is_empty() {
            if let Some(slot) = self.acl_slot(t) {
                let mut acl = effective(slot, kind);
                apply(&mut acl, &object_privs);
                *slot = canonical(acl, kind);
            }
        }
        if let AclTarget::Relation { ns, name, .. } = t {
            for (c, p) in &columns {
                if let Some(slot) = self.column_acl_slot(ns, name, c) {
                    let mut acl = effective(slot, AclKind::Column);
                    apply(&mut acl, &[*p]);
                    *slot = canonical(acl, AclKind::Column);
                }
            }
        }
        self.touch(target_path(self, t));
        Ok(())
    }

    /// The objects a statement names, resolved as the server does.
    fn grant_targets(&self, target: &GrantTarget) -> R<Vec<AclTarget>> {
        let mut out = Vec::new();
        match target {
            GrantTarget::Tables(names) | GrantTarget::Sequences(names) => {
                let want_seq = matches!(target, GrantTarget::Sequences(_));
                for q in names {
                    let t = self.relation_target(q)?;
                    if want_seq && !matches!(t, AclTarget::Relation { seq: true, .. }) {
                        return Err(err(
                            WRONG_OBJECT_TYPE,
                            format!("\"{}\" is not a sequence", q.name),
                        ));
                    }
                    out.push(t);
                }
            }
            GrantTarget::Routines(kind, refs) => {
                for r in refs {
                    let Some((ns, key)) = self.find_routine(*kind, r, false)? else {
                        unreachable!("find_routine errs when not missing_ok")
                    };
                    out.push(AclTarget::Routine { ns, key });
                }
            }
            GrantTarget::AllInSchema(kind, schemas) => {
                for s in schemas {
                    let Some(n) = self.schema.namespaces.get(s) else {
                        return Err(err(
                            INVALID_SCHEMA,
                            format!("schema \"{s}\" does not exist"),
                        ));
                    };
                    match kind {
                        AllInSchema::Tables => {
                            // Relkinds r, p, v, m, f (foreign tables and
                            // views kept by name are not modelled).
                            let mut names: Vec<&String> =
                                n.tables.keys().chain(n.views.keys()).collect();
                            names.sort();
                            for name in names {
                                out.push(AclTarget::Relation {
                                    ns: s.clone(),
                                    name: name.clone(),
                                    seq: false,
                                });
                            }
                        }
                        AllInSchema::Sequences => {
                            for name in n.sequences.keys() {
                                out.push(AclTarget::Relation {
                                    ns: s.clone(),
                                    name: name.clone(),
                                    seq: true,
                                });
                            }
                        }
                        AllInSchema::Functions
                        | AllInSchema::Procedures
                        | AllInSchema::Routines => {
                            for (key, r) in &n.routines {
                                let hit = match kind {
                                    AllInSchema::Functions => r.kind == RoutineKind::Function,
                                    AllInSchema::Procedures => r.kind == RoutineKind::Procedure,
                                    _ => true,
                                };
                                if hit {
                                    out.push(AclTarget::Routine {
                                        ns: s.clone(),
                                        key: key.clone(),
                                    });
                                }
                            }
                        }
                    }
                }
            }
            GrantTarget::ForeignServers(names) => {
                for s in names {
                    if !self.schema.foreign_servers.contains_key(s) {
                        return Err(super::foreign::no_server(s));
                    }
                    out.push(AclTarget::Server(s.clone()));
                }
            }
            GrantTarget::ForeignWrappers(names) => {
                for w in names {
                    if self.schema.foreign_data_wrappers.contains_key(w) {
                        out.push(AclTarget::Wrapper(w.clone()));
                    } else if !self.extension_wrapper(w) {
                        return Err(super::foreign::no_wrapper(w));
                    }
                    // An extension's wrapper is the extension's, with its
                    // privileges: not modelled.
                }
            }
            GrantTarget::Schemas(names) => {
                for s in names {
                    if !self.schema.namespaces.contains_key(s) {
                        return Err(err(
                            INVALID_SCHEMA,
                            format!("schema \"{s}\" does not exist"),
                        ));
                    }
                    out.push(AclTarget::Namespace(s.clone()));
                }
            }
            GrantTarget::Types { domain, names } => {
                for q in names {
                    let found = self.find_ns(q, |n| {
                        n.enums.contains_key(&q.name)
                            || n.domains.contains_key(&q.name)
                            || n.composites.contains_key(&q.name)
                            || n.ranges.contains_key(&q.name)
                    });
                    let Some(ns) = found else {
                        if self
                            .candidate_ns(q)
                            .iter()
                            .any(|n| self.is_multirange(n, &q.name))
                        {
                            return Err(help(
                                err(
                                    FEATURE_NOT_SUPPORTED,
                                    format!(
                                        "strata does not model privileges on multirange type \"{}\" (pg_dump does not keep them either)",
                                        display_q(q)
                                    ),
                                ),
                                "grant on the range type, or mark the statement with `-- strata:ignore`",
                            ));
                        }
                        if self.relation_kind(q).is_some() {
                            return Err(help(
                                err(
                                    FEATURE_NOT_SUPPORTED,
                                    format!(
                                        "strata does not model privileges on the row type of relation \"{}\"",
                                        display_q(q)
                                    ),
                                ),
                                "grant on the table itself, or mark the statement with `-- strata:ignore`",
                            ));
                        }
                        return Err(err(
                            UNDEFINED_OBJECT,
                            format!("type \"{}\" does not exist", display_q(q)),
                        ));
                    };
                    if *domain && !self.schema.namespaces[&ns].domains.contains_key(&q.name) {
                        return Err(err(
                            WRONG_OBJECT_TYPE,
                            format!("\"{}\" is not a domain", display_q(q)),
                        ));
                    }
                    out.push(AclTarget::Type {
                        ns,
                        name: q.name.clone(),
                    });
                }
            }
        }
        Ok(out)
    }

    /// A relation named in `GRANT … ON [TABLE]`.
    fn relation_target(&self, q: &QName) -> R<AclTarget> {
        for ns in self.candidate_ns(q) {
            let Some(n) = self.schema.namespaces.get(&ns) else {
                continue;
            };
            if n.tables.contains_key(&q.name) || n.views.contains_key(&q.name) {
                return Ok(AclTarget::Relation {
                    ns,
                    name: q.name.clone(),
                    seq: false,
                });
            }
            if n.sequences.contains_key(&q.name) {
                return Ok(AclTarget::Relation {
                    ns,
                    name: q.name.clone(),
                    seq: true,
                });
            }
            match self.relation_kind_in(&ns, &q.name) {
                Some("index") => {
                    return Err(err(
                        WRONG_OBJECT_TYPE,
                        format!("\"{}\" is an index", q.name),
                    ))
                }
                Some(kind) => {
                    return Err(help(
                        err(
                            FEATURE_NOT_SUPPORTED,
                            format!(
                                "strata does not model privileges on {kind} \"{}\" (an identity column's sequence, or an object it keeps by name only)",
                                display_q(q)
                            ),
                        ),
                        "mark the statement with `-- strata:ignore` (its privileges are then not compared)",
                    ))
                }
                None => {}
            }
        }
        Err(err(
            UNDEFINED_TABLE,
            format!("relation \"{}\" does not exist", display_q(q)),
        ))
    }

    fn relation_has_column(&self, ns: &str, name: &str, c: &str) -> bool {
        self.acl_relation_columns(ns, name).iter().any(|x| x == c)
    }

    fn acl_relation_columns(&self, ns: &str, name: &str) -> Vec<String> {
        let Some(n) = self.schema.namespaces.get(ns) else {
            return Vec::new();
        };
        if let Some(t) = n.tables.get(name) {
            return t.columns.iter().map(|c| c.name.clone()).collect();
        }
        if let Some(v) = n.views.get(name) {
            return v.columns.iter().map(|c| c.name.clone()).collect();
        }
        Vec::new()
    }

    /// The role an object is owned by by name (`OWNER TO`, `SET ROLE`),
    /// `None` for the role running the SQL.
    fn target_owner(&self, t: &AclTarget) -> Option<String> {
        match t {
            AclTarget::Server(name) => {
                return self
                    .schema
                    .foreign_servers
                    .get(name)?
                    .owner
                    .role()
                    .map(str::to_string)
            }
            AclTarget::Wrapper(name) => {
                return self
                    .schema
                    .foreign_data_wrappers
                    .get(name)?
                    .owner
                    .role()
                    .map(str::to_string)
            }
            _ => {}
        }
        let ns = match t {
            AclTarget::Relation { ns, .. }
            | AclTarget::Routine { ns, .. }
            | AclTarget::Type { ns, .. } => ns,
            AclTarget::Namespace(ns) => ns,
            AclTarget::Server(_) | AclTarget::Wrapper(_) => return None,
        };
        let n = self.schema.namespaces.get(ns)?;
        let owner = match t {
            AclTarget::Relation { name, .. } => n
                .tables
                .get(name)
                .map(|x| &x.owner)
                .or_else(|| n.sequences.get(name).map(|x| &x.owner))
                .or_else(|| n.views.get(name).map(|x| &x.owner)),
            AclTarget::Routine { key, .. } => n.routines.get(key).map(|x| &x.owner),
            AclTarget::Namespace(_) => Some(&n.owner),
            AclTarget::Server(_) | AclTarget::Wrapper(_) => None,
            AclTarget::Type { name, .. } => n
                .enums
                .get(name)
                .map(|x| &x.owner)
                .or_else(|| n.domains.get(name).map(|x| &x.owner))
                .or_else(|| n.composites.get(name).map(|x| &x.owner))
                .or_else(|| n.ranges.get(name).map(|x| &x.owner)),
        }?;
        owner.role().map(str::to_string)
    }

    /// The ACL of an object, to change.
    fn acl_slot(&mut self, t: &AclTarget) -> Option<&mut Option<Acl>> {
        match t {
            AclTarget::Relation { ns, name, seq } => {
                if !*seq && self.table(ns, name).is_some() {
                    return Some(&mut self.table_mut(ns, name).acl);
                }
                let n = self.schema.namespaces.get_mut(ns)?;
                if *seq {
                    return n.sequences.get_mut(name).map(|s| &mut s.acl);
                }
                n.views.get_mut(name).map(|v| &mut v.acl)
            }
            AclTarget::Routine { ns, key } => self
                .schema
                .namespaces
                .get_mut(ns)?
                .routines
                .get_mut(key)
                .map(|r| &mut r.acl),
            AclTarget::Namespace(ns) => self.schema.namespaces.get_mut(ns).map(|n| &mut n.acl),
            AclTarget::Server(s) => self.schema.foreign_servers.get_mut(s).map(|s| &mut s.acl),
            AclTarget::Wrapper(w) => self
                .schema
                .foreign_data_wrappers
                .get_mut(w)
                .map(|w| &mut w.acl),
            AclTarget::Type { ns, name } => {
                let n = self.schema.namespaces.get_mut(ns)?;
                if let Some(e) = n.enums.get_mut(name) {
                    return Some(&mut e.acl);
                }
                if let Some(d) = n.domains.get_mut(name) {
                    return Some(&mut d.acl);
                }
                if let Some(r) = n.ranges.get_mut(name) {
                    return Some(&mut r.acl);
                }
                n.composites.get_mut(name).map(|c| &mut c.acl)
            }
        }
    }

    fn column_acl_slot(&mut self, ns: &str, name: &str, c: &str) -> Option<&mut Option<Acl>> {
        if self
            .schema
            .namespaces
            .get(ns)
            .is_some_and(|n| n.tables.contains_key(name))
        {
            return self.table_mut(ns, name).column_mut(c).map(|c| &mut c.acl);
        }
        self.schema
            .namespaces
            .get_mut(ns)?
            .views
            .get_mut(name)?
            .column_mut(c)
            .map(|c| &mut c.acl)
    }

    /// The grantees of a `TO` / `FROM` list.
    fn grantees(&self, specs: &[PolicyRoleSpec]) -> Vec<Grantee> {
        let mut out: Vec<Grantee> = Vec::new();
        for s in specs {
            let g = match s {
                PolicyRoleSpec::Public => Grantee::Public,
                PolicyRoleSpec::Session(_) => Grantee::Owner,
                PolicyRoleSpec::Name(n) => match &self.role {
                    Role::Named(r) if r == n => Grantee::Owner,
                    _ => Grantee::Role(n.clone()),
                },
            };
            if !out.contains(&g) {
                out.push(g);
            }
        }
        out
    }

    /// `ALTER DEFAULT PRIVILEGES` (`SetDefaultACLsInSchemas`).
    pub(super) fn alter_default_privileges(&mut self, d: DefaultPrivilegesStmt) -> R<()> {
        if d.object == DefaultAclObject::Schemas && !d.schemas.is_empty() {
            return Err(err(
                INVALID_GRANT_OPERATION,
                "cannot use IN SCHEMA clause when using GRANT/REVOKE ON SCHEMAS",
            ));
        }
        let roles = if d.for_roles.is_empty() {
            vec![Grantee::Owner]
        } else {
            self.grantees(&d.for_roles)
        };
        for s in &d.schemas {
            if !self.schema.namespaces.contains_key(s) {
                return Err(err(
                    INVALID_SCHEMA,
                    format!("schema \"{s}\" does not exist"),
                ));
            }
        }
        let grantees = self.grantees(&d.grantees);
        if d.is_grant && d.grant_option && grantees.contains(&Grantee::Public) {
            return Err(err(
                INVALID_GRANT_OPERATION,
                "grant options can only be granted to roles",
            ));
        }
        let kind = d.object.kind();
        let label = match d.object {
            DefaultAclObject::Tables => "relation",
            _ => kind.label(),
        };
        let allowed = if d.object == DefaultAclObject::Tables {
            AclKind::Relation.all()
        } else {
            kind.all()
        };
        let req = requested(&d.privileges, label, allowed, false)?;
        let privileges: Vec<Privilege> = if req.all {
            allowed.to_vec()
        } else {
            req.object
        };
        let schemas: Vec<Option<String>> = if d.schemas.is_empty() {
            vec![None]
        } else {
            d.schemas.iter().cloned().map(Some).collect()
        };
        for role in &roles {
            for schema in &schemas {
                let key = DefaultAclKey {
                    role: role.clone(),
                    schema: schema.clone(),
                    object: d.object,
                };
                let base = key.base();
                let mut acl = self
                    .schema
                    .default_privileges
                    .get(&key)
                    .cloned()
                    .unwrap_or_else(|| base.clone());
                // For another role's objects, that role is their owner.
                let owner_of = |g: &Grantee| -> Grantee {
                    if g == role {
                        Grantee::Owner
                    } else {
                        g.clone()
                    }
                };
                for g in &grantees {
                    let g = owner_of(g);
                    for p in &privileges {
                        if d.is_grant {
                            acl.grant(&g, *p, d.grant_option);
                        } else {
                            acl.revoke(&g, *p, d.grant_option);
                        }
                    }
                }
                if acl == base {
                    self.schema.default_privileges.remove(&key);
                } else {
                    self.schema.default_privileges.insert(key, acl);
                }
            }
        }
        Ok(())
    }

    /// The ACL an object the migrations create in `ns` starts with
    /// (`get_user_default_acl`): the global default privileges of the
    /// running role (else `acldefault`) merged with those of the schema;
    /// `None` when that is the default.
    pub(super) fn initial_acl(&self, object: DefaultAclObject, ns: Option<&str>) -> Option<Acl> {
        crate::model::acl::initial_acl(&self.schema.default_privileges, object, ns)
    }
}

/// Every right of a relation or a sequence (`GRANT … ON TABLE` checks
/// against both before it knows which the object is).
const RELATION_OR_SEQUENCE: &[Privilege] = &[
    Privilege::Insert,
    Privilege::Select,
    Privilege::Update,
    Privilege::Delete,
    Privilege::Truncate,
    Privilege::References,
    Privilege::Trigger,
    Privilege::Usage,
];

fn routine_label(k: Option<RoutineKind>) -> &'static str {
    match k {
        Some(RoutineKind::Function) => "function",
        Some(RoutineKind::Procedure) => "procedure",
        None => "routine",
    }
}

/// The privileges of a statement, checked against what the kind allows.
fn requested(
    specs: &[PrivilegeSpec],
    label: &str,
    allowed: &[Privilege],
    relation: bool,
) -> R<Requested> {
    let mut r = Requested {
        object: Vec::new(),
        columns: Vec::new(),
        all: specs.is_empty(),
    };
    for s in specs {
        if !s.columns.is_empty() {
            if !relation {
                return Err(err(
                    INVALID_GRANT_OPERATION,
                    "column privileges are only valid for relations",
                ));
            }
            let ps: Vec<Privilege> = if s.keyword == "ALL" {
                AclKind::Column.all().to_vec()
            } else {
                let p = privilege(&s.keyword, "column", AclKind::Column.all())?;
                vec![p]
            };
            for c in &s.columns {
                for p in &ps {
                    r.columns.push((c.clone(), *p));
                }
            }
            continue;
        }
        r.object.push(privilege(&s.keyword, label, allowed)?);
    }
    Ok(r)
}

fn privilege(keyword: &str, label: &str, allowed: &[Privilege]) -> R<Privilege> {
    let shown = match keyword {
        "TEMPORARY" => "TEMP",
        k => k,
    };
    match Privilege::from_keyword(keyword) {
        Some(p) if allowed.contains(&p) => Ok(p),
        _ => Err(err(
            INVALID_GRANT_OPERATION,
            format!("invalid privilege type {shown} for {label}"),
        )),
    }
}

fn target_path(r: &Replayer, t: &AclTarget) -> ObjectPath {
    match t {
        AclTarget::Relation {
            ns,
            name,
            seq: true,
        } => ObjectPath::new(ObjectKind::Sequence, ns, name),
        AclTarget::Relation { ns, name, .. } => {
            let kind = match r.schema.namespaces.get(ns).and_then(|n| n.views.get(name)) {
                Some(v) if v.materialized => ObjectKind::MaterializedView,
                Some(_) => ObjectKind::View,
                None => ObjectKind::Table,
            };
            ObjectPath::new(kind, ns, name)
        }
        AclTarget::Routine { ns, key } => super::routine::routine_path(ns, key, r.kind_of(ns, key)),
        AclTarget::Namespace(ns) => ObjectPath::new(ObjectKind::Namespace, "", ns),
        AclTarget::Server(s) => ObjectPath::new(ObjectKind::ForeignServer, "", s),
        AclTarget::Wrapper(w) => ObjectPath::new(ObjectKind::ForeignDataWrapper, "", w),
        AclTarget::Type { ns, name } => {
            let kind = match r.schema.namespaces.get(ns) {
                Some(n) if n.enums.contains_key(name) => ObjectKind::Enum,
                Some(n) if n.domains.contains_key(name) => ObjectKind::Domain,
                Some(n) if n.ranges.contains_key(name) => ObjectKind::Range,
                _ => ObjectKind::Type,
            };
            ObjectPath::new(kind, ns, name)
        }
    }
}
