//! Triggers: create, drop, replace (`CREATE OR REPLACE TRIGGER`, or a drop
//! and a create for a constraint trigger), their state (`ALTER TABLE …
//! ENABLE | DISABLE TRIGGER`) and comment.

use std::collections::BTreeSet;

use super::{
    k_col, k_table, key, mentioned, step, Builder, P_COMMENT, P_CONSTRAINT, P_DROP_DEPENDENT,
};
use crate::ddl::{comment_on_sql, trigger_sql, trigger_state_sql, trigger_target};
use crate::model::{ObjectKind, ObjectPath, Table, Trigger, TriggerEnabled};
use crate::plan::order::{Draft, Key};

pub(super) fn k_trigger(ns: &str, t: &str, g: &str) -> Key {
    key("g", &[ns, t, g])
}

pub(super) fn trigger_path(ns: &str, t: &str, g: &str) -> ObjectPath {
    ObjectPath::in_table(ObjectKind::Trigger, ns, t, g)
}

/// The columns of `t` a trigger uses: `UPDATE OF` and those its `WHEN`
/// condition may read (over-approximated).
pub(super) fn trigger_columns(t: &Table, g: &Trigger) -> Vec<String> {
    let mut out = g.events.update_of.clone();
    if let Some(w) = &g.when {
        out.extend(mentioned(t, &w.sql));
    }
    out.sort();
    out.dedup();
    out
}

/// The trigger's statement to create it, as the user or the server wrote
/// it; with `replace`, as `CREATE OR REPLACE TRIGGER`.
pub(super) fn create_sql(ns: &str, table: &str, name: &str, g: &Trigger, replace: bool) -> String {
    let def = g.definition.trim().trim_end_matches(';').trim_end();
    if def.is_empty() {
        let s = trigger_sql(ns, table, name, g);
        return if replace {
            s.replacen("CREATE ", "CREATE OR REPLACE ", 1)
        } else {
            s
        };
    }
    if !replace {
        return def.to_string();
    }
    let words: Vec<&str> = def.splitn(3, char::is_whitespace).collect();
    if words.len() == 3
        && words[0].eq_ignore_ascii_case("CREATE")
        && words[1].eq_ignore_ascii_case("TRIGGER")
    {
        return format!("CREATE OR REPLACE TRIGGER {}", words[2].trim_start());
    }
    if words.len() == 3
        && words[0].eq_ignore_ascii_case("CREATE")
        && words[1].eq_ignore_ascii_case("OR")
    {
        return def.to_string();
    }
    trigger_sql(ns, table, name, g).replacen("CREATE ", "CREATE OR REPLACE ", 1)
}

/// Equal but for the state and the comment (what `ALTER TABLE` and
/// `COMMENT ON` change in place).
fn same_definition(a: &Trigger, b: &Trigger) -> bool {
    let mut x = a.clone();
    x.enabled = b.enabled;
    x.comment.clone_from(&b.comment);
    x == *b
}

impl<'a> Builder<'a> {
    pub(super) fn triggers(&mut self) {
        let mut tables: BTreeSet<(String, String)> = BTreeSet::new();
        for s in [&self.a, self.b] {
            for (ns, n) in &s.namespaces {
                for (t, tt) in &n.tables {
                    if !tt.triggers.is_empty() {
                        tables.insert((ns.clone(), t.clone()));
                    }
                }
            }
        }
        let b = self.b;
        for (ns, t) in tables {
            let ta = self.a.table(&ns, &t).cloned();
            let Some(tb) = b.table(&ns, &t) else {
                // The table goes, and its triggers with it.
                continue;
            };
            let empty = Table::default();
            let ta_ref = ta.as_ref().unwrap_or(&empty);
            let names: BTreeSet<&String> =
                ta_ref.triggers.keys().chain(tb.triggers.keys()).collect();
            for name in names {
                let ga = ta_ref.triggers.get(name);
                let gb = tb.triggers.get(name);
                match (ga, gb) {
                    (None, Some(gb)) => self.create_trigger(&ns, &t, tb, name, gb),
                    (Some(ga), None) => self.drop_trigger(&ns, &t, ta_ref, name, ga),
                    (Some(ga), Some(gb)) if ga != gb => {
                        if !same_definition(ga, gb) {
                            if ga.constraint.is_none() && gb.constraint.is_none() {
                                self.replace_trigger(&ns, &t, ta_ref, tb, name, ga, gb);
                            } else {
                                self.drop_trigger(&ns, &t, ta_ref, name, ga);
                                self.create_trigger(&ns, &t, tb, name, gb);
                            }
                        } else {
                            self.trigger_state_and_comment(&ns, &t, name, ga, gb);
                        }
                    }
                    _ => {}
                }
            }
        }
    }

    fn trigger_requires(&self, d: &mut Draft, ns: &str, t: &str, tb: &Table, g: &Trigger) {
        d.requires.push(k_table(ns, t));
        d.requires.push(super::routine::k_routine(
            &g.function_schema,
            &format!("{}()", g.function),
        ));
        for c in trigger_columns(tb, g) {
            d.requires.push(k_col(ns, t, &c));
        }
        if let Some((rns, rt)) = g.constraint.as_ref().and_then(|c| c.referenced.as_ref()) {
            d.requires.push(k_table(rns, rt));
        }
    }

    fn trigger_releases(&self, d: &mut Draft, ns: &str, t: &str, ta: &Table, g: &Trigger) {
        d.releases.push(k_table(ns, t));
        d.releases.push(super::routine::k_routine(
            &g.function_schema,
            &format!("{}()", g.function),
        ));
        for c in trigger_columns(ta, g) {
            d.releases.push(k_col(ns, t, &c));
        }
        if let Some((rns, rt)) = g.constraint.as_ref().and_then(|c| c.referenced.as_ref()) {
            d.releases.push(k_table(rns, rt));
        }
    }

    fn create_trigger(&mut self, ns: &str, t: &str, tb: &Table, name: &str, g: &Trigger) {
        let mut stmts = vec![create_sql(ns, t, name, g, false)];
        if g.enabled != TriggerEnabled::Origin {
            stmts.push(trigger_state_sql(ns, t, name, g.enabled));
        }
        stmts.extend(comment_on_sql(
            "TRIGGER",
            &trigger_target(ns, t, name),
            g.comment.as_deref(),
            false,
        ));
        let mut d = Draft::new(
            step(trigger_path(ns, t, name), "create trigger", stmts),
            P_CONSTRAINT,
        );
        self.trigger_requires(&mut d, ns, t, tb, g);
        d.provides.push(k_trigger(ns, t, name));
        self.push(d);
    }

    fn drop_trigger(&mut self, ns: &str, t: &str, ta: &Table, name: &str, g: &Trigger) {
        // A constraint trigger whose FROM table goes is dropped with it.
        if let Some((rns, rt)) = g.constraint.as_ref().and_then(|c| c.referenced.as_ref()) {
            if self.b.table(rns, rt).is_none() {
                return;
            }
        }
        let mut d = Draft::new(
            step(
                trigger_path(ns, t, name),
                "drop trigger",
                vec![format!("DROP TRIGGER {}", trigger_target(ns, t, name))],
            ),
            P_DROP_DEPENDENT,
        );
        self.trigger_releases(&mut d, ns, t, ta, g);
        d.drops.push(k_trigger(ns, t, name));
        self.push(d);
    }

    #[allow(clippy::too_many_arguments)]
    fn replace_trigger(
        &mut self,
        ns: &str,
        t: &str,
        ta: &Table,
        tb: &Table,
        name: &str,
        ga: &Trigger,
        gb: &Trigger,
    ) {
        let mut stmts = vec![create_sql(ns, t, name, gb, true)];
        // CREATE OR REPLACE fires on origin again; the comment stays.
        if gb.enabled != TriggerEnabled::Origin {
            stmts.push(trigger_state_sql(ns, t, name, gb.enabled));
        }
        if ga.comment != gb.comment {
            stmts.extend(comment_on_sql(
                "TRIGGER",
                &trigger_target(ns, t, name),
                gb.comment.as_deref(),
                true,
            ));
        }
        let mut d = Draft::new(
            step(trigger_path(ns, t, name), "replace trigger", stmts),
            P_CONSTRAINT,
        );
        self.trigger_requires(&mut d, ns, t, tb, gb);
        self.trigger_releases(&mut d, ns, t, ta, ga);
        d.provides.push(k_trigger(ns, t, name));
        self.push(d);
    }

    fn trigger_state_and_comment(
        &mut self,
        ns: &str,
        t: &str,
        name: &str,
        ga: &Trigger,
        gb: &Trigger,
    ) {
        let mut stmts = Vec::new();
        if ga.enabled != gb.enabled {
            stmts.push(trigger_state_sql(ns, t, name, gb.enabled));
        }
        if ga.comment != gb.comment {
            stmts.extend(comment_on_sql(
                "TRIGGER",
                &trigger_target(ns, t, name),
                gb.comment.as_deref(),
                true,
            ));
        }
        let action = if ga.enabled != gb.enabled {
            "set trigger state"
        } else {
            "comment on trigger"
        };
        let mut d = Draft::new(step(trigger_path(ns, t, name), action, stmts), P_COMMENT);
        d.requires.push(k_table(ns, t));
        d.requires.push(k_trigger(ns, t, name));
        self.push(d);
    }
}

/// Steps the server refuses while a trigger uses the column: changing its
/// type (`cannot alter type of a column used in a trigger definition`) or
/// dropping it to add it again. Refused by name when the trigger stays.
pub(super) fn refuse_under_triggers(
    sorted: &[Draft],
    from: &crate::model::Schema,
    to: &crate::model::Schema,
) -> Result<(), crate::plan::PlanError> {
    let mut details = Vec::new();
    for (i, d) in sorted.iter().enumerate() {
        let risky = matches!(
            d.step.action.as_str(),
            "drop column (to add it again)"
                | "change column type"
                | "convert column to the new enum"
        );
        let p = &d.step.object;
        if !risky || p.kind != ObjectKind::Column {
            continue;
        }
        let Some(t) = &p.table else { continue };
        let (Some(ta), Some(tb)) = (from.table(&p.namespace, t), to.table(&p.namespace, t)) else {
            continue;
        };
        for (gname, g) in &ta.triggers {
            if tb.triggers.contains_key(gname) && trigger_columns(ta, g).contains(&p.name) {
                details.push(format!(
                    "step {}: {} {} — trigger {} on {} uses the column",
                    i + 1,
                    d.step.action,
                    p.sql_name(),
                    crate::model::quote_ident(gname),
                    crate::model::qualified_sql(&p.namespace, t)
                ));
            }
        }
    }
    if details.is_empty() {
        return Ok(());
    }
    Err(crate::plan::PlanError {
        kind: crate::plan::PlanErrorKind::Unsupported,
        message: "strata cannot plan this change: it changes the type of columns that triggers \
                  use, which the server refuses while the triggers exist"
            .to_string(),
        details,
        help: "write this migration by hand: drop the trigger, change the column, and create the \
               trigger again"
            .to_string(),
    })
}
