//! Domains and composite types (`typecmds.c`: `DefineDomain`,
//! `AlterDomain*`, `DefineCompositeType`, and `tablecmds.c` for the
//! attribute forms of `ALTER TYPE`).

use crate::analyze::Role as ExprRole;
use crate::expression::{is_null_constant, resolve};
use crate::model::{
    qualified, CompositeAttribute, CompositeType, Domain, DomainCheck, Expression, ObjectKind,
    ObjectPath,
};
use crate::parse::{
    AttributeDef, DomainAction, DomainConstraintDef, DomainConstraintKind, EnumAction, QName,
};

use super::types::base_type;
use super::{
    display_q, err, help, Replayer, DEPENDENT_OBJECTS, DUPLICATE_COLUMN, DUPLICATE_OBJECT,
    INVALID_SCHEMA, R, SYNTAX_ERROR, UNDEFINED_COLUMN, UNDEFINED_OBJECT, UNDEFINED_TABLE,
    WRONG_OBJECT_TYPE,
};

impl Replayer {
    pub(super) fn find_domain(&self, q: &QName) -> Option<String> {
        self.find_ns(q, |ns| ns.domains.contains_key(&q.name))
    }

    pub(super) fn find_composite(&self, q: &QName) -> Option<String> {
        self.find_ns(q, |ns| ns.composites.contains_key(&q.name))
    }

    /// `CREATE DOMAIN`.
    pub(super) fn create_domain(
        &mut self,
        name: QName,
        base_type: String,
        collation: Option<String>,
        default: Option<Expression>,
        constraints: Vec<DomainConstraintDef>,
    ) -> R<()> {
        let ns = self.creation_ns(&name)?;
        // A shell type of the name is filled in (`TypeCreate`).
        self.shell_types.remove(&(ns.clone(), name.name.clone()));
        if self.type_exists_in(&ns, &name.name) {
            return Err(err(
                DUPLICATE_OBJECT,
                format!("type \"{}\" already exists", name.name),
            ));
        }
        self.check_type(&base_type)?;
        let base_type = self.resolve_type(&base_type);
        let mut not_null = None;
        for c in &constraints {
            let this = match c.kind {
                DomainConstraintKind::NotNull => true,
                DomainConstraintKind::Null => false,
                DomainConstraintKind::Check(..) => continue,
            };
            if not_null.is_some_and(|n| n != this) {
                return Err(err(SYNTAX_ERROR, "conflicting NULL/NOT NULL constraints"));
            }
            not_null = Some(this);
        }
        let mut domain = Domain {
            owner: self.creator(),
            base_type,
            collation,
            default: None,
            not_null: not_null.unwrap_or(false),
            checks: Default::default(),
            comment: None,
            acl: self.initial_acl(crate::model::DefaultAclObject::Types, Some(&ns)),
        };
        domain.default = match default {
            Some(d) => self.domain_default(&domain.base_type, d),
            // `DefineDomain`: a domain over a domain inherits its default.
            None => self
                .base_domain(&domain.base_type)
                .and_then(|b| b.default.clone()),
        };
        self.ns_mut(&ns).domains.insert(name.name.clone(), domain);
        for c in constraints {
            if let DomainConstraintKind::Check(e, refs) = c.kind {
                self.add_domain_check(&ns, &name.name, c.name, e, &refs, true)?;
            }
        }
        self.touch(ObjectPath::new(ObjectKind::Domain, &ns, &name.name));
        Ok(())
    }

    /// The domain a canonical type names, if it names one (not an array).
    fn base_domain(&self, canonical: &str) -> Option<&Domain> {
        if canonical.ends_with("[]") {
            return None;
        }
        let (ns, name) = crate::parse::split_qualified(canonical);
        self.schema
            .namespaces
            .get(ns.as_deref().unwrap_or("public"))?
            .domains
            .get(&name)
    }

    /// A domain's default as the server stores it; `None` for a NULL
    /// constant (the server keeps none).
    fn domain_default(&self, base_type: &str, d: Expression) -> Option<Expression> {
        let d = resolve(
            &d,
            &[],
            &self.schema,
            ExprRole::Default {
                column_type: base_type,
            },
        );
        (!is_null_constant(&d, base_type)).then_some(d)
    }

    fn add_domain_check(
        &mut self,
        ns: &str,
        domain: &str,
        name: Option<String>,
        e: Expression,
        refs: &[String],
        validated: bool,
    ) -> R<()> {
        if let Some(r) = refs.iter().find(|r| r.as_str() != "value") {
            return Err(err(
                UNDEFINED_COLUMN,
                format!("column \"{r}\" does not exist"),
            ));
        }
        let d = &self.schema.namespaces[ns].domains[domain];
        let name = match name {
            Some(n) => {
                if d.checks.contains_key(&n) {
                    return Err(err(
                        DUPLICATE_OBJECT,
                        format!("constraint \"{n}\" for domain \"{domain}\" already exists"),
                    ));
                }
                n
            }
            None => self.choose_domain_constraint_name(ns, domain),
        };
        let base = d.base_type.clone();
        let expression = resolve(
            &e,
            &[],
            &self.schema,
            ExprRole::DomainCheck { base_type: &base },
        );
        self.ns_mut(ns)
            .domains
            .get_mut(domain)
            .expect("found")
            .checks
            .insert(
                name,
                DomainCheck {
                    expression,
                    validated,
                    comment: None,
                },
            );
        Ok(())
    }

    /// `ChooseConstraintName(domain, NULL, "check", namespace)`: the first
    /// of `d_check`, `d_check1`, … no constraint of the namespace (of a
    /// table or a domain) has.
    fn choose_domain_constraint_name(&self, ns: &str, domain: &str) -> String {
        let taken = |n: &str| {
            self.constraint_name_taken(ns, n)
                || self.schema.namespaces[ns]
                    .domains
                    .values()
                    .any(|d| d.checks.contains_key(n))
        };
        let mut i = 0;
        loop {
            let suffix = if i == 0 {
                "check".to_string()
            } else {
                format!("check{i}")
            };
            let n = crate::names::make_object_name(domain, None, Some(&suffix));
            if !taken(&n) {
                return n;
            }
            i += 1;
        }
    }

    pub(super) fn domain_ns(&self, q: &QName) -> R<String> {
        if let Some(ns) = self.find_domain(q) {
            return Ok(ns);
        }
        if self
            .candidate_ns(q)
            .iter()
            .any(|n| self.type_exists_in(n, &q.name))
        {
            return Err(err(
                WRONG_OBJECT_TYPE,
                format!("\"{}\" is not a domain", display_q(q)),
            ));
        }
        Err(err(
            UNDEFINED_OBJECT,
            format!("type \"{}\" does not exist", display_q(q)),
        ))
    }

    /// `ALTER DOMAIN`.
    pub(super) fn alter_domain(&mut self, name: QName, action: DomainAction) -> R<()> {
        let ns = self.domain_ns(&name)?;
        let dn = name.name.clone();
        match action {
            DomainAction::SetDefault(e) => {
                let base = self.schema.namespaces[&ns].domains[&dn].base_type.clone();
                let d = self.domain_default(&base, e);
                self.ns_mut(&ns)
                    .domains
                    .get_mut(&dn)
                    .expect("found")
                    .default = d;
            }
            DomainAction::DropDefault => {
                self.ns_mut(&ns)
                    .domains
                    .get_mut(&dn)
                    .expect("found")
                    .default = None;
            }
            DomainAction::SetNotNull => {
                self.ns_mut(&ns)
                    .domains
                    .get_mut(&dn)
                    .expect("found")
                    .not_null = true;
            }
            DomainAction::DropNotNull => {
                self.ns_mut(&ns)
                    .domains
                    .get_mut(&dn)
                    .expect("found")
                    .not_null = false;
            }
            DomainAction::AddConstraint(c) => match c.kind {
                DomainConstraintKind::Check(e, refs) => {
                    self.add_domain_check(&ns, &dn, c.name, e, &refs, !c.not_valid)?;
                }
                // The parser reads only CHECK after ALTER DOMAIN … ADD;
                // PostgreSQL's grammar rejects the rest the same way.
                DomainConstraintKind::NotNull | DomainConstraintKind::Null => {
                    return Err(help(
                        err(
                            SYNTAX_ERROR,
                            "ALTER DOMAIN … ADD takes only CHECK constraints".to_string(),
                        ),
                        "use ALTER DOMAIN … SET NOT NULL / DROP NOT NULL",
                    ));
                }
            },
            DomainAction::DropConstraint { name: c, if_exists } => {
                let d = self.ns_mut(&ns).domains.get_mut(&dn).expect("found");
                if d.checks.remove(&c).is_none() && !if_exists {
                    return Err(err(
                        UNDEFINED_OBJECT,
                        format!("constraint \"{c}\" of domain \"{dn}\" does not exist"),
                    ));
                }
            }
            DomainAction::RenameConstraint { old, new } => {
                if self.schema.namespaces[&ns].domains[&dn]
                    .checks
                    .contains_key(&new)
                {
                    return Err(err(
                        DUPLICATE_OBJECT,
                        format!("constraint \"{new}\" for domain \"{dn}\" already exists"),
                    ));
                }
                let d = self.ns_mut(&ns).domains.get_mut(&dn).expect("found");
                let Some(c) = d.checks.remove(&old) else {
                    return Err(err(
                        UNDEFINED_OBJECT,
                        format!("constraint \"{old}\" for domain {dn} does not exist"),
                    ));
                };
                d.checks.insert(new, c);
            }
            DomainAction::ValidateConstraint(c) => {
                let d = self.ns_mut(&ns).domains.get_mut(&dn).expect("found");
                let Some(k) = d.checks.get_mut(&c) else {
                    return Err(err(
                        UNDEFINED_OBJECT,
                        format!("constraint \"{c}\" of domain \"{dn}\" does not exist"),
                    ));
                };
                k.validated = true;
            }
            DomainAction::RenameTo(new) => {
                return self.rename_user_type(&ns, &dn, &new);
            }
            DomainAction::SetSchema(new_ns) => {
                return self.move_user_type(&ns, &dn, &new_ns);
            }
        }
        self.touch(ObjectPath::new(ObjectKind::Domain, &ns, &dn));
        Ok(())
    }

    /// `CREATE TYPE name AS (…)`.
    pub(super) fn create_composite(&mut self, name: QName, attributes: Vec<AttributeDef>) -> R<()> {
        let ns = self.creation_ns(&name)?;
        // A shell type of the name is filled in (`TypeCreate`).
        self.shell_types.remove(&(ns.clone(), name.name.clone()));
        if self.type_exists_in(&ns, &name.name) {
            return Err(err(
                DUPLICATE_OBJECT,
                format!("type \"{}\" already exists", name.name),
            ));
        }
        let mut out: Vec<CompositeAttribute> = Vec::new();
        for a in attributes {
            if out.iter().any(|o| o.name == a.name) {
                return Err(err(
                    DUPLICATE_COLUMN,
                    format!("column \"{}\" specified more than once", a.name),
                ));
            }
            out.push(self.attribute(a)?);
        }
        let acl = self.initial_acl(crate::model::DefaultAclObject::Types, Some(&ns));
        let owner = self.creator();
        self.ns_mut(&ns).composites.insert(
            name.name.clone(),
            CompositeType {
                owner,
                attributes: out,
                comment: None,
                acl,
            },
        );
        self.touch(ObjectPath::new(ObjectKind::Type, &ns, &name.name));
        Ok(())
    }

    fn attribute(&self, a: AttributeDef) -> R<CompositeAttribute> {
        self.check_type(&a.data_type)?;
        Ok(CompositeAttribute {
            name: a.name,
            data_type: self.resolve_type(&a.data_type),
            collation: a.collation,
            comment: None,
        })
    }

    /// The attribute forms of `ALTER TYPE` and, for a domain or a composite
    /// type, `RENAME TO` / `SET SCHEMA`. `Ok(false)` when the type is
    /// neither (an enum's actions follow).
    pub(super) fn alter_user_type(&mut self, name: &QName, action: &EnumAction) -> R<bool> {
        let composite = self.find_composite(name);
        let domain = self.find_domain(name);
        match action {
            EnumAction::RenameTo(new) => {
                let Some(ns) = composite.or(domain) else {
                    return Ok(false);
                };
                self.rename_user_type(&ns, &name.name, new)?;
                return Ok(true);
            }
            EnumAction::SetSchema(new_ns) => {
                let Some(ns) = composite.or(domain) else {
                    return Ok(false);
                };
                self.move_user_type(&ns, &name.name, new_ns)?;
                return Ok(true);
            }
            EnumAction::AddValue { .. } | EnumAction::RenameValue { .. } => return Ok(false),
            _ => {}
        }
        let Some(ns) = composite else {
            // The attribute forms go through the type's relation, which
            // only a composite type has.
            return Err(err(
                UNDEFINED_TABLE,
                format!("relation \"{}\" does not exist", display_q(name)),
            ));
        };
        let tn = name.name.clone();
        let missing = |a: &str| {
            err(
                UNDEFINED_COLUMN,
                format!("column \"{a}\" of relation \"{tn}\" does not exist"),
            )
        };
        match action.clone() {
            EnumAction::AddAttribute(a) => {
                if self.schema.namespaces[&ns].composites[&tn]
                    .attributes
                    .iter()
                    .any(|x| x.name == a.name)
                {
                    return Err(err(
                        DUPLICATE_COLUMN,
                        format!("column \"{}\" of relation \"{tn}\" already exists", a.name),
                    ));
                }
                let a = self.attribute(a)?;
                self.ns_mut(&ns)
                    .composites
                    .get_mut(&tn)
                    .expect("found")
                    .attributes
                    .push(a);
            }
            EnumAction::DropAttribute { name: a, if_exists } => {
                let c = self.ns_mut(&ns).composites.get_mut(&tn).expect("found");
                match c.attributes.iter().position(|x| x.name == a) {
                    Some(p) => {
                        c.attributes.remove(p);
                    }
                    None if if_exists => {}
                    None => return Err(missing(&a)),
                }
            }
            EnumAction::AlterAttributeType(a) => {
                self.check_type(&a.data_type)?;
                let data_type = self.resolve_type(&a.data_type);
                let c = self.ns_mut(&ns).composites.get_mut(&tn).expect("found");
                let Some(x) = c.attributes.iter_mut().find(|x| x.name == a.name) else {
                    return Err(missing(&a.name));
                };
                x.data_type = data_type;
                x.collation = a.collation;
            }
            EnumAction::RenameAttribute { old, new } => {
                let c = self.ns_mut(&ns).composites.get_mut(&tn).expect("found");
                if c.attributes.iter().any(|x| x.name == new) {
                    return Err(err(
                        DUPLICATE_COLUMN,
                        format!("column \"{new}\" of relation \"{tn}\" already exists"),
                    ));
                }
                let Some(x) = c.attributes.iter_mut().find(|x| x.name == old) else {
                    return Err(err(
                        UNDEFINED_COLUMN,
                        format!("column \"{old}\" does not exist"),
                    ));
                };
                x.name = new;
            }
            // Renames, SET SCHEMA and enum values returned above.
            EnumAction::RenameTo(_)
            | EnumAction::SetSchema(_)
            | EnumAction::AddValue { .. }
            | EnumAction::RenameValue { .. } => return Ok(false),
        }
        self.touch(ObjectPath::new(ObjectKind::Type, &ns, &tn));
        Ok(true)
    }

    fn rename_user_type(&mut self, ns: &str, name: &str, new: &str) -> R<()> {
        if self.type_exists_in(ns, new) {
            return Err(err(
                DUPLICATE_OBJECT,
                format!("type \"{new}\" already exists"),
            ));
        }
        let n = self.ns_mut(ns);
        let kind = if let Some(d) = n.domains.remove(name) {
            n.domains.insert(new.to_string(), d);
            ObjectKind::Domain
        } else {
            let c = n.composites.remove(name).expect("caller found it");
            n.composites.insert(new.to_string(), c);
            ObjectKind::Type
        };
        self.retype_user(&qualified(ns, name), &qualified(ns, new));
        self.touch(ObjectPath::new(kind, ns, new));
        Ok(())
    }

    fn move_user_type(&mut self, ns: &str, name: &str, new_ns: &str) -> R<()> {
        if !self.schema.namespaces.contains_key(new_ns) {
            return Err(err(
                INVALID_SCHEMA,
                format!("schema \"{new_ns}\" does not exist"),
            ));
        }
        if self.type_exists_in(new_ns, name) {
            return Err(err(
                DUPLICATE_OBJECT,
                format!("type \"{name}\" already exists in schema \"{new_ns}\""),
            ));
        }
        let n = self.ns_mut(ns);
        let kind = if let Some(d) = n.domains.remove(name) {
            self.ns_mut(new_ns).domains.insert(name.to_string(), d);
            ObjectKind::Domain
        } else {
            let c = n.composites.remove(name).expect("caller found it");
            self.ns_mut(new_ns).composites.insert(name.to_string(), c);
            ObjectKind::Type
        };
        self.retype_user(&qualified(ns, name), &qualified(new_ns, name));
        self.touch(ObjectPath::new(kind, new_ns, name));
        Ok(())
    }

    /// Every column, attribute and domain typed `from` now says `to`.
    pub(super) fn retype_user(&mut self, from: &str, to: &str) {
        self.retype_columns(from, to);
        let swap = |t: &mut String| {
            if base_type(t) == from {
                *t = format!("{to}{}", &t[from.len()..]);
            }
        };
        for n in self.schema.namespaces.values_mut() {
            for d in n.domains.values_mut() {
                swap(&mut d.base_type);
            }
            for c in n.composites.values_mut() {
                for a in c.attributes.iter_mut() {
                    swap(&mut a.data_type);
                }
            }
        }
    }

    /// What uses the type `canonical` besides table columns: domains over
    /// it and composite attributes of it, as (description, namespace, name,
    /// attribute).
    pub(super) fn type_users(
        &self,
        canonical: &str,
    ) -> Vec<(String, String, String, Option<String>)> {
        let mut out = Vec::new();
        for (nsn, n) in &self.schema.namespaces {
            for (dn, d) in &n.domains {
                if base_type(&d.base_type) == canonical {
                    out.push((
                        format!("type {}", qualified(nsn, dn)),
                        nsn.clone(),
                        dn.clone(),
                        None,
                    ));
                }
            }
            for (cn, c) in &n.composites {
                for a in &c.attributes {
                    if base_type(&a.data_type) == canonical {
                        out.push((
                            format!("column {} of composite type {}", a.name, qualified(nsn, cn)),
                            nsn.clone(),
                            cn.clone(),
                            Some(a.name.clone()),
                        ));
                    }
                }
            }
        }
        out
    }

    /// `DROP DOMAIN`, and `DROP TYPE` of a domain or composite type. `Ok(false)`
    /// when `q` names neither.
    pub(super) fn drop_user_type(
        &mut self,
        q: &QName,
        cascade: bool,
        domain_only: bool,
    ) -> R<bool> {
        let (ns, kind) = if let Some(ns) = self.find_domain(q) {
            (ns, ObjectKind::Domain)
        } else if let Some(ns) = self.find_composite(q) {
            if domain_only {
                return Err(err(
                    WRONG_OBJECT_TYPE,
                    format!("\"{}\" is not a domain", display_q(q)),
                ));
            }
            (ns, ObjectKind::Type)
        } else {
            return Ok(false);
        };
        let canonical = qualified(&ns, &q.name);
        let keyword = if domain_only { "DOMAIN" } else { "TYPE" };
        self.drop_type_dependents(&canonical, &display_q(q), cascade, keyword)?;
        let n = self.ns_mut(&ns);
        if kind == ObjectKind::Domain {
            n.domains.remove(&q.name);
        } else {
            n.composites.remove(&q.name);
        }
        Ok(true)
    }

    /// Refuses (2BP01) or, with CASCADE, removes what uses a type about to
    /// be dropped: columns, domains over it, composite attributes.
    pub(super) fn drop_type_dependents(
        &mut self,
        canonical: &str,
        shown: &str,
        cascade: bool,
        keyword: &str,
    ) -> R<()> {
        let columns = self.columns_using_type(canonical);
        let users = self.type_users(canonical);
        if !cascade {
            let first = columns
                .first()
                .map(|(_, t, c)| format!("column {c} of table {t}"))
                .or_else(|| users.first().map(|u| u.0.clone()));
            if let Some(first) = first {
                return Err(help(
                    err(
                        DEPENDENT_OBJECTS,
                        format!(
                            "cannot drop type {shown} because other objects depend on it ({first})"
                        ),
                    ),
                    format!(
                        "change or drop what uses the type first, or use DROP {keyword} … CASCADE"
                    ),
                ));
            }
            return Ok(());
        }
        for (uns, ut, uc) in columns {
            self.drop_column_inner(&uns, &ut, &uc);
        }
        for (_, uns, un, attr) in users {
            match attr {
                Some(a) => {
                    if let Some(c) = self.ns_mut(&uns).composites.get_mut(&un) {
                        c.attributes.retain(|x| x.name != a);
                    }
                }
                None => {
                    let q = QName {
                        schema: Some(uns.clone()),
                        name: un.clone(),
                    };
                    self.drop_user_type(&q, true, false)?;
                }
            }
        }
        Ok(())
    }
}
