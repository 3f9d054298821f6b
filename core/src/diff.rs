//! Typed differences between two schemas, and their readable rendering.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::Serialize;

mod aggregate;
mod event_trigger;
mod foreign;
mod operator;
pub mod owner;
mod privilege;
mod publication;
mod range;
mod rule;
mod statistics;
mod view;
pub use aggregate::aggregate_path;
pub use foreign::render_mapping;
pub use operator::operator_path;
pub use privilege::default_acl_path;
use privilege::diff_acl;
pub use rule::render_rule;
pub use view::{render_view, view_path};

use crate::model::{
    qualified, qualified_sql, quote_ident, quote_literal, AclKind, Column, Constraint,
    ConstraintKind, EnumType, Expression, Index, IndexKey, IndexKeyExpr, ObjectKind, ObjectPath,
    Policy, Schema, Sequence, Table,
};

/// One way two schemas differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    pub path: ObjectPath,
    #[serde(flatten)]
    pub change: Change,
    /// The difference concerns security: who may read or write which rows
    /// (a policy, row level security), or what a function runs as
    /// (`SECURITY DEFINER`, the configuration of such a function). Reports
    /// tag it; `--fail-on security` fails only on these. Set by
    /// [`mark_security`] after the comparison; [`Difference::security`] sets
    /// it on any difference.
    pub security: bool,
}

impl Difference {
    pub fn new(path: ObjectPath, change: Change) -> Difference {
        Difference {
            path,
            change,
            security: false,
        }
    }

    /// The same difference, marked as concerning security.
    pub fn security(mut self) -> Difference {
        self.security = true;
        self
    }

    /// The changed or unproven property's name, if any.
    pub fn field(&self) -> Option<&str> {
        match &self.change {
            Change::Changed { field, .. } | Change::Unproven { field, .. } => Some(field),
            Change::Missing { .. } | Change::Unexpected { .. } => None,
        }
    }
}

/// Whether a difference between `expected` and `found` concerns security:
/// anything about a row-level security policy; a table's row level
/// security, forced or not; a function's or procedure's `SECURITY
/// DEFINER`; the configuration (`SET search_path …`) of a function that is
/// `SECURITY DEFINER` on either side; a `SECURITY DEFINER` function missing
/// or unexpected; a privilege of any object, and default privileges. The
/// one place the rule lives: a new kind of security difference adds an arm
/// here, or marks its differences with [`Difference::security`].
pub fn is_security(d: &Difference, expected: &Schema, found: &Schema) -> bool {
    let p = &d.path;
    match p.kind {
        // A user mapping holds credentials.
        ObjectKind::Policy | ObjectKind::DefaultPrivileges | ObjectKind::UserMapping => true,
        // The owner holds every privilege and passes row level security
        // unless it is forced.
        _ if d.field() == Some(owner::FIELD) => true,
        _ if d
            .field()
            .is_some_and(|f| f.starts_with(privilege::FIELD_PREFIX)) =>
        {
            true
        }
        ObjectKind::Table => matches!(
            d.field(),
            Some("row level security" | "forced row level security")
        ),
        ObjectKind::Function | ObjectKind::Procedure => {
            let definer = |s: &Schema| {
                s.namespaces
                    .get(&p.namespace)
                    .and_then(|n| n.routines.get(&p.name))
                    .is_some_and(|r| r.security_definer)
            };
            let either = definer(expected) || definer(found);
            match d.field() {
                Some("security definer") => true,
                Some("configuration") => either,
                None => either,
                Some(_) => false,
            }
        }
        _ => false,
    }
}

/// Marks every difference [`is_security`] names.
pub fn mark_security(ds: &mut [Difference], expected: &Schema, found: &Schema) {
    for d in ds {
        if is_security(d, expected, found) {
            d.security = true;
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum Change {
    /// Expected, not found.
    Missing { expected: String },
    /// Found, not expected.
    Unexpected { found: String },
    /// Both have it; one property differs.
    Changed {
        field: String,
        expected: String,
        found: String,
    },
    /// Both have it; strata cannot prove one property equal (an expression
    /// it cannot work out offline). Counted as a difference.
    Unproven {
        field: String,
        expected: String,
        found: String,
        reason: String,
    },
}

impl Change {
    /// For a changed or unproven property: what to say of it (`type
    /// differs`, `cannot prove the default equal: why`), the expected and
    /// the found value. `None` for an object one side lacks.
    pub fn property(&self) -> Option<(String, &str, &str)> {
        match self {
            Change::Changed {
                field,
                expected,
                found,
            } => Some((differs(field), expected, found)),
            Change::Unproven {
                field,
                expected,
                found,
                reason,
            } => Some((
                format!("cannot prove the {field} equal: {reason}"),
                expected,
                found,
            )),
            Change::Missing { .. } | Change::Unexpected { .. } => None,
        }
    }
}

/// `type differs`, `values differ`, `operator class differs`: the verb
/// agrees with the property.
pub fn differs(field: &str) -> String {
    if field.ends_with('s') && !field.ends_with("ss") && !field.starts_with(privilege::FIELD_PREFIX)
    {
        format!("{field} differ")
    } else {
        format!("{field} differs")
    }
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.change {
            Change::Missing { .. } => write!(f, "{}: missing", self.path),
            Change::Unexpected { .. } => write!(f, "{}: unexpected", self.path),
            Change::Changed {
                field,
                expected,
                found,
            } => {
                write!(
                    f,
                    "{}: {} (expected {expected}, found {found})",
                    self.path,
                    differs(field)
                )
            }
            Change::Unproven {
                field,
                expected,
                found,
                reason,
            } => {
                write!(
                    f,
                    "{}: cannot prove {field} equal (expected {expected}, found {found}): {reason}",
                    self.path
                )
            }
        }
    }
}

/// What to compare.
#[derive(Debug, Clone, Copy, Default)]
pub struct DiffOptions {
    /// Compare the position of columns too (replay against the server of
    /// the same files); off when comparing a declared schema with a history,
    /// where columns added later naturally come last.
    pub column_order: bool,
    /// Compare owners too (`--owners`): off by default, since a schema is
    /// the same whoever owns it, and offline the owner is usually the role
    /// running the migrations (see [`crate::model::Owner`]).
    pub owners: bool,
}

/// Every difference between `expected` and `found`, in a stable order.
pub fn diff(expected: &Schema, found: &Schema, opts: DiffOptions) -> Vec<Difference> {
    let mut out = Vec::new();
    let d = &mut out;
    // Extensions.
    for (name, e, f) in pairs(&expected.extensions, &found.extensions) {
        let p = ObjectPath::new(ObjectKind::Extension, "", name);
        match (e, f) {
            (Some(_), None) => d.push(missing(
                p,
                format!("CREATE EXTENSION {}", quote_ident(name)),
            )),
            (None, Some(_)) => d.push(unexpected(p, format!("extension {}", quote_ident(name)))),
            (Some(e), Some(f)) => {
                field(d, &p, "schema", &e.namespace, &f.namespace);
                if let (Some(ev), Some(fv)) = (&e.version, &f.version) {
                    field(d, &p, "version", ev, fv);
                }
            }
            (None, None) => {}
        }
    }
    event_trigger::diff_event_triggers(d, expected, found);
    foreign::diff_foreign(d, expected, found);
    publication::diff_publications(d, expected, found);
    for (nsn, e, f) in pairs(&expected.namespaces, &found.namespaces) {
        let p = ObjectPath::new(ObjectKind::Namespace, "", nsn);
        let (e, f) = match (e, f) {
            (Some(e), None) => {
                d.push(missing(p, format!("CREATE SCHEMA {}", quote_ident(nsn))));
                let _ = e;
                continue;
            }
            (None, Some(_)) => {
                d.push(unexpected(p, format!("schema {}", quote_ident(nsn))));
                continue;
            }
            (Some(e), Some(f)) => (e, f),
            (None, None) => continue,
        };
        opt_field(d, &p, "comment", &e.comment, &f.comment);
        diff_acl(d, &p, AclKind::Namespace, &e.acl, &f.acl, "");
        for (name, e, f) in pairs(&e.enums, &f.enums) {
            let p = ObjectPath::new(ObjectKind::Enum, nsn, name);
            match (e, f) {
                (Some(e), None) => d.push(missing(p, render_enum(nsn, name, e))),
                (None, Some(f)) => d.push(unexpected(p, render_enum(nsn, name, f))),
                (Some(e), Some(f)) => {
                    field(
                        d,
                        &p,
                        "values",
                        &render_values(&e.values),
                        &render_values(&f.values),
                    );
                    opt_field(d, &p, "comment", &e.comment, &f.comment);
                    diff_acl(d, &p, AclKind::Type, &e.acl, &f.acl, "");
                }
                (None, None) => {}
            }
        }
        statistics::diff_statistics(d, nsn, e, f);
        for (name, e, f) in pairs(&e.collations, &f.collations) {
            let p = ObjectPath::new(ObjectKind::Collation, nsn, name);
            match (e, f) {
                (Some(e), None) => d.push(missing(
                    p,
                    crate::ddl::collation_sql(&qualified(nsn, name), e),
                )),
                (None, Some(f)) => d.push(unexpected(
                    p,
                    crate::ddl::collation_sql(&qualified(nsn, name), f),
                )),
                (Some(e), Some(f)) => {
                    field(d, &p, "provider", &e.provider, &f.provider);
                    opt_field(d, &p, "lc_collate", &e.lc_collate, &f.lc_collate);
                    opt_field(d, &p, "lc_ctype", &e.lc_ctype, &f.lc_ctype);
                    opt_field(d, &p, "ICU locale", &e.icu_locale, &f.icu_locale);
                    field(
                        d,
                        &p,
                        "deterministic",
                        &yes_no(e.deterministic),
                        &yes_no(f.deterministic),
                    );
                    opt_field(d, &p, "comment", &e.comment, &f.comment);
                }
                (None, None) => {}
            }
        }
        for (name, e, f) in pairs(&e.domains, &f.domains) {
            let p = ObjectPath::new(ObjectKind::Domain, nsn, name);
            match (e, f) {
                (Some(_), None) => d.push(missing(p.clone(), p.to_string())),
                (None, Some(_)) => d.push(unexpected(p.clone(), p.to_string())),
                (Some(e), Some(f)) => diff_domain(d, &p, e, f),
                (None, None) => {}
            }
        }
        range::diff_ranges(d, nsn, e, f);
        for (name, e, f) in pairs(&e.composites, &f.composites) {
            let p = ObjectPath::new(ObjectKind::Type, nsn, name);
            match (e, f) {
                (Some(_), None) => d.push(missing(p.clone(), p.to_string())),
                (None, Some(_)) => d.push(unexpected(p.clone(), p.to_string())),
                (Some(e), Some(f)) => diff_composite(d, &p, e, f),
                (None, None) => {}
            }
        }
        for (name, e, f) in pairs(&e.sequences, &f.sequences) {
            let p = ObjectPath::new(ObjectKind::Sequence, nsn, name);
            match (e, f) {
                (Some(e), None) => d.push(missing(p, render_sequence(nsn, name, e))),
                (None, Some(f)) => d.push(unexpected(p, render_sequence(nsn, name, f))),
                (Some(e), Some(f)) => diff_sequence(d, &p, e, f),
                (None, None) => {}
            }
        }
        for (key, e, f) in pairs(&e.routines, &f.routines) {
            let kind = e
                .or(f)
                .map_or(crate::model::RoutineKind::Function, |r| r.kind);
            let p = ObjectPath::new(
                match kind {
                    crate::model::RoutineKind::Function => ObjectKind::Function,
                    crate::model::RoutineKind::Procedure => ObjectKind::Procedure,
                },
                nsn,
                key,
            );
            match (e, f) {
                (Some(_), None) => d.push(missing(p.clone(), p.to_string())),
                (None, Some(_)) => d.push(unexpected(p.clone(), p.to_string())),
                (Some(e), Some(f)) => diff_routine(d, &p, e, f),
                (None, None) => {}
            }
        }
        operator::diff_operators(d, nsn, &e.operators, &f.operators);
        aggregate::diff_aggregates(d, nsn, &e.aggregates, &f.aggregates);
        view::diff_views(d, nsn, &e.views, &f.views);
        for (name, e, f) in pairs(&e.tables, &f.tables) {
            let p = ObjectPath::new(ObjectKind::Table, nsn, name);
            match (e, f) {
                (Some(_), None) => {
                    d.push(missing(p, format!("CREATE TABLE {}", qualified(nsn, name))))
                }
                (None, Some(_)) => d.push(unexpected(p, format!("table {}", qualified(nsn, name)))),
                (Some(e), Some(f)) => diff_table(d, nsn, name, e, f, opts),
                (None, None) => {}
            }
        }
    }
    for u in expected.unmanaged.difference(&found.unmanaged) {
        d.push(missing(unmanaged_path(u), u.to_string()));
    }
    for u in found.unmanaged.difference(&expected.unmanaged) {
        d.push(unexpected(unmanaged_path(u), u.to_string()));
    }
    // Kept by name on both sides: equal only when both were read offline
    // from the same tokens; otherwise strata cannot say (never equal by
    // assumption).
    for u in expected.unmanaged.intersection(&found.unmanaged) {
        let (e, f) = (
            expected.unmanaged_definitions.get(u),
            found.unmanaged_definitions.get(u),
        );
        if e.is_some() && e == f {
            continue;
        }
        let why = match (e, f) {
            (Some(_), Some(_)) => "the two statements that create it differ",
            _ => "strata keeps it by name only and does not read its definition from a database",
        };
        d.push(Difference {
            path: unmanaged_path(u),
            change: Change::Unproven {
                field: "definition".to_string(),
                expected: e.cloned().unwrap_or_else(|| "(not read)".to_string()),
                found: f.cloned().unwrap_or_else(|| "(not read)".to_string()),
                reason: format!("{} {}: {why}", u.kind.label(), u.name),
            },
            security: false,
        });
    }
    privilege::diff_default_acls(d, &expected.default_privileges, &found.default_privileges);
    if opts.owners {
        owner::diff_owners(d, expected, found, None);
    }
    mark_security(&mut out, expected, found);
    out
}

/// A domain, property by property; its checks by name.
fn diff_domain(
    d: &mut Vec<Difference>,
    p: &ObjectPath,
    e: &crate::model::Domain,
    f: &crate::model::Domain,
) {
    field(d, p, "base type", &e.base_type, &f.base_type);
    opt_field(d, p, "collation", &e.collation, &f.collation);
    expr_field(d, p, "default", e.default.as_ref(), f.default.as_ref());
    field(d, p, "NOT NULL", &yes_no(e.not_null), &yes_no(f.not_null));
    for (name, ec, fc) in pairs(&e.checks, &f.checks) {
        let what = format!("check {}", quote_ident(name));
        match (ec, fc) {
            (Some(ec), None) => field(
                d,
                p,
                &what,
                &format!("CHECK ({})", shown(&ec.expression)),
                "(none)",
            ),
            (None, Some(fc)) => field(
                d,
                p,
                &what,
                "(none)",
                &format!("CHECK ({})", shown(&fc.expression)),
            ),
            (Some(ec), Some(fc)) => {
                expr_field(d, p, &what, Some(&ec.expression), Some(&fc.expression));
                if ec.validated != fc.validated {
                    field(
                        d,
                        p,
                        &format!("validation of check {}", quote_ident(name)),
                        if ec.validated { "valid" } else { "NOT VALID" },
                        if fc.validated { "valid" } else { "NOT VALID" },
                    );
                }
                opt_field(
                    d,
                    p,
                    &format!("comment on check {}", quote_ident(name)),
                    &ec.comment,
                    &fc.comment,
                );
            }
            (None, None) => {}
        }
    }
    opt_field(d, p, "comment", &e.comment, &f.comment);
    diff_acl(d, p, AclKind::Type, &e.acl, &f.acl, "");
}

/// A composite type: its attributes in order, then comments.
fn diff_composite(
    d: &mut Vec<Difference>,
    p: &ObjectPath,
    e: &crate::model::CompositeType,
    f: &crate::model::CompositeType,
) {
    let render = |c: &crate::model::CompositeType| {
        let parts: Vec<String> = c
            .attributes
            .iter()
            .map(|a| {
                let mut s = format!("{} {}", quote_ident(&a.name), a.data_type);
                if let Some(col) = &a.collation {
                    s.push_str(&format!(" COLLATE {col}"));
                }
                s
            })
            .collect();
        format!("({})", parts.join(", "))
    };
    field(d, p, "attributes", &render(e), &render(f));
    for ea in &e.attributes {
        if let Some(fa) = f.attributes.iter().find(|x| x.name == ea.name) {
            opt_field(
                d,
                p,
                &format!("comment on attribute {}", quote_ident(&ea.name)),
                &ea.comment,
                &fa.comment,
            );
        }
    }
    opt_field(d, p, "comment", &e.comment, &f.comment);
    diff_acl(d, p, AclKind::Type, &e.acl, &f.acl, "");
}

/// A function or procedure, property by property.
fn diff_routine(
    d: &mut Vec<Difference>,
    p: &ObjectPath,
    e: &crate::model::Routine,
    f: &crate::model::Routine,
) {
    use crate::model::{ArgMode, RoutineBody};
    diff_acl(d, p, AclKind::Routine, &e.acl, &f.acl, "");
    let args = |r: &crate::model::Routine| {
        r.args
            .iter()
            .map(|a| {
                let mode = match a.mode {
                    ArgMode::In => "",
                    ArgMode::Out => "OUT ",
                    ArgMode::InOut => "INOUT ",
                    ArgMode::Variadic => "VARIADIC ",
                    ArgMode::Table => "TABLE ",
                };
                match &a.name {
                    Some(n) => format!("{mode}{} {}", quote_ident(n), a.data_type),
                    None => format!("{mode}{}", a.data_type),
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    field(d, p, "arguments", &args(e), &args(f));
    if e.args.len() == f.args.len() {
        for (i, (ea, fa)) in e.args.iter().zip(&f.args).enumerate() {
            let label = match &ea.name {
                Some(n) => format!("default of argument {}", quote_ident(n)),
                None => format!("default of argument {}", i + 1),
            };
            expr_field(d, p, &label, ea.default.as_ref(), fa.default.as_ref());
        }
    }
    opt_field(d, p, "result", &e.returns, &f.returns);
    field(d, p, "language", &e.language, &f.language);
    match (&e.body, &f.body) {
        (RoutineBody::Sql(a), RoutineBody::Sql(b)) => expr_field(d, p, "body", Some(a), Some(b)),
        (a, b) if a != b => {
            let (x, y) = body_difference(a, b);
            field(d, p, "body", &x, &y);
        }
        _ => {}
    }
    let vol = |r: &crate::model::Routine| format!("{:?}", r.volatility).to_uppercase();
    field(d, p, "volatility", &vol(e), &vol(f));
    field(d, p, "strict", &yes_no(e.strict), &yes_no(f.strict));
    field(
        d,
        p,
        "security definer",
        &yes_no(e.security_definer),
        &yes_no(f.security_definer),
    );
    field(
        d,
        p,
        "leakproof",
        &yes_no(e.leakproof),
        &yes_no(f.leakproof),
    );
    let par = |r: &crate::model::Routine| format!("{:?}", r.parallel).to_uppercase();
    field(d, p, "parallel", &par(e), &par(f));
    field(d, p, "cost", &e.cost, &f.cost);
    field(d, p, "rows", &e.rows, &f.rows);
    let cfg = |r: &crate::model::Routine| {
        if r.config.is_empty() {
            "(none)".to_string()
        } else {
            r.config.join("; ")
        }
    };
    field(d, p, "configuration", &cfg(e), &cfg(f));
    opt_field(d, p, "comment", &e.comment, &f.comment);
}

/// Two bodies shown where they first differ: `line 3: RETURN NEW;`.
fn body_difference(
    a: &crate::model::RoutineBody,
    b: &crate::model::RoutineBody,
) -> (String, String) {
    use crate::model::RoutineBody;
    let text = |x: &RoutineBody| match x {
        RoutineBody::Source { text } => text.clone(),
        RoutineBody::Object { file, symbol } => format!("{file}, {symbol}"),
        RoutineBody::Sql(e) => e.sql.clone(),
    };
    let (ta, tb) = (text(a), text(b));
    let (la, lb): (Vec<&str>, Vec<&str>) = (ta.split('\n').collect(), tb.split('\n').collect());
    let n = la
        .iter()
        .zip(&lb)
        .position(|(x, y)| x != y)
        .unwrap_or(la.len().min(lb.len()));
    let show = |lines: &[&str]| match lines.get(n) {
        Some(l) => {
            let l = l.trim();
            let short: String = l.chars().take(80).collect();
            let more = if l.chars().count() > 80 { "…" } else { "" };
            format!("line {}: {short}{more}", n + 1)
        }
        None => format!("ends after line {n}"),
    };
    (show(&la), show(&lb))
}

fn unmanaged_path(u: &crate::model::Unmanaged) -> ObjectPath {
    ObjectPath::new(
        ObjectKind::Unmanaged,
        "",
        &format!("{} {}", u.kind.label(), u.name),
    )
}

fn pairs<'a, V>(
    a: &'a BTreeMap<String, V>,
    b: &'a BTreeMap<String, V>,
) -> Vec<(&'a String, Option<&'a V>, Option<&'a V>)> {
    let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    keys.into_iter().map(|k| (k, a.get(k), b.get(k))).collect()
}

fn missing(path: ObjectPath, expected: String) -> Difference {
    Difference {
        path,
        change: Change::Missing { expected },
        security: false,
    }
}

fn unexpected(path: ObjectPath, found: String) -> Difference {
    Difference {
        path,
        change: Change::Unexpected { found },
        security: false,
    }
}

fn field(d: &mut Vec<Difference>, p: &ObjectPath, name: &str, e: &str, f: &str) {
    if e != f {
        d.push(Difference {
            path: p.clone(),
            change: Change::Changed {
                field: name.to_string(),
                expected: e.to_string(),
                found: f.to_string(),
            },
            security: false,
        });
    }
}

fn opt_field<S: AsRef<str> + PartialEq>(
    d: &mut Vec<Difference>,
    p: &ObjectPath,
    name: &str,
    e: &Option<S>,
    f: &Option<S>,
) {
    if e != f {
        field(d, p, name, &show_opt(e), &show_opt(f));
    }
}

/// Compares two optional expressions by what the server stores: equal, a
/// difference, or "cannot prove equal" when either side is unproven.
fn expr_field(
    d: &mut Vec<Difference>,
    p: &ObjectPath,
    name: &str,
    e: Option<&Expression>,
    f: Option<&Expression>,
) {
    if e == f {
        return;
    }
    let show = |x: Option<&Expression>| x.map_or("(none)".to_string(), shown);
    match (e, f) {
        (Some(a), Some(b)) if a.unproven().is_some() || b.unproven().is_some() => {
            d.push(Difference {
                path: p.clone(),
                change: Change::Unproven {
                    field: name.to_string(),
                    expected: show(e),
                    found: show(f),
                    reason: a
                        .unproven()
                        .or(b.unproven())
                        .unwrap_or_default()
                        .to_string(),
                },
                security: false,
            })
        }
        _ => field(d, p, name, &show(e), &show(f)),
    }
}

/// An expression for a report: the server's text when known (that is what
/// differs), else as written.
pub fn shown(e: &Expression) -> String {
    e.exact().unwrap_or(&e.sql).to_string()
}

/// The expressions of a constraint or index, for [`expr_field`]-style
/// reporting when the definitions differ only there.
fn unproven_of<'a>(xs: impl IntoIterator<Item = &'a Expression>) -> Option<&'a str> {
    xs.into_iter().find_map(|x| x.unproven())
}

fn show_opt<S: AsRef<str>>(v: &Option<S>) -> String {
    match v {
        Some(s) => s.as_ref().to_string(),
        None => "(none)".to_string(),
    }
}

fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.to_string()
}

fn diff_sequence(d: &mut Vec<Difference>, p: &ObjectPath, e: &Sequence, f: &Sequence) {
    field(d, p, "type", &e.data_type, &f.data_type);
    field(d, p, "start", &e.start.to_string(), &f.start.to_string());
    field(
        d,
        p,
        "increment",
        &e.increment.to_string(),
        &f.increment.to_string(),
    );
    field(
        d,
        p,
        "min value",
        &e.min_value.to_string(),
        &f.min_value.to_string(),
    );
    field(
        d,
        p,
        "max value",
        &e.max_value.to_string(),
        &f.max_value.to_string(),
    );
    field(d, p, "cache", &e.cache.to_string(), &f.cache.to_string());
    field(d, p, "cycle", &yes_no(e.cycle), &yes_no(f.cycle));
    let show = |o: &Option<(String, String)>| match o {
        Some((t, c)) => format!("{}.{}", quote_ident(t), quote_ident(c)),
        None => "(none)".to_string(),
    };
    field(d, p, "owned by", &show(&e.owned_by), &show(&f.owned_by));
    opt_field(d, p, "comment", &e.comment, &f.comment);
    diff_acl(d, p, AclKind::Sequence, &e.acl, &f.acl, "");
}

fn diff_table(
    d: &mut Vec<Difference>,
    ns: &str,
    name: &str,
    e: &Table,
    f: &Table,
    opts: DiffOptions,
) {
    let p = ObjectPath::new(ObjectKind::Table, ns, name);
    field(d, &p, "unlogged", &yes_no(e.unlogged), &yes_no(f.unlogged));
    foreign::diff_foreign_table(d, &p, e.foreign.as_ref(), f.foreign.as_ref());
    diff_acl(d, &p, AclKind::Relation, &e.acl, &f.acl, "");
    opt_field(d, &p, "partition key", &e.partition_by, &f.partition_by);
    let parent = |t: &Table| {
        t.partition_of
            .as_ref()
            .map_or("(none)".to_string(), |po| po.parent.sql())
    };
    field(d, &p, "partition of", &parent(e), &parent(f));
    if let (Some(a), Some(b)) = (&e.partition_of, &f.partition_of) {
        if a.parent == b.parent {
            expr_field(d, &p, "partition bound", Some(&a.bound), Some(&b.bound));
        }
    }
    let parents = |t: &Table| {
        if t.inherits.is_empty() {
            "(none)".to_string()
        } else {
            t.inherits
                .iter()
                .map(|r| r.sql())
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    field(d, &p, "inherits", &parents(e), &parents(f));
    field(
        d,
        &p,
        "row level security",
        &yes_no(e.row_level_security),
        &yes_no(f.row_level_security),
    );
    field(
        d,
        &p,
        "forced row level security",
        &yes_no(e.force_row_level_security),
        &yes_no(f.force_row_level_security),
    );
    opt_field(d, &p, "comment", &e.comment, &f.comment);
    field(
        d,
        &p,
        "storage parameters",
        &render_options(&e.options),
        &render_options(&f.options),
    );
    for c in &e.columns {
        let cp = ObjectPath::in_table(ObjectKind::Column, ns, name, &c.name);
        match f.column(&c.name) {
            None => d.push(missing(cp, render_column(c))),
            Some(fc) => diff_column(d, &cp, c, fc),
        }
    }
    for c in &f.columns {
        if e.column(&c.name).is_none() {
            d.push(unexpected(
                ObjectPath::in_table(ObjectKind::Column, ns, name, &c.name),
                render_column(c),
            ));
        }
    }
    if opts.column_order {
        let eo: Vec<&str> = e
            .columns
            .iter()
            .map(|c| c.name.as_str())
            .filter(|n| f.column(n).is_some())
            .collect();
        let fo: Vec<&str> = f
            .columns
            .iter()
            .map(|c| c.name.as_str())
            .filter(|n| e.column(n).is_some())
            .collect();
        if eo != fo {
            field(d, &p, "column order", &eo.join(", "), &fo.join(", "));
        }
    }
    for (cn, ec, fc) in pairs(&e.constraints, &f.constraints) {
        let cp = ObjectPath::in_table(ObjectKind::Constraint, ns, name, cn);
        match (ec, fc) {
            (Some(ec), None) => d.push(missing(cp, render_constraint(ec))),
            (None, Some(fc)) => d.push(unexpected(cp, render_constraint(fc))),
            (Some(ec), Some(fc)) => diff_constraint(d, &cp, ec, fc),
            (None, None) => {}
        }
    }
    for (iname, ei, fi) in pairs(&e.indexes, &f.indexes) {
        let ip = ObjectPath::in_table(ObjectKind::Index, ns, name, iname);
        match (ei, fi) {
            (Some(ei), None) => d.push(missing(ip, render_index(ns, name, iname, ei))),
            (None, Some(fi)) => d.push(unexpected(ip, render_index(ns, name, iname, fi))),
            (Some(ei), Some(fi)) => diff_index(d, &ip, ei, fi),
            (None, None) => {}
        }
    }
    for (pname, ep, fp) in pairs(&e.policies, &f.policies) {
        let pp = ObjectPath::in_table(ObjectKind::Policy, ns, name, pname);
        match (ep, fp) {
            (Some(ep), None) => d.push(missing(pp, render_policy(ns, name, pname, ep))),
            (None, Some(fp)) => d.push(unexpected(pp, render_policy(ns, name, pname, fp))),
            (Some(ep), Some(fp)) => diff_policy(d, &pp, ep, fp),
            (None, None) => {}
        }
    }
    for (gname, eg, fg) in pairs(&e.triggers, &f.triggers) {
        let gp = ObjectPath::in_table(ObjectKind::Trigger, ns, name, gname);
        match (eg, fg) {
            (Some(eg), None) => d.push(missing(gp, render_trigger(ns, name, gname, eg))),
            (None, Some(fg)) => d.push(unexpected(gp, render_trigger(ns, name, gname, fg))),
            (Some(eg), Some(fg)) => diff_trigger(d, &gp, eg, fg),
            (None, None) => {}
        }
    }
    rule::diff_rules(d, ns, name, &e.rules, &f.rules);
}

/// A row-level security policy, property by property.
fn diff_policy(d: &mut Vec<Difference>, p: &ObjectPath, e: &Policy, f: &Policy) {
    field(d, p, "command", e.command.keyword(), f.command.keyword());
    let kind = |x: &Policy| {
        if x.permissive {
            "PERMISSIVE"
        } else {
            "RESTRICTIVE"
        }
    };
    field(d, p, "permissive or restrictive", kind(e), kind(f));
    field(d, p, "roles", &e.roles_sql(), &f.roles_sql());
    expr_field(d, p, "USING expression", e.using.as_ref(), f.using.as_ref());
    expr_field(
        d,
        p,
        "WITH CHECK expression",
        e.with_check.as_ref(),
        f.with_check.as_ref(),
    );
    opt_field(d, p, "comment", &e.comment, &f.comment);
}

/// `CREATE POLICY name ON table AS … FOR … TO … USING (…) WITH CHECK (…)`,
/// with the expressions as written.
pub fn render_policy(ns: &str, table: &str, name: &str, p: &Policy) -> String {
    let mut s = format!(
        "CREATE POLICY {} ON {} AS {} FOR {} TO {}",
        quote_ident(name),
        qualified_sql(ns, table),
        if p.permissive {
            "PERMISSIVE"
        } else {
            "RESTRICTIVE"
        },
        p.command.keyword(),
        p.roles_sql()
    );
    if let Some(u) = &p.using {
        s.push_str(&format!(" USING ({u})"));
    }
    if let Some(w) = &p.with_check {
        s.push_str(&format!(" WITH CHECK ({w})"));
    }
    s
}

/// A trigger as a report shows it: `CREATE TRIGGER …` from its properties.
pub fn render_trigger(ns: &str, table: &str, name: &str, g: &crate::model::Trigger) -> String {
    let mut s = crate::ddl::trigger_sql(ns, table, name, g);
    if g.enabled != crate::model::TriggerEnabled::Origin {
        s.push_str(&format!(" ({})", g.enabled.sql()));
    }
    s
}

/// A trigger, property by property.
fn diff_trigger(
    d: &mut Vec<Difference>,
    p: &ObjectPath,
    e: &crate::model::Trigger,
    f: &crate::model::Trigger,
) {
    field(d, p, "timing", e.timing.sql(), f.timing.sql());
    field(d, p, "events", &e.events.sql(), &f.events.sql());
    let level = |g: &crate::model::Trigger| {
        if g.for_each_row {
            "FOR EACH ROW"
        } else {
            "FOR EACH STATEMENT"
        }
        .to_string()
    };
    field(d, p, "level", &level(e), &level(f));
    expr_field(d, p, "WHEN condition", e.when.as_ref(), f.when.as_ref());
    field(d, p, "function", &e.function_name(), &f.function_name());
    let args = |g: &crate::model::Trigger| {
        let v: Vec<String> = g.arguments.iter().map(|a| quote_literal(a)).collect();
        format!("({})", v.join(", "))
    };
    field(d, p, "arguments", &args(e), &args(f));
    opt_field(d, p, "OLD TABLE", &e.old_table, &f.old_table);
    opt_field(d, p, "NEW TABLE", &e.new_table, &f.new_table);
    let constraint = |g: &crate::model::Trigger| match &g.constraint {
        None => "no".to_string(),
        Some(c) => {
            let mut s = "CONSTRAINT".to_string();
            if let Some((rns, rt)) = &c.referenced {
                s.push_str(&format!(" FROM {}", qualified(rns, rt)));
            }
            if c.deferrable {
                s.push_str(" DEFERRABLE");
            }
            if c.initially_deferred {
                s.push_str(" INITIALLY DEFERRED");
            }
            s
        }
    };
    field(d, p, "constraint trigger", &constraint(e), &constraint(f));
    field(d, p, "enabled", e.enabled.sql(), f.enabled.sql());
    opt_field(d, p, "comment", &e.comment, &f.comment);
}

fn diff_column(d: &mut Vec<Difference>, p: &ObjectPath, e: &Column, f: &Column) {
    field(d, p, "type", &e.data_type, &f.data_type);
    if !crate::model::options_equal(&e.fdw_options, &f.fdw_options) {
        field(
            d,
            p,
            "options",
            &foreign::show_options(&e.fdw_options),
            &foreign::show_options(&f.fdw_options),
        );
    }
    diff_acl(d, p, AclKind::Column, &e.acl, &f.acl, "");
    field(d, p, "not null", &yes_no(e.not_null), &yes_no(f.not_null));
    expr_field(d, p, "default", e.default.as_ref(), f.default.as_ref());
    let id = |i: &Option<crate::model::Identity>| match i {
        Some(crate::model::Identity::Always) => "GENERATED ALWAYS AS IDENTITY".to_string(),
        Some(crate::model::Identity::ByDefault) => "GENERATED BY DEFAULT AS IDENTITY".to_string(),
        None => "(none)".to_string(),
    };
    field(d, p, "identity", &id(&e.identity), &id(&f.identity));
    let idopts = |o: &Option<Box<crate::model::IdentityOptions>>| match o {
        Some(o) => o.sql(),
        None => "(default)".to_string(),
    };
    field(
        d,
        p,
        "identity options",
        &idopts(&e.identity_options),
        &idopts(&f.identity_options),
    );
    expr_field(
        d,
        p,
        "generated expression",
        e.generated.as_deref(),
        f.generated.as_deref(),
    );
    opt_field(d, p, "collation", &e.collation, &f.collation);
    opt_field(d, p, "comment", &e.comment, &f.comment);
    let stats = |s: &Option<i32>| match s {
        Some(n) => n.to_string(),
        None => "(default)".to_string(),
    };
    field(
        d,
        p,
        "statistics target",
        &stats(&e.statistics),
        &stats(&f.statistics),
    );
    field(
        d,
        p,
        "inheritance",
        &crate::model::Inherited::describe(e.inherited),
        &crate::model::Inherited::describe(f.inherited),
    );
}

fn diff_constraint(d: &mut Vec<Difference>, p: &ObjectPath, e: &Constraint, f: &Constraint) {
    if e.kind != f.kind {
        let (ev, fv) = (render_kind_shown(&e.kind), render_kind_shown(&f.kind));
        let exprs = |k: &ConstraintKind| match k {
            ConstraintKind::Check { expression, .. } => Some(expression.clone()),
            _ => None,
        };
        match unproven_of(exprs(&e.kind).iter().chain(exprs(&f.kind).iter())) {
            Some(reason) => d.push(Difference {
                path: p.clone(),
                change: Change::Unproven {
                    field: "definition".to_string(),
                    expected: ev,
                    found: fv,
                    reason: reason.to_string(),
                },
                security: false,
            }),
            None => field(d, p, "definition", &ev, &fv),
        }
    }
    field(
        d,
        p,
        "validated",
        &yes_no(e.validated),
        &yes_no(f.validated),
    );
    field(
        d,
        p,
        "deferrable",
        &yes_no(e.deferrable),
        &yes_no(f.deferrable),
    );
    field(
        d,
        p,
        "initially deferred",
        &yes_no(e.initially_deferred),
        &yes_no(f.initially_deferred),
    );
    opt_field(d, p, "comment", &e.comment, &f.comment);
    field(
        d,
        p,
        "inheritance",
        &crate::model::Inherited::describe(e.inherited),
        &crate::model::Inherited::describe(f.inherited),
    );
}

fn diff_index(d: &mut Vec<Difference>, p: &ObjectPath, e: &Index, f: &Index) {
    field(d, p, "unique", &yes_no(e.unique), &yes_no(f.unique));
    field(d, p, "method", &e.method, &f.method);
    if !same_keys(&e.keys, &f.keys) {
        let (ev, fv) = (render_keys_shown(&e.keys), render_keys_shown(&f.keys));
        let exprs = |ks: &[IndexKey]| -> Vec<Expression> {
            ks.iter()
                .filter_map(|k| match &k.key {
                    IndexKeyExpr::Expression(x) => Some(x.clone()),
                    IndexKeyExpr::Column(_) => None,
                })
                .collect()
        };
        let all: Vec<Expression> = exprs(&e.keys).into_iter().chain(exprs(&f.keys)).collect();
        match unproven_of(all.iter()) {
            Some(reason) => d.push(Difference {
                path: p.clone(),
                change: Change::Unproven {
                    field: "keys".to_string(),
                    expected: ev,
                    found: fv,
                    reason: reason.to_string(),
                },
                security: false,
            }),
            None => field(d, p, "keys", &ev, &fv),
        }
    }
    field(
        d,
        p,
        "include",
        &render_idents(&e.include),
        &render_idents(&f.include),
    );
    field(
        d,
        p,
        "nulls not distinct",
        &yes_no(e.nulls_not_distinct),
        &yes_no(f.nulls_not_distinct),
    );
    expr_field(
        d,
        p,
        "predicate",
        e.predicate.as_ref(),
        f.predicate.as_ref(),
    );
    opt_field(d, p, "comment", &e.comment, &f.comment);
    field(
        d,
        p,
        "storage parameters",
        &render_options(&e.options),
        &render_options(&f.options),
    );
    field(
        d,
        p,
        "statistics targets",
        &render_key_statistics(&e.keys),
        &render_key_statistics(&f.keys),
    );
    let attached = |i: &Index| {
        i.attached_to
            .as_ref()
            .map_or("(none)".to_string(), |r| r.sql())
    };
    field(d, p, "attached to", &attached(e), &attached(f));
}

/// Keys equal in all but their statistics targets (compared on their own).
fn same_keys(a: &[IndexKey], b: &[IndexKey]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            IndexKey {
                statistics: y.statistics,
                ..x.clone()
            } == *y
        })
}

/// The statistics targets of an index's columns by 1-based number:
/// `column 2: 1000, column 4: 10000`, `(default)` when none is set.
pub fn render_key_statistics(keys: &[IndexKey]) -> String {
    let set: Vec<String> = keys
        .iter()
        .enumerate()
        .filter_map(|(n, k)| k.statistics.map(|s| format!("column {}: {s}", n + 1)))
        .collect();
    if set.is_empty() {
        "(default)".to_string()
    } else {
        set.join(", ")
    }
}

// ---------------------------------------------------------------- rendering

/// Storage parameters as `(name=value, …)` in name order, `(none)` when
/// there are none.
pub fn render_options(options: &BTreeMap<String, String>) -> String {
    if options.is_empty() {
        return "(none)".to_string();
    }
    format!(
        "({})",
        options
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// ` WITH (name='value', …)` ready to apply (a string literal stores its
/// text exactly), or nothing.
pub fn with_options_sql(options: &BTreeMap<String, String>) -> String {
    if options.is_empty() {
        return String::new();
    }
    format!(
        " WITH ({})",
        options
            .iter()
            .map(|(k, v)| format!("{k}={}", quote_literal(v)))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

pub fn render_values(values: &[String]) -> String {
    format!(
        "({})",
        values
            .iter()
            .map(|v| quote_literal(v))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

pub fn render_enum(ns: &str, name: &str, e: &EnumType) -> String {
    format!(
        "CREATE TYPE {} AS ENUM {}",
        qualified_sql(ns, name),
        render_values(&e.values)
    )
}

pub fn render_sequence(ns: &str, name: &str, s: &Sequence) -> String {
    format!(
        "CREATE SEQUENCE {} AS {} START {} INCREMENT {} MINVALUE {} MAXVALUE {} CACHE {}{}",
        qualified_sql(ns, name),
        s.data_type,
        s.start,
        s.increment,
        s.min_value,
        s.max_value,
        s.cache,
        if s.cycle { " CYCLE" } else { "" }
    )
}

pub fn render_column(c: &Column) -> String {
    let mut s = format!("{} {}", quote_ident(&c.name), c.data_type);
    if !c.fdw_options.is_empty() {
        s.push(' ');
        s.push_str(&crate::model::options_sql(&c.fdw_options));
    }
    if let Some(coll) = &c.collation {
        s.push_str(&format!(" COLLATE {coll}"));
    }
    if let Some(g) = &c.generated {
        s.push_str(&format!(" GENERATED ALWAYS AS ({g}) STORED"));
    }
    match c.identity {
        Some(crate::model::Identity::Always) => s.push_str(" GENERATED ALWAYS AS IDENTITY"),
        Some(crate::model::Identity::ByDefault) => s.push_str(" GENERATED BY DEFAULT AS IDENTITY"),
        None => {}
    }
    if let (Some(_), Some(o)) = (c.identity, &c.identity_options) {
        s.push_str(&format!(" ({})", o.sql()));
    }
    if let Some(def) = &c.default {
        s.push_str(&format!(" DEFAULT {def}"));
    }
    if c.not_null {
        s.push_str(" NOT NULL");
    }
    s
}

fn render_idents(v: &[String]) -> String {
    v.iter()
        .map(|c| quote_ident(c))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn render_constraint_kind(k: &ConstraintKind) -> String {
    match k {
        ConstraintKind::PrimaryKey { columns, include } => {
            let mut s = format!("PRIMARY KEY ({})", render_idents(columns));
            if !include.is_empty() {
                s.push_str(&format!(" INCLUDE ({})", render_idents(include)));
            }
            s
        }
        ConstraintKind::Unique {
            columns,
            include,
            nulls_not_distinct,
        } => {
            let mut s = "UNIQUE".to_string();
            if *nulls_not_distinct {
                s.push_str(" NULLS NOT DISTINCT");
            }
            s.push_str(&format!(" ({})", render_idents(columns)));
            if !include.is_empty() {
                s.push_str(&format!(" INCLUDE ({})", render_idents(include)));
            }
            s
        }
        ConstraintKind::ForeignKey {
            columns,
            ref_namespace,
            ref_table,
            ref_columns,
            on_delete,
            on_update,
            match_full,
        } => {
            let mut s = format!(
                "FOREIGN KEY ({}) REFERENCES {}({})",
                render_idents(columns),
                qualified_sql(ref_namespace, ref_table),
                render_idents(ref_columns)
            );
            if *match_full {
                s.push_str(" MATCH FULL");
            }
            if *on_update != crate::model::FkAction::NoAction {
                s.push_str(&format!(" ON UPDATE {}", on_update.sql()));
            }
            if *on_delete != crate::model::FkAction::NoAction {
                s.push_str(&format!(" ON DELETE {}", on_delete.sql()));
            }
            s
        }
        ConstraintKind::Check {
            expression,
            no_inherit,
        } => {
            format!(
                "CHECK ({expression}){}",
                if *no_inherit { " NO INHERIT" } else { "" }
            )
        }
        ConstraintKind::Exclusion { definition } => format!("EXCLUDE {definition}"),
    }
}

/// [`render_constraint_kind`] with a check's expression as the server
/// stores it, when known (what a report compares).
fn render_kind_shown(k: &ConstraintKind) -> String {
    match k {
        ConstraintKind::Check {
            expression,
            no_inherit,
        } => format!(
            "CHECK ({}){}",
            shown(expression),
            if *no_inherit { " NO INHERIT" } else { "" }
        ),
        _ => render_constraint_kind(k),
    }
}

/// [`render_keys`] with expression keys as the server stores them, when
/// known.
fn render_keys_shown(keys: &[IndexKey]) -> String {
    let shown_keys: Vec<IndexKey> = keys
        .iter()
        .map(|k| match &k.key {
            IndexKeyExpr::Expression(x) => IndexKey {
                key: IndexKeyExpr::Expression(Expression::from_server(shown(x))),
                ..k.clone()
            },
            IndexKeyExpr::Column(_) => k.clone(),
        })
        .collect();
    render_keys(&shown_keys)
}

pub fn render_constraint(c: &Constraint) -> String {
    let mut s = render_constraint_kind(&c.kind);
    if c.deferrable {
        s.push_str(" DEFERRABLE");
        if c.initially_deferred {
            s.push_str(" INITIALLY DEFERRED");
        }
    }
    if !c.validated {
        s.push_str(" NOT VALID");
    }
    s
}

pub fn render_keys(keys: &[IndexKey]) -> String {
    keys.iter()
        .map(|k| {
            let mut s = match &k.key {
                IndexKeyExpr::Column(c) => quote_ident(c),
                IndexKeyExpr::Expression(e) => format!("({e})"),
            };
            if let Some(c) = &k.collation {
                s.push_str(&format!(" COLLATE {c}"));
            }
            if let Some(o) = &k.opclass {
                s.push(' ');
                s.push_str(o);
            }
            if k.descending {
                s.push_str(" DESC");
                if !k.nulls_first {
                    s.push_str(" NULLS LAST");
                }
            } else if k.nulls_first {
                s.push_str(" NULLS FIRST");
            }
            s
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn render_index(ns: &str, table: &str, name: &str, i: &Index) -> String {
    let mut s = format!(
        "CREATE {}INDEX {} ON {}",
        if i.unique { "UNIQUE " } else { "" },
        quote_ident(name),
        qualified_sql(ns, table)
    );
    if i.method != "btree" {
        s.push_str(&format!(" USING {}", i.method));
    }
    s.push_str(&format!(" ({})", render_keys(&i.keys)));
    if !i.include.is_empty() {
        s.push_str(&format!(" INCLUDE ({})", render_idents(&i.include)));
    }
    if i.nulls_not_distinct {
        s.push_str(" NULLS NOT DISTINCT");
    }
    s.push_str(&with_options_sql(&i.options));
    if let Some(p) = &i.predicate {
        s.push_str(&format!(" WHERE {p}"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Column, Namespace, Table};

    fn schema_with(col: Column) -> Schema {
        let mut s = Schema::default();
        let mut t = Table::default();
        t.columns.push(col);
        let mut ns = Namespace::default();
        ns.tables.insert("user".into(), t);
        s.namespaces.insert("public".into(), ns);
        s
    }

    #[test]
    fn equal_schemas_have_no_differences() {
        let a = schema_with(Column::new("id", "text"));
        assert!(diff(&a, &a.clone(), DiffOptions::default()).is_empty());
    }

    #[test]
    fn a_changed_type_names_table_column_and_both_sides() {
        let a = schema_with(Column::new("depth", "integer"));
        let b = schema_with(Column::new("depth", "bigint"));
        let d = diff(&a, &b, DiffOptions::default());
        assert_eq!(d.len(), 1);
        assert_eq!(
            d[0].to_string(),
            "column public.\"user\".depth: type differs (expected integer, found bigint)"
        );
    }

    fn replayed(sql: &str) -> Schema {
        let text: std::sync::Arc<str> = std::sync::Arc::from(sql);
        crate::replay::replay_texts([("t.sql", &text)])
            .unwrap_or_else(|e| panic!("{e:?}"))
            .schema
    }

    /// The security mark: policies, row level security, SECURITY DEFINER
    /// and the configuration of a SECURITY DEFINER function; not a comment
    /// or the configuration of an ordinary function.
    #[test]
    fn security_differences_are_marked() {
        let base = "CREATE TABLE t (a int);
CREATE POLICY p ON t USING (a > 0);
CREATE FUNCTION d() RETURNS int LANGUAGE sql SECURITY DEFINER SET search_path = public AS 'SELECT 1';
CREATE FUNCTION i() RETURNS int LANGUAGE sql SET search_path = public AS 'SELECT 1';
";
        let a = replayed(base);
        let marked = |sql: &str| -> Vec<(String, bool)> {
            diff(&a, &replayed(sql), DiffOptions::default())
                .into_iter()
                .map(|d| (d.to_string(), d.security))
                .collect()
        };
        let one = |sql: &str| {
            let m = marked(sql);
            assert_eq!(m.len(), 1, "{sql}: {m:?}");
            m[0].1
        };
        assert!(one(&base.replace("(a > 0)", "(true)")));
        assert!(one(&format!(
            "{base}ALTER TABLE t ENABLE ROW LEVEL SECURITY;"
        )));
        assert!(one(&format!(
            "{base}ALTER TABLE t FORCE ROW LEVEL SECURITY;"
        )));
        assert!(one(&format!("{base}COMMENT ON POLICY p ON t IS 'x';")));
        assert!(one(&base.replace(
            "SECURITY DEFINER SET search_path = public",
            "SECURITY DEFINER SET search_path = pg_temp"
        )));
        assert!(one(&base.replace("SECURITY DEFINER ", "")));
        assert!(!one(&base.replace(
            "LANGUAGE sql SET search_path = public",
            "LANGUAGE sql SET search_path = pg_temp"
        )));
        assert!(!one(&format!("{base}COMMENT ON TABLE t IS 'x';")));
        // A SECURITY DEFINER function missing, another unexpected.
        let m = marked(&base.replace("CREATE FUNCTION d()", "CREATE FUNCTION d2()"));
        assert_eq!(m.len(), 2, "{m:?}");
        assert!(m.iter().all(|(_, s)| *s), "{m:?}");
    }

    #[test]
    fn missing_and_unexpected_columns() {
        let a = schema_with(Column::new("a", "text"));
        let b = schema_with(Column::new("b", "text"));
        let d: Vec<String> = diff(&a, &b, DiffOptions::default())
            .iter()
            .map(|d| d.to_string())
            .collect();
        assert_eq!(
            d,
            vec![
                "column public.\"user\".a: missing",
                "column public.\"user\".b: unexpected"
            ]
        );
    }
}
