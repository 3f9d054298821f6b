//! Event triggers: dropped first and created last (one fires on the DDL
//! around it), after the function they execute; a changed event, tags or
//! function dropped and created again (ALTER EVENT TRIGGER cannot change
//! them); the enabled state with `ALTER EVENT TRIGGER`, the comment with
//! `COMMENT ON EVENT TRIGGER`.

use super::routine::k_routine;
use super::{step, Builder, P_COMMENT, P_DROP_DEPENDENT};
use crate::ddl::{comment_on_sql, event_trigger_enabled_sql, event_trigger_statements};
use crate::model::{quote_ident, EventTrigger, ObjectKind, ObjectPath};
use crate::plan::order::Draft;

/// After every other step.
const P_EVENT_TRIGGER: u8 = 14;

impl Builder<'_> {
    pub(super) fn event_triggers(&mut self) {
        let mut names: Vec<String> = self
            .a
            .event_triggers
            .keys()
            .chain(self.b.event_triggers.keys())
            .cloned()
            .collect();
        names.sort();
        names.dedup();
        for name in names {
            let ta = self.a.event_triggers.get(&name).cloned();
            let tb = self.b.event_triggers.get(&name).cloned();
            match (ta, tb) {
                (None, Some(tb)) => self.create_event_trigger(&name, &tb),
                (Some(ta), None) => self.drop_event_trigger(&name, &ta),
                (Some(ta), Some(tb)) => {
                    let function_kept = self.function_kept(&ta);
                    if ta.event != tb.event
                        || ta.tags != tb.tags
                        || ta.function != tb.function
                        || !function_kept
                    {
                        self.drop_event_trigger(&name, &ta);
                        self.create_event_trigger(&name, &tb);
                        continue;
                    }
                    let path = ObjectPath::new(ObjectKind::EventTrigger, "", &name);
                    if ta.enabled != tb.enabled {
                        let mut d = Draft::new(
                            step(
                                path.clone(),
                                "alter event trigger",
                                vec![event_trigger_enabled_sql(&name, tb.enabled)],
                            ),
                            P_EVENT_TRIGGER,
                        );
                        d.requires.push(function_key(&tb));
                        self.push(d);
                    }
                    if ta.comment != tb.comment {
                        let stmts: Vec<String> = comment_on_sql(
                            "EVENT TRIGGER",
                            &quote_ident(&name),
                            tb.comment.as_deref(),
                            true,
                        )
                        .into_iter()
                        .collect();
                        let d =
                            Draft::new(step(path, "comment on event trigger", stmts), P_COMMENT);
                        self.push(d);
                    }
                }
                (None, None) => {}
            }
        }
    }

    /// Whether the plan keeps the source's function as it is (a function
    /// dropped or created again takes its event triggers with it).
    fn function_kept(&self, t: &EventTrigger) -> bool {
        let key = format!("{}()", t.function.name);
        let get = |s: &crate::model::Schema| {
            s.namespaces
                .get(&t.function.namespace)
                .and_then(|n| n.routines.get(&key))
                .cloned()
        };
        match (get(&self.a), get(self.b)) {
            (Some(a), Some(b)) => a.returns == b.returns && a.language == b.language,
            _ => false,
        }
    }

    fn create_event_trigger(&mut self, name: &str, t: &EventTrigger) {
        let mut d = Draft::new(
            step(
                ObjectPath::new(ObjectKind::EventTrigger, "", name),
                "create event trigger",
                event_trigger_statements(name, t),
            ),
            P_EVENT_TRIGGER,
        );
        d.requires.push(function_key(t));
        self.push(d);
    }

    fn drop_event_trigger(&mut self, name: &str, t: &EventTrigger) {
        // IF EXISTS: dropping its function with CASCADE takes it too.
        let mut d = Draft::new(
            step(
                ObjectPath::new(ObjectKind::EventTrigger, "", name),
                "drop event trigger",
                vec![format!(
                    "DROP EVENT TRIGGER IF EXISTS {}",
                    quote_ident(name)
                )],
            ),
            P_DROP_DEPENDENT,
        );
        d.releases.push(function_key(t));
        self.push(d);
    }
}

fn function_key(t: &EventTrigger) -> crate::plan::order::Key {
    k_routine(&t.function.namespace, &format!("{}()", t.function.name))
}
