//! Relations from foreign keys, in both directions, and their names.
//!
//! Naming rule (per table, in its `rel` module):
//!
//! - many-to-one (the table holds the foreign key): a single-column key
//!   named `…_id` (or `…Id`) gives the column's name without it
//!   (`agent_run_id` → `agent_run`, `parent_run_id` → `parent_run`);
//!   any other key gives the referenced table's name (`invited_by` →
//!   `user`).
//! - one-to-many (another table's key references this one): the
//!   referencing table's name (`agent_run` → `agent_step`).
//! - names that would clash within the table's `rel` module — two keys to
//!   one table, a one-to-many name equal to a many-to-one name — all take
//!   a suffix from their key: many-to-one `…_by_<columns>`, one-to-many
//!   `<table>_by_<columns>` (`org_member_by_user_id`,
//!   `org_member_by_invited_by`). What is still equal then (never in
//!   practice) is told apart as every other generated name is
//!   ([`super::naming::assign`]).
//!
//! Everything is ordered (tables, then constraints, by name): the same
//! schema always gives the same names.

use std::collections::BTreeMap;

use super::naming::snake;
use crate::model::{ConstraintKind, Schema};

/// How many rows a relation leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cardinality {
    /// A `NOT NULL` foreign key, from the referencing table.
    One,
    /// A nullable foreign key, from the referencing table.
    OptionalOne,
    /// From the referenced table.
    Many,
}

/// One relation of a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relation {
    /// The name's text (snake case), before it becomes an identifier.
    pub name: String,
    /// The table the relation leads to: (namespace, name).
    pub target: (String, String),
    /// Columns of this table, pair by pair with `to`.
    pub from: Vec<String>,
    /// Columns of the target table.
    pub to: Vec<String>,
    pub cardinality: Cardinality,
    /// The foreign key constraint's name.
    pub constraint: String,
    /// The target's primary key columns (the order of loaded rows).
    pub order: Vec<String>,
}

fn stem(columns: &[String], ref_table: &str) -> String {
    if let [c] = columns {
        for suffix in ["_id", "_ID", "Id"] {
            if let Some(s) = c.strip_suffix(suffix) {
                if !s.is_empty() {
                    return snake(s);
                }
            }
        }
    }
    snake(ref_table)
}

fn primary_key(schema: &Schema, ns: &str, table: &str) -> Vec<String> {
    schema
        .namespaces
        .get(ns)
        .and_then(|n| n.tables.get(table))
        .and_then(|t| {
            t.constraints.values().find_map(|c| match &c.kind {
                ConstraintKind::PrimaryKey { columns, .. } => Some(columns.clone()),
                _ => None,
            })
        })
        .unwrap_or_default()
}

/// Every table's relations, by (namespace, table), each list in a fixed
/// order: many-to-one first, then one-to-many.
pub fn relations(schema: &Schema) -> BTreeMap<(String, String), Vec<Relation>> {
    let mut out: BTreeMap<(String, String), Vec<Relation>> = BTreeMap::new();
    // (relation, suffixed name) per table, before clashes are settled.
    let mut pending: BTreeMap<(String, String), Vec<(Relation, String)>> = BTreeMap::new();
    for (ns_name, ns) in &schema.namespaces {
        for (table_name, table) in &ns.tables {
            for (constraint, c) in &table.constraints {
                let ConstraintKind::ForeignKey {
                    columns,
                    ref_namespace,
                    ref_table,
                    ref_columns,
                    ..
                } = &c.kind
                else {
                    continue;
                };
                let Some(target) = schema
                    .namespaces
                    .get(ref_namespace)
                    .and_then(|n| n.tables.get(ref_table))
                else {
                    continue;
                };
                let _ = target;
                let nullable = columns.iter().any(|col| {
                    table
                        .columns
                        .iter()
                        .find(|tc| &tc.name == col)
                        .is_none_or(|tc| !tc.not_null)
                });
                let key = snake(&columns.join("_"));
                let outgoing = Relation {
                    name: stem(columns, ref_table),
                    target: (ref_namespace.clone(), ref_table.clone()),
                    from: columns.clone(),
                    to: ref_columns.clone(),
                    cardinality: if nullable {
                        Cardinality::OptionalOne
                    } else {
                        Cardinality::One
                    },
                    constraint: constraint.clone(),
                    order: Vec::new(),
                };
                let suffixed = format!("{}_by_{key}", outgoing.name);
                pending
                    .entry((ns_name.clone(), table_name.clone()))
                    .or_default()
                    .push((outgoing, suffixed));
                let incoming = Relation {
                    name: snake(table_name),
                    target: (ns_name.clone(), table_name.clone()),
                    from: ref_columns.clone(),
                    to: columns.clone(),
                    cardinality: Cardinality::Many,
                    constraint: constraint.clone(),
                    order: primary_key(schema, ns_name, table_name),
                };
                let suffixed = format!("{}_by_{key}", incoming.name);
                pending
                    .entry((ref_namespace.clone(), ref_table.clone()))
                    .or_default()
                    .push((incoming, suffixed));
            }
        }
    }
    for (table, mut list) in pending {
        // Many-to-one first, then one-to-many; each by constraint name.
        list.sort_by(|(a, _), (b, _)| {
            (a.cardinality == Cardinality::Many, &a.target, &a.constraint).cmp(&(
                b.cardinality == Cardinality::Many,
                &b.target,
                &b.constraint,
            ))
        });
        let mut count: BTreeMap<String, usize> = BTreeMap::new();
        for (r, _) in &list {
            *count.entry(r.name.clone()).or_default() += 1;
        }
        let settled = list
            .into_iter()
            .map(|(mut r, suffixed)| {
                if count.get(&r.name).copied().unwrap_or(0) > 1 {
                    r.name = suffixed;
                }
                r
            })
            .collect();
        out.insert(table, settled);
    }
    out
}
