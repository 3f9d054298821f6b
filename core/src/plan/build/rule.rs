//! Rewrite rules in a plan. A rule is created after its relation and every
//! relation its text names (and their columns), dropped before they change;
//! a changed definition is `CREATE OR REPLACE RULE` (the server allows any
//! change of event, condition and actions on the same relation, and keeps
//! the state and the comment), the
//! state (`ALTER TABLE … ENABLE | DISABLE RULE`) and comment set in place.
//! A rule on a relation the plan creates or creates again is created after
//! it (`DROP` took the old one); a rule the plan keeps whose relation or a
//! relation it names changes its columns (or, a view, its definition) is
//! dropped before and created again after, as the server refuses those
//! changes while it exists.

use std::collections::{BTreeMap, BTreeSet};

use super::{k_col, k_rel, k_table, key, step, Builder, P_COMMENT, P_DROP_DEPENDENT};
use crate::ddl::{comment_on_sql, name_tokens, rule_sql, rule_state_sql, rule_target};
use crate::model::{quote_ident, ObjectKind, ObjectPath, Rule, Schema, TriggerEnabled};
use crate::plan::order::{Draft, Key};

/// After the views and their triggers (the phase only breaks ties: each
/// step requires what it names).
const P_RULE: u8 = 16;

fn k_rule(ns: &str, rel: &str, name: &str) -> Key {
    key("R", &[ns, rel, name])
}

fn rule_path(ns: &str, rel: &str, name: &str) -> ObjectPath {
    ObjectPath::in_table(ObjectKind::Rule, ns, rel, name)
}

/// A relation a rule can be on or name.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Rel<'s> {
    Table(&'s crate::model::Table),
    View(&'s crate::model::View),
}

fn relation<'s>(s: &'s Schema, ns: &str, name: &str) -> Option<Rel<'s>> {
    let n = s.namespaces.get(ns)?;
    if let Some(t) = n.tables.get(name) {
        return Some(Rel::Table(t));
    }
    n.views.get(name).map(Rel::View)
}

/// The relations (ns, name) of `s` a rule on `ns.rel` names in its text,
/// with its own (over-approximated: any name token equal to a relation's
/// quoted name, qualified or not).
fn named_relations(s: &Schema, ns: &str, rel: &str, r: &Rule) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::from([(ns.to_string(), rel.to_string())]);
    let mut tokens: Vec<&str> = name_tokens(&r.actions.sql);
    if let Some(c) = &r.condition {
        tokens.extend(name_tokens(&c.sql));
    }
    let tokens: BTreeSet<&str> = tokens
        .into_iter()
        .flat_map(|t| {
            let mut parts: Vec<&str> = vec![t];
            parts.extend(t.split('.'));
            parts
        })
        .collect();
    for (nsn, n) in &s.namespaces {
        for name in n.tables.keys().chain(n.views.keys()) {
            let q = quote_ident(name);
            if tokens.contains(q.as_str()) {
                out.insert((nsn.clone(), name.clone()));
            }
        }
    }
    out
}

/// Whether relation `ns.name` changes between `a` and `b` in a way the
/// server refuses under a rule that uses it: its columns (names, types),
/// or a view's definition; gone; or created again by the plan.
fn changes(
    a: &Schema,
    b: &Schema,
    again: &BTreeSet<(String, String)>,
    ns: &str,
    name: &str,
) -> bool {
    if again.contains(&(ns.to_string(), name.to_string())) {
        return true;
    }
    match (relation(a, ns, name), relation(b, ns, name)) {
        (Some(Rel::Table(x)), Some(Rel::Table(y))) => {
            let cols = |t: &crate::model::Table| {
                t.columns
                    .iter()
                    .map(|c| (c.name.clone(), c.data_type.clone()))
                    .collect::<Vec<_>>()
            };
            cols(x) != cols(y)
        }
        (Some(Rel::View(x)), Some(Rel::View(y))) => !x.same_but_triggers(y),
        (None, None) => false,
        _ => true,
    }
}

impl Builder<'_> {
    pub(super) fn rules(&mut self) {
        let b = self.b;
        let mut again = super::view::recreated_views_with(&self.a, b, &self.recreated_names);
        for (ns, t, _) in &self.recreated {
            again.insert((ns.clone(), t.clone()));
        }
        let a = self.a.clone();
        let empty = BTreeMap::new();
        let mut relations: BTreeSet<(String, String)> = BTreeSet::new();
        for s in [&a, b] {
            for (ns, n) in &s.namespaces {
                for (t, x) in &n.tables {
                    if !x.rules.is_empty() {
                        relations.insert((ns.clone(), t.clone()));
                    }
                }
                for (v, x) in &n.views {
                    if !x.rules.is_empty() {
                        relations.insert((ns.clone(), v.clone()));
                    }
                }
            }
        }
        let rules_of = |s: &'_ Schema, ns: &str, rel: &str| -> Option<BTreeMap<String, Rule>> {
            match relation(s, ns, rel)? {
                Rel::Table(t) => Some(t.rules.clone()),
                Rel::View(v) => Some(v.rules.clone()),
            }
        };
        for (ns, rel) in relations {
            let Some(rb) = rules_of(b, &ns, &rel) else {
                // The relation goes, and its rules with it.
                continue;
            };
            let kind_same = matches!(
                (relation(&a, &ns, &rel), relation(b, &ns, &rel)),
                (Some(Rel::Table(_)), Some(Rel::Table(_)))
                    | (Some(Rel::View(_)), Some(Rel::View(_)))
            );
            // A view created again (or a table) took its rules with it.
            let fresh = !kind_same
                || again.contains(&(ns.clone(), rel.clone()))
                || matches!(
                    (relation(&a, &ns, &rel), relation(b, &ns, &rel)),
                    (Some(Rel::View(x)), Some(Rel::View(y))) if !x.same_but_triggers(y)
                );
            let ra = if fresh {
                empty.clone()
            } else {
                rules_of(&a, &ns, &rel).unwrap_or_default()
            };
            let names: BTreeSet<&String> = ra.keys().chain(rb.keys()).collect();
            for name in names {
                match (ra.get(name), rb.get(name)) {
                    (None, Some(r)) => self.create_rule(&ns, &rel, name, r, None),
                    (Some(r), None) => self.drop_rule(&ns, &rel, name, r),
                    (Some(ra), Some(rb)) => {
                        let used_change = named_relations(&a, &ns, &rel, ra)
                            .iter()
                            .any(|(n, x)| changes(&a, b, &again, n, x));
                        if used_change {
                            self.drop_rule(&ns, &rel, name, ra);
                            self.create_rule(&ns, &rel, name, rb, None);
                        } else if ra != rb {
                            let mut x = ra.clone();
                            x.enabled = rb.enabled;
                            x.comment.clone_from(&rb.comment);
                            if x == *rb {
                                self.rule_state_and_comment(&ns, &rel, name, ra, rb);
                            } else {
                                self.create_rule(&ns, &rel, name, rb, Some(ra));
                            }
                        }
                    }
                    (None, None) => {}
                }
            }
        }
    }

    /// `CREATE RULE`, or with `old`, `CREATE OR REPLACE RULE` (the
    /// comment and the state stay).
    fn create_rule(&mut self, ns: &str, rel: &str, name: &str, r: &Rule, old: Option<&Rule>) {
        let mut stmts = vec![rule_sql(ns, rel, name, r, old.is_some())];
        // CREATE OR REPLACE keeps the state.
        if r.enabled != old.map_or(TriggerEnabled::Origin, |o| o.enabled) {
            stmts.push(rule_state_sql(ns, rel, name, r.enabled));
        }
        if old.is_none_or(|o| o.comment != r.comment) {
            stmts.extend(comment_on_sql(
                "RULE",
                &rule_target(ns, rel, name),
                r.comment.as_deref(),
                old.is_some(),
            ));
        }
        let action = if old.is_some() {
            "replace rule"
        } else {
            "create rule"
        };
        let mut d = Draft::new(step(rule_path(ns, rel, name), action, stmts), P_RULE);
        for (n, x) in named_relations(self.b, ns, rel, r) {
            match relation(self.b, &n, &x) {
                Some(Rel::Table(t)) => {
                    d.requires.push(k_table(&n, &x));
                    for c in &t.columns {
                        d.requires.push(k_col(&n, &x, &c.name));
                    }
                }
                Some(Rel::View(_)) => d.requires.push(k_rel(&n, &x)),
                None => {}
            }
        }
        if let Some(o) = old {
            self.releases_of(&mut d, ns, rel, o);
        }
        d.provides.push(k_rule(ns, rel, name));
        self.push(d);
    }

    /// What a rule of the source stops using when it goes.
    fn releases_of(&self, d: &mut Draft, ns: &str, rel: &str, r: &Rule) {
        for (n, x) in named_relations(&self.a, ns, rel, r) {
            match relation(&self.a, &n, &x) {
                Some(Rel::Table(t)) => {
                    d.releases.push(k_table(&n, &x));
                    for c in &t.columns {
                        d.releases.push(k_col(&n, &x, &c.name));
                    }
                }
                Some(Rel::View(_)) => d.releases.push(k_rel(&n, &x)),
                None => {}
            }
        }
    }

    fn drop_rule(&mut self, ns: &str, rel: &str, name: &str, r: &Rule) {
        let mut d = Draft::new(
            step(
                rule_path(ns, rel, name),
                "drop rule",
                vec![format!("DROP RULE {}", rule_target(ns, rel, name))],
            ),
            P_DROP_DEPENDENT,
        );
        self.releases_of(&mut d, ns, rel, r);
        d.drops.push(k_rule(ns, rel, name));
        self.push(d);
    }

    fn rule_state_and_comment(&mut self, ns: &str, rel: &str, name: &str, ra: &Rule, rb: &Rule) {
        let mut stmts = Vec::new();
        if ra.enabled != rb.enabled {
            stmts.push(rule_state_sql(ns, rel, name, rb.enabled));
        }
        if ra.comment != rb.comment {
            stmts.extend(comment_on_sql(
                "RULE",
                &rule_target(ns, rel, name),
                rb.comment.as_deref(),
                true,
            ));
        }
        let action = if ra.enabled != rb.enabled {
            "set rule state"
        } else {
            "comment on rule"
        };
        let mut d = Draft::new(step(rule_path(ns, rel, name), action, stmts), P_COMMENT);
        d.requires.push(k_rule(ns, rel, name));
        self.push(d);
    }
}
