//! `CREATE INDEX`, `ALTER INDEX … RENAME` / `SET` / `RESET` /
//! `ALTER COLUMN n SET STATISTICS` and
//! `DROP INDEX` (`indexcmds.c`), and how indexes follow their columns.

use sqlparser::ast::Expr;
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;

use crate::model::{ConstraintKind, Index, IndexKey, IndexKeyExpr, ObjectKind, ObjectPath};
use crate::names;
use crate::parse::{CreateIndex, QName};

use super::column::rename_in_list;
use super::table::checked_options;
use super::{
    display_q, err, help, Replayer, DEPENDENT_OBJECTS, DUPLICATE_TABLE, FEATURE_NOT_SUPPORTED,
    INVALID_PARAMETER, R, UNDEFINED_COLUMN, UNDEFINED_OBJECT, UNDEFINED_TABLE,
};

impl Replayer {
    /// Finds an index by name: (namespace, table, is_constraint).
    pub(super) fn find_index(&self, q: &QName) -> Option<(String, String, bool)> {
        let nss: Vec<String> = match &q.schema {
            Some(s) => vec![s.clone()],
            None => self.search_namespaces(),
        };
        let found = nss.into_iter().find_map(|ns| {
            self.index_owner(&ns, &q.name)
                .map(|(table, is_constraint)| (ns, table, is_constraint))
        });
        if q.schema.is_none() {
            let has = |n: &str| self.index_owner(n, &q.name).is_some();
            self.note_user_dependence(found.as_ref().map(|f| f.0.as_str()), &has);
        }
        found
    }

    pub(super) fn create_index(&mut self, ci: CreateIndex) -> R<()> {
        if self.find_table(&ci.table).is_none() && self.create_view_index(&ci)? {
            return Ok(());
        }
        let ns = self.table_ns(&ci.table)?;
        if let Some(s) = &ci.table.schema {
            let _ = s;
        }
        let table = ci.table.name.clone();
        let t = self.table(&ns, &table).expect("resolved");
        if t.foreign.is_some() {
            return Err(help(
                err(
                    super::WRONG_OBJECT_TYPE,
                    format!("cannot create index on relation \"{table}\""),
                ),
                "This operation is not supported for foreign tables.",
            ));
        }
        for k in &ci.keys {
            if let IndexKeyExpr::Column(c) = &k.key {
                if t.column(c).is_none() {
                    return Err(err(
                        UNDEFINED_COLUMN,
                        format!("column \"{c}\" does not exist"),
                    ));
                }
            }
        }
        for c in &ci.include {
            if t.column(c).is_none() {
                return Err(err(
                    UNDEFINED_COLUMN,
                    format!("column \"{c}\" does not exist"),
                ));
            }
        }
        if !matches!(
            ci.method.as_str(),
            "btree" | "hash" | "gist" | "gin" | "spgist" | "brin"
        ) && !self.has_extensions()
        {
            return Err(err(
                UNDEFINED_OBJECT,
                format!("access method \"{}\" does not exist", ci.method),
            ));
        }
        if ci.unique && ci.method != "btree" && !self.has_extensions() {
            return Err(err(
                FEATURE_NOT_SUPPORTED,
                format!(
                    "access method \"{}\" does not support unique indexes",
                    ci.method
                ),
            ));
        }
        let name = match ci.name.clone() {
            Some(n) => {
                if self.relation_taken(&ns, &n) {
                    if ci.if_not_exists {
                        return Ok(());
                    }
                    return Err(err(
                        DUPLICATE_TABLE,
                        format!("relation \"{n}\" already exists"),
                    ));
                }
                n
            }
            None => {
                let mut parts: Vec<&str> = ci.keys.iter().map(|k| k.name_part.as_str()).collect();
                parts.extend(ci.include.iter().map(String::as_str));
                let numbered = names::index_column_names(&parts);
                let numbered: Vec<&str> = numbered.iter().map(String::as_str).collect();
                let joined = names::join_column_names(&numbered);
                self.choose_name(
                    super::naming::TakenBy::Relation,
                    &ns,
                    &table,
                    Some(&joined),
                    "idx",
                )
            }
        };
        let partitioned = self
            .table(&ns, &table)
            .is_some_and(|t| t.partition_by.is_some());
        if partitioned && ci.concurrently {
            return Err(err(
                FEATURE_NOT_SUPPORTED,
                format!("cannot create index on partitioned table \"{table}\" concurrently"),
            ));
        }
        if partitioned && ci.unique {
            let cols: Vec<String> = ci
                .keys
                .iter()
                .filter_map(|k| match &k.key {
                    IndexKeyExpr::Column(c) => Some(c.clone()),
                    IndexKeyExpr::Expression(_) => None,
                })
                .collect();
            self.check_unique_on_partitioned(&ns, &table, &cols, "UNIQUE")?;
        }
        let only = ci.only;
        let index = self.index_from(ci)?;
        self.names_added(&ns, &table, &name, None);
        self.table_mut_quiet(&ns, &table)
            .indexes
            .insert(name.clone(), Box::new(index.clone()));
        self.touch(ObjectPath::in_table(ObjectKind::Index, &ns, &table, &name));
        if partitioned && !only {
            for (cns, cn) in self.children_of(&ns, &table) {
                self.attach_or_create_index(&ns, &name, &index, &cns, &cn)?;
            }
        }
        Ok(())
    }

    /// Drops an index and the partitions' indexes attached to it.
    fn drop_index_tree(&mut self, ns: &str, table: &str, name: &str) {
        if self
            .table_mut_quiet(ns, table)
            .indexes
            .remove(name)
            .is_some()
        {
            self.names_removed(ns, table, name, false);
        }
        // An index attached to this one is on a partition of this table
        // (ALTER INDEX … ATTACH PARTITION takes no other).
        let me = crate::model::RelationRef::new(ns, name);
        let mut attached = Vec::new();
        for (cns, cn) in self.children_of(ns, table) {
            if let Some(t) = self.table(&cns, &cn) {
                for (iname, i) in &t.indexes {
                    if i.attached_to.as_ref() == Some(&me) {
                        attached.push((cns.clone(), cn.clone(), iname.clone()));
                    }
                }
            }
        }
        for (a, b, c) in attached {
            self.drop_index_tree(&a, &b, &c);
        }
    }

    /// The index a `CREATE INDEX` describes (its name chosen already).
    pub(super) fn index_from(&self, ci: CreateIndex) -> R<Index> {
        let keys = ci
            .keys
            .into_iter()
            .map(|k| IndexKey {
                opclass: k.opclass.filter(|oc| !is_default_opclass(oc, &ci.method)),
                collation: k.collation,
                descending: k.descending,
                nulls_first: k.nulls_first.unwrap_or(k.descending),
                key: k.key,
                statistics: None,
            })
            .collect();
        let options = index_options(&ci.method, ci.options)?;
        Ok(Index {
            unique: ci.unique,
            method: ci.method,
            keys,
            include: ci.include,
            nulls_not_distinct: ci.nulls_not_distinct,
            predicate: ci.predicate,
            comment: None,
            options,
            attached_to: None,
        })
    }

    /// `ALTER INDEX … RENAME TO`.
    pub(super) fn rename_index(&mut self, name: QName, if_exists: bool, new_name: String) -> R<()> {
        let Some((ns, t, is_constraint)) = self.find_index(&name) else {
            if if_exists {
                return Ok(());
            }
            return Err(err(
                UNDEFINED_TABLE,
                format!("relation \"{}\" does not exist", display_q(&name)),
            ));
        };
        if self.relation_taken(&ns, &new_name) {
            return Err(err(
                DUPLICATE_TABLE,
                format!("relation \"{new_name}\" already exists"),
            ));
        }
        let table = self.table_mut(&ns, &t);
        if is_constraint {
            if let Some(c) = table.constraints.remove(&name.name) {
                table.constraints.insert(new_name.clone(), c);
            }
            self.touch(ObjectPath::in_table(
                ObjectKind::Constraint,
                &ns,
                &t,
                &new_name,
            ));
        } else {
            if let Some(i) = table.indexes.remove(&name.name) {
                table.indexes.insert(new_name.clone(), i);
            }
            self.relink_index(
                &crate::model::RelationRef::new(&ns, &name.name),
                Some(&crate::model::RelationRef::new(&ns, &new_name)),
            );
            self.touch(ObjectPath::in_table(ObjectKind::Index, &ns, &t, &new_name));
        }
        Ok(())
    }

    /// `ALTER INDEX … SET (…)` / `RESET (…)`.
    pub(super) fn alter_index_options(
        &mut self,
        name: QName,
        if_exists: bool,
        set: Vec<(String, String)>,
        reset: Vec<String>,
    ) -> R<()> {
        let Some((ns, t, is_constraint)) = self.find_index(&name) else {
            if if_exists {
                return Ok(());
            }
            return Err(err(
                UNDEFINED_TABLE,
                format!("relation \"{}\" does not exist", display_q(&name)),
            ));
        };
        if is_constraint {
            return Err(help(
                err(
                    FEATURE_NOT_SUPPORTED,
                    format!(
                        "storage parameters of index \"{}\", which backs a constraint, are not supported yet",
                        name.name
                    ),
                ),
                "mark the statement with `-- strata:ignore` to skip it (the parameters will then be missing from the model)",
            ));
        }
        let table = self.table_mut(&ns, &t);
        if let Some(i) = table.indexes.get_mut(&name.name) {
            let set = index_options(&i.method, set)?;
            for n in reset {
                i.options.remove(&n);
            }
            i.options.extend(set);
        }
        self.touch(ObjectPath::in_table(ObjectKind::Index, &ns, &t, &name.name));
        Ok(())
    }

    /// `ALTER INDEX … ALTER [COLUMN] n SET STATISTICS k` (`ATExecSetStatistics`):
    /// only an expression key takes a target; -1 resets, above 10000 is
    /// lowered to 10000 (the server warns), below -1 is an error.
    pub(super) fn alter_index_statistics(
        &mut self,
        name: QName,
        if_exists: bool,
        targets: Vec<(i16, i32)>,
    ) -> R<()> {
        let Some((ns, t, is_constraint)) = self.find_index(&name) else {
            if if_exists {
                return Ok(());
            }
            return Err(err(
                UNDEFINED_TABLE,
                format!("relation \"{}\" does not exist", display_q(&name)),
            ));
        };
        let iname = name.name;
        let table = self.table(&ns, &t).expect("resolved");
        // The index's columns: (name as a key, expression or not), then its
        // INCLUDE columns.
        let (keys, include, exclusion): (Vec<(String, bool)>, Vec<String>, bool) = if is_constraint
        {
            match table.constraints.get(&iname).map(|c| &c.kind) {
                Some(
                    ConstraintKind::PrimaryKey { columns, include }
                    | ConstraintKind::Unique {
                        columns, include, ..
                    },
                ) => (
                    columns.iter().map(|c| (c.clone(), false)).collect(),
                    include.clone(),
                    false,
                ),
                _ => (Vec::new(), Vec::new(), true),
            }
        } else {
            let i = table.indexes.get(&iname).expect("found");
            (
                i.keys
                    .iter()
                    .map(|k| match &k.key {
                        IndexKeyExpr::Column(c) => (c.clone(), false),
                        IndexKeyExpr::Expression(e) => (expression_column_name(&e.sql), true),
                    })
                    .collect(),
                i.include.clone(),
                false,
            )
        };
        let mut parts: Vec<&str> = keys.iter().map(|(n, _)| n.as_str()).collect();
        parts.extend(include.iter().map(String::as_str));
        let attnames = names::index_column_names(&parts);
        let mut set = Vec::new();
        for (n, k) in targets {
            if k < -1 {
                return Err(err(
                    INVALID_PARAMETER,
                    format!("statistics target {k} is too low"),
                ));
            }
            if exclusion {
                return Err(help(
                    err(
                        FEATURE_NOT_SUPPORTED,
                        format!(
                            "statistics targets on the index of exclusion constraint \"{iname}\" are not supported yet"
                        ),
                    ),
                    "mark the statement with `-- strata:ignore` to skip it (the statistics target will then be missing from the model)",
                ));
            }
            let at = usize::try_from(n).unwrap_or(0);
            let Some(attname) = at.checked_sub(1).and_then(|i| attnames.get(i)) else {
                return Err(err(
                    UNDEFINED_COLUMN,
                    format!("column number {n} of relation \"{iname}\" does not exist"),
                ));
            };
            if at > keys.len() {
                return Err(err(
                    FEATURE_NOT_SUPPORTED,
                    format!(
                        "cannot alter statistics on included column \"{attname}\" of index \"{iname}\""
                    ),
                ));
            }
            if !keys[at - 1].1 {
                return Err(help(
                    err(
                        FEATURE_NOT_SUPPORTED,
                        format!(
                            "cannot alter statistics on non-expression column \"{attname}\" of index \"{iname}\""
                        ),
                    ),
                    "Alter statistics on table column instead.",
                ));
            }
            set.push((at - 1, (k >= 0).then_some(k.min(10_000))));
        }
        if let Some(i) = self.table_mut(&ns, &t).indexes.get_mut(&iname) {
            for (at, target) in set {
                i.keys[at].statistics = target;
            }
        }
        self.touch(ObjectPath::in_table(ObjectKind::Index, &ns, &t, &iname));
        Ok(())
    }

    /// `DROP INDEX`.
    pub(super) fn drop_index(&mut self, names: Vec<QName>, if_exists: bool) -> R<()> {
        for q in names {
            match self.find_index(&q) {
                Some((ns, t, false)) => {
                    if let Some(parent) = self
                        .table(&ns, &t)
                        .and_then(|tt| tt.indexes.get(&q.name))
                        .and_then(|i| i.attached_to.clone())
                    {
                        return Err(help(
                            err(
                                DEPENDENT_OBJECTS,
                                format!(
                                    "cannot drop index {} because index {} requires it",
                                    q.name, parent.name
                                ),
                            ),
                            format!("You can drop index {} instead.", parent.name),
                        ));
                    }
                    self.drop_index_tree(&ns, &t, &q.name);
                }
                Some((_, t, true)) => {
                    return Err(help(
                        err(
                            DEPENDENT_OBJECTS,
                            format!(
                                "cannot drop index {} because constraint {} on table {} requires it",
                                q.name, q.name, t
                            ),
                        ),
                        "drop the constraint instead: ALTER TABLE … DROP CONSTRAINT",
                    ));
                }
                None if self.drop_view_index(&q) => {}
                None => {
                    if !if_exists {
                        return Err(err(
                            UNDEFINED_OBJECT,
                            format!("index \"{}\" does not exist", display_q(&q)),
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}

/// The name PostgreSQL gives an index column computed by `sql` (before it
/// is made distinct): the name it figures, else `expr`.
pub(super) fn expression_column_name(sql: &str) -> String {
    Parser::new(&PostgreSqlDialect {})
        .try_with_sql(sql)
        .and_then(|mut p| p.parse_expr())
        .ok()
        .and_then(|e| {
            let mut inner = &e;
            while let Expr::Nested(x) = inner {
                inner = x;
            }
            crate::colname::figure_index_colname(inner)
        })
        .unwrap_or_else(|| "expr".to_string())
}

fn index_options(
    method: &str,
    given: Vec<(String, String)>,
) -> R<std::collections::BTreeMap<String, String>> {
    let valid: &[&str] = match method {
        "btree" => &["fillfactor", "deduplicate_items"],
        "hash" | "spgist" => &["fillfactor"],
        "gist" => &["fillfactor", "buffering"],
        "gin" => &["fastupdate", "gin_pending_list_limit"],
        "brin" => &["pages_per_range", "autosummarize"],
        _ if given.is_empty() => &[],
        other => {
            return Err(help(
                err(
                    FEATURE_NOT_SUPPORTED,
                    format!("storage parameters of {other} indexes are not supported yet"),
                ),
                "mark the statement with `-- strata:ignore` to skip it",
            ))
        }
    };
    checked_options(valid, given)
}

fn is_default_opclass(opclass: &str, method: &str) -> bool {
    // Explicitly named default operator classes for the common types are
    // what the catalog reports as "no opclass".
    let defaults_btree = [
        "int2_ops",
        "int4_ops",
        "int8_ops",
        "text_ops",
        "varchar_ops",
        "bpchar_ops",
        "bool_ops",
        "numeric_ops",
        "float4_ops",
        "float8_ops",
        "timestamp_ops",
        "timestamptz_ops",
        "date_ops",
        "uuid_ops",
        "bytea_ops",
        "interval_ops",
        "oid_ops",
        "enum_ops",
        "jsonb_ops",
        "time_ops",
        "timetz_ops",
        "inet_ops",
        "array_ops",
        "record_ops",
    ];
    match method {
        "btree" => defaults_btree.contains(&opclass),
        "gin" => matches!(opclass, "jsonb_ops" | "array_ops" | "tsvector_ops"),
        "hash" => opclass.ends_with("_ops") && !opclass.contains("pattern"),
        _ => false,
    }
}

pub(super) fn index_uses(i: &Index, col: &str) -> bool {
    i.keys.iter().any(|k| match &k.key {
        IndexKeyExpr::Column(c) => c == col,
        IndexKeyExpr::Expression(e) => crate::expression::mentions(e, col),
    }) || i.include.iter().any(|c| c == col)
        || i.predicate
            .as_ref()
            .is_some_and(|p| crate::expression::mentions(p, col))
}

pub(super) fn rename_in_index(i: &mut Index, old: &str, new: &str) {
    for k in i.keys.iter_mut() {
        match &mut k.key {
            IndexKeyExpr::Column(c) => {
                if c == old {
                    *c = new.to_string();
                }
            }
            IndexKeyExpr::Expression(e) => *e = crate::expression::rename(e, old, new),
        }
    }
    rename_in_list(&mut i.include, old, new);
    if let Some(p) = &mut i.predicate {
        *p = crate::expression::rename(p, old, new);
    }
}
