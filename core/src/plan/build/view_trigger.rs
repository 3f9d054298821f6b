//! Triggers on views in a plan. A view the plan creates, or drops and
//! creates again ([`super::view::recreated_views`], or a changed
//! definition), gets every trigger of the target's view created after it:
//! `DROP VIEW` took the old ones. On a view the plan keeps, a trigger is
//! created, dropped or replaced (`CREATE OR REPLACE TRIGGER`) as on a
//! table, and its comment set in place.

use std::collections::{BTreeMap, BTreeSet};

use super::routine::k_routine;
use super::trigger::{create_sql, k_trigger, trigger_path};
use super::{k_rel, step, Builder, P_COMMENT, P_DROP_DEPENDENT};
use crate::ddl::{comment_on_sql, trigger_target};
use crate::model::Trigger;
use crate::plan::order::Draft;

/// After the views (the phase only breaks ties: each step requires its
/// view).
const P_VIEW_TRIGGER: u8 = 15;

fn k_function(g: &Trigger) -> String {
    k_routine(&g.function_schema, &format!("{}()", g.function))
}

impl Builder<'_> {
    pub(super) fn view_triggers(&mut self) {
        let b = self.b;
        let again = super::view::recreated_views_with(&self.a, b, &self.recreated_names);
        let empty = BTreeMap::new();
        for (ns, nb) in &b.namespaces {
            for (vn, vb) in &nb.views {
                if vb.materialized {
                    continue;
                }
                let va = self
                    .a
                    .namespaces
                    .get(ns)
                    .and_then(|n| n.views.get(vn))
                    .filter(|va| !va.materialized)
                    .cloned();
                let fresh = match &va {
                    None => true,
                    Some(va) => {
                        !va.same_but_triggers(vb) || again.contains(&(ns.clone(), vn.clone()))
                    }
                };
                let ta = match &va {
                    Some(va) if !fresh => &va.triggers,
                    _ => &empty,
                };
                let names: BTreeSet<&String> = ta.keys().chain(vb.triggers.keys()).collect();
                for name in names {
                    match (ta.get(name), vb.triggers.get(name)) {
                        (None, Some(g)) => self.create_view_trigger(ns, vn, name, g, None),
                        (Some(g), None) => self.drop_view_trigger(ns, vn, name, g),
                        (Some(ga), Some(gb)) if ga != gb => {
                            let mut x = ga.clone();
                            x.comment.clone_from(&gb.comment);
                            if x == *gb {
                                let mut d = Draft::new(
                                    step(
                                        trigger_path(ns, vn, name),
                                        "comment on trigger",
                                        comment_on_sql(
                                            "TRIGGER",
                                            &trigger_target(ns, vn, name),
                                            gb.comment.as_deref(),
                                            true,
                                        )
                                        .into_iter()
                                        .collect(),
                                    ),
                                    P_COMMENT,
                                );
                                d.requires.push(k_trigger(ns, vn, name));
                                self.push(d);
                            } else {
                                self.create_view_trigger(ns, vn, name, gb, Some(ga));
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
    }

    /// `CREATE TRIGGER` on a view, or with `old`, `CREATE OR REPLACE
    /// TRIGGER` (the comment stays on the replaced trigger).
    fn create_view_trigger(
        &mut self,
        ns: &str,
        view: &str,
        name: &str,
        g: &Trigger,
        old: Option<&Trigger>,
    ) {
        let mut stmts = vec![create_sql(ns, view, name, g, old.is_some())];
        if old.is_none_or(|o| o.comment != g.comment) {
            stmts.extend(comment_on_sql(
                "TRIGGER",
                &trigger_target(ns, view, name),
                g.comment.as_deref(),
                old.is_some(),
            ));
        }
        let action = if old.is_some() {
            "replace trigger"
        } else {
            "create trigger"
        };
        let mut d = Draft::new(
            step(trigger_path(ns, view, name), action, stmts),
            P_VIEW_TRIGGER,
        );
        d.requires.push(k_rel(ns, view));
        d.requires.push(k_function(g));
        if let Some(o) = old {
            d.releases.push(k_function(o));
        }
        d.provides.push(k_trigger(ns, view, name));
        self.push(d);
    }

    fn drop_view_trigger(&mut self, ns: &str, view: &str, name: &str, g: &Trigger) {
        let mut d = Draft::new(
            step(
                trigger_path(ns, view, name),
                "drop trigger",
                vec![format!("DROP TRIGGER {}", trigger_target(ns, view, name))],
            ),
            P_DROP_DEPENDENT,
        );
        d.releases.push(k_function(g));
        d.drops.push(k_trigger(ns, view, name));
        self.push(d);
    }
}
