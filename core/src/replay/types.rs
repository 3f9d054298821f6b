//! Types: `CREATE TYPE … AS ENUM`, `ALTER TYPE` and `DROP TYPE`
//! (`typecmds.c`), and checking and resolving the types columns name.

use std::collections::BTreeSet;

use crate::model::{
    qualified, quote_ident, EnumType, ObjectKind, ObjectPath, Unmanaged, UnmanagedKind,
};
use crate::parse::{split_qualified, EnumAction, QName};

use super::{
    display_q, err, Replayer, DUPLICATE_OBJECT, INVALID_PARAMETER, INVALID_SCHEMA, R,
    UNDEFINED_OBJECT, WRONG_OBJECT_TYPE,
};

impl Replayer {
    /// `CREATE TYPE … AS ENUM`.
    pub(super) fn create_enum(&mut self, name: QName, values: Vec<String>) -> R<()> {
        let ns = self.creation_ns(&name)?;
        // A shell type of the name is filled in (`TypeCreate`).
        self.shell_types.remove(&(ns.clone(), name.name.clone()));
        if self.type_exists_in(&ns, &name.name) {
            return Err(err(
                DUPLICATE_OBJECT,
                format!("type \"{}\" already exists", name.name),
            ));
        }
        let mut seen = BTreeSet::new();
        for v in &values {
            if v.len() > 63 {
                return Err(err(
                    INVALID_PARAMETER,
                    format!("invalid enum label \"{v}\""),
                ));
            }
            if !seen.insert(v) {
                return Err(err(
                    "42710",
                    format!("enum label \"{v}\" used more than once"),
                ));
            }
        }
        let acl = self.initial_acl(crate::model::DefaultAclObject::Types, Some(&ns));
        let owner = self.creator();
        self.ns_mut(&ns).enums.insert(
            name.name.clone(),
            EnumType {
                owner,
                values,
                comment: None,
                acl,
            },
        );
        self.touch(ObjectPath::new(ObjectKind::Enum, &ns, &name.name));
        Ok(())
    }

    pub(super) fn alter_enum(&mut self, name: QName, action: EnumAction) -> R<()> {
        match &action {
            EnumAction::RenameTo(new) => {
                if self.alter_range(&name, Some(new), None)? {
                    return Ok(());
                }
            }
            EnumAction::SetSchema(s) => {
                if self.alter_range(&name, None, Some(s))? {
                    return Ok(());
                }
            }
            EnumAction::AddValue { .. } | EnumAction::RenameValue { .. } => {
                if let Some(ns) = self.find_range(&name) {
                    return Err(err(
                        WRONG_OBJECT_TYPE,
                        format!("{} is not an enum", qualified(&ns, &name.name)),
                    ));
                }
            }
            _ => {
                if self.find_range(&name).is_some() {
                    return Err(err(
                        super::UNDEFINED_TABLE,
                        format!("relation \"{}\" does not exist", display_q(&name)),
                    ));
                }
            }
        }
        if self.alter_user_type(&name, &action)? {
            return Ok(());
        }
        let Some(ns) = self.find_enum(&name) else {
            return Err(err(
                UNDEFINED_OBJECT,
                format!("type \"{}\" does not exist", display_q(&name)),
            ));
        };
        match action {
            EnumAction::AddValue {
                value,
                if_not_exists,
                before,
                after,
            } => {
                let e = self.ns_mut(&ns).enums.get_mut(&name.name).expect("found");
                if e.values.contains(&value) {
                    if if_not_exists {
                        return Ok(());
                    }
                    return Err(err(
                        DUPLICATE_OBJECT,
                        format!("enum label \"{value}\" already exists"),
                    ));
                }
                if value.len() > 63 {
                    return Err(err(
                        INVALID_PARAMETER,
                        format!("invalid enum label \"{value}\""),
                    ));
                }
                let pos = match (before, after) {
                    (Some(b), _) => e.values.iter().position(|v| *v == b).ok_or_else(|| {
                        err(
                            INVALID_PARAMETER,
                            format!("\"{b}\" is not an existing enum label"),
                        )
                    })?,
                    (_, Some(a)) => {
                        e.values.iter().position(|v| *v == a).ok_or_else(|| {
                            err(
                                INVALID_PARAMETER,
                                format!("\"{a}\" is not an existing enum label"),
                            )
                        })? + 1
                    }
                    _ => e.values.len(),
                };
                e.values.insert(pos, value);
            }
            EnumAction::RenameValue { old, new } => {
                let e = self.ns_mut(&ns).enums.get_mut(&name.name).expect("found");
                if e.values.contains(&new) {
                    return Err(err(
                        DUPLICATE_OBJECT,
                        format!("enum label \"{new}\" already exists"),
                    ));
                }
                let Some(p) = e.values.iter().position(|v| *v == old) else {
                    return Err(err(
                        INVALID_PARAMETER,
                        format!("\"{old}\" is not an existing enum label"),
                    ));
                };
                e.values[p] = new.clone();
                // Stored constants keep the label's OID: the server prints
                // the new label.
                let ty = qualified(&ns, &name.name);
                let (from, to) = (
                    format!("{}::{ty}", crate::model::quote_literal(&old)),
                    format!("{}::{ty}", crate::model::quote_literal(&new)),
                );
                self.each_expression(|e| crate::expression::replace_in_server_text(e, &from, &to));
            }
            EnumAction::RenameTo(new) => {
                if self.type_exists_in(&ns, &new) {
                    return Err(err(
                        DUPLICATE_OBJECT,
                        format!("type \"{new}\" already exists"),
                    ));
                }
                let e = self.ns_mut(&ns).enums.remove(&name.name).expect("found");
                self.ns_mut(&ns).enums.insert(new.clone(), e);
                self.retype_columns(&qualified(&ns, &name.name), &qualified(&ns, &new));
                self.touch(ObjectPath::new(ObjectKind::Enum, &ns, &new));
                return Ok(());
            }
            EnumAction::SetSchema(new_ns) => {
                if !self.schema.namespaces.contains_key(&new_ns) {
                    return Err(err(
                        INVALID_SCHEMA,
                        format!("schema \"{new_ns}\" does not exist"),
                    ));
                }
                let e = self.ns_mut(&ns).enums.remove(&name.name).expect("found");
                self.ns_mut(&new_ns).enums.insert(name.name.clone(), e);
                self.retype_columns(&qualified(&ns, &name.name), &qualified(&new_ns, &name.name));
                self.touch(ObjectPath::new(ObjectKind::Enum, &new_ns, &name.name));
                return Ok(());
            }
            EnumAction::AddAttribute(_)
            | EnumAction::DropAttribute { .. }
            | EnumAction::AlterAttributeType(_)
            | EnumAction::RenameAttribute { .. } => {
                unreachable!("alter_user_type answers the attribute forms")
            }
        }
        self.touch(ObjectPath::new(ObjectKind::Enum, &ns, &name.name));
        Ok(())
    }

    /// `DROP TYPE`: enums, domains, composite types, range types and shell
    /// types.
    pub(super) fn drop_type(&mut self, names: Vec<QName>, if_exists: bool, cascade: bool) -> R<()> {
        for q in names {
            if let Some(ns) = self.find_enum(&q) {
                let tname = qualified(&ns, &q.name);
                self.drop_type_dependents(&tname, &display_q(&q), cascade, "TYPE")?;
                self.ns_mut(&ns).enums.remove(&q.name);
                continue;
            }
            if self.drop_user_type(&q, cascade, false)? {
                continue;
            }
            if self.drop_range(&q, cascade)? {
                continue;
            }
            let shell = self
                .candidate_ns(&q)
                .into_iter()
                .find(|n| self.is_shell(n, &q.name));
            if let Some(nsn) = shell {
                let me = qualified(&nsn, &q.name);
                let users = self.routines_using_type(&me);
                if let Some((rns, sig)) = users.first() {
                    if !cascade {
                        let (n, args) = crate::model::split_signature(sig);
                        return Err(super::help(
                            err(
                                super::DEPENDENT_OBJECTS,
                                format!(
                                    "cannot drop type {} because other objects depend on it (function {}{args})",
                                    display_q(&q),
                                    qualified(rns, n)
                                ),
                            ),
                            "drop the functions first, or use DROP TYPE … CASCADE",
                        ));
                    }
                }
                for (rns, sig) in users {
                    self.ns_mut(&rns).routines.remove(&sig);
                }
                self.shell_types.remove(&(nsn, q.name.clone()));
                continue;
            }
            if !if_exists {
                return Err(err(
                    UNDEFINED_OBJECT,
                    format!("type \"{}\" does not exist", display_q(&q)),
                ));
            }
        }
        Ok(())
    }

    /// `DROP DOMAIN`.
    pub(super) fn drop_domain(
        &mut self,
        names: Vec<QName>,
        if_exists: bool,
        cascade: bool,
    ) -> R<()> {
        for q in names {
            if self.drop_user_type(&q, cascade, true)? {
                continue;
            }
            if self.find_enum(&q).is_some()
                || self
                    .candidate_ns(&q)
                    .iter()
                    .any(|n| self.type_exists_in(n, &q.name))
            {
                return Err(err(
                    WRONG_OBJECT_TYPE,
                    format!("\"{}\" is not a domain", display_q(&q)),
                ));
            }
            if !if_exists {
                return Err(err(
                    UNDEFINED_OBJECT,
                    format!("type \"{}\" does not exist", display_q(&q)),
                ));
            }
        }
        Ok(())
    }

    pub(super) fn type_exists_in(&self, ns: &str, name: &str) -> bool {
        let Some(n) = self.schema.namespaces.get(ns) else {
            return false;
        };
        if n.enums.contains_key(name)
            || n.domains.contains_key(name)
            || n.composites.contains_key(name)
            || n.ranges.contains_key(name)
            || self.is_multirange(ns, name)
            || self.relation_taken(ns, name)
        {
            return true;
        }
        let qn = format!("{}.{}", quote_ident(ns), quote_ident(name));
        [UnmanagedKind::Domain, UnmanagedKind::CompositeType]
            .into_iter()
            .any(|kind| {
                self.schema.unmanaged.contains(&Unmanaged {
                    kind,
                    name: qn.clone(),
                })
            })
    }

    /// Checks that a canonical type exists; enums, domains, composite
    /// types, tables (row types) and extension types count.
    pub(super) fn check_type(&self, data_type: &str) -> R<()> {
        let base = base_type(data_type);
        if is_builtin_type(&base) {
            return Ok(());
        }
        let (ns, name) = split_qualified(&base);
        let candidates: Vec<String> = match &ns {
            Some(s) => vec![s.clone()],
            None => {
                let mut v = self.search_namespaces();
                if !v.contains(&"public".to_string()) {
                    v.push("public".to_string());
                }
                v
            }
        };
        for nsn in &candidates {
            if let Some(n) = self.schema.namespaces.get(nsn) {
                if user_type_in(n, &name) || self.is_multirange(nsn, &name) {
                    return Ok(());
                }
            }
            if self.is_shell(nsn, &name) {
                return Err(err(
                    UNDEFINED_OBJECT,
                    format!("type \"{name}\" is only a shell"),
                ));
            }
            let qn = format!("{}.{}", quote_ident(nsn), quote_ident(&name));
            for kind in [
                UnmanagedKind::Domain,
                UnmanagedKind::CompositeType,
                UnmanagedKind::View,
            ] {
                if self.schema.unmanaged.contains(&Unmanaged {
                    kind,
                    name: qn.clone(),
                }) {
                    return Ok(());
                }
            }
        }
        if self.has_extensions() {
            // Extension types (citext, vector, geometry, …) are not modelled.
            return Ok(());
        }
        Err(err(
            UNDEFINED_OBJECT,
            format!("type \"{base}\" does not exist"),
        ))
    }

    /// Canonical type text as stored in the model: qualified relative to
    /// `public` after resolving an unqualified user type with the search path.
    pub(super) fn resolve_type(&self, data_type: &str) -> String {
        let base = base_type(data_type);
        if is_builtin_type(&base) {
            return data_type.to_string();
        }
        let (ns, name) = split_qualified(&base);
        if ns.is_some() {
            return data_type.to_string();
        }
        let has = |n: &str| {
            self.schema
                .namespaces
                .get(n)
                .is_some_and(|x| user_type_in(x, &name))
                || self.is_multirange(n, &name)
                || self.is_shell(n, &name)
        };
        let found = self.search_namespaces().into_iter().find(|n| has(n));
        self.note_user_dependence(found.as_deref(), &has);
        for nsn in self.search_namespaces() {
            if has(&nsn) {
                if nsn == "public" {
                    return data_type.to_string();
                }
                return format!("{}.{}", quote_ident(&nsn), data_type);
            }
        }
        data_type.to_string()
    }

    pub(super) fn columns_using_type(&self, canonical: &str) -> Vec<(String, String, String)> {
        let mut v = Vec::new();
        for (nsn, ns) in &self.schema.namespaces {
            for (tn, t) in &ns.tables {
                for c in &t.columns {
                    if base_type(&c.data_type) == canonical {
                        v.push((nsn.clone(), tn.clone(), c.name.clone()));
                    }
                }
            }
        }
        v
    }

    pub(super) fn retype_columns(&mut self, from: &str, to: &str) {
        for n in self.schema.namespaces.values_mut() {
            for t in n.tables.values_mut() {
                for c in t.columns.iter_mut() {
                    if base_type(&c.data_type) == from {
                        c.data_type = format!("{to}{}", &c.data_type[from.len()..]);
                    }
                }
            }
        }
        // The server prints the type's new name wherever an expression
        // casts to it (it keeps the type's OID).
        self.each_expression(|e| {
            crate::expression::replace_in_server_text(e, &format!("::{from}"), &format!("::{to}"))
        });
    }
}

/// Whether `name` is a type of namespace `n` that the model holds: an
/// enum, a domain, a composite type, a range type, or a table's row type
/// (multiranges are found through their range: [`Replayer::is_multirange`]).
fn user_type_in(n: &crate::model::Namespace, name: &str) -> bool {
    n.enums.contains_key(name)
        || n.domains.contains_key(name)
        || n.composites.contains_key(name)
        || n.ranges.contains_key(name)
        || n.tables.contains_key(name)
}

/// A type without array brackets and modifiers: `character varying(10)[]`
/// → `character varying`; `"Foo"[]` → `"Foo"`.
pub(crate) fn base_type(t: &str) -> String {
    let mut s = t.trim();
    while let Some(x) = s.strip_suffix("[]") {
        s = x.trim_end();
    }
    // Remove a (…) modifier that is not inside quotes.
    let mut out = String::with_capacity(s.len());
    let mut in_q = false;
    let mut depth = 0;
    for ch in s.chars() {
        match ch {
            '"' => {
                in_q = !in_q;
                out.push(ch);
            }
            '(' if !in_q => depth += 1,
            ')' if !in_q => depth -= 1,
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn is_builtin_type(base: &str) -> bool {
    const BUILTIN: &[&str] = &[
        "\"char\"",
        "bigint",
        "bit",
        "bit varying",
        "boolean",
        "box",
        "bpchar",
        "bytea",
        "character",
        "character varying",
        "cid",
        "cidr",
        "circle",
        "date",
        "datemultirange",
        "daterange",
        "double precision",
        "gtsvector",
        "inet",
        "int2vector",
        "int4multirange",
        "int4range",
        "int8multirange",
        "int8range",
        "integer",
        "interval",
        "json",
        "jsonb",
        "jsonpath",
        "line",
        "lseg",
        "macaddr",
        "macaddr8",
        "money",
        "name",
        "numeric",
        "nummultirange",
        "numrange",
        "oid",
        "oidvector",
        "path",
        "pg_lsn",
        "pg_snapshot",
        "point",
        "polygon",
        "real",
        "record",
        "refcursor",
        "regclass",
        "regcollation",
        "regconfig",
        "regdictionary",
        "regnamespace",
        "regoper",
        "regoperator",
        "regproc",
        "regprocedure",
        "regrole",
        "regtype",
        "smallint",
        "text",
        "tid",
        "time with time zone",
        "time without time zone",
        "timestamp with time zone",
        "timestamp without time zone",
        "tsmultirange",
        "tsquery",
        "tsrange",
        "tstzmultirange",
        "tstzrange",
        "tsvector",
        "txid_snapshot",
        "uuid",
        "xid",
        "xid8",
        "xml",
        "anyelement",
        "anyarray",
        "void",
        "trigger",
        "event_trigger",
    ];
    if BUILTIN.contains(&base) {
        return true;
    }
    // interval with fields: `interval year to month`, …
    base.starts_with("interval ") || base.starts_with("pg_catalog.")
}
