//! Event triggers as pg_dump writes them (`dumpEventTrigger`): the
//! definition with its function qualified, `ALTER EVENT TRIGGER … DISABLE
//! | ENABLE REPLICA | ENABLE ALWAYS` when not enabled as created, then the
//! comment. Written last: an event trigger fires on the DDL after it.

use crate::model::{quote_ident, quote_literal, EventTrigger, Schema, TriggerEnabled};

use super::{comment_on_sql, push_group, push_stmt};

pub(crate) fn write_event_triggers(schema: &Schema) -> String {
    let mut out = String::new();
    let mut group = String::new();
    for (name, t) in &schema.event_triggers {
        for stmt in event_trigger_statements(name, t) {
            push_stmt(&mut group, &stmt);
        }
    }
    push_group(&mut out, &group);
    out
}

/// `CREATE EVENT TRIGGER`, its enabled state and its comment.
pub(crate) fn event_trigger_statements(name: &str, t: &EventTrigger) -> Vec<String> {
    let mut out = vec![create_event_trigger_sql(name, t)];
    if t.enabled != TriggerEnabled::Origin {
        out.push(event_trigger_enabled_sql(name, t.enabled));
    }
    out.extend(comment_on_sql(
        "EVENT TRIGGER",
        &quote_ident(name),
        t.comment.as_deref(),
        false,
    ));
    out
}

/// `ALTER EVENT TRIGGER name ENABLE | DISABLE | ENABLE REPLICA | ENABLE
/// ALWAYS`.
pub(crate) fn event_trigger_enabled_sql(name: &str, e: TriggerEnabled) -> String {
    format!("ALTER EVENT TRIGGER {} {}", quote_ident(name), e.sql())
}

pub(crate) fn create_event_trigger_sql(name: &str, t: &EventTrigger) -> String {
    let mut sql = format!(
        "CREATE EVENT TRIGGER {} ON {}",
        quote_ident(name),
        quote_ident(&t.event)
    );
    if !t.tags.is_empty() {
        let tags: Vec<String> = t.tags.iter().map(|x| quote_literal(x)).collect();
        sql.push_str(&format!(" WHEN TAG IN ({})", tags.join(", ")));
    }
    sql.push_str(&format!(" EXECUTE FUNCTION {}()", t.function.sql()));
    sql
}
