//! Views and materialized views.

use std::collections::{BTreeMap, HashMap};

use strata_core::model::acl;
use strata_core::model::{
    quote_ident, Acl, AclKind, CheckOption, Expression, Schema, View, ViewColumn,
};
use strata_core::normalize;
use tokio_postgres::Row;

use super::*;

/// Views and materialized views: the query as `pg_get_viewdef` prints it,
/// reloptions (`check_option` among them), `relispopulated`, and the
/// columns as parallel arrays in `attnum` order (numbers, names,
/// `format_type` types, defaults). Their comments come with the others.
pub(super) const Q_VIEWS: &str = concat!(
    "SELECT c.oid, n.nspname::text, c.relname::text, c.relkind = 'm', \
            pg_get_viewdef(c.oid), c.reloptions::text[], c.relispopulated, \
            ARRAY(SELECT a.attnum::int4 FROM pg_attribute a WHERE a.attrelid = c.oid \
                  AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum), \
            ARRAY(SELECT a.attname::text FROM pg_attribute a WHERE a.attrelid = c.oid \
                  AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum), \
            ARRAY(SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a \
                  WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped \
                  ORDER BY a.attnum), \
            ARRAY(SELECT pg_get_expr(ad.adbin, ad.adrelid) FROM pg_attribute a \
                  LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum \
                  WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped \
                  ORDER BY a.attnum), \
            am.amname::text, \
            ARRAY(SELECT a.attacl::text FROM pg_attribute a WHERE a.attrelid = c.oid \
                  AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum), \
            c.relacl::text[], pg_get_userbyid(c.relowner)::text \
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
     LEFT JOIN pg_am am ON am.oid = c.relam \
     WHERE c.relkind IN ('v', 'm') AND ",
    share!("c.oid"),
    " AND ",
    user_namespace!(),
    " AND ",
    not_extension!("pg_class", "c.oid"),
    " ORDER BY c.oid"
);

/// Views and materialized views into their namespaces' `views`; returns
/// their names by oid (for their indexes).
pub(super) fn build_views(
    rows: &[Row],
    schema: &mut Schema,
    comments: &mut Comments,
) -> Result<HashMap<u32, (String, String)>, InspectError> {
    const STEP: &str = "views";
    let mut names = HashMap::new();
    for row in rows {
        let oid: u32 = get(row, 0, STEP)?;
        let namespace: String = get(row, 1, STEP)?;
        let name: String = get(row, 2, STEP)?;
        let materialized: bool = get(row, 3, STEP)?;
        let definition: Option<String> = get(row, 4, STEP)?;
        let raw_options: Option<Vec<String>> = get(row, 5, STEP)?;
        let populated: bool = get(row, 6, STEP)?;
        let attnums: Vec<i32> = get(row, 7, STEP)?;
        let attnames: Vec<String> = get(row, 8, STEP)?;
        let types: Vec<String> = get(row, 9, STEP)?;
        let defaults: Vec<Option<String>> = get(row, 10, STEP)?;
        let access_method: Option<String> = get(row, 11, STEP)?;
        let column_acls: Vec<Option<String>> = get(row, 12, STEP)?;
        let object = format!(
            "{} {}.{}",
            if materialized {
                "materialized view"
            } else {
                "view"
            },
            quote_ident(&namespace),
            quote_ident(&name)
        );
        if let Some(am) = access_method.filter(|a| a != "heap") {
            return Err(unsupported(
                &object,
                format!("the table access method {am}"),
                "strata models heap materialized views only",
            ));
        }
        let Some(definition) = definition else {
            return Err(InspectError::Catalog {
                step: STEP,
                reason: format!("{object}: no definition"),
            });
        };
        // pg_get_viewdef ends the query with `;`; pg_dump writes it without.
        let text = definition
            .strip_suffix(';')
            .unwrap_or(&definition)
            .to_string();
        let mut options = rel_options(raw_options, STEP)?;
        let check_option = match options.remove("check_option").as_deref() {
            None => None,
            Some("local") => Some(CheckOption::Local),
            Some("cascaded") => Some(CheckOption::Cascaded),
            Some(other) => {
                return Err(InspectError::Catalog {
                    step: STEP,
                    reason: format!("{object}: check_option {other:?}"),
                })
            }
        };
        let mut columns = Vec::with_capacity(attnames.len());
        for (i, cname) in attnames.into_iter().enumerate() {
            let raw_type = types.get(i).cloned().unwrap_or_default();
            let data_type = normalized(
                normalize::type_text,
                &raw_type,
                || format!("column {object}.{}", quote_ident(&cname)),
                "type",
            )?;
            let owner: String = get(row, 14, STEP)?;
            let acl = match column_acls.get(i).cloned().flatten() {
                None => None,
                Some(text) => {
                    let items = array_items(&text);
                    super::privileges::refuse_foreign_grantor(&items, &owner, || {
                        object.to_string()
                    })?;
                    let acl = Acl::from_aclitems(items.iter().map(String::as_str), &owner)
                        .ok_or_else(|| InspectError::Catalog {
                            step: STEP,
                            reason: format!("{object}: cannot read the column ACL {text}"),
                        })?;
                    acl::canonical(acl, AclKind::Column)
                }
            };
            columns.push(ViewColumn {
                acl,
                comment: take_comment(comments, 'c', oid, attnums.get(i).copied().unwrap_or(0)),
                default: defaults
                    .get(i)
                    .cloned()
                    .flatten()
                    .map(Expression::from_server),
                data_type: Some(data_type),
                name: cname,
            });
        }
        let view = View {
            materialized,
            columns,
            query: Expression {
                sql: text,
                stored: strata_core::model::Stored::Exact { text: definition },
            },
            check_option,
            options,
            populated: populated || !materialized,
            indexes: BTreeMap::new(),
            comment: take_comment(comments, 'c', oid, 0),
            acl: read_acl(row, 13, AclKind::Relation, STEP, || object.clone())?,
            owner: super::privileges::read_owner(row, 14, STEP)?,
            column_list: Vec::new(),
            triggers: BTreeMap::new(),
            rules: BTreeMap::new(),
        };
        schema
            .namespaces
            .entry(namespace.clone())
            .or_default()
            .views
            .insert(name.clone(), view);
        names.insert(oid, (namespace, name));
    }
    Ok(names)
}
