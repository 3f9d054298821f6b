//! Tables and their columns.

use std::collections::HashMap;

use strata_core::model::{
    quote_ident, AclKind, Column, Expression, Identity, PartitionOf, RelationRef, Schema, Sequence,
    Table,
};
use strata_core::normalize;
use tokio_postgres::Row;

use super::*;

pub(super) const Q_TABLES: &str = concat!(
    "SELECT c.oid, n.nspname::text, c.relname::text, c.relpersistence = 'u', \
            c.relrowsecurity, c.relforcerowsecurity, \
            CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END, \
            c.reloptions::text[], tc.reloptions::text[], c.relreplident::text, \
            c.relispartition, \
            CASE WHEN c.reloftype <> 0 THEN format_type(c.reloftype, NULL) END, \
            ARRAY(SELECT pn.nspname::text FROM pg_inherits ih \
                  JOIN pg_class pc ON pc.oid = ih.inhparent \
                  JOIN pg_namespace pn ON pn.oid = pc.relnamespace \
                  WHERE ih.inhrelid = c.oid ORDER BY ih.inhseqno), \
            am.amname::text, \
            ARRAY(SELECT pc.relname::text FROM pg_inherits ih \
                  JOIN pg_class pc ON pc.oid = ih.inhparent \
                  WHERE ih.inhrelid = c.oid ORDER BY ih.inhseqno), \
            CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END, \
            c.relacl::text[], pg_get_userbyid(c.relowner)::text, \
            fs.srvname::text, ft.ftoptions::text[] \
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
     LEFT JOIN pg_class tc ON tc.oid = c.reltoastrelid \
     LEFT JOIN pg_am am ON am.oid = c.relam \
     LEFT JOIN pg_foreign_table ft ON ft.ftrelid = c.oid \
     LEFT JOIN pg_foreign_server fs ON fs.oid = ft.ftserver \
     WHERE c.relkind IN ('r', 'p', 'f') AND ",
    share!("c.oid"),
    " AND ",
    user_namespace!(),
    " AND ",
    not_extension!("pg_class", "c.oid"),
    " ORDER BY c.oid"
);

/// Columns. Types come raw (`atttypid`, `atttypmod`) and are printed on
/// the client ([`super::format_type`]) but where the server must print them
/// (column 30, `format_type` only for the rows [`server_formats_type!`]
/// names). The identity sequence of each identity column comes from one
/// join over `pg_depend` (no per-row subquery).
pub(super) const Q_COLUMNS: &str = concat!(
    "SELECT a.attrelid, a.attnum::int4, a.attname::text, a.atttypid, \
            a.attnotnull, \
            CASE WHEN a.atthasdef THEN ad.adbin::text END, \
            a.attgenerated::text, a.attidentity::text, \
            CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation \
                 THEN cn.nspname::text END, \
            CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation \
                 THEN co.collname::text END, \
            a.attstattarget::int4, a.attstorage <> t.typstorage, a.attstorage::text, \
            t.typstorage::text, a.attcompression::text, a.attoptions::text[], \
            idn.oid, idn.nspname, idn.relname, idn.seqtypid, idn.seqstart, idn.seqincrement, \
            idn.seqmin, idn.seqmax, idn.seqcache, idn.seqcycle, \
            a.attislocal, a.attinhcount::int4, \
            a.attacl::text[], pg_get_userbyid(c.relowner)::text, \
            CASE WHEN ",
    server_formats_type!("a.atttypid", "a.atttypmod"),
    " THEN format_type(a.atttypid, a.atttypmod) END, \
            a.atttypmod, a.attfdwoptions::text[] \
     FROM pg_attribute a \
     JOIN pg_class c ON c.oid = a.attrelid \
     JOIN pg_type t ON t.oid = a.atttypid \
     LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum \
     LEFT JOIN pg_collation co ON co.oid = a.attcollation \
     LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace \
     LEFT JOIN (SELECT DISTINCT ON (d.refobjid, d.refobjsubid) d.refobjid, d.refobjsubid, \
                       sc.oid, sn.nspname::text, sc.relname::text, sq.seqtypid, sq.seqstart, \
                       sq.seqincrement, sq.seqmin, sq.seqmax, sq.seqcache, sq.seqcycle \
                FROM pg_depend d JOIN pg_class sc ON sc.oid = d.objid \
                JOIN pg_namespace sn ON sn.oid = sc.relnamespace \
                JOIN pg_sequence sq ON sq.seqrelid = sc.oid \
                WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass \
                  AND d.deptype = 'i' AND d.refobjsubid > 0 AND \
                  ($2::int4 <= 1 OR d.refobjid::int8 % $2::int4 = $3::int4) \
                ORDER BY d.refobjid, d.refobjsubid, sc.oid) idn \
       ON idn.refobjid = a.attrelid AND idn.refobjsubid = a.attnum AND a.attidentity <> '' \
     WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'f') AND ",
    share!("a.attrelid"),
    " AND ",
    in_user_namespace!("c.relnamespace"),
    " AND ",
    not_extension!("pg_class", "c.oid"),
    " ORDER BY a.attrelid, a.attnum"
);

/// Tables into their namespaces; returns their names by oid.
pub(super) fn build_tables(
    rows: &[Row],
    schema: &mut Schema,
    comments: &mut Comments,
) -> Result<HashMap<u32, (String, String)>, InspectError> {
    let mut table_names: HashMap<u32, (String, String)> = HashMap::new();
    for row in rows {
        let oid: u32 = get(row, 0, "tables")?;
        let namespace: String = get(row, 1, "tables")?;
        let name: String = get(row, 2, "tables")?;
        let object = format!("table {}.{}", quote_ident(&namespace), quote_ident(&name));
        let raw_options: Option<Vec<String>> = get(row, 7, "tables")?;
        let toast_options: Option<Vec<String>> = get(row, 8, "tables")?;
        let replica_identity: String = get(row, 9, "tables")?;
        let is_partition: bool = get(row, 10, "tables")?;
        let of_type: Option<String> = get(row, 11, "tables")?;
        let parent_namespaces: Vec<String> = get(row, 12, "tables")?;
        let access_method: Option<String> = get(row, 13, "tables")?;
        let parent_names: Vec<String> = get(row, 14, "tables")?;
        let bound: Option<String> = get(row, 15, "tables")?;
        let parents: Vec<RelationRef> = parent_namespaces
            .into_iter()
            .zip(parent_names)
            .map(|(n, t)| RelationRef::new(n, t))
            .collect();
        let (partition_of, inherits) = if is_partition {
            let (Some(parent), Some(bound)) = (parents.first().cloned(), bound) else {
                return Err(InspectError::Catalog {
                    step: "tables",
                    reason: format!("{object}: a partition without its parent or bound"),
                });
            };
            (
                Some(PartitionOf {
                    parent,
                    bound: Expression::from_server(bound),
                }),
                Vec::new(),
            )
        } else {
            (None, parents)
        };
        if let Some(t) = of_type {
            return Err(unsupported(
                &object,
                format!("a typed table (OF {t})"),
                "strata does not model typed tables yet; inspect the other namespaces only \
                 (--namespace), or declare the table with its columns",
            ));
        }
        if toast_options.is_some() {
            return Err(unsupported(
                &object,
                "a storage parameter of its TOAST table (toast.…)".to_string(),
                "strata does not model TOAST storage parameters yet: \
                 ALTER TABLE … RESET (toast.…) them, or inspect other namespaces only",
            ));
        }
        let server: Option<String> = get(row, 18, "tables")?;
        let foreign = match server {
            Some(server) => Some(strata_core::model::ForeignTable {
                server,
                options: split_fdw_options(get(row, 19, "tables")?),
            }),
            None => None,
        };
        // A foreign table's replica identity is always NOTHING.
        if replica_identity != "d" && foreign.is_none() {
            let what = match replica_identity.as_str() {
                "f" => "FULL",
                "n" => "NOTHING",
                "i" => "USING INDEX",
                _ => "?",
            };
            return Err(unsupported(
                &object,
                format!("REPLICA IDENTITY {what}"),
                "strata does not model replica identity yet: \
                 ALTER TABLE … REPLICA IDENTITY DEFAULT, or inspect other namespaces only",
            ));
        }
        if let Some(am) = access_method.filter(|a| a != "heap") {
            return Err(unsupported(
                &object,
                format!("the table access method {am}"),
                "strata models heap tables only",
            ));
        }
        let table = Table {
            unlogged: get(row, 3, "tables")?,
            row_level_security: get(row, 4, "tables")?,
            force_row_level_security: get(row, 5, "tables")?,
            partition_by: get(row, 6, "tables")?,
            comment: take_comment(comments, 'c', oid, 0),
            options: rel_options(raw_options, "tables")?,
            partition_of,
            inherits,
            acl: read_acl(row, 16, AclKind::Relation, "tables", || object.clone())?,
            owner: super::privileges::read_owner(row, 17, "tables")?,
            foreign,
            ..Table::default()
        };
        schema
            .namespaces
            .entry(namespace.clone())
            .or_default()
            .tables
            .insert(name.clone(), table);
        table_names.insert(oid, (namespace, name));
    }
    Ok(table_names)
}

/// Column names by (table oid, attribute number), for the constraints.
pub(super) type AttNames = HashMap<(u32, i16), String>;

/// Columns into their tables; their names by number into `attnames`.
/// Defaults are printed by `deparse` (or left for the server).
pub(super) fn build_columns(
    rows: &[Row],
    schema: &mut Schema,
    table_names: &HashMap<u32, (String, String)>,
    comments: &mut Comments,
    hidden: &mut Vec<(u32, String)>,
    attnames: &mut AttNames,
    deparse: &mut ClientDeparse,
) -> Result<(), InspectError> {
    let mut types = TypeCache::new();
    for row in rows {
        const STEP: &str = "columns";
        let relid: u32 = get(row, 0, STEP)?;
        let attnum: i32 = get(row, 1, STEP)?;
        let name: String = get(row, 2, STEP)?;
        let typid: u32 = get(row, 3, STEP)?;
        let server_type: Option<String> = get(row, 30, STEP)?;
        let typmod: i32 = get(row, 31, STEP)?;
        let not_null: bool = get(row, 4, STEP)?;
        let raw_default: Option<String> = get(row, 5, STEP)?;
        let generated_kind: String = get(row, 6, STEP)?;
        let identity_kind: String = get(row, 7, STEP)?;
        let coll_ns: Option<String> = get(row, 8, STEP)?;
        let coll_name: Option<String> = get(row, 9, STEP)?;
        let stattarget: i32 = get(row, 10, STEP)?;
        let storage_changed: bool = get(row, 11, STEP)?;
        let storage: String = get(row, 12, STEP)?;
        let type_storage: String = get(row, 13, STEP)?;
        let compression: String = get(row, 14, STEP)?;
        let attoptions: Option<Vec<String>> = get(row, 15, STEP)?;
        let fdw_options = split_fdw_options(get(row, 32, STEP)?);
        let comment = take_comment(comments, 'c', relid, attnum);
        let Some((table, table_name)) = table_mut(schema, table_names, relid) else {
            continue;
        };
        let object = || format!("column {table_name}.{}", quote_ident(&name));
        if storage_changed {
            return Err(unsupported(
                &object(),
                format!(
                    "SET STORAGE {} (the type's default is {})",
                    storage_name(&storage),
                    storage_name(&type_storage)
                ),
                "strata does not model column storage yet: set it back to the type's default, \
                 or inspect other namespaces only",
            ));
        }
        if !compression.is_empty() && compression != "\0" {
            return Err(unsupported(
                &object(),
                format!(
                    "COMPRESSION {}",
                    if compression == "l" { "lz4" } else { "pglz" }
                ),
                "strata does not model column compression yet: ALTER COLUMN … SET COMPRESSION \
                 default, or inspect other namespaces only",
            ));
        }
        // The server this was built against (15.20) keeps an internal
        // `pg_attver=N` in every column's attoptions: pg_dump does not print
        // it and `SET (pg_attver = …)` does not change it. Not a user option.
        let attoptions: Vec<String> = attoptions
            .unwrap_or_default()
            .into_iter()
            .filter(|o| !o.starts_with("pg_attver="))
            .collect();
        if !attoptions.is_empty() {
            let o = attoptions;
            return Err(unsupported(
                &object(),
                format!("attribute options ({})", o.join(", ")),
                "strata does not model column attribute options yet: ALTER COLUMN … RESET (…) \
                 them, or inspect other namespaces only",
            ));
        }
        let data_type = column_type(&mut types, typid, typmod, server_type, object)?;
        let Ok(attnum) = i16::try_from(attnum) else {
            return Err(InspectError::Catalog {
                step: STEP,
                reason: format!("{}: attribute number {attnum}", object()),
            });
        };
        attnames.insert((relid, attnum), name.clone());
        let (default, generated) = match raw_default {
            Some(tree) => {
                // Empty until the server prints it, when the client does not.
                let text = deparse
                    .default(relid, attnum, tree, attnames)
                    .unwrap_or_default();
                let expr = Expression::from_server(text);
                if generated_kind.is_empty() {
                    (Some(expr), None)
                } else {
                    (None, Some(Box::new(expr)))
                }
            }
            None => (None, None),
        };
        let identity = match identity_kind.as_str() {
            "a" => Some(Identity::Always),
            "d" => Some(Identity::ByDefault),
            _ => None,
        };
        let mut identity_options = None;
        if identity.is_some() {
            let seq_oid: Option<u32> = get(row, 16, STEP)?;
            let seq_ns: Option<String> = get(row, 17, STEP)?;
            let seq_name: Option<String> = get(row, 18, STEP)?;
            let seq_typid: Option<u32> = get(row, 19, STEP)?;
            let seq_type = seq_typid.and_then(|t| format_type(t, -1));
            let (Some(seq_oid), Some(seq_ns), Some(seq_name), Some(seq_type)) =
                (seq_oid, seq_ns, seq_name, seq_type)
            else {
                return Err(InspectError::Catalog {
                    step: STEP,
                    reason: format!("{}: identity sequence not found", object()),
                });
            };
            let (table_ns, table_bare) = &table_names[&relid];
            let expected_name =
                strata_core::names::choose_name(table_bare, Some(&name), "seq", |_| false);
            let seq_type = normalize::type_text(&seq_type).unwrap_or(seq_type);
            if seq_ns != *table_ns || seq_name != expected_name || seq_type != data_type {
                return Err(unsupported(
                    &object(),
                    format!(
                        "an identity sequence named {}.{} of type {seq_type} (strata models \
                         the name {} and the column's type only)",
                        quote_ident(&seq_ns),
                        quote_ident(&seq_name),
                        quote_ident(&expected_name)
                    ),
                    "strata does not model identity sequence names yet: \
                     ALTER SEQUENCE … RENAME TO table_column_seq, or inspect other namespaces only",
                ));
            }
            let mut seq = Sequence::with_defaults(&data_type);
            seq.start = get(row, 20, STEP)?;
            seq.increment = get(row, 21, STEP)?;
            seq.min_value = get(row, 22, STEP)?;
            seq.max_value = get(row, 23, STEP)?;
            seq.cache = get(row, 24, STEP)?;
            seq.cycle = get(row, 25, STEP)?;
            identity_options = strata_core::model::IdentityOptions::canonical(&seq);
            hidden.push((
                seq_oid,
                format!(
                    "sequence {}.{}",
                    quote_ident(&seq_ns),
                    quote_ident(&seq_name)
                ),
            ));
        }
        let collation = coll_name.map(|c| qualified_unless_builtin(coll_ns.as_deref(), &c));
        let acl = read_acl(row, 28, AclKind::Column, STEP, || {
            format!("column {}", name)
        })?;
        table.columns.push(Column {
            acl,
            name,
            data_type,
            not_null,
            default,
            identity,
            identity_options,
            generated,
            collation: collation.map(Into::into),
            comment: comment.map(Into::into),
            statistics: (stattarget >= 0).then_some(stattarget),
            inherited: inherited(get(row, 26, STEP)?, get(row, 27, STEP)?),
            fdw_options,
        });
    }
    Ok(())
}

/// `pg_class.reloptions` (`name=value` texts) as a map.
pub(super) fn rel_options(
    raw: Option<Vec<String>>,
    step: &'static str,
) -> Result<std::collections::BTreeMap<String, String>, InspectError> {
    let mut out = std::collections::BTreeMap::new();
    for item in raw.unwrap_or_default() {
        let Some((k, v)) = item.split_once('=') else {
            return Err(InspectError::Catalog {
                step,
                reason: format!("storage parameter without a value: {item:?}"),
            });
        };
        out.insert(k.to_string(), v.to_string());
    }
    Ok(out)
}

pub(super) fn storage_name(code: &str) -> &'static str {
    match code {
        "p" => "PLAIN",
        "e" => "EXTERNAL",
        "m" => "MAIN",
        "x" => "EXTENDED",
        _ => "?",
    }
}

/// `name=value` items of a foreign table's or column's options.
fn split_fdw_options(raw: Option<Vec<String>>) -> strata_core::model::FdwOptions {
    super::foreign::split_options(raw)
}
