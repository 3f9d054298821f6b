//! Triggers on views (PostgreSQL's `CreateTriggerFiringOn` for a
//! `RELKIND_VIEW`): `INSTEAD OF` row triggers and `BEFORE`/`AFTER`
//! statement triggers, kept on the view ([`crate::model::View::triggers`]),
//! with the errors the server raises for what a view cannot have. They go
//! with the view when it is dropped, stay when it is replaced
//! (`CREATE OR REPLACE VIEW`) and follow it when it is renamed or moved.

use std::collections::BTreeMap;

use crate::model::{Trigger, TriggerEnabled, TriggerEvents, TriggerTiming};
use crate::parse::{CreateTrigger, QName};

use super::trigger::trigger_path;
use super::{
    err, help, Replayer, DUPLICATE_COLUMN, DUPLICATE_OBJECT, FEATURE_NOT_SUPPORTED,
    INVALID_OBJECT_DEFINITION, R, UNDEFINED_COLUMN, WRONG_OBJECT_TYPE,
};

impl Replayer {
    /// The namespace of the (plain) view `q` names, if it names one.
    pub(super) fn find_plain_view(&self, q: &QName) -> Option<String> {
        self.find_ns(q, |n| n.views.get(&q.name).is_some_and(|v| !v.materialized))
    }

    pub(super) fn view_triggers_mut(
        &mut self,
        ns: &str,
        view: &str,
    ) -> Option<&mut BTreeMap<String, Box<Trigger>>> {
        self.schema
            .namespaces
            .get_mut(ns)
            .and_then(|n| n.views.get_mut(view))
            .map(|v| &mut v.triggers)
    }

    pub(super) fn create_view_trigger(&mut self, ns: String, ct: CreateTrigger) -> R<()> {
        let vn = ct.table.name.clone();
        let is_view = |detail: &str| {
            help(
                err(WRONG_OBJECT_TYPE, format!("\"{vn}\" is a view")),
                detail.to_string(),
            )
        };
        if ct.timing != TriggerTiming::InsteadOf && ct.for_each_row {
            return Err(is_view(
                "Views cannot have row-level BEFORE or AFTER triggers.",
            ));
        }
        if ct.events.truncate {
            return Err(is_view("Views cannot have TRUNCATE triggers."));
        }
        if ct.timing == TriggerTiming::InsteadOf {
            if !ct.for_each_row {
                return Err(err(
                    FEATURE_NOT_SUPPORTED,
                    "INSTEAD OF triggers must be FOR EACH ROW",
                ));
            }
            if ct.when.is_some() {
                return Err(err(
                    FEATURE_NOT_SUPPORTED,
                    "INSTEAD OF triggers cannot have WHEN conditions",
                ));
            }
            if !ct.events.update_of.is_empty() {
                return Err(err(
                    FEATURE_NOT_SUPPORTED,
                    "INSTEAD OF triggers cannot have column lists",
                ));
            }
        }
        if ct.old_table.is_some() || ct.new_table.is_some() {
            return Err(is_view("Triggers on views cannot have transition tables."));
        }
        if ct.constraint {
            return Err(is_view(
                "Views cannot have row-level BEFORE or AFTER triggers.",
            ));
        }
        if ct.when.is_some() && !ct.when_refs.is_empty() {
            return Err(err(
                INVALID_OBJECT_DEFINITION,
                "statement trigger's WHEN condition cannot reference column values",
            ));
        }
        let view = self
            .schema
            .namespaces
            .get(&ns)
            .and_then(|n| n.views.get(&vn))
            .expect("resolved")
            .clone();
        let mut update_of: Vec<String> = Vec::new();
        for c in &ct.events.update_of {
            if view.column(c).is_none() {
                return Err(err(
                    UNDEFINED_COLUMN,
                    format!("column \"{c}\" of relation \"{vn}\" does not exist"),
                ));
            }
            if update_of.contains(c) {
                return Err(err(
                    DUPLICATE_COLUMN,
                    format!("column \"{c}\" specified more than once"),
                ));
            }
            update_of.push(c.clone());
        }
        let (function_schema, function) = self.trigger_function(&ct.function)?;
        let old = view.triggers.get(&ct.name);
        if old.is_some() && !ct.or_replace {
            return Err(err(
                DUPLICATE_OBJECT,
                format!(
                    "trigger \"{}\" for relation \"{vn}\" already exists",
                    ct.name
                ),
            ));
        }
        let trigger = Trigger {
            timing: ct.timing,
            events: TriggerEvents {
                update_of,
                ..ct.events.clone()
            },
            for_each_row: ct.for_each_row,
            when: ct.when.clone().map(|mut e| {
                if let crate::model::Stored::Unproven { reason, .. } = &mut e.stored {
                    *reason =
                        "strata does not analyse a trigger's WHEN condition offline".to_string();
                }
                e
            }),
            function_schema,
            function,
            arguments: ct.arguments.clone(),
            old_table: None,
            new_table: None,
            constraint: None,
            enabled: TriggerEnabled::Origin,
            comment: old.and_then(|o| o.comment.clone()),
            definition: ct.text.clone(),
            when_columns: Vec::new(),
        };
        self.view_triggers_mut(&ns, &vn)
            .expect("resolved")
            .insert(ct.name.clone(), Box::new(trigger));
        self.touch(trigger_path(&ns, &vn, &ct.name));
        Ok(())
    }

    /// Triggers on views that call `ns.name()`: `(namespace, view, trigger)`.
    pub(super) fn view_triggers_calling(
        &self,
        ns: &str,
        name: &str,
    ) -> Vec<(String, String, String)> {
        let mut out = Vec::new();
        for (nsn, n) in &self.schema.namespaces {
            for (vn, v) in &n.views {
                for (gn, g) in &v.triggers {
                    if g.function_schema == ns && g.function == name {
                        out.push((nsn.clone(), vn.clone(), gn.clone()));
                    }
                }
            }
        }
        out
    }

    /// The statements to write back for the triggers on a view, from the
    /// model: after the view, its columns or its function were renamed.
    pub(super) fn rewrite_view_trigger_definitions(&mut self, ns: &str, view: &str) {
        let Some(triggers) = self.view_triggers_mut(ns, view) else {
            return;
        };
        for (n, g) in triggers.iter_mut() {
            g.definition = crate::ddl::trigger_sql(ns, view, n, g);
        }
    }
}
