//! Operators written as pg_dump's `dumpOpr` writes them: `CREATE OPERATOR
//! ns.sym (FUNCTION = …, LEFTARG = …, RIGHTARG = …, COMMUTATOR = …,
//! NEGATOR = …, MERGES, HASHES, RESTRICT = …, JOIN = …)`, then `COMMENT ON
//! OPERATOR`. Shell operators are not written (pg_dump skips them too): the
//! `COMMUTATOR` or `NEGATOR` of the operator that names one makes it again.

use std::collections::BTreeSet;

use super::{after_tables, push_comment_on, push_group, push_stmt};
use crate::model::{quote_ident, Namespace, ObjectRef, Operator, Schema};

/// `ns.sym (left, right)`: how `COMMENT ON` and `DROP` name an operator.
pub(crate) fn operator_target(ns: &str, key: &str) -> String {
    let (name, left, right) = Operator::split_key(key);
    format!(
        "{}.{name} ({}, {right})",
        quote_ident(ns),
        left.unwrap_or("NONE")
    )
}

/// The `CREATE OPERATOR` statement (without `;`), `None` for a shell.
pub(crate) fn operator_sql(ns: &str, key: &str, o: &Operator) -> Option<String> {
    let function = o.function.as_ref()?;
    let (name, left, right) = Operator::split_key(key);
    let mut opts = vec![format!("FUNCTION = {}", function.function_sql())];
    if let Some(l) = left {
        opts.push(format!("LEFTARG = {l}"));
    }
    opts.push(format!("RIGHTARG = {right}"));
    if let Some(c) = &o.commutator {
        opts.push(format!("COMMUTATOR = {}", c.operator_sql()));
    }
    if let Some(n) = &o.negator {
        opts.push(format!("NEGATOR = {}", n.operator_sql()));
    }
    if o.merges {
        opts.push("MERGES".to_string());
    }
    if o.hashes {
        opts.push("HASHES".to_string());
    }
    if let Some(r) = &o.restrict {
        opts.push(format!("RESTRICT = {}", r.function_sql()));
    }
    if let Some(j) = &o.join {
        opts.push(format!("JOIN = {}", j.function_sql()));
    }
    Some(format!(
        "CREATE OPERATOR {}.{name} (\n    {}\n)",
        quote_ident(ns),
        opts.join(",\n    ")
    ))
}

/// The routines an operator calls that come after the tables (see
/// [`after_tables`]): the operator must follow them.
fn needs_late_routine(schema: &Schema, o: &Operator, tables: &BTreeSet<String>) -> bool {
    let late = |f: &ObjectRef| {
        schema.namespaces.get(&f.schema).is_some_and(|n| {
            n.routines.iter().any(|(sig, r)| {
                crate::model::split_signature(sig).0 == f.name && after_tables(r, tables)
            })
        })
    };
    [&o.function, &o.restrict, &o.join]
        .into_iter()
        .flatten()
        .any(late)
}

/// The namespace's operators that come before its tables (`late` false)
/// or after its late routines (`late` true).
pub(super) fn write_operators(
    out: &mut String,
    schema: &Schema,
    ns: &str,
    n: &Namespace,
    tables: &BTreeSet<String>,
    late: bool,
) {
    let mut group = String::new();
    for (key, o) in &n.operators {
        if needs_late_routine(schema, o, tables) != late {
            continue;
        }
        let Some(sql) = operator_sql(ns, key, o) else {
            continue;
        };
        push_stmt(&mut group, &sql);
        push_comment_on(
            &mut group,
            "OPERATOR",
            &operator_target(ns, key),
            &o.comment,
        );
    }
    push_group(out, &group);
}
