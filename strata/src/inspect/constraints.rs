//! Table constraints: primary keys, unique, foreign keys, checks, exclusion.

use std::collections::HashMap;

use strata_core::model::{quote_ident, Constraint, ConstraintKind, Expression, FkAction, Schema};
use tokio_postgres::Row;

use super::*;

/// Per-row subqueries run only for the rows they are about (`CASE`): the
/// INCLUDE columns where the index has some, the referenced columns and
/// namespace of foreign keys, the statistics-target test of a constraint's
/// index. The `conparentid` test is skipped where there is no parent, so
/// the planner does not estimate its anti-join at one row (it then looped
/// over every namespace per constraint: 1 s at 10,000 tables).
pub(super) const Q_CONSTRAINTS: &str = concat!(
    "SELECT co.oid, co.conrelid, co.conname::text, co.contype::text, \
            co.condeferrable, co.condeferred, co.convalidated, \
            co.conkey, \
            CASE WHEN i.indnatts > i.indnkeyatts THEN \
              ARRAY(SELECT a.attname::text FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, ord) \
                    JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum \
                    WHERE k.ord > i.indnkeyatts ORDER BY k.ord) \
            ELSE '{}'::text[] END, \
            coalesce(i.indnullsnotdistinct, false), \
            CASE WHEN co.contype = 'f' THEN \
              (SELECT fn.nspname::text FROM pg_namespace fn WHERE fn.oid = fc.relnamespace) END, \
            fc.relname::text, \
            CASE WHEN co.contype = 'f' THEN \
              ARRAY(SELECT a.attname::text FROM unnest(co.confkey) WITH ORDINALITY k(attnum, ord) \
                    JOIN pg_attribute a ON a.attrelid = co.confrelid AND a.attnum = k.attnum \
                    ORDER BY k.ord) END, \
            co.confdeltype::text, co.confupdtype::text, co.confmatchtype::text, \
            CASE WHEN co.contype = 'c' THEN co.conbin::text END, \
            co.connoinherit, \
            CASE WHEN co.contype = 'x' THEN pg_get_constraintdef(co.oid) END, \
            co.conindid, ic.reloptions::text[], coalesce(i.indisclustered, false), \
            coalesce(cardinality(co.confdelsetcols), 0) > 0, \
            CASE WHEN co.contype IN ('p', 'u', 'x') THEN \
              EXISTS (SELECT FROM pg_attribute ia WHERE ia.attrelid = co.conindid \
                      AND ia.attstattarget >= 0) \
            ELSE false END, \
            co.conislocal, co.coninhcount::int4 \
     FROM pg_constraint co \
     JOIN pg_class c ON c.oid = co.conrelid \
     LEFT JOIN pg_index i ON i.indexrelid = co.conindid AND co.contype IN ('p', 'u', 'x') \
     LEFT JOIN pg_class ic ON ic.oid = i.indexrelid \
     LEFT JOIN pg_class fc ON fc.oid = co.confrelid AND co.contype = 'f' \
     WHERE co.contype IN ('p', 'u', 'f', 'c', 'x') AND c.relkind IN ('r', 'p', 'f') \
       AND (co.conparentid = 0 OR NOT EXISTS (SELECT FROM pg_constraint pc \
                       WHERE pc.oid = co.conparentid AND pc.conrelid = co.conrelid)) AND ",
    share!("co.conrelid"),
    " AND ",
    in_user_namespace!("c.relnamespace"),
    " AND ",
    not_extension!("pg_class", "c.oid"),
    " ORDER BY co.conrelid, co.conname"
);

/// Constraints into their tables.
pub(super) fn build_constraints(
    rows: &[Row],
    schema: &mut Schema,
    table_names: &HashMap<u32, (String, String)>,
    attnames: &AttNames,
    comments: &mut Comments,
    hidden: &mut Vec<(u32, String)>,
    deparse: &mut ClientDeparse,
) -> Result<(), InspectError> {
    for row in rows {
        const STEP: &str = "constraints";
        let oid: u32 = get(row, 0, STEP)?;
        let relid: u32 = get(row, 1, STEP)?;
        let name: String = get(row, 2, STEP)?;
        let contype: String = get(row, 3, STEP)?;
        let deferrable: bool = get(row, 4, STEP)?;
        let initially_deferred: bool = get(row, 5, STEP)?;
        let validated: bool = get(row, 6, STEP)?;
        let keys: Option<Vec<i16>> = get(row, 7, STEP)?;
        let include: Vec<String> = get(row, 8, STEP)?;
        let nulls_not_distinct: bool = get(row, 9, STEP)?;
        let index_oid: u32 = get(row, 19, STEP)?;
        let index_options: Option<Vec<String>> = get(row, 20, STEP)?;
        let clustered: bool = get(row, 21, STEP)?;
        let set_columns: bool = get(row, 22, STEP)?;
        let index_statistics: bool = get(row, 23, STEP)?;
        let comment = take_comment(comments, 'k', oid, 0);
        let Some((table, table_name)) = table_mut(schema, table_names, relid) else {
            continue;
        };
        let object = || format!("constraint {} on {table_name}", quote_ident(&name));
        if let Some(o) = index_options {
            return Err(unsupported(
                &object(),
                format!(
                    "storage parameters of the constraint's index ({})",
                    o.join(", ")
                ),
                "strata does not model storage parameters of a constraint's index yet: \
                 ALTER INDEX … RESET (…) them, or inspect other namespaces only",
            ));
        }
        if clustered {
            return Err(unsupported(
                &object(),
                "CLUSTER ON its index".to_string(),
                CLUSTER_HELP,
            ));
        }
        if set_columns {
            return Err(unsupported(
                &object(),
                "ON DELETE SET NULL/SET DEFAULT with a column list".to_string(),
                "strata does not model the column list of ON DELETE SET NULL/DEFAULT yet",
            ));
        }
        if index_statistics {
            return Err(unsupported(
                &object(),
                "a statistics target on a column of its index".to_string(),
                "strata models statistics targets on the columns of an index, not yet of a \
                 constraint's index (only an exclusion constraint's can have one): \
                 ALTER INDEX … ALTER COLUMN n SET STATISTICS -1",
            ));
        }
        if matches!(contype.as_str(), "p" | "u" | "x") {
            hidden.push((
                index_oid,
                format!("index {} (of {})", quote_ident(&name), object()),
            ));
        }
        // The key columns' names from the columns query (the table's own
        // columns, all read), not from a per-row subquery.
        let columns = if matches!(contype.as_str(), "p" | "u" | "f") {
            let mut columns = Vec::new();
            for attnum in keys.unwrap_or_default() {
                let Some(name) = attnames.get(&(relid, attnum)) else {
                    return Err(InspectError::Catalog {
                        step: STEP,
                        reason: format!("{}: key column {attnum} not found", object()),
                    });
                };
                columns.push(name.clone());
            }
            columns
        } else {
            Vec::new()
        };
        let kind = match contype.as_str() {
            "p" => ConstraintKind::PrimaryKey { columns, include },
            "u" => ConstraintKind::Unique {
                columns,
                include,
                nulls_not_distinct,
            },
            "f" => {
                let ref_namespace: Option<String> = get(row, 10, STEP)?;
                let ref_table: Option<String> = get(row, 11, STEP)?;
                let (Some(ref_namespace), Some(ref_table)) = (ref_namespace, ref_table) else {
                    return Err(InspectError::Catalog {
                        step: STEP,
                        reason: format!("{}: referenced table not found", object()),
                    });
                };
                let del: String = get(row, 13, STEP)?;
                let upd: String = get(row, 14, STEP)?;
                let matchtype: String = get(row, 15, STEP)?;
                ConstraintKind::ForeignKey {
                    columns,
                    ref_namespace,
                    ref_table,
                    ref_columns: get(row, 12, STEP)?,
                    on_delete: fk_action(&del)?,
                    on_update: fk_action(&upd)?,
                    match_full: matchtype == "f",
                }
            }
            "c" => {
                let tree: Option<String> = get(row, 16, STEP)?;
                // The server prints it later when the client does not.
                let text = deparse
                    .check(
                        oid,
                        relid,
                        &name,
                        tree.as_deref().unwrap_or_default(),
                        attnames,
                    )
                    .unwrap_or_default();
                ConstraintKind::Check {
                    expression: Expression::from_server(text),
                    no_inherit: get(row, 17, STEP)?,
                }
            }
            "x" => {
                let text: Option<String> = get(row, 18, STEP)?;
                ConstraintKind::Exclusion {
                    definition: exclusion_definition(
                        text.as_deref().unwrap_or_default(),
                        deferrable,
                        initially_deferred,
                        validated,
                    ),
                }
            }
            _ => continue,
        };
        table.constraints.insert(
            name,
            Box::new(Constraint {
                kind,
                deferrable,
                initially_deferred,
                validated,
                comment,
                inherited: inherited(get(row, 24, STEP)?, get(row, 25, STEP)?),
            }),
        );
    }
    Ok(())
}

pub(super) fn fk_action(code: &str) -> Result<FkAction, InspectError> {
    Ok(match code {
        "a" => FkAction::NoAction,
        "r" => FkAction::Restrict,
        "c" => FkAction::Cascade,
        "n" => FkAction::SetNull,
        "d" => FkAction::SetDefault,
        other => {
            return Err(InspectError::Catalog {
                step: "constraints",
                reason: format!("unknown foreign key action {other:?}"),
            })
        }
    })
}

/// `USING method (…) [WHERE (…)]`: `pg_get_constraintdef` without the
/// leading `EXCLUDE` and without the trailing flags the model keeps apart.
pub(super) fn exclusion_definition(
    text: &str,
    deferrable: bool,
    deferred: bool,
    validated: bool,
) -> String {
    let mut def = text.strip_prefix("EXCLUDE ").unwrap_or(text);
    if !validated {
        def = def.strip_suffix(" NOT VALID").unwrap_or(def);
    }
    if deferred {
        def = def.strip_suffix(" INITIALLY DEFERRED").unwrap_or(def);
    }
    if deferrable {
        def = def.strip_suffix(" DEFERRABLE").unwrap_or(def);
    }
    def.to_string()
}
