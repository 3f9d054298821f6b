//! Event triggers (`event_trigger.c`): `CREATE EVENT TRIGGER` with the
//! server's checks in its order (the event, the filter variable, the tags
//! the event takes, the name, the function and what it returns), `ALTER
//! EVENT TRIGGER`, `DROP EVENT TRIGGER`, and the function they execute
//! renamed, moved or dropped.

use crate::model::{quote_ident, EventTrigger, ObjectKind, ObjectPath, RelationRef};
use crate::parse::{EventTriggerAction, QName};

use super::{
    err, Replayer, DUPLICATE_OBJECT, FEATURE_NOT_SUPPORTED, R, SYNTAX_ERROR, UNDEFINED_OBJECT,
};

/// The events an event trigger may fire on.
const EVENTS: &[&str] = &[
    "ddl_command_start",
    "ddl_command_end",
    "sql_drop",
    "table_rewrite",
];

/// Command tags an event trigger may filter on (PostgreSQL 15's
/// `event_trigger_ok` tags).
const TAGS: &[&str] = &[
    "ALTER ACCESS METHOD",
    "ALTER AGGREGATE",
    "ALTER CAST",
    "ALTER COLLATION",
    "ALTER CONSTRAINT",
    "ALTER CONVERSION",
    "ALTER DEFAULT PRIVILEGES",
    "ALTER DOMAIN",
    "ALTER EXTENSION",
    "ALTER FOREIGN DATA WRAPPER",
    "ALTER FOREIGN TABLE",
    "ALTER FUNCTION",
    "ALTER INDEX",
    "ALTER LANGUAGE",
    "ALTER LARGE OBJECT",
    "ALTER MATERIALIZED VIEW",
    "ALTER OPERATOR",
    "ALTER OPERATOR CLASS",
    "ALTER OPERATOR FAMILY",
    "ALTER POLICY",
    "ALTER PROCEDURE",
    "ALTER PUBLICATION",
    "ALTER ROUTINE",
    "ALTER RULE",
    "ALTER SCHEMA",
    "ALTER SEQUENCE",
    "ALTER SERVER",
    "ALTER STATISTICS",
    "ALTER SUBSCRIPTION",
    "ALTER TABLE",
    "ALTER TEXT SEARCH CONFIGURATION",
    "ALTER TEXT SEARCH DICTIONARY",
    "ALTER TEXT SEARCH PARSER",
    "ALTER TEXT SEARCH TEMPLATE",
    "ALTER TRANSFORM",
    "ALTER TRIGGER",
    "ALTER TYPE",
    "ALTER USER MAPPING",
    "ALTER VIEW",
    "COMMENT",
    "CREATE ACCESS METHOD",
    "CREATE AGGREGATE",
    "CREATE CAST",
    "CREATE COLLATION",
    "CREATE CONSTRAINT",
    "CREATE CONVERSION",
    "CREATE DOMAIN",
    "CREATE EXTENSION",
    "CREATE FOREIGN DATA WRAPPER",
    "CREATE FOREIGN TABLE",
    "CREATE FUNCTION",
    "CREATE INDEX",
    "CREATE LANGUAGE",
    "CREATE MATERIALIZED VIEW",
    "CREATE OPERATOR",
    "CREATE OPERATOR CLASS",
    "CREATE OPERATOR FAMILY",
    "CREATE POLICY",
    "CREATE PROCEDURE",
    "CREATE PUBLICATION",
    "CREATE ROUTINE",
    "CREATE RULE",
    "CREATE SCHEMA",
    "CREATE SEQUENCE",
    "CREATE SERVER",
    "CREATE STATISTICS",
    "CREATE SUBSCRIPTION",
    "CREATE TABLE",
    "CREATE TABLE AS",
    "CREATE TEXT SEARCH CONFIGURATION",
    "CREATE TEXT SEARCH DICTIONARY",
    "CREATE TEXT SEARCH PARSER",
    "CREATE TEXT SEARCH TEMPLATE",
    "CREATE TRANSFORM",
    "CREATE TRIGGER",
    "CREATE TYPE",
    "CREATE USER MAPPING",
    "CREATE VIEW",
    "DROP ACCESS METHOD",
    "DROP AGGREGATE",
    "DROP CAST",
    "DROP COLLATION",
    "DROP CONSTRAINT",
    "DROP CONVERSION",
    "DROP DOMAIN",
    "DROP EXTENSION",
    "DROP FOREIGN DATA WRAPPER",
    "DROP FOREIGN TABLE",
    "DROP FUNCTION",
    "DROP INDEX",
    "DROP LANGUAGE",
    "DROP MATERIALIZED VIEW",
    "DROP OPERATOR",
    "DROP OPERATOR CLASS",
    "DROP OPERATOR FAMILY",
    "DROP OWNED",
    "DROP POLICY",
    "DROP PROCEDURE",
    "DROP PUBLICATION",
    "DROP ROUTINE",
    "DROP RULE",
    "DROP SCHEMA",
    "DROP SEQUENCE",
    "DROP SERVER",
    "DROP STATISTICS",
    "DROP SUBSCRIPTION",
    "DROP TABLE",
    "DROP TEXT SEARCH CONFIGURATION",
    "DROP TEXT SEARCH DICTIONARY",
    "DROP TEXT SEARCH PARSER",
    "DROP TEXT SEARCH TEMPLATE",
    "DROP TRANSFORM",
    "DROP TRIGGER",
    "DROP TYPE",
    "DROP USER MAPPING",
    "DROP VIEW",
    "GRANT",
    "IMPORT FOREIGN SCHEMA",
    "REFRESH MATERIALIZED VIEW",
    "REVOKE",
    "SECURITY LABEL",
    "SELECT INTO",
];

/// The other command tags PostgreSQL 15 knows: named, but no event
/// trigger may filter on them (0A000 rather than 42601).
const OTHER_TAGS: &[&str] = &[
    "???",
    "ALTER DATABASE",
    "ALTER EVENT TRIGGER",
    "ALTER ROLE",
    "ALTER SYSTEM",
    "ALTER TABLESPACE",
    "ANALYZE",
    "BEGIN",
    "CALL",
    "CHECKPOINT",
    "CLOSE",
    "CLOSE CURSOR",
    "CLOSE CURSOR ALL",
    "CLUSTER",
    "COMMIT",
    "COMMIT PREPARED",
    "COPY",
    "COPY FROM",
    "CREATE DATABASE",
    "CREATE EVENT TRIGGER",
    "CREATE ROLE",
    "CREATE TABLESPACE",
    "DEALLOCATE",
    "DEALLOCATE ALL",
    "DECLARE CURSOR",
    "DELETE",
    "DISCARD",
    "DISCARD ALL",
    "DISCARD PLANS",
    "DISCARD SEQUENCES",
    "DISCARD TEMP",
    "DO",
    "DROP DATABASE",
    "DROP EVENT TRIGGER",
    "DROP ROLE",
    "DROP TABLESPACE",
    "EXECUTE",
    "EXPLAIN",
    "FETCH",
    "GRANT ROLE",
    "INSERT",
    "LISTEN",
    "LOAD",
    "LOCK TABLE",
    "MERGE",
    "MOVE",
    "NOTIFY",
    "PREPARE",
    "PREPARE TRANSACTION",
    "REASSIGN OWNED",
    "REINDEX",
    "RELEASE",
    "RESET",
    "REVOKE ROLE",
    "ROLLBACK",
    "ROLLBACK PREPARED",
    "SAVEPOINT",
    "SELECT",
    "SELECT FOR KEY SHARE",
    "SELECT FOR NO KEY UPDATE",
    "SELECT FOR SHARE",
    "SELECT FOR UPDATE",
    "SET",
    "SET CONSTRAINTS",
    "SHOW",
    "START TRANSACTION",
    "TRUNCATE TABLE",
    "UNLISTEN",
    "UPDATE",
    "VACUUM",
];

/// The tags `table_rewrite` takes (`table_rewrite_ok`).
const REWRITE_TAGS: &[&str] = &["ALTER MATERIALIZED VIEW", "ALTER TABLE", "ALTER TYPE"];

impl Replayer {
    fn event_trigger_missing(name: &str) -> super::ReplayError {
        err(
            UNDEFINED_OBJECT,
            format!("event trigger \"{name}\" does not exist"),
        )
    }

    /// `CREATE EVENT TRIGGER`.
    pub(super) fn create_event_trigger(
        &mut self,
        name: String,
        event: String,
        filters: Vec<(String, Vec<String>)>,
        function: QName,
    ) -> R<()> {
        if !EVENTS.contains(&event.as_str()) {
            return Err(err(
                SYNTAX_ERROR,
                format!("unrecognized event name \"{event}\""),
            ));
        }
        let mut tags: Option<Vec<String>> = None;
        for (var, values) in filters {
            if var != "tag" {
                return Err(err(
                    SYNTAX_ERROR,
                    format!("unrecognized filter variable \"{var}\""),
                ));
            }
            if tags.is_some() {
                return Err(err(
                    SYNTAX_ERROR,
                    format!("filter variable \"{var}\" specified more than once"),
                ));
            }
            tags = Some(values);
        }
        let tags = tags.unwrap_or_default();
        let mut upper = Vec::new();
        for t in &tags {
            let u = t.to_ascii_uppercase();
            if event == "table_rewrite" {
                if !REWRITE_TAGS.contains(&u.as_str()) {
                    return Err(err(
                        FEATURE_NOT_SUPPORTED,
                        format!("event triggers are not supported for {t}"),
                    ));
                }
            } else if OTHER_TAGS.contains(&u.as_str()) {
                return Err(err(
                    FEATURE_NOT_SUPPORTED,
                    format!("event triggers are not supported for {t}"),
                ));
            } else if !TAGS.contains(&u.as_str()) {
                return Err(err(
                    SYNTAX_ERROR,
                    format!("filter value \"{t}\" not recognized for filter variable \"tag\""),
                ));
            }
            upper.push(u);
        }
        if self.schema.event_triggers.contains_key(&name) {
            return Err(err(
                DUPLICATE_OBJECT,
                format!("event trigger \"{name}\" already exists"),
            ));
        }
        let key = format!("{}()", function.name);
        let Some(fns) = self.find_ns(&function, |n| n.routines.contains_key(&key)) else {
            return Err(err(
                "42883",
                format!("function {}() does not exist", super::display_q(&function)),
            ));
        };
        let r = &self.schema.namespaces[&fns].routines[&key];
        if r.returns.as_deref() != Some("event_trigger") {
            return Err(err(
                super::INVALID_OBJECT_DEFINITION,
                format!("function {} must return type event_trigger", function.name),
            ));
        }
        self.schema.event_triggers.insert(
            name.clone(),
            EventTrigger {
                owner: self.creator(),
                event,
                tags: upper,
                function: RelationRef::new(fns, &function.name),
                enabled: Default::default(),
                comment: None,
            },
        );
        self.touch(ObjectPath::new(ObjectKind::EventTrigger, "", &name));
        Ok(())
    }

    /// `ALTER EVENT TRIGGER`.
    pub(super) fn alter_event_trigger(
        &mut self,
        name: String,
        action: EventTriggerAction,
    ) -> R<()> {
        if !self.schema.event_triggers.contains_key(&name) {
            return Err(Self::event_trigger_missing(&name));
        }
        match action {
            EventTriggerAction::Owner(role) => {
                let owner = self.owner_for(role);
                self.schema
                    .event_triggers
                    .get_mut(&name)
                    .expect("checked")
                    .owner = owner;
            }
            EventTriggerAction::Enable(e) => {
                self.schema
                    .event_triggers
                    .get_mut(&name)
                    .expect("checked")
                    .enabled = e;
                self.touch(ObjectPath::new(ObjectKind::EventTrigger, "", &name));
            }
            EventTriggerAction::Rename(new) => {
                if self.schema.event_triggers.contains_key(&new) {
                    return Err(err(
                        DUPLICATE_OBJECT,
                        format!("event trigger \"{new}\" already exists"),
                    ));
                }
                let t = self.schema.event_triggers.remove(&name).expect("checked");
                self.schema.event_triggers.insert(new.clone(), t);
                self.touch(ObjectPath::new(ObjectKind::EventTrigger, "", &new));
            }
        }
        Ok(())
    }

    /// `DROP EVENT TRIGGER`.
    pub(super) fn drop_event_trigger(&mut self, names: Vec<String>, if_exists: bool) -> R<()> {
        for name in names {
            if self.schema.event_triggers.remove(&name).is_none() && !if_exists {
                return Err(Self::event_trigger_missing(&name));
            }
        }
        Ok(())
    }

    /// `COMMENT ON EVENT TRIGGER`.
    pub(super) fn comment_on_event_trigger(&mut self, name: &str, text: Option<String>) -> R<()> {
        let Some(t) = self.schema.event_triggers.get_mut(name) else {
            return Err(Self::event_trigger_missing(name));
        };
        t.comment = text;
        self.touch(ObjectPath::new(ObjectKind::EventTrigger, "", name));
        Ok(())
    }

    /// The event triggers that execute `ns.name()`, by name.
    pub(super) fn event_triggers_calling(&self, ns: &str, name: &str) -> Vec<String> {
        self.schema
            .event_triggers
            .iter()
            .filter(|(_, t)| t.function.namespace == ns && t.function.name == name)
            .map(|(n, _)| format!("event trigger {}", quote_ident(n)))
            .collect()
    }

    /// `DROP FUNCTION ns.name() CASCADE` drops the event triggers that
    /// execute it.
    pub(super) fn drop_event_triggers_calling(&mut self, ns: &str, name: &str) {
        self.schema
            .event_triggers
            .retain(|_, t| !(t.function.namespace == ns && t.function.name == name));
    }

    /// The function `ons.oname()` was renamed or moved: its event triggers
    /// follow it.
    pub(super) fn event_trigger_function_moved(
        &mut self,
        ons: &str,
        oname: &str,
        nns: &str,
        nname: &str,
    ) {
        for t in self.schema.event_triggers.values_mut() {
            if t.function.namespace == ons && t.function.name == oname {
                t.function = RelationRef::new(nns, nname);
            }
        }
    }

    /// After every statement: an event trigger whose function is gone (its
    /// schema dropped with CASCADE) went with it.
    pub(super) fn settle_event_triggers(&mut self) {
        if self.schema.event_triggers.is_empty() {
            return;
        }
        let schema = &self.schema;
        let gone: Vec<String> = schema
            .event_triggers
            .iter()
            .filter(|(_, t)| {
                !schema
                    .namespaces
                    .get(&t.function.namespace)
                    .is_some_and(|n| n.routines.contains_key(&format!("{}()", t.function.name)))
            })
            .map(|(n, _)| n.clone())
            .collect();
        for n in gone {
            self.schema.event_triggers.remove(&n);
        }
    }
}
