//! From two models to draft steps with their dependencies.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::hazard::Hazard;
use super::order::{self, Draft, Key};
use super::{HazardNote, Plan, PlanError, PlanErrorKind, PlanOptions, StaleHint, Step};
use crate::ddl::name_tokens;
use crate::model::{
    qualified, qualified_sql, quote_ident, quote_literal, Column, Constraint, ConstraintKind,
    Extension, Identity, Index, IndexKeyExpr, Namespace, ObjectKind, ObjectPath, Schema, Table,
};
use crate::names::truncate_identifier;

mod aggregate;
mod collation;
mod column;
mod constraint;
mod domain;
mod event_trigger;
mod extension;
mod foreign;
mod index;
mod namespace;
mod operator;
mod owner;
mod partition;
mod policy;
mod privilege;
mod publication;
mod range;
mod rename;
mod routine;
mod rule;
mod sequence;
mod statistics;
mod table;
mod trigger;
mod types;
mod view;
mod view_trigger;

const PUBLIC_COMMENT: &str = "standard public schema";

// Phases: the order among steps that dependencies leave free.
const P_RENAME: u8 = 0;
const P_DROP_DEPENDENT: u8 = 1;
const P_NAMESPACE: u8 = 2;
const P_TYPE: u8 = 3;
const P_TABLE: u8 = 4;
const P_ALTER: u8 = 5;
const P_CONSTRAINT: u8 = 6;
const P_ONLINE: u8 = 7;
const P_FOREIGN_KEY: u8 = 8;
const P_COMMENT: u8 = 10;
const P_DROP_COLUMN: u8 = 11;
const P_DROP: u8 = 12;
const P_DROP_NAMESPACE: u8 = 13;

/// `public` exists in every database, and PL/pgSQL is in every database:
/// a side that left either out (a pruned model) means the default.
pub(crate) fn normalize_public(s: &mut Schema) {
    s.namespaces
        .entry("public".to_string())
        .or_insert_with(|| Namespace {
            comment: Some(PUBLIC_COMMENT.to_string()),
            acl: Some(crate::model::acl::public_schema_acl()),
            ..Namespace::default()
        });
    s.extensions
        .entry("plpgsql".to_string())
        .or_insert_with(|| Extension {
            namespace: "pg_catalog".to_string(),
            version: None,
        });
}

/// [`normalize_public`] for a schema that is only read: copied only when
/// it lacks what every database has (almost never).
pub(crate) fn normalized_public(s: &Schema) -> std::borrow::Cow<'_, Schema> {
    if s.namespaces.contains_key("public") && s.extensions.contains_key("plpgsql") {
        std::borrow::Cow::Borrowed(s)
    } else {
        let mut s = s.clone();
        normalize_public(&mut s);
        std::borrow::Cow::Owned(s)
    }
}

// ------------------------------------------------------------------ keys

const SEP: char = '\u{1f}';

fn key(kind: &str, parts: &[&str]) -> Key {
    let mut k =
        String::with_capacity(kind.len() + parts.iter().map(|p| p.len() + 1).sum::<usize>());
    k.push_str(kind);
    for p in parts {
        k.push(SEP);
        k.push_str(p);
    }
    k
}
fn k_ns(ns: &str) -> Key {
    key("n", &[ns])
}
fn k_table(ns: &str, t: &str) -> Key {
    key("t", &[ns, t])
}
/// A name in a namespace's relation (and type) names: tables, indexes,
/// sequences, index-backed constraints, types.
fn k_rel(ns: &str, name: &str) -> Key {
    key("r", &[ns, name])
}
fn k_col(ns: &str, t: &str, c: &str) -> Key {
    key("c", &[ns, t, c])
}
fn k_con(ns: &str, t: &str, c: &str) -> Key {
    key("k", &[ns, t, c])
}
fn k_type(ns: &str, e: &str) -> Key {
    key("y", &[ns, e])
}
/// An enum's old type while it is swapped.
fn k_old_type(ns: &str, e: &str) -> Key {
    key("o", &[ns, e])
}
/// A collation (a namespace of its own, apart from types).
fn k_coll(ns: &str, c: &str) -> Key {
    key("l", &[ns, c])
}
fn k_seq(ns: &str, s: &str) -> Key {
    key("s", &[ns, s])
}
/// A unique key (primary key, unique constraint, unique index) on columns.
fn k_unique(ns: &str, t: &str, cols: &[String]) -> Key {
    let mut sorted: Vec<&str> = cols.iter().map(String::as_str).collect();
    sorted.sort_unstable();
    let mut parts = vec![ns, t];
    parts.extend(sorted);
    key("u", &parts)
}
/// Provided once a table's primary key is dropped.
fn k_no_pk(ns: &str, t: &str) -> Key {
    key("p", &[ns, t])
}
/// Provided by every extension created.
const K_EXTENSIONS: &str = "X";
/// Dropped by every extension dropped.
const K_EXTENSIONS_DROPPED: &str = "XD";

// ---------------------------------------------------------------- helpers

fn hz(hazard: Hazard, why: impl Into<String>) -> HazardNote {
    HazardNote {
        hazard,
        why: why.into(),
    }
}

fn step(object: ObjectPath, action: &str, statements: Vec<String>) -> Step {
    Step {
        object,
        action: action.to_string(),
        statements,
        hazards: Vec::new(),
        no_transaction: false,
    }
}

fn table_path(ns: &str, t: &str) -> ObjectPath {
    ObjectPath::new(ObjectKind::Table, ns, t)
}
fn column_path(ns: &str, t: &str, c: &str) -> ObjectPath {
    ObjectPath::in_table(ObjectKind::Column, ns, t, c)
}
fn constraint_path(ns: &str, t: &str, c: &str) -> ObjectPath {
    ObjectPath::in_table(ObjectKind::Constraint, ns, t, c)
}
fn index_path(ns: &str, t: &str, i: &str) -> ObjectPath {
    ObjectPath::in_table(ObjectKind::Index, ns, t, i)
}

/// The columns of `t` an expression mentions (over-approximated: any name
/// token equal to a column's quoted name).
fn mentioned(t: &Table, text: &str) -> Vec<String> {
    let tokens = name_tokens(text);
    t.columns
        .iter()
        .filter(|c| {
            let q = quote_ident(&c.name);
            tokens.iter().any(|tok| {
                *tok == q
                    || tok
                        .rsplit_once('.')
                        .is_some_and(|(_, last)| last == q.as_str())
                    || tok.split('.').next() == Some(q.as_str())
            })
        })
        .map(|c| c.name.clone())
        .collect()
}

/// The columns of `t` a constraint uses (own table).
fn constraint_columns(t: &Table, c: &Constraint) -> Vec<String> {
    match &c.kind {
        ConstraintKind::PrimaryKey { columns, include } => {
            columns.iter().chain(include).cloned().collect()
        }
        ConstraintKind::Unique {
            columns, include, ..
        } => columns.iter().chain(include).cloned().collect(),
        ConstraintKind::ForeignKey { columns, .. } => columns.clone(),
        ConstraintKind::Check { expression, .. } => mentioned(t, expression),
        ConstraintKind::Exclusion { definition } => mentioned(t, definition),
    }
}

/// The columns of `t` an index uses.
fn index_columns(t: &Table, i: &Index) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for k in &i.keys {
        match &k.key {
            IndexKeyExpr::Column(c) => out.push(c.clone()),
            IndexKeyExpr::Expression(e) => out.extend(mentioned(t, e)),
        }
    }
    out.extend(i.include.iter().cloned());
    if let Some(p) = &i.predicate {
        out.extend(mentioned(t, p));
    }
    out.sort();
    out.dedup();
    out
}

/// The columns of a unique key an index provides: a unique index on plain
/// columns without predicate.
fn unique_index_columns(i: &Index) -> Option<Vec<String>> {
    if !i.unique || i.predicate.is_some() {
        return None;
    }
    i.keys
        .iter()
        .map(|k| match &k.key {
            IndexKeyExpr::Column(c) => Some(c.clone()),
            IndexKeyExpr::Expression(_) => None,
        })
        .collect()
}

fn constraint_unique_columns(c: &Constraint) -> Option<&Vec<String>> {
    match &c.kind {
        ConstraintKind::PrimaryKey { columns, .. } | ConstraintKind::Unique { columns, .. } => {
            Some(columns)
        }
        _ => None,
    }
}

fn index_backed(c: &Constraint) -> bool {
    matches!(
        c.kind,
        ConstraintKind::PrimaryKey { .. }
            | ConstraintKind::Unique { .. }
            | ConstraintKind::Exclusion { .. }
    )
}

fn same_index(a: &Index, b: &Index) -> bool {
    let mut a = a.clone();
    a.comment = b.comment.clone();
    a.options = b.options.clone();
    // Attachment to a parent's index is planned with the hierarchy.
    a.attached_to = b.attached_to.clone();
    if a.keys.len() == b.keys.len() {
        for (x, y) in a.keys.iter_mut().zip(&b.keys) {
            x.statistics = y.statistics;
        }
    }
    a == *b
}

/// `ALTER {TABLE|INDEX} x SET (…)` / `RESET (…)` taking storage
/// parameters from `a` to `b` (nothing when equal as maps).
fn options_sql(
    what: &str,
    target: &str,
    a: &BTreeMap<String, String>,
    b: &BTreeMap<String, String>,
) -> Vec<String> {
    let mut out = Vec::new();
    let reset: Vec<&str> = a
        .keys()
        .filter(|k| !b.contains_key(*k))
        .map(|k| k.as_str())
        .collect();
    if !reset.is_empty() {
        out.push(format!(
            "ALTER {what} {target} RESET ({})",
            reset.join(", ")
        ));
    }
    let set: Vec<String> = b
        .iter()
        .filter(|(k, v)| a.get(*k) != Some(*v))
        .map(|(k, v)| format!("{k}={}", quote_literal(v)))
        .collect();
    if !set.is_empty() {
        out.push(format!("ALTER {what} {target} SET ({})", set.join(", ")));
    }
    out
}

/// A name not used yet, made from `base` and `suffix` within 63 bytes.
fn fresh_name(base: &str, suffix: &str, taken: &dyn Fn(&str) -> bool) -> String {
    for n in 0..1000 {
        let suffix = if n == 0 {
            suffix.to_string()
        } else {
            format!("{suffix}{n}")
        };
        let room = 63usize.saturating_sub(suffix.len());
        let mut cut = room.min(base.len());
        while cut > 0 && !base.is_char_boundary(cut) {
            cut -= 1;
        }
        let name = format!("{}{suffix}", &base[..cut]);
        if !taken(&name) {
            return name;
        }
    }
    truncate_identifier(&format!("{base}{suffix}"))
}

/// Constraints only the source has paired with ones only the target has
/// that are the same but for the name (a table renamed keeps its
/// constraints' old names): (old, new).
fn renamed_constraints(ta: &Table, tb: &Table) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut used: BTreeSet<&String> = BTreeSet::new();
    for (x, ca) in &ta.constraints {
        if tb.constraints.contains_key(x) {
            continue;
        }
        for (y, cb) in &tb.constraints {
            if ta.constraints.contains_key(y) || used.contains(y) {
                continue;
            }
            let mut c = ca.clone();
            c.comment.clone_from(&cb.comment);
            if c == *cb {
                used.insert(y);
                out.push((x.clone(), y.clone()));
                break;
            }
        }
    }
    out
}

/// Indexes the same way.
fn renamed_indexes(ta: &Table, tb: &Table) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut used: BTreeSet<&String> = BTreeSet::new();
    for (x, ia) in &ta.indexes {
        if tb.indexes.contains_key(x) {
            continue;
        }
        for (y, ib) in &tb.indexes {
            if ta.indexes.contains_key(y) || used.contains(y) {
                continue;
            }
            if same_index(ia, ib) {
                used.insert(y);
                out.push((x.clone(), y.clone()));
                break;
            }
        }
    }
    out
}

fn base_type(t: &str) -> (&str, bool) {
    let mut s = t;
    let mut array = false;
    while let Some(r) = s.strip_suffix("[]") {
        s = r;
        array = true;
    }
    (s, array)
}

// ---------------------------------------------------------------- builder

struct Builder<'a> {
    a: Schema,
    b: &'a Schema,
    opts: &'a PlanOptions,
    drafts: Vec<Draft>,
    warnings: Vec<String>,
    stale: Vec<StaleHint>,
    /// Qualified type text → (namespace, enum), both sides.
    enums: HashMap<String, (String, String)>,
    /// Qualified name → (namespace, sequence), both sides.
    sequences: HashMap<String, (String, String)>,
    /// Qualified type text → (namespace, name) of domains and composite
    /// types, both sides.
    user_types: HashMap<String, (String, String)>,
    /// Collation name as columns write it → (namespace, name), both sides.
    collations: HashMap<String, (String, String)>,
    /// A function or procedure's name as an expression calls it (bare in
    /// `public`, else qualified; always qualified too) → the keys of every
    /// overload of that name, both sides.
    routine_names: HashMap<String, BTreeSet<Key>>,
    /// Enums swapped (namespace, name).
    swapped: BTreeSet<(String, String)>,
    /// Columns converted by an enum swap: (ns, table, column).
    converted: BTreeSet<(String, String, String)>,
    /// Columns dropped and added again: (ns, table, column).
    rebuilt_columns: BTreeSet<(String, String, String)>,
    /// Constraints and indexes of kept tables dropped and created again
    /// although unchanged: (ns, table, name).
    rebuilt_constraints: BTreeSet<(String, String, String)>,
    rebuilt_indexes: BTreeSet<(String, String, String)>,
    possible_renames: Vec<String>,
    /// Tables dropped and created again (their partition key changes), as
    /// the source has them; removed from `a`, so every other step sees them
    /// created.
    recreated: Vec<(String, String, Table)>,
    /// The names of those tables, for the views that read them.
    recreated_names: BTreeSet<String>,
    /// What parents' column steps also do to their children's columns.
    hier_effects: Vec<((String, String, String), partition::KeyOp)>,
    /// What parents' index steps also do to their partitions' indexes.
    index_prop: partition::IndexPropagation,
    /// What parents' constraint steps also do to their children's
    /// constraints.
    hier_con_effects: Vec<(partition::ConstraintAt, partition::KeyOp)>,
}

pub(crate) fn build(from: &Schema, to: &Schema, opts: &PlanOptions) -> Result<Plan, PlanError> {
    let mut a = from.clone();
    normalize_public(&mut a);
    let b = normalized_public(to);
    let b = &*b;
    check_supported(&a, b)?;
    let mut bld = Builder {
        a,
        b,
        opts,
        drafts: Vec::new(),
        warnings: Vec::new(),
        stale: Vec::new(),
        enums: HashMap::new(),
        sequences: HashMap::new(),
        user_types: HashMap::new(),
        collations: HashMap::new(),
        routine_names: HashMap::new(),
        swapped: BTreeSet::new(),
        converted: BTreeSet::new(),
        rebuilt_columns: BTreeSet::new(),
        rebuilt_constraints: BTreeSet::new(),
        rebuilt_indexes: BTreeSet::new(),
        possible_renames: Vec::new(),
        recreated: Vec::new(),
        recreated_names: BTreeSet::new(),
        hier_effects: Vec::new(),
        index_prop: partition::index_propagation(from, to),
        hier_con_effects: Vec::new(),
    };
    // Refused in check_supported when this fails.
    for (ns, t) in partition::recreated_tables(&bld.a, bld.b).unwrap_or_default() {
        if let Some(ta) = bld
            .a
            .namespaces
            .get_mut(&ns)
            .and_then(|n| n.tables.remove(&t))
        {
            bld.recreated_names.insert(t.clone());
            bld.recreated.push((ns, t, ta));
        }
    }
    bld.renames()?;
    bld.index_types();
    bld.extensions();
    bld.foreign();
    bld.namespaces();
    bld.enums();
    bld.collations();
    bld.user_types();
    bld.ranges();
    bld.sequences();
    bld.routines();
    bld.operators();
    bld.aggregates();
    bld.tables()?;
    bld.hierarchies();
    bld.index_attachments();
    bld.hierarchy_order();
    bld.policies();
    bld.statistics();
    bld.event_triggers();
    bld.triggers();
    bld.view_triggers();
    bld.views();
    if let Some(implicit) = &opts.owners {
        bld.owners(implicit.as_deref());
    }
    bld.rules();
    bld.publications();
    bld.privileges();
    if !bld.drafts.is_empty() && !bld.a.unmanaged.is_empty() {
        bld.warnings.push(format!(
            "{} {} strata keeps by name only (foreign tables, range types, …) {} on both \
             sides; strata cannot see what they depend on, so a step that changes something one \
             of them uses will be refused by the server",
            bld.a.unmanaged.len(),
            if bld.a.unmanaged.len() == 1 {
                "object"
            } else {
                "objects"
            },
            if bld.a.unmanaged.len() == 1 {
                "exists"
            } else {
                "exist"
            }
        ));
    }
    let Builder {
        a: bld_a_for_triggers,
        drafts,
        warnings,
        stale,
        possible_renames,
        ..
    } = bld;
    let sorted = order::sort(drafts)?;
    refuse_under_dependents(&sorted, from, to)?;
    trigger::refuse_under_triggers(&sorted, &bld_a_for_triggers, b)?;
    refuse(&sorted, opts, &possible_renames)?;
    Ok(Plan {
        units: order::units(sorted),
        stale_hints: stale,
        warnings,
    })
}

/// A table column (directly, as an array, or through a domain or a
/// composite type) of type `canonical`, named for a message.
fn column_using_type(s: &Schema, canonical: &str) -> Option<String> {
    let mut types: BTreeSet<String> = BTreeSet::from([canonical.to_string()]);
    // Domains and composite types built on it use it too (to a fixpoint).
    loop {
        let before = types.len();
        for (ns, n) in &s.namespaces {
            for (name, d) in &n.domains {
                if types.contains(base_type(&d.base_type).0) {
                    types.insert(qualified(ns, name));
                }
            }
            for (name, c) in &n.composites {
                if c.attributes
                    .iter()
                    .any(|a| types.contains(base_type(&a.data_type).0))
                {
                    types.insert(qualified(ns, name));
                }
            }
        }
        if types.len() == before {
            break;
        }
    }
    for (ns, n) in &s.namespaces {
        for (t, table) in &n.tables {
            for c in &table.columns {
                if types.contains(base_type(&c.data_type).0) {
                    return Some(format!(
                        "column {}.{}",
                        qualified_sql(ns, t),
                        quote_ident(&c.name)
                    ));
                }
            }
        }
    }
    None
}

/// What the model cannot write.
fn check_supported(a: &Schema, b: &Schema) -> Result<(), PlanError> {
    let mut details = Vec::new();
    details.extend(routine::unsupported_routines(a, b));
    details.extend(operator::unsupported_operators(a, b));
    details.extend(aggregate::unsupported_aggregates(a, b));
    details.extend(foreign::unsupported(a, b));
    details.extend(range::unsupported_ranges(a, b));
    for (ns, nb) in &b.namespaces {
        let Some(na) = a.namespaces.get(ns) else {
            continue;
        };
        for (name, cb) in &nb.collations {
            if let Some(ca) = na.collations.get(name) {
                let mut x = ca.clone();
                x.comment = cb.comment.clone();
                if &x != cb {
                    details.push(format!(
                        "collation {}: its definition changes ({} → {}), which ALTER COLLATION \
                         cannot do; create a new collation and move the columns to it",
                        qualified_sql(ns, name),
                        crate::ddl::collation_sql(&qualified_sql(ns, name), ca),
                        crate::ddl::collation_sql(&qualified_sql(ns, name), cb)
                    ));
                }
            }
        }
        for (name, db) in &nb.domains {
            if let Some(da) = na.domains.get(name) {
                if da.base_type != db.base_type || da.collation != db.collation {
                    details.push(format!(
                        "domain {}: its base type or collation changes ({} → {}), which ALTER \
                         DOMAIN cannot do; create a new domain and move the columns to it",
                        qualified_sql(ns, name),
                        da.base_type,
                        db.base_type
                    ));
                }
            }
        }
        for (name, cb) in &nb.composites {
            if let Some(ca) = na.composites.get(name) {
                let kept: Vec<&str> = ca
                    .attributes
                    .iter()
                    .filter(|x| cb.attributes.iter().any(|y| y.name == x.name))
                    .map(|x| x.name.as_str())
                    .chain(
                        cb.attributes
                            .iter()
                            .filter(|y| !ca.attributes.iter().any(|x| x.name == y.name))
                            .map(|y| y.name.as_str()),
                    )
                    .collect();
                let retyped: Vec<&str> = cb
                    .attributes
                    .iter()
                    .filter(|y| {
                        ca.attributes.iter().any(|x| {
                            x.name == y.name
                                && (x.data_type != y.data_type || x.collation != y.collation)
                        })
                    })
                    .map(|y| y.name.as_str())
                    .collect();
                if !retyped.is_empty() {
                    if let Some(user) = column_using_type(a, &qualified(ns, name)) {
                        details.push(format!(
                            "type {}: attribute {} changes type while {user} uses the type, \
                             which PostgreSQL refuses (ALTER TYPE … ALTER ATTRIBUTE cannot \
                             rewrite stored values); drop and add the attribute instead",
                            qualified_sql(ns, name),
                            retyped.join(", ")
                        ));
                    }
                }
                let want: Vec<&str> = cb.attributes.iter().map(|y| y.name.as_str()).collect();
                if kept != want {
                    details.push(format!(
                        "type {}: its attributes change order ({} → {}); ALTER TYPE adds \
                         attributes only at the end",
                        qualified_sql(ns, name),
                        kept.join(", "),
                        want.join(", ")
                    ));
                }
            }
        }
    }
    // A trigger's function is there already, or the plan creates it.
    for (ns, nb) in &b.namespaces {
        for (t, tb) in &nb.tables {
            for (g, trig) in &tb.triggers {
                let has = |s: &Schema| {
                    s.namespaces
                        .get(&trig.function_schema)
                        .is_some_and(|n| n.routines.contains_key(&format!("{}()", trig.function)))
                };
                let known = trig.function_schema == "pg_catalog" || has(a) || has(b);
                if !known {
                    details.push(format!(
                        "trigger {} on {}: calls {}(), which the source does not have",
                        quote_ident(g),
                        qualified_sql(ns, t),
                        trig.function_name()
                    ));
                }
            }
        }
    }
    for (ns, nb) in &b.namespaces {
        for (vn, v) in &nb.views {
            for (g, trig) in &v.triggers {
                let has = |s: &Schema| {
                    s.namespaces
                        .get(&trig.function_schema)
                        .is_some_and(|n| n.routines.contains_key(&format!("{}()", trig.function)))
                };
                if !(trig.function_schema == "pg_catalog" || has(a) || has(b)) {
                    details.push(format!(
                        "trigger {} on {}: calls {}(), which the source does not have",
                        quote_ident(g),
                        qualified_sql(ns, vn),
                        trig.function_name()
                    ));
                }
            }
        }
    }
    details.extend(view::unsupported_views(a, b));
    for u in b.unmanaged.difference(&a.unmanaged) {
        details.push(format!("{u}: only in the target"));
    }
    for u in a.unmanaged.difference(&b.unmanaged) {
        details.push(format!("{u}: only in the source"));
    }
    for (name, eb) in &b.extensions {
        let Some(ea) = a.extensions.get(name) else {
            continue;
        };
        if let (Some(va), Some(vb)) = (&ea.version, &eb.version) {
            let parse =
                |v: &str| -> Option<Vec<u64>> { v.split('.').map(|p| p.parse().ok()).collect() };
            if let (Some(pa), Some(pb)) = (parse(va), parse(vb)) {
                if pb < pa {
                    details.push(format!(
                        "extension {}: its version would go down from {va} to {vb}, and extensions \
                         rarely ship a downgrade path",
                        quote_ident(name)
                    ));
                }
            }
        }
    }
    details.extend(partition::unsupported(a, b));
    if details.is_empty() {
        return Ok(());
    }
    Err(PlanError {
        kind: PlanErrorKind::Unsupported,
        message: format!(
            "strata cannot plan this change: {} {} objects it does not write",
            details.len(),
            if details.len() == 1 {
                "difference involves"
            } else {
                "differences involve"
            }
        ),
        details,
        help: "strata keeps rules and other such objects by name only, and recreates a \
               table whose partition key changes only at the top of a hierarchy nothing else \
               references: write this part of the migration by hand"
            .to_string(),
    })
}

/// Steps the server refuses while a view, rule or policy uses the column
/// or table: strata knows those objects by name only, not what they use.
/// A step that drops or retypes a column or a table is refused when such an
/// object could use it — a view or rule in the same schema, a policy or
/// rule on the same table — naming both.
fn refuse_under_dependents(sorted: &[Draft], from: &Schema, to: &Schema) -> Result<(), PlanError> {
    use crate::model::UnmanagedKind as K;
    let mut found: BTreeSet<String> = BTreeSet::new();
    let mut details = Vec::new();
    for (i, d) in sorted.iter().enumerate() {
        let risky = matches!(
            d.step.action.as_str(),
            "drop column"
                | "drop column (to add it again)"
                | "drop table"
                | "drop table (to create it again)"
                | "drop column (to inherit it)"
                | "change column type"
                | "convert column to the new enum"
        );
        let Some(table) = d.step.object.table_path() else {
            continue;
        };
        if !risky {
            continue;
        }
        let ns_prefix = format!("{}.", quote_ident(&table.namespace));
        let table_prefix = format!("{}{}.", ns_prefix, quote_ident(&table.name));
        let mut users: Vec<String> = from
            .unmanaged
            .iter()
            .filter(|u| match u.kind {
                K::View | K::MaterializedView => u.name.starts_with(&ns_prefix),
                K::Policy => u.name.starts_with(&table_prefix),
                _ => false,
            })
            .map(|u| u.to_string())
            .collect();
        users.extend(view::views_reading(from, to, &table.name));
        if users.is_empty() {
            continue;
        }
        details.push(format!(
            "step {}: {} {} — may be used by {}",
            i + 1,
            d.step.action,
            d.step.object.sql_name(),
            users.join(", ")
        ));
        found.extend(users);
    }
    if details.is_empty() {
        return Ok(());
    }
    Err(PlanError {
        kind: PlanErrorKind::Unsupported,
        message: format!(
            "strata cannot plan this change: it drops or retypes columns or tables that {} \
             view(s), rule(s) or policy(ies) may use, and strata cannot see what those use",
            found.len()
        ),
        details,
        help: "write this migration by hand: drop the dependent objects first and create them \
               again after the change"
            .to_string(),
    })
}

/// Refuses steps with hazards not allowed; a possible rename is named
/// first, with the hint that would make it one.
fn refuse(
    sorted: &[Draft],
    opts: &PlanOptions,
    possible_renames: &[String],
) -> Result<(), PlanError> {
    let refused: Vec<(usize, &Step, &HazardNote)> = sorted
        .iter()
        .enumerate()
        .flat_map(|(i, d)| {
            d.step
                .hazards
                .iter()
                .filter(|h| h.hazard.refused_by_default() && !opts.allow.contains(&h.hazard))
                .map(move |h| (i + 1, &d.step, h))
        })
        .collect();
    if refused.is_empty() {
        return Ok(());
    }
    if !possible_renames.is_empty() {
        return Err(PlanError {
            kind: PlanErrorKind::PossibleRename,
            message: format!(
                "{} {} like renames; strata does not guess",
                possible_renames.len(),
                if possible_renames.len() == 1 {
                    "dropped and added object looks"
                } else {
                    "dropped and added objects look"
                }
            ),
            details: possible_renames.to_vec(),
            help:
                "if it is a rename, write the hint in the declared schema (`-- strata:renamed-from \
                   OLD` on the line before the column, or before CREATE TABLE); if it really is a \
                   drop and an add, allow it with `--allow-hazards deletes-data`"
                    .to_string(),
        });
    }
    let hazards: BTreeSet<Hazard> = refused.iter().map(|(_, _, h)| h.hazard).collect();
    let names: Vec<&str> = hazards.iter().map(|h| h.name()).collect();
    Err(PlanError {
        kind: PlanErrorKind::Refused,
        message: format!(
            "refusing to plan: {} {} the hazard{} {}",
            refused.len(),
            if refused.len() == 1 {
                "step has"
            } else {
                "steps have"
            },
            if names.len() == 1 { "" } else { "s" },
            names.join(", ")
        ),
        details: refused
            .iter()
            .map(|(n, s, h)| {
                format!(
                    "step {n}: {} {} — {}: {}",
                    s.action,
                    s.object.sql_name(),
                    h.hazard,
                    h.why
                )
            })
            .collect(),
        help: format!(
            "check that losing this data is intended, then allow it with `--allow-hazards {}`",
            names.join(",")
        ),
    })
}

impl<'a> Builder<'a> {
    fn push(&mut self, d: Draft) {
        self.drafts.push(d);
    }

    fn online_for(&self, t: &Table) -> bool {
        self.opts.online && t.partition_by.is_none()
    }

    // ------------------------------------------------------------ lookups

    fn index_types(&mut self) {
        for s in [&self.a, self.b] {
            for (ns, n) in &s.namespaces {
                for e in n.enums.keys() {
                    self.enums.insert(qualified(ns, e), (ns.clone(), e.clone()));
                }
                for q in n.sequences.keys() {
                    self.sequences
                        .insert(qualified(ns, q), (ns.clone(), q.clone()));
                }
                for t in n.domains.keys().chain(n.composites.keys()) {
                    self.user_types
                        .insert(qualified(ns, t), (ns.clone(), t.clone()));
                }
                // A range and its multirange: both are the range's key.
                for (t, r) in &n.ranges {
                    self.user_types
                        .insert(qualified(ns, t), (ns.clone(), t.clone()));
                    self.user_types.insert(
                        qualified(&r.multirange.schema, &r.multirange.name),
                        (ns.clone(), t.clone()),
                    );
                }
                for c in n.collations.keys() {
                    self.collations
                        .insert(qualified(ns, c), (ns.clone(), c.clone()));
                }
                for sig in n.routines.keys() {
                    let (name, _) = crate::model::split_signature(sig);
                    let k = routine::k_routine(ns, sig);
                    for text in [
                        qualified(ns, name),
                        format!("{}.{}", quote_ident(ns), quote_ident(name)),
                    ] {
                        self.routine_names
                            .entry(text)
                            .or_default()
                            .insert(k.clone());
                    }
                }
            }
        }
    }

    fn enum_of(&self, data_type: &str) -> Option<&(String, String)> {
        self.enums.get(base_type(data_type).0)
    }

    /// The domain or composite type a column type names.
    fn user_type_of(&self, data_type: &str) -> Option<&(String, String)> {
        self.user_types.get(base_type(data_type).0)
    }

    /// Enum and sequence keys an expression names.
    fn expr_keys(&self, text: &str, out: &mut Vec<Key>, old_too: bool) {
        for tok in name_tokens(text) {
            if let Some((ns, e)) = self.enums.get(tok) {
                out.push(k_type(ns, e));
                if old_too {
                    out.push(k_old_type(ns, e));
                }
            }
            if let Some((ns, s)) = self.sequences.get(tok) {
                out.push(k_seq(ns, s));
            }
            if let Some((ns, t)) = self.user_types.get(tok) {
                out.push(k_type(ns, t));
                if old_too {
                    out.push(k_old_type(ns, t));
                }
            }
            if let Some((ns, l)) = self.collations.get(tok) {
                out.push(k_coll(ns, l));
            }
            // A function it calls (any overload of the name: the order
            // this gives is safe whichever one it is).
            if let Some(keys) = self.routine_names.get(tok) {
                out.extend(keys.iter().cloned());
            }
        }
    }

    /// What a column needs to exist (or, with `old_too`, stops using when
    /// it goes): its enum, the enums and sequences of its expressions.
    fn column_keys(&self, c: &Column, old_too: bool) -> Vec<Key> {
        let mut out = Vec::new();
        if let Some((ns, e)) = self.enum_of(&c.data_type) {
            out.push(k_type(ns, e));
            if old_too {
                out.push(k_old_type(ns, e));
            }
        }
        if let Some((ns, t)) = self.user_type_of(&c.data_type) {
            out.push(k_type(ns, t));
            if old_too {
                out.push(k_old_type(ns, t));
            }
        }
        if let Some((ns, l)) = c.collation.as_deref().and_then(|x| self.collations.get(x)) {
            out.push(k_coll(ns, l));
        }
        if let Some(d) = &c.default {
            self.expr_keys(d, &mut out, old_too);
        }
        if let Some(g) = &c.generated {
            self.expr_keys(g, &mut out, old_too);
        }
        out
    }
}

fn identity_sql(k: Identity) -> &'static str {
    match k {
        Identity::Always => "ALWAYS",
        Identity::ByDefault => "BY DEFAULT",
    }
}
