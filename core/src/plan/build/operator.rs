//! Operators: created after the functions they call and the types of their
//! operands, dropped before those functions; `ALTER OPERATOR … SET
//! (RESTRICT = …, JOIN = …)` for what PostgreSQL 15 lets change in place
//! (only the estimators), dropped and created again for anything else.
//!
//! The server writes links back (`OperatorUpd`): creating an operator whose
//! `COMMUTATOR` or `NEGATOR` names an existing one fills that one's empty
//! link; dropping one clears the links that pointed at it; naming one that
//! does not exist creates it as a shell, which a later `CREATE OPERATOR`
//! fills. The plan simulates that to know which kept operators end as the
//! target has them, and drops and creates again those that would not.
//! Something the target keeps that may use an operator (an expression,
//! an index, a view naming its symbol) refuses the drop by name.

use std::collections::{BTreeMap, BTreeSet};

use super::routine::k_routine;
use super::{base_type, k_ns, key, step, Builder, P_COMMENT, P_DROP, P_DROP_NAMESPACE, P_TYPE};
use crate::ddl::{operator_sql, operator_target};
use crate::diff::operator_path;
use crate::model::{
    qualified_sql, quote_ident, quote_literal, ConstraintKind, IndexKeyExpr, ObjectRef, Operator,
    RoutineBody, Schema,
};
use crate::plan::order::{Draft, Key};

/// An operator, by namespace and key (`===(integer, text)`).
pub(super) fn k_oper(ns: &str, k: &str) -> Key {
    key("O", &[ns, k])
}

const RESTRICT_ARGS: &str = "internal, oid, internal, integer";
const JOIN_ARGS: &str = "internal, oid, internal, smallint, internal";

#[derive(Clone, Copy, PartialEq, Debug)]
enum Action {
    Keep,
    Alter,
    Create,
    Drop,
    Recreate,
}

type Ops = BTreeMap<(String, String), Operator>;

fn all(s: &Schema) -> Ops {
    let mut out = BTreeMap::new();
    for (ns, n) in &s.namespaces {
        for (k, o) in &n.operators {
            out.insert((ns.clone(), k.clone()), o.clone());
        }
    }
    out
}

/// The key of the operator a link of `(ns, key)` names.
fn link_key(k: &str, link: &ObjectRef, commutator: bool) -> (String, String) {
    let (_, l, r) = Operator::split_key(k);
    let key = if commutator {
        Operator::key(&link.name, Some(r), l.unwrap_or_default())
    } else {
        Operator::key(&link.name, l, r)
    };
    (link.schema.clone(), key)
}

/// Equal but for the links and the comment (what a create or drop of
/// another operator, or `COMMENT ON`, changes).
fn same_core(a: &Operator, b: &Operator) -> bool {
    a.function == b.function && a.hashes == b.hashes && a.merges == b.merges
}

/// What happens to each operator. Links decide last: a kept operator whose
/// links the other steps do not bring to the target's is recreated too.
fn actions(a: &Ops, b: &Ops) -> BTreeMap<(String, String), Action> {
    let mut act = BTreeMap::new();
    for k in a.keys().chain(b.keys()) {
        let x = match (a.get(k), b.get(k)) {
            (None, Some(ob)) if ob.function.is_none() => Action::Keep, // a shell: made by its referrer
            (None, Some(_)) => Action::Create,
            (Some(_), None) => Action::Drop,
            (Some(oa), Some(ob)) if oa.function.is_none() && ob.function.is_some() => {
                Action::Create
            }
            (Some(oa), Some(ob)) if !same_core(oa, ob) => Action::Recreate,
            (Some(oa), Some(ob)) if oa.restrict != ob.restrict || oa.join != ob.join => {
                Action::Alter
            }
            _ => Action::Keep,
        };
        act.insert(k.clone(), x);
    }
    loop {
        let mut changed = false;
        // The links each operator ends with after the steps.
        let mut end: Ops = BTreeMap::new();
        for (k, oa) in a {
            if matches!(act[k], Action::Keep | Action::Alter | Action::Create) {
                end.insert(k.clone(), oa.clone());
            }
        }
        // Drops clear the links pointing at what they drop.
        for (k, oa) in a {
            if matches!(act[k], Action::Drop | Action::Recreate) {
                let me = ObjectRef::new(&k.0, Operator::split_key(&k.1).0);
                for (commutator, link) in [(true, &oa.commutator), (false, &oa.negator)] {
                    if let Some(l) = link {
                        if let Some(o) = end.get_mut(&link_key(&k.1, l, commutator)) {
                            let slot = if commutator {
                                &mut o.commutator
                            } else {
                                &mut o.negator
                            };
                            if slot.as_ref() == Some(&me) {
                                *slot = None;
                            }
                        }
                    }
                }
            }
        }
        // Creates fill their own links (keeping a filled shell's) and the
        // empty ones pointing back.
        for (k, ob) in b {
            if matches!(act[k], Action::Create | Action::Recreate) {
                let mut o = ob.clone();
                if act[k] == Action::Create {
                    if let Some(shell) = end.get(k) {
                        o.commutator = ob.commutator.clone().or(shell.commutator.clone());
                        o.negator = ob.negator.clone().or(shell.negator.clone());
                    }
                }
                end.insert(k.clone(), o);
            }
        }
        for (k, ob) in b {
            if matches!(act[k], Action::Create | Action::Recreate) {
                let me = ObjectRef::new(&k.0, Operator::split_key(&k.1).0);
                for (commutator, link) in [(true, &ob.commutator), (false, &ob.negator)] {
                    if let Some(l) = link {
                        let lk = link_key(&k.1, l, commutator);
                        let o = end.entry(lk).or_insert_with(Operator::shell);
                        let slot = if commutator {
                            &mut o.commutator
                        } else {
                            &mut o.negator
                        };
                        if slot.is_none() {
                            *slot = Some(me.clone());
                        }
                    }
                }
            }
        }
        for (k, x) in act.iter_mut() {
            if !matches!(x, Action::Keep | Action::Alter) {
                continue;
            }
            let (Some(e), Some(ob)) = (end.get(k), b.get(k)) else {
                continue;
            };
            if e.commutator != ob.commutator || e.negator != ob.negator {
                if ob.function.is_none() {
                    continue; // a shell the target keeps: nothing to write
                }
                *x = Action::Recreate;
                changed = true;
            }
        }
        if !changed {
            return act;
        }
    }
}

/// The routine keys an operator calls: (namespace, signature).
fn routines_called(k: &str, o: &Operator) -> Vec<(String, String)> {
    let (_, l, r) = Operator::split_key(k);
    let args: Vec<&str> = l.into_iter().chain([r]).collect();
    let mut out = Vec::new();
    if let Some(f) = &o.function {
        out.push((f.schema.clone(), format!("{}({})", f.name, args.join(", "))));
    }
    if let Some(f) = &o.restrict {
        out.push((f.schema.clone(), format!("{}({RESTRICT_ARGS})", f.name)));
    }
    if let Some(f) = &o.join {
        out.push((f.schema.clone(), format!("{}({JOIN_ARGS})", f.name)));
    }
    out.retain(|(ns, _)| ns != "pg_catalog");
    out
}

/// What in `s` may use the operator `sym` (over-approximated: any text
/// that contains the symbol), named for a message.
pub(super) fn operator_users(s: &Schema, sym: &str) -> Vec<String> {
    let mut out = Vec::new();
    let uses = |text: &str| text.contains(sym);
    for (ns, n) in &s.namespaces {
        for (tn, t) in &n.tables {
            let table = qualified_sql(ns, tn);
            for c in &t.columns {
                if [c.default.as_ref(), c.generated.as_deref()]
                    .into_iter()
                    .flatten()
                    .any(|e| uses(&e.sql))
                {
                    out.push(format!("column {table}.{}", quote_ident(&c.name)));
                }
            }
            for (cn, c) in &t.constraints {
                let text = match &c.kind {
                    ConstraintKind::Check { expression, .. } => expression.sql.as_str(),
                    ConstraintKind::Exclusion { definition } => definition.as_str(),
                    _ => "",
                };
                if uses(text) {
                    out.push(format!("constraint {} on {table}", quote_ident(cn)));
                }
            }
            for (iname, i) in &t.indexes {
                let keys = i.keys.iter().any(|k| match &k.key {
                    IndexKeyExpr::Expression(e) => uses(e),
                    IndexKeyExpr::Column(_) => false,
                });
                if keys || i.predicate.as_deref().is_some_and(uses) {
                    out.push(format!("index {}", qualified_sql(ns, iname)));
                }
            }
            for (pn, p) in &t.policies {
                if [p.using.as_ref(), p.with_check.as_ref()]
                    .into_iter()
                    .flatten()
                    .any(|e| uses(&e.sql))
                {
                    out.push(format!("policy {} on {table}", quote_ident(pn)));
                }
            }
        }
        for (vn, v) in &n.views {
            if uses(&v.query.sql) {
                out.push(format!("{} {}", v.label(), qualified_sql(ns, vn)));
            }
        }
        for (sig, r) in &n.routines {
            if let RoutineBody::Sql(body) = &r.body {
                if uses(&body.sql) {
                    out.push(format!("{} {}.{sig}", r.kind.label(), quote_ident(ns)));
                }
            }
        }
    }
    out
}

/// Operator changes strata cannot plan safely: an operator dropped (or
/// dropped and created again) while something kept may use it.
pub(super) fn unsupported_operators(a: &Schema, b: &Schema) -> Vec<String> {
    let (oa, ob) = (all(a), all(b));
    let mut details = Vec::new();
    for (k, x) in actions(&oa, &ob) {
        if !matches!(x, Action::Drop | Action::Recreate) || oa[&k].function.is_none() {
            continue;
        }
        let sym = Operator::split_key(&k.1).0;
        let before = operator_users(a, sym);
        let mut users = operator_users(b, sym);
        users.retain(|u| before.contains(u));
        if !users.is_empty() {
            details.push(format!(
                "operator {}: {} while {} may use it, which the server refuses without \
                 CASCADE (and CASCADE would drop them); drop what uses it first, or change \
                 only its RESTRICT and JOIN, which ALTER OPERATOR can do",
                operator_target(&k.0, &k.1),
                if x == Action::Drop {
                    "is dropped"
                } else {
                    "must be dropped and created again"
                },
                users.join(", ")
            ));
        }
    }
    details
}

impl Builder<'_> {
    pub(super) fn operators(&mut self) {
        let (oa, ob) = (all(&self.a), all(self.b));
        for (k, x) in actions(&oa, &ob) {
            let (ns, key) = (&k.0, &k.1);
            match x {
                Action::Keep => {
                    if let (Some(a), Some(b)) = (oa.get(&k), ob.get(&k)) {
                        if a.comment != b.comment && b.function.is_some() {
                            self.comment_operator(ns, key, b);
                        }
                    }
                }
                Action::Alter => self.alter_operator(ns, key, &oa[&k], &ob[&k]),
                Action::Create => self.create_operator(ns, key, &ob[&k], oa.get(&k)),
                Action::Drop => self.drop_operator(ns, key, &oa[&k], true),
                Action::Recreate => {
                    self.drop_operator(ns, key, &oa[&k], false);
                    self.create_operator(ns, key, &ob[&k], None);
                }
            }
        }
    }

    fn comment_sql(ns: &str, key: &str, o: &Operator) -> String {
        format!(
            "COMMENT ON OPERATOR {} IS {}",
            operator_target(ns, key),
            o.comment
                .as_deref()
                .map_or("NULL".to_string(), quote_literal)
        )
    }

    fn create_operator(&mut self, ns: &str, key: &str, o: &Operator, shell: Option<&Operator>) {
        let Some(sql) = operator_sql(ns, key, o) else {
            return;
        };
        let mut stmts = vec![sql];
        if o.comment.is_some() || shell.is_some_and(|s| s.comment.is_some()) {
            stmts.push(Self::comment_sql(ns, key, o));
        }
        let mut d = Draft::new(
            step(operator_path(ns, key), "create operator", stmts),
            P_TYPE,
        );
        d.requires.push(k_ns(ns));
        for (fns, sig) in routines_called(key, o) {
            d.requires.push(k_routine(&fns, &sig));
        }
        let (_, l, r) = Operator::split_key(key);
        for t in l.into_iter().chain([r]) {
            let t = base_type(t).0;
            if let Some((tns, name)) = self.enums.get(t).or_else(|| self.user_types.get(t)) {
                d.requires.push(super::k_type(tns, name));
            }
        }
        // Links name namespaces that must exist (a shell is made there).
        for l in [&o.commutator, &o.negator].into_iter().flatten() {
            if l.schema != "pg_catalog" {
                d.requires.push(k_ns(&l.schema));
            }
        }
        d.provides.push(k_oper(ns, key));
        self.push(d);
    }

    /// `last`: a drop for good, after the other drops (tables, columns,
    /// indexes and constraints that use the operator go first; they do not
    /// name it as a dependency), yet before its functions and schema.
    fn drop_operator(&mut self, ns: &str, key: &str, o: &Operator, last: bool) {
        let mut d = Draft::new(
            step(
                operator_path(ns, key),
                "drop operator",
                vec![format!("DROP OPERATOR {}", operator_target(ns, key))],
            ),
            if last { P_DROP_NAMESPACE } else { P_DROP },
        );
        d.drops.push(k_oper(ns, key));
        for (fns, sig) in routines_called(key, o) {
            d.releases.push(k_routine(&fns, &sig));
        }
        let (_, l, r) = Operator::split_key(key);
        for t in l.into_iter().chain([r]) {
            let t = base_type(t).0;
            if let Some((tns, name)) = self.enums.get(t).or_else(|| self.user_types.get(t)) {
                d.releases.push(super::k_type(tns, name));
            }
        }
        d.releases.push(k_ns(ns));
        self.push(d);
    }

    fn alter_operator(&mut self, ns: &str, key: &str, a: &Operator, b: &Operator) {
        let mut set = Vec::new();
        let shown =
            |f: &Option<ObjectRef>| f.as_ref().map_or("NONE".to_string(), |f| f.function_sql());
        if a.restrict != b.restrict {
            set.push(format!("RESTRICT = {}", shown(&b.restrict)));
        }
        if a.join != b.join {
            set.push(format!("JOIN = {}", shown(&b.join)));
        }
        let mut stmts = vec![format!(
            "ALTER OPERATOR {} SET ({})",
            operator_target(ns, key),
            set.join(", ")
        )];
        if a.comment != b.comment {
            stmts.push(Self::comment_sql(ns, key, b));
        }
        let mut d = Draft::new(
            step(operator_path(ns, key), "alter operator", stmts),
            P_TYPE,
        );
        d.requires.push(k_oper(ns, key));
        for (fns, sig) in routines_called(key, b) {
            d.requires.push(k_routine(&fns, &sig));
        }
        for (fns, sig) in routines_called(key, a) {
            d.releases.push(k_routine(&fns, &sig));
        }
        self.push(d);
    }

    fn comment_operator(&mut self, ns: &str, key: &str, o: &Operator) {
        let mut d = Draft::new(
            step(
                operator_path(ns, key),
                "comment on operator",
                vec![Self::comment_sql(ns, key, o)],
            ),
            P_COMMENT,
        );
        d.requires.push(k_oper(ns, key));
        self.push(d);
    }
}

/// Operators of `s` that call the routine `ns.signature`, named for a
/// message (a routine dropped under them is refused).
pub(super) fn operators_calling(s: &Schema, ns: &str, signature: &str) -> Vec<String> {
    let mut out = BTreeSet::new();
    for (ons, n) in &s.namespaces {
        for (k, o) in &n.operators {
            if routines_called(k, o)
                .iter()
                .any(|(fns, sig)| fns == ns && sig == signature)
            {
                out.insert(format!("operator {}", operator_target(ons, k)));
            }
        }
    }
    out.into_iter().collect()
}
