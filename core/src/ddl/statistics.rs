//! Extended statistics as pg_dump writes them (`dumpStatisticsExt`): the
//! definition, then `ALTER STATISTICS … SET STATISTICS n` when the target
//! is not the default, then the comment. Written after every table.

use crate::model::{qualified_sql, quote_ident, Schema, Statistics, StatisticsKind};

use super::{comment_on_sql, push_group, push_stmt};

/// Every statistics object, namespace by namespace.
pub(crate) fn write_statistics(schema: &Schema) -> String {
    let mut out = String::new();
    for (ns, n) in &schema.namespaces {
        let mut group = String::new();
        for (name, s) in &n.statistics {
            for stmt in statistics_statements(ns, name, s) {
                push_stmt(&mut group, &stmt);
            }
        }
        push_group(&mut out, &group);
    }
    out
}

/// `CREATE STATISTICS`, its target and its comment.
pub(crate) fn statistics_statements(ns: &str, name: &str, s: &Statistics) -> Vec<String> {
    let target = qualified_sql(ns, name);
    let mut out = vec![create_statistics_sql(ns, name, s)];
    if let Some(n) = s.target {
        out.push(statistics_target_sql(&target, Some(n)));
    }
    out.extend(comment_on_sql(
        "STATISTICS",
        &target,
        s.comment.as_deref(),
        false,
    ));
    out
}

/// `ALTER STATISTICS name SET STATISTICS n` (-1 for the default).
pub(crate) fn statistics_target_sql(target: &str, n: Option<i32>) -> String {
    format!(
        "ALTER STATISTICS {target} SET STATISTICS {}",
        n.unwrap_or(-1)
    )
}

/// `CREATE STATISTICS ns.name [(kinds)] ON columns, (expressions) FROM
/// table`: the kinds only when not all three are built (what
/// `pg_get_statisticsobjdef` leaves out), expressions as written, in
/// parentheses unless a function call.
pub(crate) fn create_statistics_sql(ns: &str, name: &str, s: &Statistics) -> String {
    let mut sql = format!("CREATE STATISTICS {}", qualified_sql(ns, name));
    let count = s.columns.len() + s.expressions.len();
    if count > 1 && s.kinds.len() < StatisticsKind::ALL.len() {
        let kinds: Vec<&str> = s.kinds.iter().map(|k| k.keyword()).collect();
        sql.push_str(&format!(" ({})", kinds.join(", ")));
    }
    let mut elems: Vec<String> = s.columns.iter().map(|c| quote_ident(c)).collect();
    for e in &s.expressions {
        // A function call stands alone; an expression already in
        // parentheses (the server's `(a + b)`) needs no second pair.
        let call = matches!(
            crate::expression::parse(&e.sql),
            Ok(sqlparser::ast::Expr::Function(_) | sqlparser::ast::Expr::Nested(_))
        );
        elems.push(if call {
            e.sql.clone()
        } else {
            format!("({})", e.sql)
        });
    }
    sql.push_str(&format!(" ON {} FROM {}", elems.join(", "), s.table.sql()));
    sql
}
