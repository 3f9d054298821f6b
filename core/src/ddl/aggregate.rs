//! Aggregates written as pg_dump's `dumpAgg` writes them: `CREATE
//! AGGREGATE ns.name(args) (SFUNC = …, STYPE = …, …)` with the options in
//! its order, then `COMMENT ON AGGREGATE`.

use std::collections::BTreeSet;

use super::{after_tables, push_comment_on, push_group, push_stmt};
use crate::model::{quote_ident, quote_literal, Aggregate, Namespace, ObjectRef, Parallel, Schema};

/// `ns.name(identity arguments)`: how `COMMENT ON` and `DROP` name one.
pub(crate) fn aggregate_target(ns: &str, key: &str) -> String {
    let (name, args) = crate::model::split_signature(key);
    format!("{}.{}{args}", quote_ident(ns), quote_ident(name))
}

fn modify(c: char) -> &'static str {
    match c {
        's' => "SHAREABLE",
        'w' => "READ_WRITE",
        _ => "READ_ONLY",
    }
}

/// The `CREATE AGGREGATE` statement (without `;`), as pg_dump writes it:
/// a modify option only where it is not the default for the kind.
pub(crate) fn aggregate_sql(ns: &str, key: &str, a: &Aggregate, or_replace: bool) -> String {
    let (name, _) = crate::model::split_signature(key);
    let default_modify = if a.direct_args.is_some() { 'w' } else { 'r' };
    let mut o = vec![
        format!("SFUNC = {}", a.sfunc.function_sql()),
        format!("STYPE = {}", a.stype),
    ];
    if a.sspace != 0 {
        o.push(format!("SSPACE = {}", a.sspace));
    }
    if let Some(f) = &a.finalfunc {
        o.push(format!("FINALFUNC = {}", f.function_sql()));
        if a.finalfunc_extra {
            o.push("FINALFUNC_EXTRA".to_string());
        }
        if a.finalfunc_modify != default_modify {
            o.push(format!("FINALFUNC_MODIFY = {}", modify(a.finalfunc_modify)));
        }
    }
    let f = |x: &Option<ObjectRef>| x.as_ref().map(|f| f.function_sql());
    if let Some(x) = f(&a.combinefunc) {
        o.push(format!("COMBINEFUNC = {x}"));
    }
    if let Some(x) = f(&a.serialfunc) {
        o.push(format!("SERIALFUNC = {x}"));
    }
    if let Some(x) = f(&a.deserialfunc) {
        o.push(format!("DESERIALFUNC = {x}"));
    }
    if let Some(i) = &a.initcond {
        o.push(format!("INITCOND = {}", quote_literal(i)));
    }
    if let Some(x) = f(&a.msfunc) {
        o.push(format!("MSFUNC = {x}"));
        if let Some(y) = f(&a.minvfunc) {
            o.push(format!("MINVFUNC = {y}"));
        }
        if let Some(t) = &a.mstype {
            o.push(format!("MSTYPE = {t}"));
        }
        if a.msspace != 0 {
            o.push(format!("MSSPACE = {}", a.msspace));
        }
        if let Some(y) = f(&a.mfinalfunc) {
            o.push(format!("MFINALFUNC = {y}"));
            if a.mfinalfunc_extra {
                o.push("MFINALFUNC_EXTRA".to_string());
            }
            if a.mfinalfunc_modify != default_modify {
                o.push(format!(
                    "MFINALFUNC_MODIFY = {}",
                    modify(a.mfinalfunc_modify)
                ));
            }
        }
        if let Some(i) = &a.minitcond {
            o.push(format!("MINITCOND = {}", quote_literal(i)));
        }
    }
    if let Some(s) = &a.sortop {
        o.push(format!("SORTOP = {}", s.operator_sql()));
    }
    if a.hypothetical {
        o.push("HYPOTHETICAL".to_string());
    }
    match a.parallel {
        Parallel::Safe => o.push("PARALLEL = safe".to_string()),
        Parallel::Restricted => o.push("PARALLEL = restricted".to_string()),
        Parallel::Unsafe => {}
    }
    format!(
        "CREATE {}AGGREGATE {}.{}({}) (\n    {}\n)",
        if or_replace { "OR REPLACE " } else { "" },
        quote_ident(ns),
        quote_ident(name),
        a.arguments_sql(),
        o.join(",\n    ")
    )
}

/// The support functions of an aggregate.
pub(crate) fn aggregate_functions(a: &Aggregate) -> Vec<&ObjectRef> {
    [
        Some(&a.sfunc),
        a.finalfunc.as_ref(),
        a.combinefunc.as_ref(),
        a.serialfunc.as_ref(),
        a.deserialfunc.as_ref(),
        a.msfunc.as_ref(),
        a.minvfunc.as_ref(),
        a.mfinalfunc.as_ref(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

fn needs_late_routine(schema: &Schema, a: &Aggregate, tables: &BTreeSet<String>) -> bool {
    aggregate_functions(a).into_iter().any(|f| {
        schema.namespaces.get(&f.schema).is_some_and(|n| {
            n.routines.iter().any(|(sig, r)| {
                crate::model::split_signature(sig).0 == f.name && after_tables(r, tables)
            })
        })
    })
}

/// The namespace's aggregates that come before its tables (`late` false)
/// or after its late routines (`late` true).
pub(super) fn write_aggregates(
    out: &mut String,
    schema: &Schema,
    ns: &str,
    n: &Namespace,
    tables: &BTreeSet<String>,
    late: bool,
) {
    let mut group = String::new();
    for (key, a) in &n.aggregates {
        if needs_late_routine(schema, a, tables) != late {
            continue;
        }
        push_stmt(&mut group, &aggregate_sql(ns, key, a, false));
        push_comment_on(
            &mut group,
            "AGGREGATE",
            &aggregate_target(ns, key),
            &a.comment,
        );
    }
    push_group(out, &group);
}
