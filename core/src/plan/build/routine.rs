//! Functions and procedures: created from their definition (the user's
//! `CREATE FUNCTION`, or the server's `pg_get_functiondef`), replaced with
//! `CREATE OR REPLACE` where PostgreSQL allows it (`ProcedureCreate`: same
//! kind, result and output columns, no input renamed, no default removed),
//! dropped and created again where it does not, dropped after what uses
//! them, and commented. What cannot be done safely is refused by name
//! (see [`unsupported_routines`]).
//!
//! A routine is created before the tables (whose defaults, checks, indexes
//! and triggers may call it) unless its argument or result types name a
//! table or a type the plan creates, which it then follows. A `LANGUAGE
//! sql` body is checked by the server when created: the step turns that
//! off for its transaction (`SET LOCAL check_function_bodies = false`, as
//! pg_dump does for the whole dump), so a body may read a table created
//! later in the plan.

use std::collections::BTreeSet;

use super::{base_type, hz, k_ns, k_table, key, step, Builder, P_COMMENT, P_DROP, P_TYPE};
use crate::ddl::{name_tokens, qualified_create, routine_target};
use crate::model::{
    qualified, qualified_sql, quote_ident, split_signature, ArgMode, ObjectKind, ObjectPath,
    Routine, RoutineBody, RoutineKind, Schema,
};
use crate::plan::hazard::Hazard;
use crate::plan::order::{Draft, Key};

/// A routine, by namespace and signature (`name(integer, text)`).
pub(super) fn k_routine(ns: &str, signature: &str) -> Key {
    key("f", &[ns, signature])
}

fn routine_path(ns: &str, signature: &str, r: &Routine) -> ObjectPath {
    let kind = match r.kind {
        RoutineKind::Function => ObjectKind::Function,
        RoutineKind::Procedure => ObjectKind::Procedure,
    };
    ObjectPath::new(kind, ns, signature)
}

/// The statements of a definition (a routine altered after its creation
/// keeps the `ALTER` statements that followed).
fn statements(definition: &str) -> Vec<String> {
    let text: std::sync::Arc<str> = std::sync::Arc::from(definition);
    match crate::split::split("definition", &text) {
        Ok(s) => s.into_iter().map(|s| s.text.to_string()).collect(),
        Err(_) => vec![definition.trim().trim_end_matches(';').to_string()],
    }
}

/// The statements that create the routine: its definition, the name
/// qualified (see [`qualified_create`]).
fn create_statements_of(definition: &str, ns: &str) -> Vec<String> {
    let mut stmts = statements(definition);
    if let Some(first) = stmts.first_mut() {
        *first = qualified_create(first, ns);
    }
    stmts
}

/// `CREATE OR REPLACE …` of a one-statement definition, `None` when the
/// definition is not one `CREATE [OR REPLACE] FUNCTION|PROCEDURE`.
fn or_replace(definition: &str, ns: &str) -> Option<String> {
    let stmts = create_statements_of(definition, ns);
    let [only] = stmts.as_slice() else {
        return None;
    };
    let only = only.trim();
    let words: Vec<&str> = only.splitn(3, char::is_whitespace).collect();
    if words.len() < 3 || !words[0].eq_ignore_ascii_case("CREATE") {
        return None;
    }
    if words[1].eq_ignore_ascii_case("OR") {
        return Some(only.to_string());
    }
    if words[1].eq_ignore_ascii_case("FUNCTION") || words[1].eq_ignore_ascii_case("PROCEDURE") {
        return Some(format!("CREATE OR REPLACE {} {}", words[1], words[2]));
    }
    None
}

/// Whether `CREATE OR REPLACE` may take `a` to `b` (`ProcedureCreate`'s
/// checks): same kind and result, the same output columns, no input
/// argument renamed, no default removed.
fn replaceable(a: &Routine, b: &Routine) -> bool {
    let outputs = |r: &Routine| -> Vec<(Option<String>, String)> {
        r.args
            .iter()
            .filter(|x| matches!(x.mode, ArgMode::Out | ArgMode::InOut | ArgMode::Table))
            .map(|x| (x.name.clone(), x.data_type.clone()))
            .collect()
    };
    let inputs = |r: &Routine| -> Vec<(Option<String>, bool)> {
        r.args
            .iter()
            .filter(|x| matches!(x.mode, ArgMode::In | ArgMode::InOut | ArgMode::Variadic))
            .map(|x| (x.name.clone(), x.default.is_some()))
            .collect()
    };
    if a.kind != b.kind || a.returns != b.returns || outputs(a) != outputs(b) {
        return false;
    }
    let (ia, ib) = (inputs(a), inputs(b));
    if ia.len() != ib.len() {
        return false;
    }
    let renamed = ia
        .iter()
        .zip(&ib)
        .any(|((na, _), (nb, _))| na.as_deref().is_some_and(|n| !n.is_empty()) && na != nb);
    let defaults = |v: &[(Option<String>, bool)]| v.iter().filter(|(_, d)| *d).count();
    !renamed && defaults(&ib) >= defaults(&ia)
}

/// Whether a text names the routine `name` of namespace `ns` (a call
/// `name(…)` or `ns.name(…)`; over-approximated by name).
fn names_routine(text: &str, ns: &str, name: &str) -> bool {
    let q = quote_ident(name);
    let full = format!("{}.{q}", quote_ident(ns));
    name_tokens(text)
        .into_iter()
        .any(|t| t == q || t == full || t.ends_with(&format!(".{q}")))
}

/// The objects of `s` that may call the routine `ns.name` — by its name in
/// their expressions, queries and bodies, or as a trigger's function —
/// other than routines of that name themselves.
pub(super) fn users_of(s: &Schema, ns: &str, name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let calls = |text: &str| names_routine(text, ns, name);
    for (tns, n) in &s.namespaces {
        for (tn, t) in &n.tables {
            let table = qualified_sql(tns, tn);
            for c in &t.columns {
                let exprs = [c.default.as_ref(), c.generated.as_deref()];
                if exprs.into_iter().flatten().any(|e| calls(&e.sql)) {
                    out.push(format!("column {table}.{}", quote_ident(&c.name)));
                }
            }
            for (cn, c) in &t.constraints {
                let text = match &c.kind {
                    crate::model::ConstraintKind::Check { expression, .. } => &expression.sql,
                    crate::model::ConstraintKind::Exclusion { definition } => definition.as_str(),
                    _ => "",
                };
                if calls(text) {
                    out.push(format!("constraint {} on {table}", quote_ident(cn)));
                }
            }
            for (iname, i) in &t.indexes {
                let keys = i.keys.iter().any(|k| match &k.key {
                    crate::model::IndexKeyExpr::Expression(e) => calls(e),
                    crate::model::IndexKeyExpr::Column(_) => false,
                });
                if keys || i.predicate.as_deref().is_some_and(calls) {
                    out.push(format!("index {}", qualified_sql(tns, iname)));
                }
            }
            for (pn, p) in &t.policies {
                let exprs = [p.using.as_ref(), p.with_check.as_ref()];
                if exprs.into_iter().flatten().any(|e| calls(&e.sql)) {
                    out.push(format!("policy {} on {table}", quote_ident(pn)));
                }
            }
            for (gn, g) in &t.triggers {
                let when = g.when.as_ref().is_some_and(|w| calls(&w.sql));
                if (g.function_schema == *ns && g.function == name) || when {
                    out.push(format!("trigger {} on {table}", quote_ident(gn)));
                }
            }
        }
        for (vn, v) in &n.views {
            if calls(&v.query.sql) {
                out.push(format!("{} {}", v.label(), qualified_sql(tns, vn)));
            }
            for (gn, g) in &v.triggers {
                if g.function_schema == *ns && g.function == name {
                    out.push(format!(
                        "trigger {} on {}",
                        quote_ident(gn),
                        qualified_sql(tns, vn)
                    ));
                }
            }
        }
        for (dn, d) in &n.domains {
            let default = d.default.as_ref().is_some_and(|e| calls(&e.sql));
            if default || d.checks.values().any(|c| calls(&c.expression.sql)) {
                out.push(format!("domain {}", qualified_sql(tns, dn)));
            }
        }
        for (sig, r) in &n.routines {
            if split_signature(sig).0 == name && tns == ns {
                continue;
            }
            if let RoutineBody::Sql(body) = &r.body {
                if calls(&body.sql) {
                    out.push(format!("{} {}.{sig}", r.kind.label(), quote_ident(tns)));
                }
            }
        }
    }
    out
}

/// Routine changes strata cannot plan safely: one `CREATE OR REPLACE`
/// cannot make, dropped while something that stays (or is kept and may
/// call it) uses it. Each message names the routine and what uses it.
pub(super) fn unsupported_routines(a: &Schema, b: &Schema) -> Vec<String> {
    let mut details = Vec::new();
    for (ns, na) in &a.namespaces {
        for (sig, ra) in &na.routines {
            let rb = b.namespaces.get(ns).and_then(|n| n.routines.get(sig));
            let name = split_signature(sig).0;
            let what = format!("{} {}.{sig}", ra.kind.label(), quote_ident(ns));
            let must_drop = match rb {
                None => true,
                Some(rb) => {
                    // Comments and privileges change in place.
                    let mut x = ra.clone();
                    x.comment.clone_from(&rb.comment);
                    x.acl.clone_from(&rb.acl);
                    x != *rb && !(replaceable(ra, rb) && or_replace(&rb.definition, ns).is_some())
                }
            };
            if !must_drop {
                continue;
            }
            // What uses it in the target: it must be there all along (a
            // drop and create in between is refused by the server while
            // they exist, or loses them).
            let mut before = users_of(a, ns, name);
            before.extend(super::operator::operators_calling(a, ns, sig));
            let mut users = users_of(b, ns, name);
            users.extend(super::operator::operators_calling(b, ns, sig));
            users.retain(|u| before.contains(u));
            if !users.is_empty() {
                details.push(format!(
                    "{what}: {} while {} use{} it, which the server refuses without CASCADE \
                     (and CASCADE would drop them); drop what uses it first, or keep its \
                     signature, result and argument names so CREATE OR REPLACE can change it",
                    if rb.is_some() {
                        "must be dropped and created again"
                    } else {
                        "is dropped"
                    },
                    users.join(", "),
                    if users.len() == 1 { "s" } else { "" }
                ));
            }
        }
    }
    details
}

impl Builder<'_> {
    pub(super) fn routines(&mut self) {
        let b = self.b;
        let mut keys: BTreeSet<(String, String)> = BTreeSet::new();
        for s in [&self.a, b] {
            for (ns, n) in &s.namespaces {
                keys.extend(n.routines.keys().map(|k| (ns.clone(), k.clone())));
            }
        }
        // Written or dropped with their range.
        let with_range = super::range::canonicals_with_their_range(&self.a, b);
        for (ns, sig) in keys {
            if with_range.contains(&(ns.clone(), sig.clone())) {
                continue;
            }
            let ra = self
                .a
                .namespaces
                .get(&ns)
                .and_then(|n| n.routines.get(&sig))
                .cloned();
            let rb = b.namespaces.get(&ns).and_then(|n| n.routines.get(&sig));
            match (ra, rb) {
                (None, Some(rb)) => self.create_routine(&ns, &sig, rb),
                (Some(ra), None) => self.drop_routine(&ns, &sig, &ra),
                (Some(ra), Some(rb)) if ra != *rb => {
                    // Privileges are planned with the others (`privilege`).
                    let mut x = ra.clone();
                    x.comment.clone_from(&rb.comment);
                    x.acl.clone_from(&rb.acl);
                    if x == *rb {
                        if ra.comment != rb.comment {
                            self.comment_routine(&ns, &sig, rb);
                        }
                    } else if let (true, Some(sql)) =
                        (replaceable(&ra, rb), or_replace(&rb.definition, &ns))
                    {
                        self.replace_routine(&ns, &sig, &ra, rb, sql);
                    } else {
                        self.drop_routine(&ns, &sig, &ra);
                        self.create_routine(&ns, &sig, rb);
                    }
                }
                _ => {}
            }
        }
    }

    /// What a routine needs first: its namespace, the types its arguments
    /// and result name (enums, domains, composite types, tables' row types).
    fn routine_requires(&self, d: &mut Draft, ns: &str, r: &Routine) {
        d.requires.push(k_ns(ns));
        let mut texts: Vec<&str> = r.args.iter().map(|x| x.data_type.as_str()).collect();
        texts.extend(r.returns.as_deref());
        for text in texts {
            for tok in name_tokens(text) {
                let (t, _) = base_type(tok);
                if let Some((tns, name)) = self.enums.get(t).or_else(|| self.user_types.get(t)) {
                    d.requires.push(super::k_type(tns, name));
                }
                for (tns, n) in &self.b.namespaces {
                    for tn in n.tables.keys() {
                        if qualified(tns, tn) == t {
                            d.requires.push(k_table(tns, tn));
                        }
                    }
                }
            }
        }
    }

    fn create_statements(ns: &str, r: &Routine) -> Vec<String> {
        let mut stmts = Vec::new();
        if r.language == "sql" && matches!(r.body, RoutineBody::Source { .. }) {
            stmts.push("SET LOCAL check_function_bodies = false".to_string());
        }
        stmts.extend(create_statements_of(&r.definition, ns));
        stmts
    }

    fn comment_statements(ns: &str, sig: &str, r: &Routine, replacing: bool) -> Vec<String> {
        crate::ddl::comment_on_sql(
            r.kind.keyword(),
            &routine_target(ns, sig),
            r.comment.as_deref(),
            replacing,
        )
        .into_iter()
        .collect()
    }

    fn create_routine(&mut self, ns: &str, sig: &str, r: &Routine) {
        let d = self.routine_draft(ns, sig, r);
        self.push(d);
    }

    /// The step creating a routine, with its comment.
    pub(super) fn routine_draft(&self, ns: &str, sig: &str, r: &Routine) -> Draft {
        let mut stmts = Self::create_statements(ns, r);
        stmts.extend(Self::comment_statements(ns, sig, r, false));
        let mut d = Draft::new(
            step(
                routine_path(ns, sig, r),
                &format!("create {}", r.kind.label()),
                stmts,
            ),
            P_TYPE,
        );
        self.routine_requires(&mut d, ns, r);
        d.provides.push(k_routine(ns, sig));
        d
    }

    fn replace_routine(&mut self, ns: &str, sig: &str, ra: &Routine, rb: &Routine, sql: String) {
        let mut stmts = Vec::new();
        if rb.language == "sql" && matches!(rb.body, RoutineBody::Source { .. }) {
            stmts.push("SET LOCAL check_function_bodies = false".to_string());
        }
        stmts.push(sql);
        // CREATE OR REPLACE leaves the comment as it was.
        if ra.comment != rb.comment {
            stmts.extend(Self::comment_statements(ns, sig, rb, true));
        }
        let mut d = Draft::new(
            step(
                routine_path(ns, sig, rb),
                &format!("replace {}", rb.kind.label()),
                stmts,
            ),
            P_TYPE,
        );
        let users = users_of(&self.a, ns, split_signature(sig).0);
        if !users.is_empty() {
            d.step.hazards.push(hz(
                Hazard::MayFail,
                format!(
                    "{} use{} it: they run the new definition from now on (a trigger fires it, \
                     a check or default calls it on the next write) and fail if it does",
                    users.join(", "),
                    if users.len() == 1 { "s" } else { "" }
                ),
            ));
        }
        self.routine_requires(&mut d, ns, rb);
        d.provides.push(k_routine(ns, sig));
        self.push(d);
    }

    fn drop_routine(&mut self, ns: &str, sig: &str, r: &Routine) {
        let mut d = Draft::new(
            step(
                routine_path(ns, sig, r),
                &format!("drop {}", r.kind.label()),
                vec![format!(
                    "DROP {} {}",
                    r.kind.keyword(),
                    routine_target(ns, sig)
                )],
            ),
            P_DROP,
        );
        d.drops.push(k_routine(ns, sig));
        // Before the types its arguments and result name are dropped.
        let mut uses = Draft::new(d.step.clone(), P_DROP);
        self.routine_requires(&mut uses, ns, r);
        d.releases.extend(uses.requires);
        self.push(d);
    }

    fn comment_routine(&mut self, ns: &str, sig: &str, r: &Routine) {
        let mut d = Draft::new(
            step(
                routine_path(ns, sig, r),
                &format!("comment on {}", r.kind.label()),
                Self::comment_statements(ns, sig, r, true),
            ),
            P_COMMENT,
        );
        d.requires.push(k_routine(ns, sig));
        self.push(d);
    }
}
