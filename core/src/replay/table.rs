//! `CREATE TABLE`, `ALTER TABLE` (its actions on the table itself; columns
//! and constraints have their own files) and `DROP TABLE` (`tablecmds.c`),
//! and tables' storage parameters.

use std::collections::BTreeSet;

use crate::model::{
    qualified, quote_ident, ConstraintKind, ObjectKind, ObjectPath, Table, Unmanaged, UnmanagedKind,
};
use crate::parse::{ConstraintDef, CreateTable, QName, TableAction};

use super::{
    err, help, Replayer, DEPENDENT_OBJECTS, DUPLICATE_COLUMN, DUPLICATE_OBJECT, DUPLICATE_TABLE,
    FEATURE_NOT_SUPPORTED, INVALID_PARAMETER, INVALID_SCHEMA, R, UNDEFINED_COLUMN,
    UNDEFINED_OBJECT, UNDEFINED_TABLE, WRONG_OBJECT_TYPE,
};

impl Replayer {
    pub(super) fn create_table(&mut self, ct: CreateTable) -> R<()> {
        let ns = self.creation_ns(&ct.name)?;
        if self.relation_taken(&ns, &ct.name.name) || self.type_exists_in(&ns, &ct.name.name) {
            if ct.if_not_exists {
                return Ok(());
            }
            return Err(err(
                DUPLICATE_TABLE,
                format!("relation \"{}\" already exists", ct.name.name),
            ));
        }
        let name = ct.name.name.clone();
        let mut seen = BTreeSet::new();
        for c in &ct.columns {
            if !seen.insert(c.name.clone()) {
                return Err(err(
                    DUPLICATE_COLUMN,
                    format!("column \"{}\" specified more than once", c.name),
                ));
            }
        }
        if let Some(k) = &ct.partition_by {
            if !ct.inherits.is_empty() {
                return Err(err(
                    super::WRONG_OBJECT_TYPE,
                    "cannot create partitioned table as inheritance child",
                ));
            }
            let _ = k;
        }
        let foreign = match ct.foreign {
            Some((server, options)) => {
                if !self.schema.foreign_servers.contains_key(&server) {
                    return Err(super::foreign::no_server(&server));
                }
                Some(crate::model::ForeignTable {
                    server,
                    options: super::foreign::new_options(options)?,
                })
            }
            None => {
                if ct.columns.iter().any(|c| !c.fdw_options.is_empty()) {
                    return Err(err(
                        WRONG_OBJECT_TYPE,
                        format!("\"{}\" is not a foreign table", ct.name.name),
                    ));
                }
                None
            }
        };
        self.table_changed(&ns, &name);
        let acl = self.initial_acl(crate::model::DefaultAclObject::Tables, Some(&ns));
        let owner = self.creator();
        self.ns_mut(&ns).tables.insert(
            name.clone(),
            Table {
                unlogged: ct.unlogged,
                partition_by: ct.partition_by.clone(),
                options: table_options(ct.partition_by.is_some(), ct.options)?,
                acl,
                owner,
                foreign,
                ..Table::default()
            },
        );
        self.touch(ObjectPath::new(ObjectKind::Table, &ns, &name));
        if let Some((parent, bound)) = &ct.partition_of {
            self.create_partition_columns(&ns, &name, parent, bound)?;
        }
        if !ct.inherits.is_empty() {
            self.inherit_at_create(&ns, &name, &ct.inherits)?;
        }
        // PostgreSQL creates the table with its columns and defaults, then
        // the index-backed constraints, then checks, then foreign keys.
        let mut deferred: Vec<ConstraintDef> = Vec::new();
        for c in ct.columns {
            if !ct.inherits.is_empty() && self.merge_local_column(&ns, &name, &c)? {
                deferred.extend(c.constraints);
                continue;
            }
            let col_constraints = self.add_column(&ns, &name, c, false)?;
            deferred.extend(col_constraints);
        }
        deferred.extend(ct.constraints);
        // The columns were pushed one by one: keep no spare capacity (a
        // large schema's columns are a quarter of its model).
        self.table_mut_quiet(&ns, &name).columns.shrink_to_fit();
        if let Some((parent, _)) = &ct.partition_of {
            // The parent's keys, indexes and foreign keys come first
            // (`DefineRelation`), then the statement's own.
            let pns = self.table_ns(parent)?;
            self.clone_parent_indexes(&pns, &parent.name, &ns, &name)?;
        }
        self.add_constraints_in_pg_order(&ns, &name, deferred, true)
    }

    /// `ALTER TABLE`: each action in turn.
    pub(super) fn alter_table(
        &mut self,
        name: QName,
        if_exists: bool,
        only: bool,
        actions: Vec<TableAction>,
    ) -> R<()> {
        let Some(ns) = self.find_table(&name) else {
            if if_exists && self.relation_kind(&name).is_none() {
                return Ok(());
            }
            // ALTER TABLE reaches views too: pg_dump writes a view column's
            // default as `ALTER TABLE ONLY v ALTER COLUMN c SET DEFAULT …`.
            if let Some(view_actions) = self.as_view_actions(&name, &actions) {
                for a in view_actions {
                    let materialized = self.view_is_materialized(&name);
                    self.alter_view(name.clone(), materialized, if_exists, a)?;
                }
                return Ok(());
            }
            // ALTER TABLE also reaches sequences and views (pg_dump
            // writes `ALTER TABLE seq OWNER TO …`): fine when it changes
            // nothing strata models.
            let kind = self.relation_kind(&name);
            if kind == Some("sequence")
                && actions
                    .iter()
                    .all(|a| matches!(a, TableAction::NoOp(_) | TableAction::Owner(_)))
            {
                for a in actions {
                    if let TableAction::Owner(role) = a {
                        self.alter_owner(
                            crate::parse::OwnerTarget::Sequence {
                                name: name.clone(),
                                if_exists,
                            },
                            role,
                        )?;
                    }
                }
                return Ok(());
            }
            if let (Some(kind), Some(TableAction::SetRule { state, .. })) = (
                kind,
                actions
                    .iter()
                    .find(|a| matches!(a, TableAction::SetRule { .. })),
            ) {
                let what = match state {
                    crate::model::TriggerEnabled::Disabled => "DISABLE RULE",
                    crate::model::TriggerEnabled::Origin => "ENABLE RULE",
                    crate::model::TriggerEnabled::Replica => "ENABLE REPLICA RULE",
                    crate::model::TriggerEnabled::Always => "ENABLE ALWAYS RULE",
                };
                return Err(help(
                    err(
                        WRONG_OBJECT_TYPE,
                        format!(
                            "ALTER action {what} cannot be performed on relation \"{}\"",
                            name.name
                        ),
                    ),
                    format!("This operation is not supported for {kind}s."),
                ));
            }
            if kind.is_some_and(|k| k != "foreign table") {
                if let Some(TableAction::SetTrigger { state, .. }) = actions
                    .iter()
                    .find(|a| matches!(a, TableAction::SetTrigger { .. }))
                {
                    let what = match state {
                        crate::model::TriggerEnabled::Disabled => "DISABLE TRIGGER",
                        _ => "ENABLE TRIGGER",
                    };
                    return Err(help(
                        err(
                            WRONG_OBJECT_TYPE,
                            format!(
                                "ALTER action {what} cannot be performed on relation \"{}\"",
                                name.name
                            ),
                        ),
                        format!(
                            "This operation is not supported for {}s.",
                            kind.unwrap_or("relation")
                        ),
                    ));
                }
            }
            if self.relation_kind(&name).is_some()
                && actions.iter().all(|a| {
                    matches!(
                        a,
                        TableAction::NoOp(_)
                            | TableAction::Owner(_)
                            | TableAction::SetTrigger {
                                state: crate::model::TriggerEnabled::Origin,
                                ..
                            }
                    )
                })
            {
                // Triggers on foreign tables are kept by name, all
                // enabled: plain ENABLE changes nothing.
                return Ok(());
            }
            if self.relation_kind(&name).is_some()
                && actions
                    .iter()
                    .any(|a| matches!(a, TableAction::SetTrigger { .. }))
            {
                return Err(help(
                    err(
                        FEATURE_NOT_SUPPORTED,
                        format!(
                            "disabled or replica/always triggers on \"{}\" are not supported yet (strata keeps triggers on foreign tables by name only)",
                            name.name
                        ),
                    ),
                    "mark the statement with `-- strata:ignore` to skip it",
                ));
            }
            return Err(self
                .table_ns(&name)
                .err()
                .unwrap_or_else(|| err(UNDEFINED_TABLE, "relation does not exist")));
        };
        let mut table = name.name.clone();
        let mut ns = ns;
        for a in actions {
            self.alter_table_action(&mut ns, &mut table, only, a)?;
        }
        Ok(())
    }

    fn alter_table_action(
        &mut self,
        ns: &mut String,
        table: &mut String,
        only: bool,
        a: TableAction,
    ) -> R<()> {
        let (nsn, tn) = (ns.clone(), table.clone());
        // A foreign table's options (and its columns') are its own: checked
        // first, never propagated to children.
        let column_options = matches!(
            &a,
            TableAction::AlterColumn {
                op: crate::parse::ColumnOp::FdwOptions(_),
                ..
            }
        );
        if column_options {
            self.check_foreign_action(&nsn, &tn, "ALTER COLUMN ... OPTIONS", true)?;
            if let TableAction::AlterColumn { name, op } = a {
                return self.alter_column(&nsn, &tn, &name, op);
            }
            return Ok(());
        }
        match &a {
            TableAction::FdwOptions(_) => {
                self.check_foreign_action(&nsn, &tn, "OPTIONS", true)?;
            }
            _ => {
                if self.alter_inherited(&nsn, &tn, only, &a)? {
                    return Ok(());
                }
            }
        }
        match a {
            TableAction::AttachPartition { name, bound } => {
                self.attach_partition(&nsn, &tn, &name, &bound)?
            }
            TableAction::DetachPartition {
                name,
                concurrently,
                finalize,
            } => self.detach_partition(&nsn, &tn, &name, concurrently, finalize)?,
            TableAction::Inherit(p) => self.add_inherit(&nsn, &tn, &p)?,
            TableAction::NoInherit(p) => self.drop_inherit(&nsn, &tn, &p)?,
            TableAction::AddColumn {
                if_not_exists,
                column,
            } => {
                if self
                    .table(&nsn, &tn)
                    .expect("resolved")
                    .column(&column.name)
                    .is_some()
                    && if_not_exists
                {
                    return Ok(());
                }
                let cons = self.add_column(&nsn, &tn, *column, true)?;
                self.add_constraints_in_pg_order(&nsn, &tn, cons, false)?;
            }
            TableAction::DropColumn {
                name,
                if_exists,
                cascade,
            } => {
                if self
                    .table(&nsn, &tn)
                    .expect("resolved")
                    .column(&name)
                    .is_none()
                {
                    if if_exists {
                        return Ok(());
                    }
                    return Err(err(
                        UNDEFINED_COLUMN,
                        format!("column \"{name}\" of relation \"{tn}\" does not exist"),
                    ));
                }
                // Foreign keys elsewhere that reference this column need CASCADE.
                let refs = self.fks_referencing_column(&nsn, &tn, &name);
                self.drop_dependent_fks(
                    refs,
                    cascade,
                    &format!("column {name} of table {tn}"),
                    "drop the foreign key first, or use DROP COLUMN … CASCADE",
                )?;
                self.drop_dependent_views(&nsn, &tn, Some(&name), cascade, "table")?;
                self.check_policies_on_column_drop(&nsn, &tn, &name, cascade)?;
                self.drop_column_triggers(&nsn, &tn, &name, cascade)?;
                self.drop_column_inner(&nsn, &tn, &name);
            }
            TableAction::AlterColumn { name, op } => self.alter_column(&nsn, &tn, &name, op)?,
            TableAction::AddConstraint(c) => self.add_constraint(&nsn, &tn, c, false)?,
            TableAction::DropConstraint {
                name,
                if_exists,
                cascade,
            } => {
                let t = self.table(&nsn, &tn).expect("resolved");
                let Some(c) = t.constraints.get(&name) else {
                    if if_exists {
                        return Ok(());
                    }
                    return Err(err(
                        UNDEFINED_OBJECT,
                        format!("constraint \"{name}\" of relation \"{tn}\" does not exist"),
                    ));
                };
                if matches!(
                    c.kind,
                    ConstraintKind::PrimaryKey { .. } | ConstraintKind::Unique { .. }
                ) {
                    // Foreign keys that depend on this key need CASCADE.
                    let key_cols = match &c.kind {
                        ConstraintKind::PrimaryKey { columns, .. }
                        | ConstraintKind::Unique { columns, .. } => {
                            let mut s = columns.clone();
                            s.sort();
                            s
                        }
                        _ => vec![],
                    };
                    let mut deps = Vec::new();
                    for (rnsn, rn) in &self.schema.namespaces {
                        for (rtn, rtt) in &rn.tables {
                            for (rcn, rc) in &rtt.constraints {
                                if let ConstraintKind::ForeignKey {
                                    ref_namespace,
                                    ref_table,
                                    ref_columns,
                                    ..
                                } = &rc.kind
                                {
                                    let mut s = ref_columns.clone();
                                    s.sort();
                                    if *ref_namespace == nsn && *ref_table == tn && s == key_cols {
                                        deps.push((rnsn.clone(), rtn.clone(), rcn.clone()));
                                    }
                                }
                            }
                        }
                    }
                    self.drop_dependent_fks(
                        deps,
                        cascade,
                        &format!("constraint {name} on table {tn}"),
                        "drop the foreign keys first, or use DROP CONSTRAINT … CASCADE",
                    )?;
                }
                let t = self.table_mut_quiet(&nsn, &tn);
                // A foreign key changes the tables this one names: the
                // registry takes the whole table again; any other
                // constraint is one name out.
                match t.constraints.remove(&name) {
                    Some(c) if matches!(c.kind, ConstraintKind::ForeignKey { .. }) => {
                        self.table_changed(&nsn, &tn);
                    }
                    Some(_) => self.names_removed(&nsn, &tn, &name, true),
                    None => {}
                }
            }
            TableAction::ValidateConstraint(name) => {
                let t = self.table_mut(&nsn, &tn);
                let Some(c) = t.constraints.get_mut(&name) else {
                    return Err(err(
                        UNDEFINED_OBJECT,
                        format!("constraint \"{name}\" of relation \"{tn}\" does not exist"),
                    ));
                };
                if !matches!(
                    c.kind,
                    ConstraintKind::ForeignKey { .. } | ConstraintKind::Check { .. }
                ) {
                    return Err(err(WRONG_OBJECT_TYPE, format!("constraint \"{name}\" of relation \"{tn}\" is not a foreign key or check constraint")));
                }
                c.validated = true;
                self.touch(ObjectPath::in_table(
                    ObjectKind::Constraint,
                    &nsn,
                    &tn,
                    &name,
                ));
            }
            TableAction::RenameColumn { old, new } => {
                let t = self.table(&nsn, &tn).expect("resolved");
                if t.column(&old).is_none() {
                    return Err(err(
                        UNDEFINED_COLUMN,
                        format!("column \"{old}\" does not exist"),
                    ));
                }
                if t.column(&new).is_some() {
                    return Err(err(
                        DUPLICATE_COLUMN,
                        format!("column \"{new}\" of relation \"{tn}\" already exists"),
                    ));
                }
                self.rename_column_triggers(&nsn, &tn, &old, &new)?;
                self.rename_column(&nsn, &tn, &old, &new);
                self.touch(ObjectPath::in_table(ObjectKind::Column, &nsn, &tn, &new));
            }
            TableAction::RenameConstraint { old, new } => {
                let t = self.table(&nsn, &tn).expect("resolved");
                let Some(c) = t.constraints.get(&old) else {
                    return Err(err(
                        UNDEFINED_OBJECT,
                        format!("constraint \"{old}\" for table \"{tn}\" does not exist"),
                    ));
                };
                let is_index = matches!(
                    c.kind,
                    ConstraintKind::PrimaryKey { .. }
                        | ConstraintKind::Unique { .. }
                        | ConstraintKind::Exclusion { .. }
                );
                if t.constraints.contains_key(&new) || (is_index && self.relation_taken(&nsn, &new))
                {
                    return Err(err(
                        DUPLICATE_OBJECT,
                        format!("constraint \"{new}\" for relation \"{tn}\" already exists"),
                    ));
                }
                let t = self.table_mut(&nsn, &tn);
                let c = t.constraints.remove(&old).expect("checked");
                t.constraints.insert(new.clone(), c);
                self.touch(ObjectPath::in_table(
                    ObjectKind::Constraint,
                    &nsn,
                    &tn,
                    &new,
                ));
            }
            TableAction::RenameTo(new) => {
                if self.relation_taken(&nsn, &new) || self.type_exists_in(&nsn, &new) {
                    return Err(err(
                        DUPLICATE_TABLE,
                        format!("relation \"{new}\" already exists"),
                    ));
                }
                let t = self.ns_mut(&nsn).tables.remove(&tn).expect("resolved");
                self.ns_mut(&nsn).tables.insert(new.clone(), t);
                // Its index and constraint names move from the old name to
                // the new one; no other table's names change.
                self.table_changed(&nsn, &tn);
                self.table_changed(&nsn, &new);
                // Only the tables that name it (the registry's referrers,
                // the renamed table itself among them when it refers to
                // itself) can hold a foreign key to it.
                for (rns, rtn) in self.referrers(&nsn, &tn) {
                    let Some(t) = self.table_mut_if(&rns, &rtn) else {
                        continue;
                    };
                    for c in t.constraints.values_mut() {
                        if let ConstraintKind::ForeignKey {
                            ref_namespace,
                            ref_table,
                            ..
                        } = &mut c.kind
                        {
                            if *ref_namespace == nsn && *ref_table == tn {
                                *ref_table = new.clone();
                            }
                        }
                    }
                }
                for s in self.ns_mut(&nsn).sequences.values_mut() {
                    if let Some((t, _)) = &mut s.owned_by {
                        if *t == tn {
                            *t = new.clone();
                        }
                    }
                }
                let old_prefix = format!("{}.{}.", quote_ident(&nsn), quote_ident(&tn));
                let new_prefix = format!("{}.{}.", quote_ident(&nsn), quote_ident(&new));
                let renamed: Vec<Unmanaged> = self
                    .schema
                    .unmanaged
                    .iter()
                    .filter(|u| {
                        matches!(u.kind, UnmanagedKind::Trigger | UnmanagedKind::Policy)
                            && u.name.starts_with(&old_prefix)
                    })
                    .cloned()
                    .collect();
                for u in renamed {
                    self.schema.unmanaged.remove(&u);
                    self.schema.unmanaged.insert(Unmanaged {
                        kind: u.kind,
                        name: format!("{new_prefix}{}", &u.name[old_prefix.len()..]),
                    });
                }
                self.touch(ObjectPath::new(ObjectKind::Table, &nsn, &new));
                self.relink_parent(
                    &crate::model::RelationRef::new(&nsn, &tn),
                    Some(&crate::model::RelationRef::new(&nsn, &new)),
                );
                self.move_in_view_deps(&nsn, &tn, &nsn, &new);
                self.table_moved_triggers(&nsn, &tn, &nsn, &new);
                self.table_moved_statistics(&nsn, &tn, &nsn, &new);
                *table = new;
            }
            TableAction::SetSchema(new_ns) => {
                if !self.schema.namespaces.contains_key(&new_ns) {
                    return Err(err(
                        INVALID_SCHEMA,
                        format!("schema \"{new_ns}\" does not exist"),
                    ));
                }
                if self.relation_taken(&new_ns, &tn) {
                    return Err(err(
                        DUPLICATE_TABLE,
                        format!("relation \"{tn}\" already exists in schema \"{new_ns}\""),
                    ));
                }
                let t = self.ns_mut(&nsn).tables.remove(&tn).expect("resolved");
                self.ns_mut(&new_ns).tables.insert(tn.clone(), t);
                self.names_changed();
                self.relink_parent(
                    &crate::model::RelationRef::new(&nsn, &tn),
                    Some(&crate::model::RelationRef::new(&new_ns, &tn)),
                );
                let moved: Vec<String> = self
                    .table(&new_ns, &tn)
                    .map(|t| t.indexes.keys().cloned().collect())
                    .unwrap_or_default();
                for i in moved {
                    self.relink_index(
                        &crate::model::RelationRef::new(&nsn, &i),
                        Some(&crate::model::RelationRef::new(&new_ns, &i)),
                    );
                }
                self.move_in_view_deps(&nsn, &tn, &new_ns, &tn);
                self.table_moved_triggers(&nsn, &tn, &new_ns, &tn);
                self.table_moved_statistics(&nsn, &tn, &new_ns, &tn);
                // Owned sequences move along.
                let owned: Vec<String> = self
                    .ns_mut(&nsn)
                    .sequences
                    .iter()
                    .filter(|(_, s)| s.owned_by.as_ref().is_some_and(|(t, _)| *t == tn))
                    .map(|(k, _)| k.clone())
                    .collect();
                for s in owned {
                    let seq = self.ns_mut(&nsn).sequences.remove(&s).expect("listed");
                    self.ns_mut(&new_ns).sequences.insert(s.clone(), seq);
                    // A `'seq'::regclass` constant keeps the sequence's
                    // OID: the server prints its new schema.
                    let (from, to) = (
                        format!(
                            "{}::regclass",
                            crate::model::quote_literal(&qualified(&nsn, &s))
                        ),
                        format!(
                            "{}::regclass",
                            crate::model::quote_literal(&qualified(&new_ns, &s))
                        ),
                    );
                    self.each_expression(|e| {
                        crate::expression::replace_in_server_text(e, &from, &to)
                    });
                }
                for n in self.schema.namespaces.values_mut() {
                    for t in n.tables.values_mut() {
                        for c in t.constraints.values_mut() {
                            if let ConstraintKind::ForeignKey {
                                ref_namespace,
                                ref_table,
                                ..
                            } = &mut c.kind
                            {
                                if *ref_namespace == nsn && *ref_table == tn {
                                    *ref_namespace = new_ns.clone();
                                }
                            }
                        }
                    }
                }
                self.touch(ObjectPath::new(ObjectKind::Table, &new_ns, &tn));
                *ns = new_ns;
            }
            TableAction::FdwOptions(changes) => {
                self.check_foreign_action(&nsn, &tn, "OPTIONS", true)?;
                let t = self.table_mut(&nsn, &tn);
                let f = t.foreign.as_mut().expect("checked");
                super::foreign::apply_options(&mut f.options, &changes)?;
                self.touch(ObjectPath::new(ObjectKind::Table, &nsn, &tn));
            }
            TableAction::RowLevelSecurity(on) => {
                let what = if on {
                    "ENABLE ROW SECURITY"
                } else {
                    "DISABLE ROW SECURITY"
                };
                self.check_foreign_action(&nsn, &tn, what, false)?;
                self.table_mut(&nsn, &tn).row_level_security = on;
                self.touch(ObjectPath::new(ObjectKind::Table, &nsn, &tn));
            }
            TableAction::ForceRowLevelSecurity(on) => {
                let what = if on {
                    "FORCE ROW SECURITY"
                } else {
                    "NO FORCE ROW SECURITY"
                };
                self.check_foreign_action(&nsn, &tn, what, false)?;
                self.table_mut(&nsn, &tn).force_row_level_security = on;
                self.touch(ObjectPath::new(ObjectKind::Table, &nsn, &tn));
            }
            TableAction::SetLogged(logged) => {
                self.table_mut(&nsn, &tn).unlogged = !logged;
                self.touch(ObjectPath::new(ObjectKind::Table, &nsn, &tn));
            }
            TableAction::SetOptions(set) => {
                let t = self.table_mut(&nsn, &tn);
                let mut options = t.options.clone();
                let set = table_options(t.partition_by.is_some(), set)?;
                options.extend(set);
                t.options = options;
                self.touch(ObjectPath::new(ObjectKind::Table, &nsn, &tn));
            }
            TableAction::ResetOptions(names) => {
                let t = self.table_mut(&nsn, &tn);
                for n in names {
                    t.options.remove(&n);
                }
                self.touch(ObjectPath::new(ObjectKind::Table, &nsn, &tn));
            }
            TableAction::SetTrigger { which, state } => {
                self.set_trigger_state(&nsn, &tn, which, state)?
            }
            TableAction::SetRule { name, state } => self.set_rule_state(&nsn, &tn, &name, state)?,
            TableAction::NoOp(_) => {}
            TableAction::Owner(role) => self.set_table_owner(&nsn, &tn, role),
        }
        Ok(())
    }

    /// `DROP TABLE`.
    pub(super) fn drop_table(
        &mut self,
        names: Vec<QName>,
        if_exists: bool,
        cascade: bool,
    ) -> R<()> {
        for q in names {
            let Some(ns) = self.find_table(&q) else {
                if if_exists {
                    continue;
                }
                return Err(self
                    .table_ns(&q)
                    .err()
                    .unwrap_or_else(|| err(UNDEFINED_TABLE, "relation does not exist")));
            };
            let referencing = self.fks_referencing(&ns, &q.name);
            if !referencing.is_empty() && !cascade {
                let (rns, rt, rc) = &referencing[0];
                return Err(help(
                    err(
                        DEPENDENT_OBJECTS,
                        format!(
                            "cannot drop table {} because other objects depend on it (constraint {} on table {})",
                            qualified(&ns, &q.name),
                            rc,
                            qualified(rns, rt)
                        ),
                    ),
                    "drop the foreign keys first, or use DROP TABLE … CASCADE",
                ));
            }
            let below = self.tables_dropped_with(&ns, &q.name, cascade)?;
            for (cns, cn) in below
                .into_iter()
                .chain(std::iter::once((ns.clone(), q.name.clone())))
            {
                if self.table(&cns, &cn).is_none() {
                    continue;
                }
                self.drop_dependent_views(&cns, &cn, None, cascade, "table")?;
                self.drop_fks_referencing(&cns, &cn);
                self.drop_table_inner(&cns, &cn);
                self.drop_referencing_triggers(&cns, &cn);
                self.dropped_from_hierarchy(&cns, &cn);
            }
        }
        Ok(())
    }

    fn drop_table_inner(&mut self, ns: &str, name: &str) {
        self.table_changed(ns, name);
        let n = self.ns_mut(ns);
        n.tables.remove(name);
        // Owned sequences go with the table.
        n.sequences
            .retain(|_, s| s.owned_by.as_ref().is_none_or(|(t, _)| t != name));
        let prefix = format!("{}.{}.", quote_ident(ns), quote_ident(name));
        self.schema.unmanaged.retain(|u| {
            !(matches!(u.kind, UnmanagedKind::Trigger | UnmanagedKind::Policy)
                && u.name.starts_with(&prefix))
        });
        self.hidden_relations
            .retain(|(hns, hn)| !(hns == ns && hn.starts_with(&format!("{name}_"))));
    }
}

/// Storage parameters of heap tables (PostgreSQL 15, `reloptions.c`).
pub(super) const HEAP_OPTIONS: &[&str] = &[
    "fillfactor",
    "toast_tuple_target",
    "parallel_workers",
    "autovacuum_enabled",
    "autovacuum_vacuum_threshold",
    "autovacuum_vacuum_insert_threshold",
    "autovacuum_analyze_threshold",
    "autovacuum_vacuum_scale_factor",
    "autovacuum_vacuum_insert_scale_factor",
    "autovacuum_analyze_scale_factor",
    "autovacuum_vacuum_cost_delay",
    "autovacuum_vacuum_cost_limit",
    "autovacuum_freeze_min_age",
    "autovacuum_freeze_max_age",
    "autovacuum_freeze_table_age",
    "autovacuum_multixact_freeze_min_age",
    "autovacuum_multixact_freeze_max_age",
    "autovacuum_multixact_freeze_table_age",
    "log_autovacuum_min_duration",
    "user_catalog_table",
    "vacuum_index_cleanup",
    "vacuum_truncate",
];

/// Checks storage parameters as PostgreSQL does (each known, none twice)
/// and returns them as a map.
pub(super) fn checked_options(
    valid: &[&str],
    given: Vec<(String, String)>,
) -> R<std::collections::BTreeMap<String, String>> {
    let mut out = std::collections::BTreeMap::new();
    for (k, v) in given {
        if !valid.contains(&k.as_str()) {
            return Err(err(
                INVALID_PARAMETER,
                format!("unrecognized parameter \"{k}\""),
            ));
        }
        if out.insert(k.clone(), v).is_some() {
            return Err(err(
                INVALID_PARAMETER,
                format!("parameter \"{k}\" specified more than once"),
            ));
        }
    }
    Ok(out)
}

fn table_options(
    partitioned: bool,
    given: Vec<(String, String)>,
) -> R<std::collections::BTreeMap<String, String>> {
    // A partitioned table takes none.
    checked_options(if partitioned { &[] } else { HEAP_OPTIONS }, given)
}
