//! Aggregates: created after their support functions (and the operator a
//! `SORTOP` names), dropped before them; replaced with `CREATE OR REPLACE
//! AGGREGATE` where `AggregateCreate` allows it (same kind, direct
//! arguments, argument names and result: the final function, or the state
//! type when there is none), dropped and created again otherwise — refused
//! by name when something kept may call it.

use std::collections::BTreeSet;

use super::operator::k_oper;
use super::routine::k_routine;
use super::{k_ns, key, step, Builder, P_COMMENT, P_DROP, P_TYPE};
use crate::ddl::{aggregate_functions, aggregate_sql, aggregate_target};
use crate::diff::aggregate_path;
use crate::model::{quote_literal, split_signature, Aggregate, Operator, Schema};
use crate::plan::order::{Draft, Key};

pub(super) fn k_agg(ns: &str, k: &str) -> Key {
    key("A", &[ns, k])
}

fn replaceable(a: &Aggregate, b: &Aggregate) -> bool {
    a.args == b.args
        && a.direct_args == b.direct_args
        && a.hypothetical == b.hypothetical
        && a.finalfunc == b.finalfunc
        && (a.finalfunc.is_some() || a.stype == b.stype)
}

/// Routine keys in `s` of the functions an aggregate names (every
/// overload of each name: they are named, not resolved).
fn routine_keys(s: &Schema, a: &Aggregate) -> Vec<Key> {
    let mut out = Vec::new();
    for f in aggregate_functions(a) {
        if let Some(n) = s.namespaces.get(&f.schema) {
            for sig in n.routines.keys() {
                if split_signature(sig).0 == f.name {
                    out.push(k_routine(&f.schema, sig));
                }
            }
        }
    }
    out
}

/// Aggregate changes that cannot be planned safely: dropped (or dropped
/// and created again) while a kept view, routine or expression may call it.
pub(super) fn unsupported_aggregates(a: &Schema, b: &Schema) -> Vec<String> {
    let mut details = Vec::new();
    for (ns, na) in &a.namespaces {
        for (k, x) in &na.aggregates {
            let y = b.namespaces.get(ns).and_then(|n| n.aggregates.get(k));
            let must_drop = match y {
                None => true,
                Some(y) => {
                    let mut c = x.clone();
                    c.comment.clone_from(&y.comment);
                    c != *y && !replaceable(x, y)
                }
            };
            if !must_drop {
                continue;
            }
            let name = split_signature(k).0;
            let before = super::routine::users_of(a, ns, name);
            let mut users = super::routine::users_of(b, ns, name);
            users.retain(|u| before.contains(u));
            if !users.is_empty() {
                details.push(format!(
                    "aggregate {}: {} while {} may call it, which the server refuses without \
                     CASCADE; drop what uses it first, or keep its kind, arguments and result \
                     so CREATE OR REPLACE AGGREGATE can change it",
                    aggregate_target(ns, k),
                    if y.is_some() {
                        "must be dropped and created again"
                    } else {
                        "is dropped"
                    },
                    users.join(", ")
                ));
            }
        }
    }
    details
}

impl Builder<'_> {
    pub(super) fn aggregates(&mut self) {
        let mut keys: BTreeSet<(String, String)> = BTreeSet::new();
        for s in [&self.a, self.b] {
            for (ns, n) in &s.namespaces {
                keys.extend(n.aggregates.keys().map(|k| (ns.clone(), k.clone())));
            }
        }
        for (ns, k) in keys {
            let x = self
                .a
                .namespaces
                .get(&ns)
                .and_then(|n| n.aggregates.get(&k))
                .cloned();
            let y = self
                .b
                .namespaces
                .get(&ns)
                .and_then(|n| n.aggregates.get(&k))
                .cloned();
            match (x, y) {
                (None, Some(y)) => self.create_aggregate(&ns, &k, &y, false, true),
                (Some(x), None) => self.drop_aggregate(&ns, &k, &x),
                (Some(x), Some(y)) if x != y => {
                    let mut c = x.clone();
                    c.comment.clone_from(&y.comment);
                    if c == y {
                        self.comment_aggregate(&ns, &k, &y);
                    } else if replaceable(&x, &y) {
                        self.create_aggregate(&ns, &k, &y, true, x.comment != y.comment);
                    } else {
                        self.drop_aggregate(&ns, &k, &x);
                        self.create_aggregate(&ns, &k, &y, false, true);
                    }
                }
                _ => {}
            }
        }
    }

    fn aggregate_comment_sql(ns: &str, k: &str, a: &Aggregate) -> String {
        format!(
            "COMMENT ON AGGREGATE {} IS {}",
            aggregate_target(ns, k),
            a.comment
                .as_deref()
                .map_or("NULL".to_string(), quote_literal)
        )
    }

    fn create_aggregate(&mut self, ns: &str, k: &str, a: &Aggregate, replace: bool, comment: bool) {
        let mut stmts = vec![aggregate_sql(ns, k, a, replace)];
        if comment && (a.comment.is_some() || replace) {
            stmts.push(Self::aggregate_comment_sql(ns, k, a));
        }
        let action = if replace {
            "replace aggregate"
        } else {
            "create aggregate"
        };
        let mut d = Draft::new(step(aggregate_path(ns, k), action, stmts), P_TYPE);
        d.requires.push(k_ns(ns));
        d.requires.extend(routine_keys(self.b, a));
        if let Some(s) = &a.sortop {
            if s.schema != "pg_catalog" {
                if let Some(n) = self.b.namespaces.get(&s.schema) {
                    for ok in n.operators.keys() {
                        if Operator::split_key(ok).0 == s.name {
                            d.requires.push(k_oper(&s.schema, ok));
                        }
                    }
                }
            }
        }
        for (_, t) in &a.args {
            let t = super::base_type(t).0;
            if let Some((tns, name)) = self.enums.get(t).or_else(|| self.user_types.get(t)) {
                d.requires.push(super::k_type(tns, name));
            }
        }
        d.provides.push(k_agg(ns, k));
        self.push(d);
    }

    fn drop_aggregate(&mut self, ns: &str, k: &str, a: &Aggregate) {
        let mut d = Draft::new(
            step(
                aggregate_path(ns, k),
                "drop aggregate",
                vec![format!("DROP AGGREGATE {}", aggregate_target(ns, k))],
            ),
            P_DROP,
        );
        d.drops.push(k_agg(ns, k));
        d.releases.extend(routine_keys(&self.a, a));
        for (_, t) in &a.args {
            let t = super::base_type(t).0;
            if let Some((tns, name)) = self.enums.get(t).or_else(|| self.user_types.get(t)) {
                d.releases.push(super::k_type(tns, name));
            }
        }
        self.push(d);
    }

    fn comment_aggregate(&mut self, ns: &str, k: &str, a: &Aggregate) {
        let mut d = Draft::new(
            step(
                aggregate_path(ns, k),
                "comment on aggregate",
                vec![Self::aggregate_comment_sql(ns, k, a)],
            ),
            P_COMMENT,
        );
        d.requires.push(k_agg(ns, k));
        self.push(d);
    }
}
