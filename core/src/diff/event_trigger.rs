//! Event triggers compared property by property: the event, the tags, the
//! function, the enabled state and the comment.

use crate::ddl::create_event_trigger_sql;
use crate::model::{EventTrigger, ObjectKind, ObjectPath, Schema};

use super::{field, missing, opt_field, pairs, unexpected, Difference};

pub(super) fn diff_event_triggers(d: &mut Vec<Difference>, e: &Schema, f: &Schema) {
    for (name, e, f) in pairs(&e.event_triggers, &f.event_triggers) {
        let p = ObjectPath::new(ObjectKind::EventTrigger, "", name);
        match (e, f) {
            (Some(e), None) => d.push(missing(p, create_event_trigger_sql(name, e))),
            (None, Some(f)) => d.push(unexpected(p, create_event_trigger_sql(name, f))),
            (Some(e), Some(f)) => compare(d, &p, e, f),
            (None, None) => {}
        }
    }
}

fn compare(d: &mut Vec<Difference>, p: &ObjectPath, e: &EventTrigger, f: &EventTrigger) {
    field(d, p, "event", &e.event, &f.event);
    let tags = |t: &EventTrigger| {
        if t.tags.is_empty() {
            "(any)".to_string()
        } else {
            t.tags.join(", ")
        }
    };
    field(d, p, "tags", &tags(e), &tags(f));
    field(d, p, "function", &e.function.sql(), &f.function.sql());
    field(d, p, "enabled", e.enabled.sql(), f.enabled.sql());
    opt_field(d, p, "comment", &e.comment, &f.comment);
}
