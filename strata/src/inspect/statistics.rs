//! Extended statistics (`pg_statistic_ext`): their table, the kinds built
//! (`stxkind`), the columns (`stxkeys`, in attribute-number order), the
//! expressions as `pg_get_statisticsobjdef_expressions` prints them, the
//! target (`stxstattarget`, -1 the default) and the comment.

use std::collections::BTreeSet;

use strata_core::model::{
    quote_ident, Expression, RelationRef, Schema, Statistics, StatisticsKind,
};
use tokio_postgres::Row;

use super::*;

pub(super) const Q_STATISTICS: &str = concat!(
    "SELECT n.nspname::text, s.stxname::text, tn.nspname::text, c.relname::text, \
            c.relkind::text, s.stxkind::text[], \
            ARRAY(SELECT a.attname::text FROM unnest(s.stxkeys::int2[]) k \
                  JOIN pg_attribute a ON a.attrelid = s.stxrelid AND a.attnum = k ORDER BY k), \
            pg_get_statisticsobjdef_expressions(s.oid), s.stxstattarget::int4, \
            obj_description(s.oid, 'pg_statistic_ext'), pg_get_userbyid(s.stxowner)::text \
     FROM pg_statistic_ext s JOIN pg_namespace n ON n.oid = s.stxnamespace \
     JOIN pg_class c ON c.oid = s.stxrelid JOIN pg_namespace tn ON tn.oid = c.relnamespace \
     WHERE ",
    user_namespace!(),
    " AND ",
    not_extension!("pg_statistic_ext", "s.oid"),
    " ORDER BY s.oid"
);

pub(super) fn build_statistics(rows: &[Row], schema: &mut Schema) -> Result<(), InspectError> {
    for row in rows {
        const STEP: &str = "statistics";
        let namespace: String = get(row, 0, STEP)?;
        let name: String = get(row, 1, STEP)?;
        let table_ns: String = get(row, 2, STEP)?;
        let table: String = get(row, 3, STEP)?;
        let relkind: String = get(row, 4, STEP)?;
        let object = || {
            format!(
                "statistics {}.{}",
                quote_ident(&namespace),
                quote_ident(&name)
            )
        };
        if !matches!(relkind.as_str(), "r" | "p" | "f") {
            let what = match relkind.as_str() {
                "m" => "a materialized view",
                _ => "a relation that is not a table",
            };
            return Err(unsupported(
                &object(),
                format!("extended statistics on {what}"),
                "strata models extended statistics on tables only",
            ));
        }
        let letters: Vec<String> = get(row, 5, STEP)?;
        let kinds: BTreeSet<StatisticsKind> = letters
            .iter()
            .filter_map(|l| l.chars().next())
            .filter_map(StatisticsKind::from_letter)
            .collect();
        let columns: Vec<String> = get(row, 6, STEP)?;
        let expressions: Option<Vec<String>> = get(row, 7, STEP)?;
        let target: i32 = get(row, 8, STEP)?;
        let statistics = Statistics {
            table: RelationRef::new(table_ns, table),
            kinds,
            columns,
            expressions: expressions
                .unwrap_or_default()
                .into_iter()
                .map(Expression::from_server)
                .collect(),
            target: (target != -1).then_some(target),
            comment: get(row, 9, STEP)?,
            owner: super::privileges::read_owner(row, 10, STEP)?,
        };
        schema
            .namespaces
            .entry(namespace)
            .or_default()
            .statistics
            .insert(name, statistics);
    }
    Ok(())
}
