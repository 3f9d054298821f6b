//! Triggers (PostgreSQL's `commands/trigger.c`): `CREATE [OR REPLACE]
//! [CONSTRAINT] TRIGGER`, `DROP TRIGGER`, `ALTER TRIGGER … RENAME`, `ALTER
//! TABLE … ENABLE | DISABLE TRIGGER`, `COMMENT ON TRIGGER`, with the
//! server's errors; and what happens to triggers when the table, a column or
//! the function they use changes.
//!
//! Triggers on views are kept on the view (`replay/view_trigger`);
//! triggers on materialized views (not modelled) stay
//! kept by name, as before.

use crate::model::{
    quote_ident, ConstraintTrigger, ObjectKind, ObjectPath, Trigger, TriggerEnabled, TriggerEvents,
    TriggerTiming, UnmanagedKind,
};
use crate::parse::{CreateTrigger, QName, TriggerSelector, UnmanagedOp};

use super::{
    display_q, err, help, Replayer, DEPENDENT_OBJECTS, DUPLICATE_COLUMN, DUPLICATE_OBJECT,
    FEATURE_NOT_SUPPORTED, INVALID_OBJECT_DEFINITION, R, UNDEFINED_COLUMN, UNDEFINED_OBJECT,
    UNDEFINED_TABLE, WRONG_OBJECT_TYPE,
};

const UNDEFINED_FUNCTION: &str = "42883";

pub(super) fn trigger_path(ns: &str, table: &str, name: &str) -> ObjectPath {
    ObjectPath::in_table(ObjectKind::Trigger, ns, table, name)
}

/// Where a trigger statement's relation is.
enum On {
    /// A modelled table: its namespace.
    Table(String),
    /// A (plain) view: its namespace.
    View(String),
    /// A materialized view: triggers on it are kept by name.
    ByName(&'static str),
}

impl Replayer {
    fn trigger_relation(&self, q: &QName) -> R<On> {
        if let Some(ns) = self.find_table(q) {
            return Ok(On::Table(ns));
        }
        if let Some(ns) = self.find_plain_view(q) {
            return Ok(On::View(ns));
        }
        match self.relation_kind(q) {
            Some(k @ ("view" | "materialized view")) => Ok(On::ByName(k)),
            Some(_) => Err(err(
                WRONG_OBJECT_TYPE,
                format!("\"{}\" is not a table or view", q.name),
            )),
            None => Err(err(
                UNDEFINED_TABLE,
                format!("relation \"{}\" does not exist", display_q(q)),
            )),
        }
    }

    /// The unmanaged name of a trigger on a relation kept by name.
    fn by_name(q: &QName, trigger: &str) -> String {
        format!(
            "{}.{}.{}",
            quote_ident(q.schema.as_deref().unwrap_or("public")),
            quote_ident(&q.name),
            quote_ident(trigger)
        )
    }

    pub(super) fn create_trigger(&mut self, ct: CreateTrigger) -> R<()> {
        let ns = match self.trigger_relation(&ct.table)? {
            On::Table(ns) => ns,
            On::View(ns) => return self.create_view_trigger(ns, ct),
            On::ByName(kind) => {
                if kind == "view" && ct.timing != TriggerTiming::InsteadOf && ct.for_each_row {
                    return Err(help(
                        err(
                            WRONG_OBJECT_TYPE,
                            format!("\"{}\" is a view", ct.table.name),
                        ),
                        "Views cannot have row-level BEFORE or AFTER triggers.",
                    ));
                }
                return self.unmanaged(
                    UnmanagedKind::Trigger,
                    UnmanagedOp::Create {
                        name: Self::by_name(&ct.table, &ct.name),
                        or_replace: ct.or_replace,
                        if_not_exists: false,
                    },
                );
            }
        };
        let tn = ct.table.name.clone();
        if self.table(&ns, &tn).is_some_and(|t| t.foreign.is_some()) {
            let what = if ct.timing == TriggerTiming::InsteadOf {
                Some("Foreign tables cannot have INSTEAD OF triggers.")
            } else if ct.events.truncate {
                Some("Foreign tables cannot have TRUNCATE triggers.")
            } else if ct.constraint {
                Some("Foreign tables cannot have constraint triggers.")
            } else if ct.old_table.is_some() || ct.new_table.is_some() {
                Some("Triggers on foreign tables cannot have transition tables.")
            } else {
                None
            };
            if let Some(what) = what {
                return Err(help(
                    err(WRONG_OBJECT_TYPE, format!("\"{tn}\" is a foreign table")),
                    what,
                ));
            }
        }
        if ct.timing == TriggerTiming::InsteadOf {
            return Err(help(
                err(WRONG_OBJECT_TYPE, format!("\"{tn}\" is a table")),
                "Tables cannot have INSTEAD OF triggers.",
            ));
        }
        let ev = &ct.events;
        if ev.truncate && ct.for_each_row {
            return Err(err(
                FEATURE_NOT_SUPPORTED,
                "TRUNCATE FOR EACH ROW triggers are not supported",
            ));
        }
        if ct.old_table.is_some() || ct.new_table.is_some() {
            if ct.timing != TriggerTiming::After {
                return Err(err(
                    INVALID_OBJECT_DEFINITION,
                    "transition table name can only be specified for an AFTER trigger",
                ));
            }
            if ev.truncate {
                return Err(err(
                    FEATURE_NOT_SUPPORTED,
                    "TRUNCATE triggers with transition tables are not supported",
                ));
            }
            let n = [ev.insert, ev.update, ev.delete]
                .iter()
                .filter(|x| **x)
                .count();
            if n > 1 {
                return Err(err(
                    FEATURE_NOT_SUPPORTED,
                    "transition tables cannot be specified for triggers with more than one event",
                ));
            }
            if !ev.update_of.is_empty() {
                return Err(err(
                    FEATURE_NOT_SUPPORTED,
                    "transition tables cannot be specified for triggers with column lists",
                ));
            }
            if ct.new_table.is_some() && !(ev.insert || ev.update) {
                return Err(err(
                    INVALID_OBJECT_DEFINITION,
                    "NEW TABLE can only be specified for an INSERT or UPDATE trigger",
                ));
            }
            if ct.old_table.is_some() && !(ev.delete || ev.update) {
                return Err(err(
                    INVALID_OBJECT_DEFINITION,
                    "OLD TABLE can only be specified for a DELETE or UPDATE trigger",
                ));
            }
            if ct.old_table.is_some() && ct.old_table == ct.new_table {
                return Err(err(
                    INVALID_OBJECT_DEFINITION,
                    "OLD TABLE name and NEW TABLE name cannot be the same",
                ));
            }
        }
        let table = self.table(&ns, &tn).expect("resolved").clone();
        let mut when_columns = Vec::new();
        if ct.when.is_some() {
            for (is_new, col) in &ct.when_refs {
                if !ct.for_each_row {
                    return Err(err(
                        INVALID_OBJECT_DEFINITION,
                        "statement trigger's WHEN condition cannot reference column values",
                    ));
                }
                if !is_new && ev.insert {
                    return Err(err(
                        INVALID_OBJECT_DEFINITION,
                        "INSERT trigger's WHEN condition cannot reference OLD values",
                    ));
                }
                if *is_new && ev.delete {
                    return Err(err(
                        INVALID_OBJECT_DEFINITION,
                        "DELETE trigger's WHEN condition cannot reference NEW values",
                    ));
                }
                if col != "*" {
                    if table.column(col).is_none() {
                        return Err(err(
                            UNDEFINED_COLUMN,
                            format!(
                                "column {}.{col} does not exist",
                                if *is_new { "new" } else { "old" }
                            ),
                        ));
                    }
                    if !when_columns.contains(col) {
                        when_columns.push(col.clone());
                    }
                }
            }
        }
        let (function_schema, function) = self.trigger_function(&ct.function)?;
        let old = table.triggers.get(&ct.name);
        if let Some(old) = old {
            if !ct.or_replace {
                return Err(err(
                    DUPLICATE_OBJECT,
                    format!(
                        "trigger \"{}\" for relation \"{tn}\" already exists",
                        ct.name
                    ),
                ));
            }
            if old.constraint.is_some() || ct.constraint {
                return Err(err(
                    DUPLICATE_OBJECT,
                    format!(
                        "trigger \"{}\" for relation \"{tn}\" is a constraint trigger",
                        ct.name
                    ),
                ));
            }
        }
        // UPDATE OF columns, in the order written: tgattr keeps it (PostgreSQL
        // 15 does not sort it), and pg_get_triggerdef prints it so.
        let mut seen: Vec<&str> = Vec::new();
        for c in &ct.events.update_of {
            if table.column(c).is_none() {
                return Err(err(
                    UNDEFINED_COLUMN,
                    format!("column \"{c}\" of relation \"{tn}\" does not exist"),
                ));
            }
            if seen.contains(&c.as_str()) {
                return Err(err(
                    DUPLICATE_COLUMN,
                    format!("column \"{c}\" specified more than once"),
                ));
            }
            seen.push(c);
        }
        let update_of: Vec<String> = seen.iter().map(|c| c.to_string()).collect();
        let referenced = match &ct.from {
            Some(q) => {
                let rns = self.find_table(q).ok_or_else(|| {
                    err(
                        UNDEFINED_TABLE,
                        format!("relation \"{}\" does not exist", display_q(q)),
                    )
                })?;
                Some((rns, q.name.clone()))
            }
            None => None,
        };
        let trigger = Trigger {
            timing: ct.timing,
            events: TriggerEvents {
                update_of,
                ..ct.events.clone()
            },
            for_each_row: ct.for_each_row,
            when: ct.when.clone().map(|mut e| {
                if let crate::model::Stored::Unproven { reason, key } = &mut e.stored {
                    *reason =
                        "strata does not analyse a trigger's WHEN condition offline".to_string();
                    // The condition reads OLD/NEW rows of this table: the
                    // same tokens over columns of the same types store the
                    // same tree.
                    let types: Vec<String> = when_columns
                        .iter()
                        .filter_map(|c| table.column(c))
                        .map(|c| format!("{}:{}", c.name, c.data_type))
                        .collect();
                    *key = format!("{key} | {}", types.join(", "));
                }
                e
            }),
            function_schema,
            function,
            arguments: ct.arguments.clone(),
            old_table: ct.old_table.clone(),
            new_table: ct.new_table.clone(),
            constraint: ct.constraint.then_some(ConstraintTrigger {
                referenced,
                deferrable: ct.deferrable,
                initially_deferred: ct.initially_deferred,
            }),
            // CREATE OR REPLACE writes the row again (fires on origin) and
            // keeps the object, so its comment stays.
            enabled: TriggerEnabled::Origin,
            comment: old.and_then(|o| o.comment.clone()),
            definition: ct.text.clone(),
            when_columns,
        };
        self.table_mut(&ns, &tn)
            .triggers
            .insert(ct.name.clone(), Box::new(trigger));
        self.touch(trigger_path(&ns, &tn, &ct.name));
        Ok(())
    }

    /// The trigger function `EXECUTE FUNCTION f()` names, as the server
    /// resolves it: `(schema, name)`.
    pub(super) fn trigger_function(&self, f: &QName) -> R<(String, String)> {
        let key = format!("{}()", f.name);
        let builtin = || {
            crate::catalog::Catalog::pg15()
                .procs_named(&f.name)
                .find(|p| {
                    p.args.is_empty()
                        && crate::catalog::Catalog::pg15()
                            .proc_extension(p.oid)
                            .is_none()
                })
                .map(|p| p.result)
        };
        let namespaces: Vec<String> = match &f.schema {
            Some(s) if s == "pg_catalog" => Vec::new(),
            Some(s) => vec![s.clone()],
            None => {
                // pg_catalog is searched first unless the path places it.
                if builtin().is_some() {
                    Vec::new()
                } else {
                    self.search_namespaces()
                }
            }
        };
        let must_return = || {
            err(
                INVALID_OBJECT_DEFINITION,
                format!("function {} must return type trigger", f.name),
            )
        };
        if namespaces.is_empty() {
            return match builtin() {
                Some(2279) => Ok(("pg_catalog".to_string(), f.name.clone())),
                Some(_) => Err(must_return()),
                None => Err(err(
                    UNDEFINED_FUNCTION,
                    format!("function {}() does not exist", display_q(f)),
                )),
            };
        }
        for n in &namespaces {
            if let Some(r) = self
                .schema
                .namespaces
                .get(n)
                .and_then(|x| x.routines.get(&key))
            {
                if r.kind != crate::model::RoutineKind::Function {
                    break;
                }
                if r.returns.as_deref() != Some("trigger") {
                    return Err(must_return());
                }
                return Ok((n.clone(), f.name.clone()));
            }
        }
        // An extension's function is not modelled: refuse rather than guess.
        let cat = crate::catalog::Catalog::pg15();
        if let Some(ext) = cat
            .procs_named(&f.name)
            .filter_map(|p| cat.proc_extension(p.oid))
            .find(|e| self.schema.extensions.contains_key(*e))
        {
            return Err(help(
                err(
                    FEATURE_NOT_SUPPORTED,
                    format!(
                        "a trigger calling {}(), a function of extension {ext}, is not supported yet",
                        display_q(f)
                    ),
                ),
                "strata compares triggers by their function and does not model extensions' functions",
            ));
        }
        // An extension strata has no catalog of may hold it: refuse rather
        // than claim it does not exist.
        if let Some(ext) = self
            .schema
            .extensions
            .keys()
            .find(|e| e.as_str() != "plpgsql" && !cat.extensions().iter().any(|(n, _)| n == *e))
        {
            return Err(help(
                err(
                    FEATURE_NOT_SUPPORTED,
                    format!(
                        "a trigger calling {}(), which may be a function of extension {ext}, is not supported yet",
                        display_q(f)
                    ),
                ),
                "strata compares triggers by their function and does not model extensions' functions",
            ));
        }
        Err(err(
            UNDEFINED_FUNCTION,
            format!("function {}() does not exist", display_q(f)),
        ))
    }

    fn missing_trigger(name: &str, table: &str) -> super::ReplayError {
        err(
            UNDEFINED_OBJECT,
            format!("trigger \"{name}\" for table \"{table}\" does not exist"),
        )
    }

    pub(super) fn drop_trigger(&mut self, name: String, table: QName, if_exists: bool) -> R<()> {
        let ns = match self.trigger_relation(&table) {
            Ok(On::Table(ns)) => ns,
            Ok(On::View(ns)) => {
                let gone = self
                    .view_triggers_mut(&ns, &table.name)
                    .and_then(|t| t.remove(&name));
                if gone.is_none() && !if_exists {
                    return Err(Self::missing_trigger(&name, &table.name));
                }
                if gone.is_some() {
                    self.touch(trigger_path(&ns, &table.name, &name));
                }
                return Ok(());
            }
            Ok(On::ByName(_)) => {
                return self.unmanaged(
                    UnmanagedKind::Trigger,
                    UnmanagedOp::Drop {
                        names: vec![Self::by_name(&table, &name)],
                        if_exists,
                    },
                )
            }
            Err(e) if if_exists && e.code == UNDEFINED_TABLE => return Ok(()),
            Err(e) => return Err(e),
        };
        if self
            .table_mut(&ns, &table.name)
            .triggers
            .remove(&name)
            .is_none()
        {
            if if_exists {
                return Ok(());
            }
            return Err(Self::missing_trigger(&name, &table.name));
        }
        self.touch(trigger_path(&ns, &table.name, &name));
        Ok(())
    }

    pub(super) fn rename_trigger(&mut self, name: String, table: QName, new_name: String) -> R<()> {
        let ns = match self.trigger_relation(&table)? {
            On::Table(ns) => ns,
            On::View(ns) => {
                let tv = self.view_triggers_mut(&ns, &table.name).expect("resolved");
                if !tv.contains_key(&name) {
                    return Err(Self::missing_trigger(&name, &table.name));
                }
                if tv.contains_key(&new_name) {
                    return Err(err(
                        DUPLICATE_OBJECT,
                        format!(
                            "trigger \"{new_name}\" for relation \"{}\" already exists",
                            table.name
                        ),
                    ));
                }
                let g = tv.remove(&name).expect("checked");
                tv.insert(new_name.clone(), g);
                self.touch(trigger_path(&ns, &table.name, &name));
                self.touch(trigger_path(&ns, &table.name, &new_name));
                self.rewrite_view_trigger_definitions(&ns, &table.name);
                return Ok(());
            }
            On::ByName(_) => {
                let old = Self::by_name(&table, &name);
                let new = Self::by_name(&table, &new_name);
                return self.unmanaged(
                    UnmanagedKind::Trigger,
                    UnmanagedOp::Rename {
                        name: old,
                        new_name: new,
                    },
                );
            }
        };
        let t = self.table(&ns, &table.name).expect("resolved");
        if !t.triggers.contains_key(&name) {
            return Err(Self::missing_trigger(&name, &table.name));
        }
        if t.triggers.contains_key(&new_name) {
            return Err(err(
                DUPLICATE_OBJECT,
                format!(
                    "trigger \"{new_name}\" for relation \"{}\" already exists",
                    table.name
                ),
            ));
        }
        let tm = self.table_mut(&ns, &table.name);
        let trig = tm.triggers.remove(&name).expect("checked");
        tm.triggers.insert(new_name.clone(), trig);
        self.touch(trigger_path(&ns, &table.name, &name));
        self.touch(trigger_path(&ns, &table.name, &new_name));
        self.rewrite_trigger_definitions(&ns, &table.name);
        Ok(())
    }

    pub(super) fn comment_trigger(
        &mut self,
        name: String,
        table: QName,
        text: Option<String>,
    ) -> R<()> {
        let ns = match self.trigger_relation(&table)? {
            On::Table(ns) => ns,
            On::View(ns) => {
                let Some(g) = self
                    .view_triggers_mut(&ns, &table.name)
                    .and_then(|t| t.get_mut(&name))
                else {
                    return Err(Self::missing_trigger(&name, &table.name));
                };
                g.comment = text.filter(|c| !c.is_empty());
                self.touch(trigger_path(&ns, &table.name, &name));
                return Ok(());
            }
            On::ByName(_) => {
                let u = crate::model::Unmanaged {
                    kind: UnmanagedKind::Trigger,
                    name: Self::by_name(&table, &name),
                };
                if !self.schema.unmanaged.contains(&u) {
                    return Err(Self::missing_trigger(&name, &table.name));
                }
                return Ok(());
            }
        };
        let Some(t) = self.table_mut(&ns, &table.name).triggers.get_mut(&name) else {
            return Err(Self::missing_trigger(&name, &table.name));
        };
        t.comment = text.filter(|c| !c.is_empty());
        self.touch(trigger_path(&ns, &table.name, &name));
        Ok(())
    }

    /// `ALTER TABLE … ENABLE [REPLICA | ALWAYS] | DISABLE TRIGGER …`.
    pub(super) fn set_trigger_state(
        &mut self,
        ns: &str,
        table: &str,
        which: TriggerSelector,
        state: TriggerEnabled,
    ) -> R<()> {
        let names: Vec<String> = match which {
            TriggerSelector::Name(n) => {
                if !self
                    .table(ns, table)
                    .expect("resolved")
                    .triggers
                    .contains_key(&n)
                {
                    return Err(Self::missing_trigger(&n, table));
                }
                vec![n]
            }
            TriggerSelector::All | TriggerSelector::User => {
                if matches!(which, TriggerSelector::All) && self.has_foreign_key_triggers(ns, table)
                {
                    return Err(help(
                        err(
                            FEATURE_NOT_SUPPORTED,
                            format!(
                                "ALTER TABLE {} … TRIGGER ALL is not supported yet: it also sets the state of the internal triggers of foreign keys, which strata does not model",
                                quote_ident(table)
                            ),
                        ),
                        "use … TRIGGER USER, which sets the table's own triggers only",
                    ));
                }
                self.table(ns, table)
                    .expect("resolved")
                    .triggers
                    .keys()
                    .cloned()
                    .collect()
            }
        };
        for n in names {
            if let Some(t) = self.table_mut(ns, table).triggers.get_mut(&n) {
                t.enabled = state;
            }
            self.touch(trigger_path(ns, table, &n));
        }
        Ok(())
    }

    /// Whether foreign keys give the table internal triggers (it has one, or
    /// one references it).
    fn has_foreign_key_triggers(&self, ns: &str, table: &str) -> bool {
        self.schema.namespaces.iter().any(|(nsn, n)| {
            n.tables.iter().any(|(tn, t)| {
                t.constraints.values().any(|c| match &c.kind {
                    crate::model::ConstraintKind::ForeignKey {
                        ref_namespace,
                        ref_table,
                        ..
                    } => (nsn == ns && tn == table) || (ref_namespace == ns && ref_table == table),
                    _ => false,
                })
            })
        })
    }

    /// Triggers on the table that use a column (`UPDATE OF` or `WHEN`).
    pub(super) fn triggers_using_column(&self, ns: &str, table: &str, col: &str) -> Vec<String> {
        self.table(ns, table)
            .map(|t| {
                t.triggers
                    .iter()
                    .filter(|(_, g)| {
                        g.events.update_of.iter().any(|c| c == col)
                            || g.when_columns.iter().any(|c| c == col)
                    })
                    .map(|(n, _)| n.clone())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// `DROP COLUMN`: triggers that use the column need CASCADE, which
    /// drops them.
    pub(super) fn drop_column_triggers(
        &mut self,
        ns: &str,
        table: &str,
        col: &str,
        cascade: bool,
    ) -> R<()> {
        let users = self.triggers_using_column(ns, table, col);
        if users.is_empty() {
            return Ok(());
        }
        if !cascade {
            return Err(help(
                err(
                    DEPENDENT_OBJECTS,
                    format!(
                        "cannot drop column {col} of table {table} because other objects depend on it"
                    ),
                ),
                format!(
                    "{}; use DROP COLUMN … CASCADE to drop them too",
                    users
                        .iter()
                        .map(|u| format!("trigger {u} on table {table} depends on column {col} of table {table}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        for u in users {
            self.table_mut(ns, table).triggers.remove(&u);
            self.touch(trigger_path(ns, table, &u));
        }
        Ok(())
    }

    /// `ALTER COLUMN … TYPE` of a column a trigger uses fails.
    pub(super) fn retype_column_triggers(&self, ns: &str, table: &str, col: &str) -> R<()> {
        if let Some(u) = self.triggers_using_column(ns, table, col).first() {
            return Err(help(
                err(
                    FEATURE_NOT_SUPPORTED,
                    "cannot alter type of a column used in a trigger definition",
                ),
                format!("trigger {u} on table {table} depends on column \"{col}\""),
            ));
        }
        Ok(())
    }

    /// `RENAME COLUMN`: `UPDATE OF` follows the column; a `WHEN` condition
    /// that reads it cannot be followed offline (its text would be stale).
    pub(super) fn rename_column_triggers(
        &mut self,
        ns: &str,
        table: &str,
        old: &str,
        new: &str,
    ) -> R<()> {
        let Some(t) = self.table(ns, table) else {
            return Ok(());
        };
        if let Some((n, _)) = t
            .triggers
            .iter()
            .find(|(_, g)| g.when_columns.iter().any(|c| c == old))
        {
            return Err(help(
                err(
                    FEATURE_NOT_SUPPORTED,
                    format!(
                        "renaming column {old} of table {table} is not supported yet: the WHEN condition of trigger {n} reads it"
                    ),
                ),
                "drop the trigger, rename the column, and create the trigger again",
            ));
        }
        let touched: Vec<String> = t
            .triggers
            .iter()
            .filter(|(_, g)| g.events.update_of.iter().any(|c| c == old))
            .map(|(n, _)| n.clone())
            .collect();
        if touched.is_empty() {
            return Ok(());
        }
        for g in self.table_mut(ns, table).triggers.values_mut() {
            for c in g.events.update_of.iter_mut() {
                if c == old {
                    *c = new.to_string();
                }
            }
        }
        for n in touched {
            self.touch(trigger_path(ns, table, &n));
        }
        self.rewrite_trigger_definitions(ns, table);
        Ok(())
    }

    /// After a rename of the table, a column or a trigger: the triggers'
    /// texts as written name the old object, so they are written again
    /// from the model (the `WHEN` condition as written).
    pub(super) fn rewrite_trigger_definitions(&mut self, ns: &str, table: &str) {
        let Some(t) = self.table(ns, table) else {
            return;
        };
        let texts: Vec<(String, String)> = t
            .triggers
            .iter()
            .map(|(n, g)| (n.clone(), crate::ddl::trigger_sql(ns, table, n, g)))
            .collect();
        let tm = self.table_mut(ns, table);
        for (n, text) in texts {
            if let Some(g) = tm.triggers.get_mut(&n) {
                g.definition = text;
            }
        }
    }

    /// A table renamed or moved: constraint triggers elsewhere that name it
    /// in `FROM` follow it, and texts are written again.
    pub(super) fn table_moved_triggers(&mut self, ons: &str, otn: &str, nns: &str, ntn: &str) {
        let mut affected = vec![(nns.to_string(), ntn.to_string())];
        // Only the tables that name the old one can have a constraint
        // trigger `FROM` it.
        for (nsn, tn) in self.referrers(ons, otn) {
            let mut hit = false;
            let Some(t) = self.table_mut_if(&nsn, &tn) else {
                continue;
            };
            for g in t.triggers.values_mut() {
                if let Some(c) = &mut g.constraint {
                    if c.referenced.as_ref() == Some(&(ons.to_string(), otn.to_string())) {
                        c.referenced = Some((nns.to_string(), ntn.to_string()));
                        hit = true;
                    }
                }
            }
            if hit {
                affected.push((nsn, tn));
            }
        }
        for (a, b) in affected {
            self.rewrite_trigger_definitions(&a, &b);
        }
    }

    /// `DROP TABLE`: constraint triggers whose `FROM` table it is go too
    /// (an automatic dependency).
    pub(super) fn drop_referencing_triggers(&mut self, ns: &str, table: &str) {
        let target = Some((ns.to_string(), table.to_string()));
        for n in self.schema.namespaces.values_mut() {
            for t in n.tables.values_mut() {
                t.triggers
                    .retain(|_, g| g.constraint.as_ref().is_none_or(|c| c.referenced != target));
            }
        }
    }

    /// Triggers that call the function `ns.name()`: (namespace, table,
    /// trigger).
    pub(super) fn triggers_calling(&self, ns: &str, name: &str) -> Vec<(String, String, String)> {
        let mut out = Vec::new();
        for (nsn, n) in &self.schema.namespaces {
            for (tn, t) in &n.tables {
                for (gn, g) in &t.triggers {
                    if g.function_schema == ns && g.function == name {
                        out.push((nsn.clone(), tn.clone(), gn.clone()));
                    }
                }
            }
        }
        out
    }

    /// `ALTER FUNCTION … RENAME TO | SET SCHEMA` of a trigger function: the
    /// triggers follow it (they hold its OID).
    pub(super) fn function_moved_triggers(
        &mut self,
        ons: &str,
        oname: &str,
        nns: &str,
        nname: &str,
    ) {
        let users = self.triggers_calling(ons, oname);
        for (nsn, tn, gn) in &users {
            if let Some(g) = self.table_mut(nsn, tn).triggers.get_mut(gn) {
                g.function_schema = nns.to_string();
                g.function = nname.to_string();
            }
            self.touch(trigger_path(nsn, tn, gn));
        }
        let tables: std::collections::BTreeSet<(String, String)> =
            users.into_iter().map(|(a, b, _)| (a, b)).collect();
        for (a, b) in tables {
            self.rewrite_trigger_definitions(&a, &b);
        }
        let on_views = self.view_triggers_calling(ons, oname);
        for (nsn, vn, gn) in &on_views {
            if let Some(g) = self.view_triggers_mut(nsn, vn).and_then(|t| t.get_mut(gn)) {
                g.function_schema = nns.to_string();
                g.function = nname.to_string();
            }
            self.touch(trigger_path(nsn, vn, gn));
        }
        for (nsn, vn, _) in on_views {
            self.rewrite_view_trigger_definitions(&nsn, &vn);
        }
    }
}

impl Replayer {
    /// `DROP SCHEMA … CASCADE`: triggers elsewhere that call one of its
    /// functions, or whose `FROM` table is in it, go too.
    pub(super) fn schema_dropped_triggers(&mut self, ns: &str) {
        for n in self.schema.namespaces.values_mut() {
            for v in n.views.values_mut() {
                v.triggers.retain(|_, g| g.function_schema != ns);
            }
            for t in n.tables.values_mut() {
                t.triggers.retain(|_, g| {
                    g.function_schema != ns
                        && g.constraint
                            .as_ref()
                            .and_then(|c| c.referenced.as_ref())
                            .is_none_or(|(rns, _)| rns != ns)
                });
            }
        }
    }

    /// `ALTER SCHEMA … RENAME TO`: triggers follow their function and
    /// `FROM` table, and the texts naming the schema are written again.
    pub(super) fn schema_renamed_triggers(&mut self, old: &str, new: &str) {
        let mut affected: Vec<(String, String)> = Vec::new();
        for (nsn, n) in self.schema.namespaces.iter_mut() {
            for (tn, t) in n.tables.iter_mut() {
                let mut touched = nsn == new && !t.triggers.is_empty();
                for g in t.triggers.values_mut() {
                    if g.function_schema == old {
                        g.function_schema = new.to_string();
                        touched = true;
                    }
                    if let Some((rns, _)) =
                        g.constraint.as_mut().and_then(|c| c.referenced.as_mut())
                    {
                        if rns == old {
                            *rns = new.to_string();
                            touched = true;
                        }
                    }
                }
                if touched {
                    affected.push((nsn.clone(), tn.clone()));
                }
            }
        }
        for (a, b) in affected {
            self.rewrite_trigger_definitions(&a, &b);
        }
        let mut views: Vec<(String, String)> = Vec::new();
        for (nsn, n) in self.schema.namespaces.iter_mut() {
            for (vn, v) in n.views.iter_mut() {
                let mut touched = nsn == new && !v.triggers.is_empty();
                for g in v.triggers.values_mut() {
                    if g.function_schema == old {
                        g.function_schema = new.to_string();
                        touched = true;
                    }
                }
                if touched {
                    views.push((nsn.clone(), vn.clone()));
                }
            }
        }
        for (a, b) in views {
            self.rewrite_view_trigger_definitions(&a, &b);
        }
    }
}
