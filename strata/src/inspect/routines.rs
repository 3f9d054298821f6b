//! Functions and procedures.

use strata_core::model::{
    quote_ident, AclKind, ArgMode, Expression, Parallel, Routine, RoutineArg, RoutineBody,
    RoutineKind, Schema, Volatility,
};
use tokio_postgres::Row;

use super::*;

/// Functions and procedures (aggregates and window functions are read by
/// name with the unmanaged objects). Arguments come as parallel arrays in
/// argument order: types (`format_type`), modes, names, and defaults —
/// `pg_get_function_arg_default` numbers arguments from 1 over all of them,
/// `OUT` and `TABLE` included.
pub(super) const Q_ROUTINES: &str = concat!(
    "SELECT p.oid, n.nspname::text, p.proname::text, p.prokind::text, l.lanname::text, \
            ARRAY(SELECT format_type(a.t, NULL) \
                  FROM unnest(coalesce(p.proallargtypes, p.proargtypes::oid[])) \
                       WITH ORDINALITY a(t, k) ORDER BY a.k), \
            p.proargmodes::text[], p.proargnames::text[], \
            ARRAY(SELECT pg_get_function_arg_default(p.oid, a.k::int4) \
                  FROM generate_series(1, coalesce(cardinality(p.proallargtypes), \
                                                   p.pronargs::int4)) a(k) ORDER BY a.k), \
            pg_get_function_result(p.oid), \
            CASE WHEN p.prosqlbody IS NOT NULL THEN pg_get_function_sqlbody(p.oid) END, \
            p.prosrc, p.probin, p.provolatile::text, p.proisstrict, p.prosecdef, \
            p.proleakproof, p.proparallel::text, p.procost::text, p.prorows::text, \
            p.proconfig, d.description, pg_get_functiondef(p.oid), \
            p.proacl::text[], pg_get_userbyid(p.proowner)::text \
     FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace \
     JOIN pg_language l ON l.oid = p.prolang \
     LEFT JOIN pg_description d ON d.classoid = 'pg_proc'::regclass AND d.objoid = p.oid \
          AND d.objsubid = 0 \
     WHERE p.prokind IN ('f', 'p') \
       AND NOT EXISTS (SELECT FROM pg_depend dp WHERE dp.classid = 'pg_proc'::regclass \
                       AND dp.objid = p.oid AND dp.deptype IN ('e', 'i')) AND ",
    user_namespace!(),
    " ORDER BY n.nspname, p.proname, p.oid"
);

/// Functions and procedures into their namespaces' `routines`.
pub(super) fn build_routines(rows: &[Row], schema: &mut Schema) -> Result<(), InspectError> {
    const STEP: &str = "routines";
    let bad = |reason: String| InspectError::Catalog { step: STEP, reason };
    for row in rows {
        let namespace: String = get(row, 1, STEP)?;
        let name: String = get(row, 2, STEP)?;
        let object = || format!("{}.{}", quote_ident(&namespace), quote_ident(&name));
        let kind = match get::<String>(row, 3, STEP)?.as_str() {
            "f" => RoutineKind::Function,
            "p" => RoutineKind::Procedure,
            other => return Err(bad(format!("{}: unknown prokind {other:?}", object()))),
        };
        let language: String = get(row, 4, STEP)?;
        let types: Vec<String> = get(row, 5, STEP)?;
        let modes: Option<Vec<String>> = get(row, 6, STEP)?;
        let names: Option<Vec<String>> = get(row, 7, STEP)?;
        let defaults: Vec<Option<String>> = get(row, 8, STEP)?;
        let count = types.len();
        if modes.as_ref().is_some_and(|m| m.len() != count)
            || names.as_ref().is_some_and(|n| n.len() != count)
            || defaults.len() != count
        {
            return Err(bad(format!(
                "{}: argument arrays of different lengths",
                object()
            )));
        }
        let mut args = Vec::with_capacity(count);
        for (k, (data_type, default)) in types.into_iter().zip(defaults).enumerate() {
            let mode = match modes.as_ref().map(|m| m[k].as_str()) {
                None | Some("i") => ArgMode::In,
                Some("o") => ArgMode::Out,
                Some("b") => ArgMode::InOut,
                Some("v") => ArgMode::Variadic,
                Some("t") => ArgMode::Table,
                Some(other) => {
                    return Err(bad(format!(
                        "{}: unknown argument mode {other:?}",
                        object()
                    )))
                }
            };
            let name = names
                .as_ref()
                .map(|n| n[k].clone())
                .filter(|n| !n.is_empty());
            args.push(RoutineArg {
                mode,
                name,
                data_type,
                default: default.map(Expression::from_server),
            });
        }
        let returns: Option<String> = get(row, 9, STEP)?;
        let sql_body: Option<String> = get(row, 10, STEP)?;
        let source: String = get(row, 11, STEP)?;
        let object_file: Option<String> = get(row, 12, STEP)?;
        let body = match (sql_body, object_file) {
            (Some(text), _) => RoutineBody::Sql(Expression::from_server(text)),
            (None, Some(file)) if language == "c" => RoutineBody::Object {
                file,
                symbol: source,
            },
            _ => RoutineBody::Source { text: source },
        };
        let volatility = match get::<String>(row, 13, STEP)?.as_str() {
            "i" => Volatility::Immutable,
            "s" => Volatility::Stable,
            "v" => Volatility::Volatile,
            other => return Err(bad(format!("{}: unknown provolatile {other:?}", object()))),
        };
        let parallel = match get::<String>(row, 17, STEP)?.as_str() {
            "s" => Parallel::Safe,
            "r" => Parallel::Restricted,
            "u" => Parallel::Unsafe,
            other => return Err(bad(format!("{}: unknown proparallel {other:?}", object()))),
        };
        let config: Option<Vec<String>> = get(row, 20, STEP)?;
        let routine = Routine {
            kind,
            returns,
            language,
            body,
            volatility,
            strict: get(row, 14, STEP)?,
            security_definer: get(row, 15, STEP)?,
            leakproof: get(row, 16, STEP)?,
            parallel,
            cost: get(row, 18, STEP)?,
            rows: get(row, 19, STEP)?,
            config: config.unwrap_or_default(),
            comment: get(row, 21, STEP)?,
            definition: get(row, 22, STEP)?,
            acl: read_acl(row, 23, AclKind::Routine, STEP, object)?,
            owner: super::privileges::read_owner(row, 24, STEP)?,
            args,
        };
        let signature = Routine::signature(&name, &routine.args);
        let routines = &mut schema.namespaces.entry(namespace).or_default().routines;
        if routines.insert(signature.clone(), routine).is_some() {
            return Err(bad(format!("two routines with the signature {signature}")));
        }
    }
    Ok(())
}
