//! Operators (`pg_operator`), as pg_dump's `dumpOpr` reads them: the
//! function, the commutator and negator, the estimators, `HASHES`,
//! `MERGES` and the comment. Every name is read with its schema (pg_dump
//! prints `regproc` with an empty search path: bare in `pg_catalog`,
//! qualified elsewhere); a shell operator (no function) is read too.

use strata_core::model::{ObjectRef, Operator, Schema};
use tokio_postgres::Row;

use super::*;

pub(super) const Q_OPERATORS: &str = concat!(
    "SELECT n.nspname::text, o.oprname::text, \
            CASE WHEN o.oprleft = 0 THEN NULL ELSE format_type(o.oprleft, NULL) END, \
            format_type(o.oprright, NULL), \
            fn.nspname::text, f.proname::text, \
            cn.nspname::text, c.oprname::text, \
            nn.nspname::text, ng.oprname::text, \
            rn.nspname::text, r.proname::text, \
            jn.nspname::text, j.proname::text, \
            o.oprcanhash, o.oprcanmerge, d.description, pg_get_userbyid(o.oprowner)::text \
     FROM pg_operator o JOIN pg_namespace n ON n.oid = o.oprnamespace \
     LEFT JOIN pg_proc f ON f.oid = o.oprcode \
     LEFT JOIN pg_namespace fn ON fn.oid = f.pronamespace \
     LEFT JOIN pg_operator c ON c.oid = o.oprcom \
     LEFT JOIN pg_namespace cn ON cn.oid = c.oprnamespace \
     LEFT JOIN pg_operator ng ON ng.oid = o.oprnegate \
     LEFT JOIN pg_namespace nn ON nn.oid = ng.oprnamespace \
     LEFT JOIN pg_proc r ON r.oid = o.oprrest \
     LEFT JOIN pg_namespace rn ON rn.oid = r.pronamespace \
     LEFT JOIN pg_proc j ON j.oid = o.oprjoin \
     LEFT JOIN pg_namespace jn ON jn.oid = j.pronamespace \
     LEFT JOIN pg_description d ON d.classoid = 'pg_operator'::regclass AND d.objoid = o.oid \
          AND d.objsubid = 0 \
     WHERE ",
    user_namespace!(),
    " AND ",
    not_extension!("pg_operator", "o.oid"),
    " ORDER BY n.nspname, o.oprname, o.oid"
);

/// Operators into their namespaces' `operators`.
pub(super) fn build_operators(rows: &[Row], schema: &mut Schema) -> Result<(), InspectError> {
    const STEP: &str = "operators";
    let pair = |row: &Row, i: usize| -> Result<Option<ObjectRef>, InspectError> {
        let ns: Option<String> = get(row, i, STEP)?;
        let name: Option<String> = get(row, i + 1, STEP)?;
        Ok(match (ns, name) {
            (Some(ns), Some(name)) => Some(ObjectRef { schema: ns, name }),
            _ => None,
        })
    };
    for row in rows {
        let namespace: String = get(row, 0, STEP)?;
        let name: String = get(row, 1, STEP)?;
        let left: Option<String> = get(row, 2, STEP)?;
        let right: String = get(row, 3, STEP)?;
        let op = Operator {
            function: pair(row, 4)?,
            commutator: pair(row, 6)?,
            negator: pair(row, 8)?,
            restrict: pair(row, 10)?,
            join: pair(row, 12)?,
            hashes: get(row, 14, STEP)?,
            merges: get(row, 15, STEP)?,
            comment: get::<Option<String>>(row, 16, STEP)?.filter(|c| !c.is_empty()),
            owner: super::privileges::read_owner(row, 17, STEP)?,
        };
        schema
            .namespaces
            .entry(namespace)
            .or_default()
            .operators
            .insert(Operator::key(&name, left.as_deref(), &right), op);
    }
    Ok(())
}
