//! Renames the hints ask for (`-- strata:renamed-from`): tables, columns,
//! enums and enum values renamed first, the source replayed as they leave it.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::{
    column_path, k_col, k_rel, k_table, k_type, normalize_public, step, table_path, Builder,
    P_RENAME,
};
use crate::model::{qualified_sql, quote_ident, quote_literal, ObjectKind, ObjectPath};
use crate::plan::order::Draft;
use crate::plan::{PlanError, PlanErrorKind, StaleHint};
use crate::replay::{RenameHint, RenameKind, Replayer};

impl<'a> Builder<'a> {
    pub(super) fn renames(&mut self) -> Result<(), PlanError> {
        let mut hints: Vec<&RenameHint> = self.opts.renames.iter().collect();
        hints.sort_by_key(|h| h.kind);
        let mut statements: Vec<String> = Vec::new();
        let mut drafts: Vec<Draft> = Vec::new();
        // The source as the renames leave it, to judge later hints.
        let mut renamed_tables: BTreeMap<(String, String), String> = BTreeMap::new();
        let mut renamed_columns: BTreeSet<(String, String, String, String)> = BTreeSet::new();
        for h in hints {
            let bad = |msg: String| PlanError {
                kind: PlanErrorKind::BadHint,
                message: format!("rename hint at {}: {msg}", h.location),
                details: Vec::new(),
                help: "fix or remove the `-- strata:renamed-from` comment".to_string(),
            };
            let ns = h.namespace.as_str();
            match h.kind {
                RenameKind::Table => {
                    let a_old = self.a.table(ns, &h.from).is_some();
                    let a_new = self.a.table(ns, &h.name).is_some();
                    let b_old = self.b.table(ns, &h.from).is_some();
                    if h.from == h.name {
                        self.stale_hint(h, "it renames the table to its own name");
                    } else if !a_old && a_new {
                        self.stale_hint(h, "the source already has this table under its new name: the rename was applied; remove the hint");
                    } else if !a_old {
                        self.stale_hint(h, "the source has no table by the old name");
                    } else if b_old {
                        return Err(bad(format!(
                            "table {} is still declared, so {} cannot be renamed from it",
                            qualified_sql(ns, &h.from),
                            qualified_sql(ns, &h.name)
                        )));
                    } else if a_new {
                        return Err(bad(format!(
                            "the source has both {} and {}",
                            qualified_sql(ns, &h.from),
                            qualified_sql(ns, &h.name)
                        )));
                    } else {
                        let sql = format!(
                            "ALTER TABLE {} RENAME TO {}",
                            qualified_sql(ns, &h.from),
                            quote_ident(&h.name)
                        );
                        statements.push(sql.clone());
                        let mut d = Draft::new(
                            step(table_path(ns, &h.name), "rename table", vec![sql]),
                            P_RENAME,
                        );
                        d.provides.push(k_table(ns, &h.name));
                        d.provides.push(k_rel(ns, &h.name));
                        d.drops.push(k_rel(ns, &h.from));
                        drafts.push(d);
                        renamed_tables.insert((ns.to_string(), h.name.clone()), h.from.clone());
                    }
                }
                RenameKind::Column => {
                    let old_table = renamed_tables
                        .get(&(ns.to_string(), h.parent.clone()))
                        .cloned()
                        .unwrap_or_else(|| h.parent.clone());
                    let Some(ta) = self.a.table(ns, &old_table) else {
                        self.stale_hint(h, "the source has no such table (it is new)");
                        continue;
                    };
                    let a_old = ta.column(&h.from).is_some();
                    let a_new = ta.column(&h.name).is_some();
                    let b_old = self
                        .b
                        .table(ns, &h.parent)
                        .is_some_and(|t| t.column(&h.from).is_some());
                    if h.from == h.name {
                        self.stale_hint(h, "it renames the column to its own name");
                    } else if !a_old && a_new {
                        self.stale_hint(h, "the source already has this column under its new name: the rename was applied; remove the hint");
                    } else if !a_old {
                        self.stale_hint(h, "the source's table has no column by the old name");
                    } else if b_old {
                        return Err(bad(format!(
                            "column {} is still declared, so {} cannot be renamed from it",
                            quote_ident(&h.from),
                            quote_ident(&h.name)
                        )));
                    } else if a_new {
                        return Err(bad(format!(
                            "the source's table has both {} and {}",
                            quote_ident(&h.from),
                            quote_ident(&h.name)
                        )));
                    } else {
                        let sql = format!(
                            "ALTER TABLE {} RENAME COLUMN {} TO {}",
                            qualified_sql(ns, &h.parent),
                            quote_ident(&h.from),
                            quote_ident(&h.name)
                        );
                        statements.push(sql.clone());
                        let mut d = Draft::new(
                            step(
                                column_path(ns, &h.parent, &h.name),
                                "rename column",
                                vec![sql],
                            ),
                            P_RENAME,
                        );
                        d.requires.push(k_table(ns, &h.parent));
                        d.provides.push(k_col(ns, &h.parent, &h.name));
                        drafts.push(d);
                        renamed_columns.insert((
                            ns.to_string(),
                            h.parent.clone(),
                            h.from.clone(),
                            h.name.clone(),
                        ));
                    }
                }
                RenameKind::Enum => {
                    let a_old = self
                        .a
                        .namespaces
                        .get(ns)
                        .is_some_and(|n| n.enums.contains_key(&h.from));
                    let a_new = self
                        .a
                        .namespaces
                        .get(ns)
                        .is_some_and(|n| n.enums.contains_key(&h.name));
                    if !a_old && a_new {
                        self.stale_hint(h, "the source already has this enum under its new name: the rename was applied; remove the hint");
                    } else if !a_old {
                        self.stale_hint(h, "the source has no enum by the old name");
                    } else {
                        return Err(PlanError {
                            kind: PlanErrorKind::Unsupported,
                            message: format!(
                                "rename hint at {}: renaming an enum type is not supported yet",
                                h.location
                            ),
                            details: Vec::new(),
                            help: "write `ALTER TYPE … RENAME TO …` in a migration by hand, then plan the rest".to_string(),
                        });
                    }
                }
                RenameKind::EnumValue => {
                    let Some(ea) = self
                        .a
                        .namespaces
                        .get(ns)
                        .and_then(|n| n.enums.get(&h.parent))
                    else {
                        self.stale_hint(h, "the source has no such enum (it is new)");
                        continue;
                    };
                    let a_old = ea.values.contains(&h.from);
                    let a_new = ea.values.contains(&h.name);
                    let b_old = self
                        .b
                        .namespaces
                        .get(ns)
                        .and_then(|n| n.enums.get(&h.parent))
                        .is_some_and(|e| e.values.contains(&h.from));
                    if h.from == h.name {
                        self.stale_hint(h, "it renames the label to itself");
                    } else if !a_old && a_new {
                        self.stale_hint(h, "the source already has the new label: the rename was applied; remove the hint");
                    } else if !a_old {
                        self.stale_hint(h, "the source's enum has no such label");
                    } else if b_old || a_new {
                        return Err(bad(format!(
                            "both labels {} and {} would exist",
                            quote_literal(&h.from),
                            quote_literal(&h.name)
                        )));
                    } else {
                        let sql = format!(
                            "ALTER TYPE {} RENAME VALUE {} TO {}",
                            qualified_sql(ns, &h.parent),
                            quote_literal(&h.from),
                            quote_literal(&h.name)
                        );
                        statements.push(sql.clone());
                        let mut d = Draft::new(
                            step(
                                ObjectPath::new(ObjectKind::Enum, ns, &h.parent),
                                "rename enum value",
                                vec![sql],
                            ),
                            P_RENAME,
                        );
                        d.provides.push(k_type(ns, &h.parent));
                        drafts.push(d);
                    }
                }
            }
        }
        if statements.is_empty() {
            return Ok(());
        }
        // The source after the renames, as PostgreSQL (and replay) renames:
        // references in constraints, indexes, expressions and sequences
        // follow the object.
        let mut r = Replayer::new();
        let base: Arc<str> = Arc::from(crate::ddl::schema_sql(&self.a));
        let mut renames_sql = String::new();
        for s in &statements {
            renames_sql.push_str(s);
            renames_sql.push_str(";\n");
        }
        let renames_sql: Arc<str> = Arc::from(renames_sql);
        let replayed = r
            .apply_file("<source schema>", &base)
            .and_then(|()| r.apply_file("<renames>", &renames_sql))
            .map_err(|e| PlanError {
                kind: PlanErrorKind::BadHint,
                message: format!("the rename hints cannot be applied to the source: {e}"),
                details: Vec::new(),
                help: "fix or remove the `-- strata:renamed-from` comments".to_string(),
            })
            .map(|()| r.finish().schema);
        let mut renamed = replayed?;
        renamed.unmanaged = self.a.unmanaged.clone();
        renamed.unmanaged_definitions = self.a.unmanaged_definitions.clone();
        normalize_public(&mut renamed);
        // What replay cannot know of the source (extension versions) stays.
        for (name, e) in &self.a.extensions {
            if let Some(x) = renamed.extensions.get_mut(name) {
                x.version.clone_from(&e.version);
            }
        }
        self.a = renamed;
        for d in drafts {
            self.push(d);
        }
        Ok(())
    }

    fn stale_hint(&mut self, h: &RenameHint, reason: &str) {
        self.stale.push(StaleHint {
            hint: h.clone(),
            reason: reason.to_string(),
        });
    }
}
