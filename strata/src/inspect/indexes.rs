//! Indexes that are not a constraint's, from one row per key.

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, HashMap};

use strata_core::model::{
    quote_ident, Expression, Index, IndexKey, IndexKeyExpr, RelationRef, Schema,
};
use tokio_postgres::Row;

use super::*;

/// A constraint's own index is left out by a hashed `NOT IN` over the
/// primary keys, unique and exclusion constraints (`conindid` has no index:
/// probed per index, the planner scanned every constraint of the index's
/// table, quadratic for a table with thousands of checks and indexes).
pub(super) const Q_INDEXES: &str = concat!(
    "SELECT ic.oid, i.indrelid, ic.relname::text, i.indisunique, am.amname::text, \
            i.indnkeyatts::int4, i.indnullsnotdistinct, \
            CASE WHEN k.ord = 1 THEN i.indpred::text END, \
            CASE WHEN k.ord = 1 THEN i.indexprs::text END, \
            k.ord::int4, k.attnum::int4, ta.attname::text, \
            CASE WHEN k.attnum = 0 THEN pg_get_indexdef(i.indexrelid, k.ord::int4, false) END, \
            CASE WHEN NOT opc.opcdefault THEN opn.nspname::text END, \
            CASE WHEN NOT opc.opcdefault THEN opc.opcname::text END, \
            k.opt::int4, coalesce(k.coll, 0), cln.nspname::text, cl.collname::text, \
            coalesce(ta.attcollation, 0), \
            ic.reloptions::text[], i.indisclustered, coalesce(ia.attstattarget, -1)::int4, \
            (SELECT ARRAY[pn.nspname::text, pic.relname::text] FROM pg_inherits ih \
             JOIN pg_class pic ON pic.oid = ih.inhparent \
             JOIN pg_namespace pn ON pn.oid = pic.relnamespace \
             WHERE ih.inhrelid = i.indexrelid) \
     FROM pg_index i \
     JOIN pg_class ic ON ic.oid = i.indexrelid \
     JOIN pg_class c ON c.oid = i.indrelid \
     JOIN pg_namespace n ON n.oid = c.relnamespace \
     JOIN pg_am am ON am.oid = ic.relam \
     CROSS JOIN LATERAL unnest(i.indkey::int2[], i.indclass::oid[], i.indoption::int2[], \
                               i.indcollation::oid[]) \
                WITH ORDINALITY AS k(attnum, opclass, opt, coll, ord) \
     LEFT JOIN pg_attribute ta ON ta.attrelid = i.indrelid AND ta.attnum = k.attnum AND k.attnum > 0 \
     LEFT JOIN pg_attribute ia ON ia.attrelid = i.indexrelid AND ia.attnum = k.ord \
     LEFT JOIN pg_opclass opc ON opc.oid = k.opclass \
     LEFT JOIN pg_namespace opn ON opn.oid = opc.opcnamespace \
     LEFT JOIN pg_collation cl ON cl.oid = k.coll \
     LEFT JOIN pg_namespace cln ON cln.oid = cl.collnamespace \
     WHERE c.relkind IN ('r', 'p', 'm') \
       AND (i.indexrelid, i.indrelid) NOT IN (SELECT bc.conindid, bc.conrelid \
                       FROM pg_constraint bc WHERE bc.contype IN ('p', 'u', 'x')) AND ",
    share!("i.indrelid"),
    " AND ",
    user_namespace!(),
    " AND ",
    not_extension!("pg_class", "c.oid"),
    " ORDER BY ic.oid, k.ord"
);

/// Index being assembled from its per-key rows.
pub(super) struct PartialIndex {
    relid: u32,
    name: String,
    index: Index,
    /// Result collation of each expression key, from `indexprs`.
    expr_collations: Option<Vec<u32>>,
    expressions_seen: usize,
}

pub(super) fn build_indexes(
    rows: &[Row],
    schema: &mut Schema,
    table_names: &HashMap<u32, (String, String)>,
    comments: &mut Comments,
    attnames: &AttNames,
    deparse: &mut ClientDeparse,
) -> Result<(), InspectError> {
    const STEP: &str = "indexes";
    // Rows come ordered by index oid, then key position.
    let mut indexes: BTreeMap<u32, PartialIndex> = BTreeMap::new();
    for row in rows {
        let oid: u32 = get(row, 0, STEP)?;
        let relid: u32 = get(row, 1, STEP)?;
        let Some((ns, table)) = table_names.get(&relid) else {
            continue;
        };
        let name: String = get(row, 2, STEP)?;
        let object = || {
            format!(
                "index {}.{} on {}",
                quote_ident(ns),
                quote_ident(&name),
                quote_ident(table)
            )
        };
        let partial = match indexes.entry(oid) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => {
                // The first key's row (rows come by key position) carries
                // the index's node trees, once.
                // The predicate's tree; empty until the server prints it,
                // when the client does not.
                let tree: Option<String> = get(row, 7, STEP)?;
                let predicate = tree.map(|tree| {
                    let text = deparse.predicate(oid, relid, &name, &tree, attnames);
                    Expression::from_server(text.unwrap_or_default())
                });
                let exprs: Option<String> = get(row, 8, STEP)?;
                let raw_options: Option<Vec<String>> = get(row, 20, STEP)?;
                let clustered: bool = get(row, 21, STEP)?;
                if clustered {
                    return Err(unsupported(
                        &object(),
                        "CLUSTER ON".to_string(),
                        CLUSTER_HELP,
                    ));
                }
                e.insert(PartialIndex {
                    relid,
                    name: name.clone(),
                    index: Index {
                        unique: get(row, 3, STEP)?,
                        method: get(row, 4, STEP)?,
                        keys: Vec::new(),
                        include: Vec::new(),
                        nulls_not_distinct: get(row, 6, STEP)?,
                        predicate,
                        comment: take_comment(comments, 'c', oid, 0),
                        options: rel_options(raw_options, STEP)?,
                        attached_to: {
                            let parent: Option<Vec<String>> = get(row, 23, STEP)?;
                            match parent.as_deref() {
                                Some([ns, name]) => Some(RelationRef::new(ns, name)),
                                _ => None,
                            }
                        },
                    },
                    expr_collations: exprs.as_deref().map(node_list_collations),
                    expressions_seen: 0,
                })
            }
        };
        let key_count: i32 = get(row, 5, STEP)?;
        let position: i32 = get(row, 9, STEP)?;
        let key_statistics: i32 = get(row, 22, STEP)?;
        let attnum: i32 = get(row, 10, STEP)?;
        let column: Option<String> = get(row, 11, STEP)?;
        if position > key_count {
            // The server refuses a target on an INCLUDE column; never
            // drop one silently all the same.
            if key_statistics >= 0 {
                return Err(unsupported(
                    &object(),
                    format!("a statistics target on included index column {position}"),
                    "strata models statistics targets on an index's key columns only: \
                     ALTER INDEX … ALTER COLUMN n SET STATISTICS -1",
                ));
            }
            if let Some(column) = column {
                partial.index.include.push(column);
            }
            continue;
        }
        let expr_text: Option<String> = get(row, 12, STEP)?;
        let opclass_ns: Option<String> = get(row, 13, STEP)?;
        let opclass: Option<String> = get(row, 14, STEP)?;
        let option: Option<i32> = get(row, 15, STEP)?;
        let collation: u32 = get(row, 16, STEP)?;
        let coll_ns: Option<String> = get(row, 17, STEP)?;
        let coll_name: Option<String> = get(row, 18, STEP)?;
        let column_collation: u32 = get(row, 19, STEP)?;
        let (key, default_collation) = if attnum == 0 {
            let text = expr_text.unwrap_or_default();
            let expr = Expression::from_server(text);
            let n = partial.expressions_seen;
            partial.expressions_seen += 1;
            let default = partial
                .expr_collations
                .as_ref()
                .and_then(|c| c.get(n).copied());
            (IndexKeyExpr::Expression(expr), default)
        } else {
            let Some(column) = column else {
                return Err(InspectError::Catalog {
                    step: STEP,
                    reason: format!("{}: key column {attnum} not found", object()),
                });
            };
            (IndexKeyExpr::Column(column), Some(column_collation))
        };
        // Without a known default (unreadable `indexprs`), compare with the
        // database default collation.
        let default_collation = default_collation.unwrap_or(DEFAULT_COLLATION_OID);
        let collation = match coll_name {
            Some(c) if collation != 0 && collation != default_collation => {
                Some(qualified_unless_builtin(coll_ns.as_deref(), &c))
            }
            _ => None,
        };
        let option = option.unwrap_or(0);
        partial.index.keys.push(IndexKey {
            key,
            opclass: opclass.map(|o| qualified_unless_builtin(opclass_ns.as_deref(), &o)),
            collation,
            descending: option & 1 != 0,
            nulls_first: option & 2 != 0,
            statistics: (key_statistics >= 0).then_some(key_statistics),
        });
    }
    for mut partial in indexes.into_values() {
        // Keys were pushed one by one: no unused capacity kept.
        partial.index.keys.shrink_to_fit();
        let Some((ns, table)) = table_names.get(&partial.relid) else {
            continue;
        };
        let Some(n) = schema.namespaces.get_mut(ns) else {
            continue;
        };
        if let Some(t) = n.tables.get_mut(table) {
            t.indexes.insert(partial.name, Box::new(partial.index));
        } else if let Some(v) = n.views.get_mut(table) {
            v.indexes.insert(partial.name, Box::new(partial.index));
        }
    }
    Ok(())
}

/// `pg_collation` oid of the `default` collation.
const DEFAULT_COLLATION_OID: u32 = 100;

/// The result collation of each expression of a stored node list
/// (`pg_index.indexprs`), as PostgreSQL's `exprCollation` gives it: the
/// node's own `…collid` field (not `inputcollid`) or `collOid`; 0 for nodes
/// without one (non-collatable results).
pub(super) fn node_list_collations(text: &str) -> Vec<u32> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut current: Option<u32> = None;
    let mut pending_field: Option<String> = None;
    for token in node_tokens(text) {
        match token.as_str() {
            "(" | "{" => {
                if token == "{" && depth == 1 {
                    current = None;
                }
                depth += 1;
                pending_field = None;
            }
            ")" | "}" => {
                depth = depth.saturating_sub(1);
                if token == "}" && depth == 1 {
                    out.push(current.take().unwrap_or(0));
                }
                pending_field = None;
            }
            _ if depth == 2 => {
                if let Some(field) = pending_field.take() {
                    let is_collation =
                        field == "collOid" || (field.ends_with("collid") && field != "inputcollid");
                    if is_collation && current.is_none() {
                        current = token.parse().ok();
                    }
                }
                if let Some(field) = token.strip_prefix(':') {
                    pending_field = Some(field.to_string());
                }
            }
            _ => {}
        }
    }
    out
}

/// Tokens of a stored node tree: brackets alone, other tokens split at
/// white space; a backslash escapes the next character.
pub(super) fn node_tokens(text: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        if matches!(c, '(' | ')' | '{' | '}') {
            chars.next();
            tokens.push(c.to_string());
            continue;
        }
        let mut token = String::new();
        while let Some(&c) = chars.peek() {
            if c.is_whitespace() || matches!(c, '(' | ')' | '{' | '}') {
                break;
            }
            chars.next();
            if c == '\\' {
                if let Some(escaped) = chars.next() {
                    token.push(escaped);
                }
            } else {
                token.push(c);
            }
        }
        tokens.push(token);
    }
    tokens
}
