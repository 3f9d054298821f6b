//! `DO` blocks: [`crate::plpgsql`] follows the block, in the replayer as its
//! [`Session`]: the statements inside the block are applied here.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::error::{line_column, Location};
use crate::model::ConstraintKind;
use crate::parse::{self, Stmt};
use crate::plpgsql::Session;

use super::{first_line_len, ReplayError, Replayer, R, SYNTAX_ERROR};

impl Replayer {
    pub(super) fn apply_do(&mut self, body: &str, base: usize, text: &Arc<str>) -> R<()> {
        crate::plpgsql::apply_do(self, body, base, text)
    }
}

impl Session for Replayer {
    fn count_data_statement(&mut self) {
        self.stats.data_statements += 1;
    }

    /// Applies one statement from inside a DO block.
    fn apply_nested(&mut self, sql: &str, offset: usize, text: &Arc<str>) -> R<()> {
        let stmt = parse::parse_statement(sql).map_err(|e| ReplayError {
            code: SYNTAX_ERROR,
            message: e.message,
            help: e.help,
            offset: Some(offset + e.offset),
            len: e.len,
        })?;
        if let Stmt::NonSchema(_) = stmt {
            return Ok(());
        }
        let (line, column) = line_column(text, offset);
        let saved = self.here.clone();
        self.here = Location {
            file: saved.file.clone(),
            line,
            column,
        };
        let r = self
            .apply_recording_views(stmt, sql, offset, text)
            .map_err(|mut e| {
                // Point at the statement inside the block, not at the DO.
                if e.offset.is_none() {
                    e.offset = Some(offset);
                    e.len = first_line_len(sql);
                }
                e
            });
        self.here = saved;
        r
    }

    /// Evaluates a catalog lookup `EXISTS (SELECT … FROM catalog WHERE
    /// col = 'x' AND …)` against the model.
    fn catalog_has(&self, catalog: &str, conds: &BTreeMap<String, String>) -> Option<bool> {
        let get = |k: &str| conds.get(k).map(String::as_str);
        let all_tables = || {
            self.schema
                .namespaces
                .iter()
                .flat_map(|(n, ns)| ns.tables.iter().map(move |(tn, t)| (n, tn, t)))
        };
        let schema_ok = |n: &str| {
            get("table_schema")
                .or(get("schemaname"))
                .or(get("nspname"))
                .is_none_or(|s| s == n)
        };
        Some(match catalog {
            "pg_constraint" | "table_constraints" => {
                let name = get("conname").or(get("constraint_name"))?;
                all_tables().any(|(n, tn, t)| {
                    schema_ok(n)
                        && get("table_name").is_none_or(|x| x == tn)
                        && t.constraints.contains_key(name)
                })
            }
            "tables" | "pg_tables" => {
                let name = get("table_name").or(get("tablename"))?;
                all_tables().any(|(n, tn, _)| schema_ok(n) && tn == name)
            }
            "columns" => {
                let tname = get("table_name")?;
                let cname = get("column_name")?;
                all_tables()
                    .any(|(n, tn, t)| schema_ok(n) && tn == tname && t.column(cname).is_some())
            }
            "pg_type" => {
                let name = get("typname")?;
                self.schema.namespaces.iter().any(|(n, ns)| {
                    schema_ok(n) && (ns.enums.contains_key(name) || ns.tables.contains_key(name))
                })
            }
            "pg_class" => {
                let name = get("relname")?;
                self.schema
                    .namespaces
                    .keys()
                    .any(|n| schema_ok(n) && self.relation_taken(n, name))
            }
            "pg_indexes" => {
                let name = get("indexname")?;
                all_tables().any(|(n, tn, t)| {
                    schema_ok(n)
                        && get("tablename").is_none_or(|x| x == tn)
                        && (t.indexes.contains_key(name)
                            || t.constraints.get(name).is_some_and(|c| {
                                matches!(
                                    c.kind,
                                    ConstraintKind::PrimaryKey { .. }
                                        | ConstraintKind::Unique { .. }
                                )
                            }))
                })
            }
            "pg_namespace" | "schemata" => {
                let name = get("nspname").or(get("schema_name"))?;
                self.schema.namespaces.contains_key(name)
            }
            "pg_extension" => {
                let name = get("extname")?;
                self.schema.extensions.contains_key(name)
            }
            "pg_enum" => {
                let label = get("enumlabel")?;
                self.schema.namespaces.values().any(|ns| {
                    ns.enums
                        .values()
                        .any(|e| e.values.iter().any(|v| v == label))
                })
            }
            _ => return None,
        })
    }
}
