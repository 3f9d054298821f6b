//! Constraints: adding them in PostgreSQL's order and with its names,
//! `USING INDEX`, and the foreign keys that depend on what is dropped.

use crate::model::{quote_ident, Constraint, ConstraintKind, IndexKeyExpr, ObjectKind, ObjectPath};
use crate::names;
use crate::parse::{ConstraintDef, ConstraintDefKind};

use super::{
    err, help, Replayer, DEPENDENT_OBJECTS, DUPLICATE_OBJECT, DUPLICATE_TABLE,
    FEATURE_NOT_SUPPORTED, INVALID_TABLE_DEFINITION, R, UNDEFINED_COLUMN, UNDEFINED_OBJECT,
    WRONG_OBJECT_TYPE,
};

impl Replayer {
    pub(super) fn add_constraints_in_pg_order(
        &mut self,
        ns: &str,
        table: &str,
        cons: Vec<ConstraintDef>,
        creating: bool,
    ) -> R<()> {
        let (mut pk, mut uq, mut ck, mut fk, mut ex) = (vec![], vec![], vec![], vec![], vec![]);
        for c in cons {
            match c.kind {
                ConstraintDefKind::PrimaryKey { .. } => pk.push(c),
                ConstraintDefKind::Unique { .. } => uq.push(c),
                ConstraintDefKind::Check { .. } => ck.push(c),
                ConstraintDefKind::ForeignKey { .. } => fk.push(c),
                ConstraintDefKind::Exclusion { .. } => ex.push(c),
            }
        }
        if pk.len() > 1 {
            return Err(err(
                INVALID_TABLE_DEFINITION,
                format!("multiple primary keys for table \"{table}\" are not allowed"),
            ));
        }
        // PostgreSQL drops index constraints that repeat an earlier one
        // (`id integer PRIMARY KEY UNIQUE`), keeping the primary key, and
        // hands a name to an unnamed earlier twin.
        let key_of = |c: &ConstraintDef| match &c.kind {
            ConstraintDefKind::PrimaryKey {
                columns,
                include,
                using_index: None,
            } => Some((
                columns.clone(),
                include.clone(),
                false,
                c.deferrable,
                c.initially_deferred,
            )),
            ConstraintDefKind::Unique {
                columns,
                include,
                nulls_not_distinct,
                using_index: None,
            } => Some((
                columns.clone(),
                include.clone(),
                *nulls_not_distinct,
                c.deferrable,
                c.initially_deferred,
            )),
            _ => None,
        };
        let mut kept: Vec<ConstraintDef> = Vec::new();
        for c in uq {
            let k = key_of(&c);
            let twin = k.as_ref().and_then(|k| {
                pk.iter_mut().chain(kept.iter_mut()).find(|p| {
                    key_of(p).is_some_and(|pk| {
                        pk.0 == k.0 && pk.1 == k.1 && pk.2 == k.2 && pk.3 == k.3 && pk.4 == k.4
                    })
                })
            });
            match twin {
                Some(prior) => {
                    if prior.name.is_none() {
                        prior.name = c.name.clone();
                    }
                }
                None => kept.push(c),
            }
        }
        let uq = kept;
        // Named checks claim their names before unnamed ones are chosen.
        for c in pk.into_iter().chain(uq).chain(ex).chain(ck).chain(fk) {
            self.add_constraint(ns, table, c, creating)?;
        }
        Ok(())
    }

    pub(super) fn add_constraint(
        &mut self,
        ns: &str,
        table: &str,
        c: ConstraintDef,
        creating: bool,
    ) -> R<()> {
        let unsupported_on_foreign = match &c.kind {
            ConstraintDefKind::PrimaryKey { .. } => Some("primary key"),
            ConstraintDefKind::Unique { .. } => Some("unique"),
            ConstraintDefKind::ForeignKey { .. } => Some("foreign key"),
            ConstraintDefKind::Exclusion { .. } => Some("exclusion"),
            ConstraintDefKind::Check { .. } => None,
        };
        if let Some(kind) = unsupported_on_foreign {
            self.check_foreign_constraint(ns, table, kind)?;
        }
        let cols_exist = |me: &Self, cols: &[String]| -> R<()> {
            let t = me.table(ns, table).expect("resolved");
            for col in cols {
                if t.column(col).is_none() {
                    return Err(err(
                        UNDEFINED_COLUMN,
                        format!("column \"{col}\" named in key does not exist"),
                    ));
                }
            }
            Ok(())
        };
        let (name, kind) = match c.kind {
            ConstraintDefKind::PrimaryKey {
                columns,
                include,
                using_index,
            } => {
                let t = self.table(ns, table).expect("resolved");
                if t.constraints
                    .values()
                    .any(|c| matches!(c.kind, ConstraintKind::PrimaryKey { .. }))
                {
                    return Err(err(
                        INVALID_TABLE_DEFINITION,
                        format!("multiple primary keys for table \"{table}\" are not allowed"),
                    ));
                }
                let (columns, include) = match using_index {
                    Some(idx) => {
                        self.take_index_for_constraint(ns, table, &idx, c.name.as_deref())?
                    }
                    None => (columns, include),
                };
                cols_exist(self, &columns)?;
                cols_exist(self, &include)?;
                for col in &columns {
                    if let Some(cc) = self.table_mut(ns, table).column_mut(col) {
                        cc.not_null = true;
                    }
                }
                let name = match c.name {
                    Some(n) => n,
                    None => self.choose_name(super::naming::TakenBy::Both, ns, table, None, "pkey"),
                };
                (name, ConstraintKind::PrimaryKey { columns, include })
            }
            ConstraintDefKind::Unique {
                columns,
                include,
                nulls_not_distinct,
                using_index,
            } => {
                let (columns, include) = match using_index {
                    Some(idx) => {
                        self.take_index_for_constraint(ns, table, &idx, c.name.as_deref())?
                    }
                    None => (columns, include),
                };
                cols_exist(self, &columns)?;
                cols_exist(self, &include)?;
                let name = match c.name {
                    Some(n) => n,
                    None => {
                        let mut parts: Vec<&str> = columns.iter().map(String::as_str).collect();
                        parts.extend(include.iter().map(String::as_str));
                        let numbered = names::index_column_names(&parts);
                        let numbered: Vec<&str> = numbered.iter().map(String::as_str).collect();
                        let joined = names::join_column_names(&numbered);
                        self.choose_name(
                            super::naming::TakenBy::Both,
                            ns,
                            table,
                            Some(&joined),
                            "key",
                        )
                    }
                };
                (
                    name,
                    ConstraintKind::Unique {
                        columns,
                        include,
                        nulls_not_distinct,
                    },
                )
            }
            ConstraintDefKind::Check {
                expression,
                columns,
                no_inherit,
            } => {
                let t = self.table(ns, table).expect("resolved");
                for col in &columns {
                    if t.column(col).is_none() && !is_sql_keyword_value(col) {
                        return Err(err(
                            UNDEFINED_COLUMN,
                            format!("column \"{col}\" does not exist"),
                        ));
                    }
                }
                let name = match c.name {
                    Some(n) => n,
                    None => {
                        let real: Vec<&String> =
                            columns.iter().filter(|c| t.column(c).is_some()).collect();
                        let col = if real.len() == 1 {
                            Some(real[0].as_str())
                        } else {
                            None
                        };
                        self.choose_name(
                            super::naming::TakenBy::Constraint,
                            ns,
                            table,
                            col,
                            "check",
                        )
                    }
                };
                (
                    name,
                    ConstraintKind::Check {
                        expression,
                        no_inherit,
                    },
                )
            }
            ConstraintDefKind::Exclusion {
                definition,
                columns,
                name_parts,
            } => {
                cols_exist(self, &columns)?;
                let name = match c.name {
                    Some(n) => n,
                    None => {
                        let parts: Vec<&str> = name_parts.iter().map(String::as_str).collect();
                        let numbered = names::index_column_names(&parts);
                        let numbered: Vec<&str> = numbered.iter().map(String::as_str).collect();
                        let joined = names::join_column_names(&numbered);
                        self.choose_name(
                            super::naming::TakenBy::Both,
                            ns,
                            table,
                            Some(&joined),
                            "excl",
                        )
                    }
                };
                (name, ConstraintKind::Exclusion { definition })
            }
            ConstraintDefKind::ForeignKey {
                columns,
                ref_table,
                ref_columns,
                on_delete,
                on_update,
                match_full,
            } => {
                cols_exist(self, &columns)?;
                let rns = if ref_table.schema.is_none()
                    && ref_table.name == table
                    && self.find_table(&ref_table).is_none()
                {
                    ns.to_string()
                } else {
                    self.table_ns(&ref_table)?
                };
                let rt = self.table(&rns, &ref_table.name).expect("resolved");
                let ref_columns = if ref_columns.is_empty() {
                    match rt.constraints.values().find_map(|c| match &c.kind {
                        ConstraintKind::PrimaryKey { columns, .. } => Some(columns.clone()),
                        _ => None,
                    }) {
                        Some(cols) => cols,
                        None => {
                            return Err(err(
                                UNDEFINED_OBJECT,
                                format!(
                                    "there is no primary key for referenced table \"{}\"",
                                    ref_table.name
                                ),
                            ))
                        }
                    }
                } else {
                    ref_columns
                };
                for rc in &ref_columns {
                    if rt.column(rc).is_none() {
                        return Err(err(UNDEFINED_COLUMN, format!("column \"{rc}\" referenced in foreign key constraint does not exist")));
                    }
                }
                if ref_columns.len() != columns.len() {
                    return Err(err(
                        "42830",
                        "number of referencing and referenced columns for foreign key disagree",
                    ));
                }
                // The referenced columns need a unique constraint or index.
                let mut sorted_ref = ref_columns.clone();
                sorted_ref.sort();
                let has_unique = rt.constraints.values().any(|c| match &c.kind {
                    ConstraintKind::PrimaryKey { columns, .. }
                    | ConstraintKind::Unique { columns, .. } => {
                        let mut s = columns.clone();
                        s.sort();
                        s == sorted_ref
                    }
                    _ => false,
                }) || rt.indexes.values().any(|i| {
                    i.unique && i.predicate.is_none() && {
                        let mut s: Vec<String> = i
                            .keys
                            .iter()
                            .filter_map(|k| match &k.key {
                                IndexKeyExpr::Column(c) => Some(c.clone()),
                                _ => None,
                            })
                            .collect();
                        s.sort();
                        s.len() == i.keys.len() && s == sorted_ref
                    }
                });
                if !has_unique {
                    return Err(help(
                        err(
                            "42830",
                            format!(
                                "there is no unique constraint matching given keys for referenced table \"{}\"",
                                ref_table.name
                            ),
                        ),
                        "add a primary key or unique constraint on the referenced columns first",
                    ));
                }
                let name = match c.name {
                    Some(n) => n,
                    None => {
                        let parts: Vec<&str> = columns.iter().map(String::as_str).collect();
                        let joined = names::join_column_names(&parts);
                        self.choose_name(
                            super::naming::TakenBy::Constraint,
                            ns,
                            table,
                            Some(&joined),
                            "fkey",
                        )
                    }
                };
                (
                    name,
                    ConstraintKind::ForeignKey {
                        columns,
                        ref_namespace: rns,
                        ref_table: ref_table.name,
                        ref_columns,
                        on_delete,
                        on_update,
                        match_full,
                    },
                )
            }
        };
        let is_index = matches!(
            kind,
            ConstraintKind::PrimaryKey { .. }
                | ConstraintKind::Unique { .. }
                | ConstraintKind::Exclusion { .. }
        );
        if is_index && self.relation_taken(ns, &name) {
            return Err(err(
                DUPLICATE_TABLE,
                format!("relation \"{name}\" already exists"),
            ));
        }
        // CREATE TABLE merges a check of its own with the same inherited
        // one (`MergeWithExistingConstraint`, allow_merge): it stays local
        // and inherited. Offline the two are the same when written with the
        // same tokens; written differently, strata cannot prove them the
        // same tree, and says so.
        if let (
            true,
            ConstraintKind::Check {
                expression,
                no_inherit: false,
            },
        ) = (creating, &kind)
        {
            let existing = self
                .table(ns, table)
                .expect("resolved")
                .constraints
                .get(&name)
                .map(|c| &**c);
            if let Some(Constraint {
                kind:
                    ConstraintKind::Check {
                        expression: inherited,
                        no_inherit: false,
                    },
                inherited: Some(crate::model::Inherited { local: false, .. }),
                ..
            }) = existing
            {
                if crate::parse::query_key(&inherited.sql)
                    == crate::parse::query_key(&expression.sql)
                {
                    let c = self
                        .table_mut(ns, table)
                        .constraints
                        .get_mut(&name)
                        .expect("found");
                    if let Some(i) = c.inherited.as_mut() {
                        i.local = true;
                    }
                    return Ok(());
                }
                return Err(help(
                    err(
                        DUPLICATE_OBJECT,
                        format!("constraint \"{name}\" for relation \"{table}\" already exists"),
                    ),
                    "PostgreSQL merges a check with the inherited one of its name only when they are the same expression; strata compares how they are written: write it as the parent does, or name it differently".to_string(),
                ));
            }
        }
        if self
            .table(ns, table)
            .expect("resolved")
            .constraints
            .contains_key(&name)
        {
            return Err(err(
                DUPLICATE_OBJECT,
                format!("constraint \"{name}\" for relation \"{table}\" already exists"),
            ));
        }
        let validated = !(c.not_valid
            && matches!(
                kind,
                ConstraintKind::ForeignKey { .. } | ConstraintKind::Check { .. }
            ));
        if c.not_valid
            && !matches!(
                kind,
                ConstraintKind::ForeignKey { .. } | ConstraintKind::Check { .. }
            )
        {
            return Err(err(
                FEATURE_NOT_SUPPORTED,
                "constraints other than foreign keys and checks cannot be marked NOT VALID",
            ));
        }
        let constraint = Constraint {
            kind,
            deferrable: c.deferrable,
            initially_deferred: c.initially_deferred,
            validated,
            comment: None,
            inherited: None,
        };
        self.names_added(ns, table, &name, Some(&constraint));
        self.table_mut_quiet(ns, table)
            .constraints
            .insert(name.clone(), Box::new(constraint));
        self.touch(ObjectPath::in_table(
            ObjectKind::Constraint,
            ns,
            table,
            &name,
        ));
        Ok(())
    }

    /// `ADD CONSTRAINT … USING INDEX idx`: the index becomes the constraint's
    /// (renamed to the constraint name).
    fn take_index_for_constraint(
        &mut self,
        ns: &str,
        table: &str,
        idx: &str,
        _name: Option<&str>,
    ) -> R<(Vec<String>, Vec<String>)> {
        let t = self.table_mut(ns, table);
        let Some(i) = t.indexes.remove(idx) else {
            return Err(err(
                UNDEFINED_OBJECT,
                format!("index \"{idx}\" does not exist"),
            ));
        };
        if !i.unique || i.predicate.is_some() {
            t.indexes.insert(idx.to_string(), i);
            return Err(err(
                WRONG_OBJECT_TYPE,
                format!("\"{idx}\" is not a unique index"),
            ));
        }
        let mut cols = Vec::new();
        for k in &i.keys {
            match &k.key {
                IndexKeyExpr::Column(c) => cols.push(c.clone()),
                IndexKeyExpr::Expression(_) => {
                    t.indexes.insert(idx.to_string(), i.clone());
                    return Err(err(
                        WRONG_OBJECT_TYPE,
                        format!("index \"{idx}\" contains expressions"),
                    ));
                }
            }
        }
        Ok((cols, i.include.clone()))
    }

    pub(super) fn fks_referencing(&self, ns: &str, table: &str) -> Vec<(String, String, String)> {
        let mut v = Vec::new();
        for (nsn, n) in &self.schema.namespaces {
            for (tn, t) in &n.tables {
                if nsn == ns && tn == table {
                    continue;
                }
                for (cn, c) in &t.constraints {
                    if let ConstraintKind::ForeignKey {
                        ref_namespace,
                        ref_table,
                        ..
                    } = &c.kind
                    {
                        if ref_namespace == ns && ref_table == table {
                            v.push((nsn.clone(), tn.clone(), cn.clone()));
                        }
                    }
                }
            }
        }
        v
    }

    pub(super) fn fks_referencing_column(
        &self,
        ns: &str,
        table: &str,
        col: &str,
    ) -> Vec<(String, String, String)> {
        let mut v = Vec::new();
        for (nsn, n) in &self.schema.namespaces {
            for (tn, t) in &n.tables {
                if nsn == ns && tn == table {
                    continue;
                }
                for (cn, c) in &t.constraints {
                    if let ConstraintKind::ForeignKey {
                        ref_namespace,
                        ref_table,
                        ref_columns,
                        ..
                    } = &c.kind
                    {
                        if ref_namespace == ns
                            && ref_table == table
                            && ref_columns.iter().any(|c| c == col)
                        {
                            v.push((nsn.clone(), tn.clone(), cn.clone()));
                        }
                    }
                }
            }
        }
        v
    }

    pub(super) fn drop_fks_referencing(&mut self, ns: &str, table: &str) {
        let mut changed = Vec::new();
        for (nsn, n) in self.schema.namespaces.iter_mut() {
            for (tn, t) in n.tables.iter_mut() {
                let before = t.constraints.len();
                t.constraints.retain(|_, c| {
                    !matches!(&c.kind, ConstraintKind::ForeignKey { ref_namespace, ref_table, .. } if ref_namespace == ns && ref_table == table)
                });
                if t.constraints.len() != before {
                    changed.push((nsn.clone(), tn.clone()));
                }
            }
        }
        for (nsn, tn) in changed {
            self.table_changed(&nsn, &tn);
        }
    }

    /// Foreign keys that depend on what is being dropped: an error without
    /// CASCADE (as PostgreSQL raises it), dropped with it.
    pub(super) fn drop_dependent_fks(
        &mut self,
        deps: Vec<(String, String, String)>,
        cascade: bool,
        what: &str,
        hint: &str,
    ) -> R<()> {
        if let Some((_, table, constraint)) = deps.first() {
            if !cascade {
                return Err(help(
                    err(
                        DEPENDENT_OBJECTS,
                        format!(
                            "cannot drop {what} because other objects depend on it (constraint {constraint} on table {table})"
                        ),
                    ),
                    hint,
                ));
            }
        }
        for (ns, table, constraint) in deps {
            self.table_mut(&ns, &table).constraints.remove(&constraint);
        }
        Ok(())
    }
}

pub(super) fn is_sql_keyword_value(s: &str) -> bool {
    matches!(
        s,
        "true"
            | "false"
            | "null"
            | "current_timestamp"
            | "current_date"
            | "current_user"
            | "localtimestamp"
    )
}

pub(super) fn constraint_uses(k: &ConstraintKind, col: &str) -> bool {
    match k {
        ConstraintKind::PrimaryKey { columns, include }
        | ConstraintKind::Unique {
            columns, include, ..
        } => columns.iter().chain(include).any(|c| c == col),
        ConstraintKind::ForeignKey { columns, .. } => columns.iter().any(|c| c == col),
        ConstraintKind::Check { expression, .. } => crate::expression::mentions(expression, col),
        ConstraintKind::Exclusion { definition } => expr_mentions(definition, &quote_ident(col)),
    }
}

/// Whether an exclusion definition refers to an identifier (token-wise).
fn expr_mentions(expr: &str, quoted_ident: &str) -> bool {
    crate::plpgsql::ident_tokens(expr)
        .iter()
        .any(|t| t == quoted_ident)
}
