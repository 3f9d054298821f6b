//! Aggregates (`pg_aggregate` with `pg_proc`), as pg_dump's `dumpAgg`
//! reads them; every function and operator they name read with its schema.
//! A privilege other than the default on an aggregate is refused (strata
//! does not model aggregates' ACLs yet), as are VARIADIC aggregates.

use strata_core::model::{quote_ident, Aggregate, ObjectRef, Parallel, Schema};
use tokio_postgres::Row;

use super::*;

macro_rules! proc_ref {
    ($col:literal, $alias:literal) => {
        concat!(
            "(SELECT ARRAY[pn.nspname::text, pp.proname::text] FROM pg_proc pp \
             JOIN pg_namespace pn ON pn.oid = pp.pronamespace WHERE pp.oid = a.",
            $col,
            ") AS ",
            $alias
        )
    };
}

pub(super) const Q_AGGREGATES: &str = concat!(
    "SELECT n.nspname::text, p.proname::text, a.aggkind::text, a.aggnumdirectargs::int4, \
            ARRAY(SELECT format_type(t, NULL) FROM unnest(p.proargtypes::oid[]) \
                  WITH ORDINALITY x(t, k) ORDER BY k), \
            p.proargnames::text[], p.provariadic <> 0, ",
    proc_ref!("aggtransfn", "sfunc"),
    ", format_type(a.aggtranstype, NULL), a.aggtransspace, ",
    proc_ref!("aggfinalfn", "finalfunc"),
    ", a.aggfinalextra, a.aggfinalmodify::text, ",
    proc_ref!("aggcombinefn", "combinefunc"),
    ", ",
    proc_ref!("aggserialfn", "serialfunc"),
    ", ",
    proc_ref!("aggdeserialfn", "deserialfunc"),
    ", a.agginitval, ",
    proc_ref!("aggmtransfn", "msfunc"),
    ", ",
    proc_ref!("aggminvtransfn", "minvfunc"),
    ", CASE WHEN a.aggmtranstype = 0 THEN NULL ELSE format_type(a.aggmtranstype, NULL) END, \
       a.aggmtransspace, ",
    proc_ref!("aggmfinalfn", "mfinalfunc"),
    ", a.aggmfinalextra, a.aggmfinalmodify::text, a.aggminitval, \
       (SELECT ARRAY[on_.nspname::text, o.oprname::text] FROM pg_operator o \
        JOIN pg_namespace on_ ON on_.oid = o.oprnamespace WHERE o.oid = a.aggsortop), \
       p.proparallel::text, d.description, p.proacl IS NOT NULL, \
       pg_get_userbyid(p.proowner)::text \
     FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid \
     JOIN pg_namespace n ON n.oid = p.pronamespace \
     LEFT JOIN pg_description d ON d.classoid = 'pg_proc'::regclass AND d.objoid = p.oid \
          AND d.objsubid = 0 \
     WHERE NOT EXISTS (SELECT FROM pg_depend dp WHERE dp.classid = 'pg_proc'::regclass \
                       AND dp.objid = p.oid AND dp.deptype IN ('e', 'i')) AND ",
    user_namespace!(),
    " ORDER BY n.nspname, p.proname, p.oid"
);

/// Aggregates into their namespaces' `aggregates`.
pub(super) fn build_aggregates(rows: &[Row], schema: &mut Schema) -> Result<(), InspectError> {
    const STEP: &str = "aggregates";
    let r = |row: &Row, i: usize| -> Result<Option<ObjectRef>, InspectError> {
        let v: Option<Vec<String>> = get(row, i, STEP)?;
        Ok(v.and_then(|v| match v.as_slice() {
            [s, n] => Some(ObjectRef::new(s, n)),
            _ => None,
        }))
    };
    let ch = |s: String| s.chars().next().unwrap_or('r');
    for row in rows {
        let namespace: String = get(row, 0, STEP)?;
        let name: String = get(row, 1, STEP)?;
        let object = format!("{}.{}", quote_ident(&namespace), quote_ident(&name));
        let kind: String = get(row, 2, STEP)?;
        let direct: i32 = get(row, 3, STEP)?;
        let types: Vec<String> = get(row, 4, STEP)?;
        let names: Option<Vec<String>> = get(row, 5, STEP)?;
        let variadic: bool = get(row, 6, STEP)?;
        if variadic {
            return Err(unsupported(
                &format!("aggregate {object}"),
                "a VARIADIC aggregate".to_string(),
                "strata keeps aggregates by definition and does not model VARIADIC arguments yet",
            ));
        }
        let has_acl: bool = get(row, 28, STEP)?;
        if has_acl {
            return Err(unsupported(
                &format!("aggregate {object}"),
                "privileges other than the default".to_string(),
                "strata does not model privileges on aggregates yet: REVOKE/GRANT them back to \
                 the default, or inspect other namespaces only",
            ));
        }
        let args = types
            .into_iter()
            .enumerate()
            .map(|(i, t)| {
                let n = names
                    .as_ref()
                    .and_then(|v| v.get(i).cloned())
                    .filter(|n| !n.is_empty());
                (n, t)
            })
            .collect();
        let sfunc = r(row, 7)?.ok_or_else(|| InspectError::Catalog {
            step: STEP,
            reason: format!("{object}: no transition function"),
        })?;
        let parallel = match get::<String>(row, 26, STEP)?.as_str() {
            "s" => Parallel::Safe,
            "r" => Parallel::Restricted,
            _ => Parallel::Unsafe,
        };
        let sortop: Option<Vec<String>> = get(row, 25, STEP)?;
        let agg = Aggregate {
            owner: super::privileges::read_owner(row, 29, STEP)?,
            args,
            direct_args: (kind != "n").then_some(usize::try_from(direct).unwrap_or(0)),
            hypothetical: kind == "h",
            sfunc,
            stype: get(row, 8, STEP)?,
            sspace: get(row, 9, STEP)?,
            finalfunc: r(row, 10)?,
            finalfunc_extra: get(row, 11, STEP)?,
            finalfunc_modify: ch(get(row, 12, STEP)?),
            combinefunc: r(row, 13)?,
            serialfunc: r(row, 14)?,
            deserialfunc: r(row, 15)?,
            initcond: get(row, 16, STEP)?,
            msfunc: r(row, 17)?,
            minvfunc: r(row, 18)?,
            mstype: get(row, 19, STEP)?,
            msspace: get(row, 20, STEP)?,
            mfinalfunc: r(row, 21)?,
            mfinalfunc_extra: get(row, 22, STEP)?,
            mfinalfunc_modify: ch(get(row, 23, STEP)?),
            minitcond: get(row, 24, STEP)?,
            sortop: sortop.and_then(|v| match v.as_slice() {
                [s, n] => Some(ObjectRef::new(s, n)),
                _ => None,
            }),
            parallel,
            comment: get::<Option<String>>(row, 27, STEP)?.filter(|c| !c.is_empty()),
        };
        let key = Aggregate::key(
            &name,
            &agg.args.iter().map(|(_, t)| t.as_str()).collect::<Vec<_>>(),
            agg.direct_args,
        );
        schema
            .namespaces
            .entry(namespace)
            .or_default()
            .aggregates
            .insert(key, agg);
    }
    Ok(())
}
