//! Event triggers (`pg_event_trigger`): database objects, read whole (the
//! namespace list, when given, filters them by their function's schema).

use strata_core::model::{EventTrigger, RelationRef, Schema, TriggerEnabled};
use tokio_postgres::Row;

use super::*;

pub(super) const Q_EVENT_TRIGGERS: &str = concat!(
    "SELECT ev.evtname::text, ev.evtevent::text, ev.evttags::text[], n.nspname::text, \
            p.proname::text, ev.evtenabled::text, obj_description(ev.oid, 'pg_event_trigger'), \
            pg_get_userbyid(ev.evtowner)::text \
     FROM pg_event_trigger ev JOIN pg_proc p ON p.oid = ev.evtfoid \
     JOIN pg_namespace n ON n.oid = p.pronamespace \
     WHERE ($1::text[] IS NULL OR n.nspname = ANY ($1::text[])) AND ",
    not_extension!("pg_event_trigger", "ev.oid"),
    " ORDER BY ev.evtname"
);

pub(super) fn build_event_triggers(rows: &[Row], schema: &mut Schema) -> Result<(), InspectError> {
    for row in rows {
        const STEP: &str = "event triggers";
        let name: String = get(row, 0, STEP)?;
        let tags: Option<Vec<String>> = get(row, 2, STEP)?;
        let enabled: String = get(row, 5, STEP)?;
        let enabled = match enabled.as_str() {
            "O" => TriggerEnabled::Origin,
            "D" => TriggerEnabled::Disabled,
            "R" => TriggerEnabled::Replica,
            "A" => TriggerEnabled::Always,
            other => {
                return Err(unsupported(
                    &format!("event trigger {}", strata_core::model::quote_ident(&name)),
                    format!("the enabled state {other:?}"),
                    "strata reads the states O, D, R and A",
                ))
            }
        };
        let function_ns: String = get(row, 3, STEP)?;
        let function: String = get(row, 4, STEP)?;
        schema.event_triggers.insert(
            name,
            EventTrigger {
                event: get(row, 1, STEP)?,
                tags: tags.unwrap_or_default(),
                function: RelationRef::new(function_ns, function),
                enabled,
                comment: get(row, 6, STEP)?,
                owner: super::privileges::read_owner(row, 7, STEP)?,
            },
        );
    }
    Ok(())
}
