//! Range types (`typecmds.c` `DefineRange`) and shell types (`CREATE TYPE
//! name`, `TypeShellMake`): the range's checks in the server's order, its
//! multirange type's name (`makeMultirangeTypeName`), and what uses a
//! range or its multirange when either is dropped, renamed or moved.

use crate::catalog::Catalog;
use crate::model::{qualified, ObjectKind, ObjectPath, ObjectRef, RangeType, Volatility};
use crate::parse::{QName, RangeParam};

use super::types::base_type;
use super::{
    display_q, err, help, Replayer, DUPLICATE_OBJECT, INVALID_OBJECT_DEFINITION, R, SYNTAX_ERROR,
    UNDEFINED_OBJECT, WRONG_OBJECT_TYPE,
};

const DATATYPE_MISMATCH: &str = "42804";
const UNDEFINED_FUNCTION: &str = "42883";

/// PostgreSQL 15's btree operator classes: (name, input type as
/// `format_type` prints it, `opcdefault`), read from `pg_opclass` where
/// `opcmethod` is btree.
const BTREE_OPCLASSES: &[(&str, &str, bool)] = &[
    ("array_ops", "anyarray", true),
    ("bit_ops", "bit", true),
    ("bool_ops", "boolean", true),
    ("bpchar_ops", "character", true),
    ("bpchar_pattern_ops", "character", false),
    ("bytea_ops", "bytea", true),
    ("char_ops", "\"char\"", true),
    ("cidr_ops", "inet", false),
    ("date_ops", "date", true),
    ("enum_ops", "anyenum", true),
    ("float4_ops", "real", true),
    ("float8_ops", "double precision", true),
    ("inet_ops", "inet", true),
    ("int2_ops", "smallint", true),
    ("int4_ops", "integer", true),
    ("int8_ops", "bigint", true),
    ("interval_ops", "interval", true),
    ("jsonb_ops", "jsonb", true),
    ("macaddr8_ops", "macaddr8", true),
    ("macaddr_ops", "macaddr", true),
    ("money_ops", "money", true),
    ("multirange_ops", "anymultirange", true),
    ("name_ops", "name", true),
    ("numeric_ops", "numeric", true),
    ("oid_ops", "oid", true),
    ("oidvector_ops", "oidvector", true),
    ("pg_lsn_ops", "pg_lsn", true),
    ("range_ops", "anyrange", true),
    ("record_image_ops", "record", false),
    ("record_ops", "record", true),
    ("text_ops", "text", true),
    ("text_pattern_ops", "text", false),
    ("tid_ops", "tid", true),
    ("time_ops", "time without time zone", true),
    ("timestamp_ops", "timestamp without time zone", true),
    ("timestamptz_ops", "timestamp with time zone", true),
    ("timetz_ops", "time with time zone", true),
    ("tsquery_ops", "tsquery", true),
    ("tsvector_ops", "tsvector", true),
    ("uuid_ops", "uuid", true),
    ("varbit_ops", "bit varying", true),
    ("varchar_ops", "text", false),
    ("varchar_pattern_ops", "text", false),
    ("xid8_ops", "xid8", true),
];

/// What a subtype is, as far as choosing its operator class and collation
/// goes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum SubtypeClass {
    /// A built-in type (its `format_type` text), or a domain's base type.
    Builtin(String),
    Enum,
    Array,
    Range,
    Multirange,
    Composite,
    /// A type strata does not know (an extension's): nothing is checked.
    Unknown,
}

/// `makeMultirangeTypeName`: the first `range` in the name becomes
/// `multirange`, else `_multirange` is appended (the name cut to leave
/// room), clipped to 63 bytes.
pub(crate) fn multirange_name(range: &str) -> String {
    let full = match range.find("range") {
        Some(i) => format!("{}multi{}", &range[..i], &range[i..]),
        None => {
            let cut = crate::names::truncate_identifier_to(range, 63 - 11);
            format!("{cut}_multirange")
        }
    };
    crate::names::truncate_identifier_to(&full, 63)
}

/// A type's text without its modifiers (`character varying(10)` →
/// `character varying`), array brackets kept: `format_type(oid, NULL)`.
fn without_typmod(t: &str) -> String {
    let mut dims = String::new();
    let mut s = t.trim();
    while let Some(x) = s.strip_suffix("[]") {
        s = x.trim_end();
        dims.push_str("[]");
    }
    format!("{}{dims}", base_type(s))
}

impl Replayer {
    pub(super) fn find_range(&self, q: &QName) -> Option<String> {
        self.find_ns(q, |ns| ns.ranges.contains_key(&q.name))
    }

    /// The range whose multirange type is `ns.name`: (range namespace,
    /// range name).
    pub(super) fn range_of_multirange(&self, ns: &str, name: &str) -> Option<(String, String)> {
        let mut index = self.multiranges.borrow_mut();
        let index = index.get_or_insert_with(|| {
            let mut m = std::collections::BTreeMap::new();
            for (rns, n) in &self.schema.namespaces {
                for (rn, r) in &n.ranges {
                    m.insert(
                        (r.multirange.schema.clone(), r.multirange.name.clone()),
                        (rns.clone(), rn.clone()),
                    );
                }
            }
            m
        });
        index.get(&(ns.to_string(), name.to_string())).cloned()
    }

    /// Ranges were renamed, moved or dropped: the multirange index is
    /// built again when next needed.
    pub(super) fn ranges_changed(&self) {
        *self.multiranges.borrow_mut() = None;
    }

    /// Whether `ns.name` is a multirange type of the model.
    pub(super) fn is_multirange(&self, ns: &str, name: &str) -> bool {
        self.range_of_multirange(ns, name).is_some()
    }

    pub(super) fn is_shell(&self, ns: &str, name: &str) -> bool {
        self.shell_types
            .contains(&(ns.to_string(), name.to_string()))
    }

    /// `CREATE TYPE name` (`DefineType` without parameters).
    pub(super) fn create_shell_type(&mut self, name: QName) -> R<()> {
        let ns = self.creation_ns(&name)?;
        if self.type_exists_in(&ns, &name.name) || self.is_shell(&ns, &name.name) {
            return Err(err(
                DUPLICATE_OBJECT,
                format!("type \"{}\" already exists", name.name),
            ));
        }
        self.shell_types.insert((ns, name.name));
        Ok(())
    }

    /// `CREATE TYPE name AS RANGE (…)`: `DefineRange`'s checks in its
    /// order.
    pub(super) fn create_range(&mut self, name: QName, params: Vec<RangeParam>) -> R<()> {
        let ns = self.creation_ns(&name)?;
        let shell = self.is_shell(&ns, &name.name);
        if !shell && self.type_exists_in(&ns, &name.name) {
            return Err(err(
                DUPLICATE_OBJECT,
                format!("type \"{}\" already exists", name.name),
            ));
        }
        let conflicting = || err(SYNTAX_ERROR, "conflicting or redundant options");
        let mut subtype: Option<String> = None;
        let mut opclass: Option<QName> = None;
        let mut collation: Option<QName> = None;
        let mut canonical: Option<QName> = None;
        let mut diff: Option<QName> = None;
        let mut multirange: Option<(String, String)> = None;
        for p in params {
            match p {
                RangeParam::Subtype(t) => {
                    if subtype.is_some() {
                        return Err(conflicting());
                    }
                    self.check_type(&t)?;
                    subtype = Some(without_typmod(&self.resolve_type(&t)));
                }
                RangeParam::SubtypeOpclass(q) => {
                    if opclass.replace(q).is_some() {
                        return Err(conflicting());
                    }
                }
                RangeParam::Collation(q) => {
                    if collation.replace(q).is_some() {
                        return Err(conflicting());
                    }
                }
                RangeParam::Canonical(q) => {
                    if canonical.replace(q).is_some() {
                        return Err(conflicting());
                    }
                }
                RangeParam::SubtypeDiff(q) => {
                    if diff.replace(q).is_some() {
                        return Err(conflicting());
                    }
                }
                RangeParam::MultirangeTypeName(q) => {
                    if multirange.is_some() {
                        return Err(conflicting());
                    }
                    let mns = self.creation_ns(&q)?;
                    multirange = Some((mns, q.name));
                }
                RangeParam::Unknown(k) => {
                    return Err(err(
                        SYNTAX_ERROR,
                        format!("type attribute \"{k}\" not recognized"),
                    ));
                }
            }
        }
        let Some(subtype) = subtype else {
            return Err(err(SYNTAX_ERROR, "type attribute \"subtype\" is required"));
        };
        if super::routine::PSEUDO_TYPES.contains(&subtype.as_str()) {
            return Err(err(
                DATATYPE_MISMATCH,
                format!("range subtype cannot be {subtype}"),
            ));
        }
        let class = self.subtype_class(&subtype);
        let subtype_opclass = self.range_opclass(opclass.as_ref(), &subtype, &class)?;
        let collation = self.range_collation(collation.as_ref(), &subtype, &class)?;
        let canonical = match canonical {
            Some(q) => {
                if !shell {
                    return Err(help(
                        err(
                            INVALID_OBJECT_DEFINITION,
                            "cannot specify a canonical function without a pre-created shell type",
                        ),
                        "Create the type as a shell type, then create its canonicalization function, then do a full CREATE TYPE.",
                    ));
                }
                let me = qualified(&ns, &name.name);
                Some(self.range_function(
                    &q,
                    std::slice::from_ref(&me),
                    &me,
                    "range canonical function",
                    false,
                )?)
            }
            None => None,
        };
        let subtype_diff = match diff {
            Some(q) => Some(self.range_function(
                &q,
                &[subtype.clone(), subtype.clone()],
                "double precision",
                "range subtype diff function",
                true,
            )?),
            None => None,
        };
        let (mns, mname) = match multirange {
            Some(m) => m,
            None => (ns.clone(), multirange_name(&name.name)),
        };
        if mns == ns && mname == name.name {
            // The server meets its own range's pg_type row.
            return Err(err(
                "23505",
                "duplicate key value violates unique constraint \"pg_type_typname_nsp_index\"",
            ));
        }
        if self.type_exists_in(&mns, &mname) || self.is_shell(&mns, &mname) {
            return Err(err(
                DUPLICATE_OBJECT,
                format!("type \"{mname}\" already exists"),
            ));
        }
        self.shell_types.remove(&(ns.clone(), name.name.clone()));
        if let Some(index) = self.multiranges.borrow_mut().as_mut() {
            index.insert(
                (mns.clone(), mname.clone()),
                (ns.clone(), name.name.clone()),
            );
        }
        let acl = self.initial_acl(crate::model::DefaultAclObject::Types, Some(&ns));
        let owner = self.creator();
        self.ns_mut(&ns).ranges.insert(
            name.name.clone(),
            RangeType {
                subtype,
                subtype_opclass,
                collation,
                canonical,
                subtype_diff,
                multirange: ObjectRef::new(&mns, &mname),
                comment: None,
                acl,
                owner,
            },
        );
        self.touch(ObjectPath::new(ObjectKind::Range, &ns, &name.name));
        Ok(())
    }

    fn subtype_class(&self, subtype: &str) -> SubtypeClass {
        if subtype.ends_with("[]") {
            return SubtypeClass::Array;
        }
        if Catalog::pg15()
            .types()
            .any(|t| t.display == subtype && t.id < crate::catalog::USER_TYPE_BASE)
        {
            return match subtype {
                "anyarray" => SubtypeClass::Array,
                _ => SubtypeClass::Builtin(subtype.to_string()),
            };
        }
        let (ns, name) = crate::parse::split_qualified(subtype);
        let ns = ns.unwrap_or_else(|| "public".to_string());
        if let Some(n) = self.schema.namespaces.get(&ns) {
            if n.enums.contains_key(&name) {
                return SubtypeClass::Enum;
            }
            if let Some(d) = n.domains.get(&name) {
                return self.subtype_class(&without_typmod(&d.base_type));
            }
            if n.composites.contains_key(&name) || n.tables.contains_key(&name) {
                return SubtypeClass::Composite;
            }
            if n.ranges.contains_key(&name) {
                return SubtypeClass::Range;
            }
        }
        if self.is_multirange(&ns, &name) {
            return SubtypeClass::Multirange;
        }
        SubtypeClass::Unknown
    }

    /// `findRangeSubOpclass`: the named btree operator class, which must
    /// accept the subtype, or the subtype's default one. Kept only when it
    /// is not a default class (as pg_dump writes it).
    fn range_opclass(
        &self,
        name: Option<&QName>,
        subtype: &str,
        class: &SubtypeClass,
    ) -> R<Option<ObjectRef>> {
        let accepts = |input: &str| -> bool {
            match class {
                SubtypeClass::Builtin(t) => {
                    input == t
                        || (input == "text" && matches!(t.as_str(), "character varying"))
                        || (input == "inet" && t == "cidr")
                }
                SubtypeClass::Enum => input == "anyenum",
                SubtypeClass::Array => input == "anyarray",
                SubtypeClass::Range => input == "anyrange",
                SubtypeClass::Multirange => input == "anymultirange",
                SubtypeClass::Composite => input == "record",
                SubtypeClass::Unknown => true,
            }
        };
        match name {
            Some(q) => {
                let builtin = matches!(q.schema.as_deref(), None | Some("pg_catalog"));
                let found = BTREE_OPCLASSES
                    .iter()
                    .find(|(n, _, _)| builtin && *n == q.name);
                let Some((n, input, default)) = found else {
                    if self.has_extensions() || !builtin {
                        return Err(help(
                            err(
                                super::FEATURE_NOT_SUPPORTED,
                                format!(
                                    "operator class \"{}\" is not a built-in btree operator class: strata cannot check it offline",
                                    display_q(q)
                                ),
                            ),
                            "use a built-in operator class, or mark the statement with `-- strata:ignore`",
                        ));
                    }
                    return Err(err(
                        UNDEFINED_OBJECT,
                        format!(
                            "operator class \"{}\" does not exist for access method \"btree\"",
                            display_q(q)
                        ),
                    ));
                };
                if !accepts(input) {
                    return Err(err(
                        DATATYPE_MISMATCH,
                        format!(
                            "operator class \"{}\" does not accept data type {subtype}",
                            display_q(q)
                        ),
                    ));
                }
                Ok((!default).then(|| ObjectRef::new("pg_catalog", n)))
            }
            None => {
                if *class == SubtypeClass::Unknown {
                    return Ok(None);
                }
                if BTREE_OPCLASSES
                    .iter()
                    .any(|(_, input, default)| *default && accepts(input))
                {
                    return Ok(None);
                }
                Err(help(
                    err(
                        UNDEFINED_OBJECT,
                        format!(
                            "data type {subtype} has no default operator class for access method \"btree\""
                        ),
                    ),
                    "You must specify an operator class for the range type or define a default operator class for the subtype.",
                ))
            }
        }
    }

    /// The range's collation: the named one when the subtype is
    /// collatable (kept when it is not the subtype's own), an error when
    /// it is not.
    fn range_collation(
        &self,
        name: Option<&QName>,
        subtype: &str,
        class: &SubtypeClass,
    ) -> R<Option<ObjectRef>> {
        let Some(q) = name else {
            return Ok(None);
        };
        let collatable = match class {
            SubtypeClass::Builtin(t) => Catalog::pg15()
                .types()
                .find(|i| &i.display == t)
                .is_some_and(|i| i.collatable),
            SubtypeClass::Unknown => true,
            _ => false,
        };
        if !collatable {
            return Err(err(
                WRONG_OBJECT_TYPE,
                "range collation specified but subtype does not support collation",
            ));
        }
        let r = match self.find_collation(q) {
            Some(ns) => ObjectRef::new(&ns, &q.name),
            None => {
                if !matches!(q.schema.as_deref(), None | Some("pg_catalog")) {
                    return Err(err(
                        UNDEFINED_OBJECT,
                        format!(
                            "collation \"{}\" for encoding \"UTF8\" does not exist",
                            display_q(q)
                        ),
                    ));
                }
                ObjectRef::new("pg_catalog", &q.name)
            }
        };
        // The subtype's own collation: `default`, or `C` for `name`.
        let own = if subtype == "name" { "C" } else { "default" };
        if r.schema == "pg_catalog" && r.name == own {
            return Ok(None);
        }
        // A domain over a collatable type with its own collation is not
        // followed: the collation is kept as written.
        Ok(Some(r))
    }

    /// `findRangeCanonicalFunction` / `findRangeSubtypeDiffFunction`: a
    /// function of exactly these argument types, returning `returns`,
    /// immutable.
    fn range_function(
        &self,
        q: &QName,
        args: &[String],
        returns: &str,
        what: &str,
        builtin_ok: bool,
    ) -> R<ObjectRef> {
        let shown = format!("{}({})", display_q(q), args.join(", "));
        let key = format!("{}({})", q.name, args.join(", "));
        for nsn in self.candidate_ns(q) {
            let Some(r) = self
                .schema
                .namespaces
                .get(&nsn)
                .and_then(|n| n.routines.get(&key))
            else {
                continue;
            };
            if r.kind != crate::model::RoutineKind::Function {
                continue;
            }
            if r.returns.as_deref() != Some(returns) {
                let msg = if what.starts_with("range canonical") {
                    format!("{what} {shown} must return range type")
                } else {
                    format!("{what} {shown} must return type {returns}")
                };
                return Err(err(INVALID_OBJECT_DEFINITION, msg));
            }
            if r.volatility != Volatility::Immutable {
                return Err(err(
                    INVALID_OBJECT_DEFINITION,
                    format!("{what} {shown} must be immutable"),
                ));
            }
            return Ok(ObjectRef::new(&nsn, &q.name));
        }
        if builtin_ok && matches!(q.schema.as_deref(), None | Some("pg_catalog")) {
            let cat = Catalog::pg15();
            let ids: Option<Vec<u32>> = args
                .iter()
                .map(|a| cat.types().find(|t| &t.display == a).map(|t| t.id))
                .collect();
            if let Some(ids) = ids {
                if let Some(p) = cat
                    .procs_named(&q.name)
                    .find(|p| p.args == ids && p.kind == 'f')
                {
                    if p.result != crate::catalog::oid::FLOAT8 {
                        return Err(err(
                            INVALID_OBJECT_DEFINITION,
                            format!("{what} {shown} must return type {returns}"),
                        ));
                    }
                    if p.volatile != 'i' {
                        return Err(err(
                            INVALID_OBJECT_DEFINITION,
                            format!("{what} {shown} must be immutable"),
                        ));
                    }
                    return Ok(ObjectRef::new("pg_catalog", &q.name));
                }
            }
        }
        if self.has_extensions() && q.schema.is_none() {
            return Err(help(
                err(
                    super::FEATURE_NOT_SUPPORTED,
                    format!("{what} {shown}: an installed extension may define it, which strata does not model"),
                ),
                "qualify the function with its schema, or mark the statement with `-- strata:ignore`",
            ));
        }
        Err(err(
            UNDEFINED_FUNCTION,
            format!("function {shown} does not exist"),
        ))
    }

    /// `ALTER TYPE` of a range (`RENAME TO`, `SET SCHEMA`) or of a
    /// multirange (`RENAME TO`, `SET SCHEMA`). `Ok(false)` when `q` names
    /// neither.
    pub(super) fn alter_range(
        &mut self,
        q: &QName,
        rename: Option<&str>,
        set_schema: Option<&str>,
    ) -> R<bool> {
        if let Some(ns) = self.find_range(q) {
            let old = qualified(&ns, &q.name);
            let (new_ns, new_name) = match (rename, set_schema) {
                (Some(n), _) => (ns.clone(), n.to_string()),
                (None, Some(s)) => {
                    self.check_move_target(s, &q.name)?;
                    (s.to_string(), q.name.clone())
                }
                (None, None) => return Ok(true),
            };
            if rename.is_some() && self.type_exists_in(&ns, &new_name) {
                return Err(err(
                    DUPLICATE_OBJECT,
                    format!("type \"{new_name}\" already exists"),
                ));
            }
            let r = self.ns_mut(&ns).ranges.remove(&q.name).expect("found");
            self.ns_mut(&new_ns).ranges.insert(new_name.clone(), r);
            self.ranges_changed();
            self.retype_range_users(&old, &qualified(&new_ns, &new_name));
            // Functions named after the type keep their name (the
            // constructors are not renamed, as the server leaves them).
            self.touch(ObjectPath::new(ObjectKind::Range, &new_ns, &new_name));
            return Ok(true);
        }
        for ns in self.candidate_ns(q) {
            let Some((rns, rn)) = self.range_of_multirange(&ns, &q.name) else {
                continue;
            };
            let old = qualified(&ns, &q.name);
            let (new_ns, new_name) = match (rename, set_schema) {
                (Some(n), _) => {
                    if self.type_exists_in(&ns, n) {
                        return Err(err(
                            DUPLICATE_OBJECT,
                            format!("type \"{n}\" already exists"),
                        ));
                    }
                    (ns.clone(), n.to_string())
                }
                (None, Some(s)) => {
                    self.check_move_target(s, &q.name)?;
                    (s.to_string(), q.name.clone())
                }
                (None, None) => return Ok(true),
            };
            let r = self.ns_mut(&rns).ranges.get_mut(&rn).expect("found");
            r.multirange = ObjectRef::new(&new_ns, &new_name);
            self.ranges_changed();
            self.retype_range_users(&old, &qualified(&new_ns, &new_name));
            self.touch(ObjectPath::new(ObjectKind::Range, &rns, &rn));
            return Ok(true);
        }
        Ok(false)
    }

    fn check_move_target(&self, new_ns: &str, name: &str) -> R<()> {
        if !self.schema.namespaces.contains_key(new_ns) {
            return Err(err(
                super::INVALID_SCHEMA,
                format!("schema \"{new_ns}\" does not exist"),
            ));
        }
        if self.type_exists_in(new_ns, name) {
            return Err(err(
                DUPLICATE_OBJECT,
                format!("type \"{name}\" already exists in schema \"{new_ns}\""),
            ));
        }
        Ok(())
    }

    /// Every column, attribute, domain, range subtype and routine typed
    /// `from` now says `to`.
    fn retype_range_users(&mut self, from: &str, to: &str) {
        self.retype_user(from, to);
        let swap = |t: &mut String| {
            if base_type(t) == from {
                *t = format!("{to}{}", &t[from.len()..]);
            }
        };
        for n in self.schema.namespaces.values_mut() {
            for r in n.ranges.values_mut() {
                swap(&mut r.subtype);
            }
        }
    }

    /// Routines whose arguments or result use the type `canonical` (or an
    /// array of it): (namespace, signature).
    pub(super) fn routines_using_type(&self, canonical: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (nsn, n) in &self.schema.namespaces {
            for (sig, r) in &n.routines {
                let uses = r.args.iter().any(|a| base_type(&a.data_type) == canonical)
                    || r.returns.as_deref().is_some_and(|t| {
                        let t = t.strip_prefix("SETOF ").unwrap_or(t);
                        base_type(t) == canonical
                    });
                if uses {
                    out.push((nsn.clone(), sig.clone()));
                }
            }
        }
        out
    }

    /// `DROP TYPE` of a range: refused (2BP01) while something uses it or
    /// its multirange, unless CASCADE, which drops those. `Ok(false)` when
    /// `q` names no range.
    pub(super) fn drop_range(&mut self, q: &QName, cascade: bool) -> R<bool> {
        let Some(ns) = self.find_range(q) else {
            for ns in self.candidate_ns(q) {
                if let Some((rns, rn)) = self.range_of_multirange(&ns, &q.name) {
                    return Err(help(
                        err(
                            super::DEPENDENT_OBJECTS,
                            format!(
                                "cannot drop type {} because type {} requires it",
                                display_q(q),
                                qualified(&rns, &rn)
                            ),
                        ),
                        format!("You can drop type {} instead.", qualified(&rns, &rn)),
                    ));
                }
            }
            return Ok(false);
        };
        let r = self.schema.namespaces[&ns].ranges[&q.name].clone();
        let me = qualified(&ns, &q.name);
        let multi = qualified(&r.multirange.schema, &r.multirange.name);
        let shown = display_q(q);
        // Functions over the range or its multirange, the canonical
        // function among them.
        let mut routines = self.routines_using_type(&me);
        routines.extend(self.routines_using_type(&multi));
        let ranges_over: Vec<(String, String)> = self
            .schema
            .namespaces
            .iter()
            .flat_map(|(nsn, n)| {
                n.ranges
                    .iter()
                    .filter(|(_, x)| {
                        let b = base_type(&x.subtype);
                        b == me || b == multi
                    })
                    .map(move |(rn, _)| (nsn.clone(), rn.clone()))
            })
            .collect();
        if !cascade {
            let first = self
                .columns_using_type(&me)
                .into_iter()
                .chain(self.columns_using_type(&multi))
                .next()
                .map(|(_, t, c)| format!("column {c} of table {t}"))
                .or_else(|| {
                    self.type_users(&me)
                        .into_iter()
                        .chain(self.type_users(&multi))
                        .next()
                        .map(|u| u.0)
                })
                .or_else(|| {
                    routines.first().map(|(rns, sig)| {
                        let (n, args) = crate::model::split_signature(sig);
                        format!("function {}{args}", qualified(rns, n))
                    })
                })
                .or_else(|| {
                    ranges_over
                        .first()
                        .map(|(rns, rn)| format!("type {}", qualified(rns, rn)))
                });
            if let Some(first) = first {
                return Err(help(
                    err(
                        super::DEPENDENT_OBJECTS,
                        format!(
                            "cannot drop type {shown} because other objects depend on it ({first})"
                        ),
                    ),
                    "change or drop what uses the type first, or use DROP TYPE … CASCADE",
                ));
            }
        } else {
            self.drop_type_dependents(&me, &shown, true, "TYPE")?;
            self.drop_type_dependents(&multi, &shown, true, "TYPE")?;
            for (rns, sig) in routines {
                self.ns_mut(&rns).routines.remove(&sig);
            }
            for (rns, rn) in ranges_over {
                let q = QName {
                    schema: Some(rns),
                    name: rn,
                };
                self.drop_range(&q, true)?;
            }
        }
        self.ns_mut(&ns).ranges.remove(&q.name);
        self.ranges_changed();
        Ok(true)
    }

    /// The range types that name routine `ns.name` as their canonical or
    /// subtype_diff function (for DROP FUNCTION): "type x".
    pub(super) fn ranges_calling(&self, ns: &str, name: &str, args: &[String]) -> Option<String> {
        for (rns, n) in &self.schema.namespaces {
            for (rn, r) in &n.ranges {
                let me = qualified(rns, rn);
                let uses = |f: &Option<ObjectRef>, want: Vec<String>| {
                    f.as_ref().is_some_and(|f| {
                        f.schema == ns && f.name == name && args == want.as_slice()
                    })
                };
                if uses(&r.canonical, vec![me.clone()])
                    || uses(&r.subtype_diff, vec![r.subtype.clone(), r.subtype.clone()])
                {
                    return Some(format!("type {me}"));
                }
            }
        }
        None
    }
}
