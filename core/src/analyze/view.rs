//! A view's query printed as `pg_get_viewdef(oid)` prints it (PostgreSQL
//! 15, `ruleutils.c` `get_query_def` → `get_basic_select_query` with
//! `PRETTYFLAG_INDENT`), for the common subset: one SELECT over at most
//! one relation (a table or a view, with or without an alias), its target
//! list (columns, `*`, expressions through [`super::transform`]), `WHERE`,
//! `GROUP BY` and `ORDER BY` of plain columns, `LIMIT` and `OFFSET` of
//! integer constants.
//!
//! The layout is the server's: ` SELECT` then one target per line
//! (`,\n    `), `\n   FROM `, `\n  WHERE `, `\n  GROUP BY `,
//! `\n  ORDER BY `, `\n OFFSET `, `\n LIMIT `, and a final `;`. Every
//! column is printed with its relation's name (`t.col`: in PostgreSQL 15 a
//! view's range table holds `*OLD*` and `*NEW*` too, so columns are always
//! prefixed). A target that is a column of the same name prints bare;
//! every other target prints `AS name`.
//!
//! Anything else — joins, subqueries, CTEs, set operations, DISTINCT,
//! HAVING, window functions, a multi-line expression — is [`Unproven`],
//! naming the construct.

use sqlparser::ast::{
    Expr, GroupByExpr, LimitClause, OrderByKind, OrderBySort, Query, SelectItem, SetExpr,
    TableFactor, Value,
};

use crate::catalog::{Catalog, Env};
use crate::model::{quote_ident, Column, Schema};

use super::deparse;
use super::node::Node;
use super::transform::{Analyzer, SchemaTypes};
use super::{format_type, unproven, TypeNames, Unproven};

/// The one relation a view's query reads.
pub struct Relation {
    /// As `FROM` prints it: `t`, `other.t` (qualified unless in `public`),
    /// with ` alias` when one is written.
    pub from_sql: String,
    /// What its columns are prefixed with: the alias, or the relation's name
    /// (quoted as needed).
    pub refname: String,
    /// The qualifiers a column reference may carry: `[alias]`, or
    /// `[name]` and `[namespace, name]` without an alias.
    pub qualifiers: Vec<Vec<String>>,
    /// Its columns with their canonical types.
    pub columns: Vec<Column>,
}

/// The server's text and the output columns' types.
pub struct ViewDef {
    /// `pg_get_viewdef(oid)`, with its final `;`.
    pub text: String,
    /// `format_type` of each output column.
    pub types: Vec<String>,
}

/// `pg_get_viewdef` for `query` whose output columns are named `names`.
pub fn viewdef(
    query: &Query,
    names: &[String],
    relation: Option<&Relation>,
    schema: &Schema,
) -> Result<ViewDef, Unproven> {
    if query.with.is_some() {
        return Err(unproven("a WITH (common table expression) query"));
    }
    if query.fetch.is_some() || !query.locks.is_empty() {
        return Err(unproven("FETCH or a locking clause"));
    }
    let SetExpr::Select(sel) = query.body.as_ref() else {
        return Err(unproven(
            "a query that is not one SELECT (UNION, VALUES, …)",
        ));
    };
    if sel.distinct.is_some() {
        return Err(unproven("SELECT DISTINCT"));
    }
    if sel.having.is_some() || !sel.named_window.is_empty() || sel.qualify.is_some() {
        return Err(unproven("HAVING or WINDOW"));
    }
    if sel.into.is_some() || !sel.lateral_views.is_empty() || sel.top.is_some() {
        return Err(unproven("an unsupported SELECT clause"));
    }
    match sel.from.as_slice() {
        [] if relation.is_none() => {}
        [twj] if relation.is_some() => {
            if !twj.joins.is_empty() {
                return Err(unproven("a join"));
            }
            match &twj.relation {
                TableFactor::Table {
                    alias,
                    args,
                    with_hints,
                    sample,
                    ..
                } => {
                    if args.is_some() || !with_hints.is_empty() || sample.is_some() {
                        return Err(unproven("a table function or TABLESAMPLE"));
                    }
                    if alias.as_ref().is_some_and(|a| !a.columns.is_empty()) {
                        return Err(unproven("column aliases on a FROM item"));
                    }
                }
                _ => return Err(unproven("a FROM item that is not a table or view")),
            }
        }
        _ => return Err(unproven("more than one FROM item")),
    }
    let empty: Vec<Column> = Vec::new();
    let columns = relation.map_or(&empty, |r| &r.columns);
    let types = SchemaTypes::new(schema);
    let env = Env {
        catalog: Catalog::pg15(),
        extensions: schema.extensions.keys().cloned().collect(),
        user: &types,
    };
    let analyzer = Analyzer {
        env: &env,
        types: &types,
        columns,
        schema,
        immutable: false,
        domain_value: None,
        query: None,
    };
    let type_names = TypeNames { env: &env };
    let prefix = relation.map_or(String::new(), |r| r.refname.clone());
    let unqualify = |e: &Expr| -> Result<Expr, Unproven> { strip_qualifiers(e, relation) };
    let print = |node: &Node| -> Result<String, Unproven> {
        let text = deparse::expression_prefixed(node, &type_names, &prefix)?;
        if text.contains('\n') {
            return Err(unproven("an expression printed on several lines (CASE)"));
        }
        Ok(text)
    };

    // The target list, `*` expanded.
    let mut targets: Vec<Expr> = Vec::new();
    for item in &sel.projection {
        match item {
            SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => {
                targets.push(unqualify(e)?)
            }
            SelectItem::Wildcard(opts) => {
                if opts.opt_exclude.is_some()
                    || opts.opt_except.is_some()
                    || opts.opt_rename.is_some()
                    || opts.opt_replace.is_some()
                    || opts.opt_ilike.is_some()
                {
                    return Err(unproven("a * with options"));
                }
                let Some(r) = relation else {
                    return Err(unproven("SELECT * without FROM"));
                };
                for c in &r.columns {
                    targets.push(Expr::Identifier(sqlparser::ast::Ident::with_quote(
                        '"', &c.name,
                    )));
                }
            }
            _ => return Err(unproven("a qualified * or an unsupported target")),
        }
    }
    if targets.len() != names.len() {
        return Err(unproven(
            "the view's column names do not match its target list",
        ));
    }
    let mut text = String::from(" SELECT ");
    let mut out_types = Vec::new();
    for (i, (e, name)) in targets.iter().zip(names).enumerate() {
        let mut node = analyzer.transform(e)?;
        if node.type_id() == crate::catalog::oid::UNKNOWN {
            // An untyped literal output column is resolved as text
            // (`resolveTargetListUnknowns`).
            if !node.is_unknown_const() {
                return Err(unproven("an output column of unknown type"));
            }
            node = analyzer.coerce_to_target(
                node,
                crate::catalog::oid::TEXT,
                -1,
                crate::catalog::CoercionContext::Implicit,
                super::node::Form::ImplicitCast,
                "an untyped output column",
            )?;
        }
        out_types.push(format_type(&env, node.type_id(), node.typmod())?);
        if i > 0 {
            text.push_str(",\n    ");
        }
        text.push_str(&print(&node)?);
        let bare = matches!(&node, Node::Var { name: n, .. } if n == name);
        if !bare {
            text.push_str(" AS ");
            text.push_str(&quote_ident(name));
        }
    }
    if let Some(r) = relation {
        text.push_str("\n   FROM ");
        text.push_str(&r.from_sql);
    }
    if let Some(w) = &sel.selection {
        let node = analyzer.transform(&unqualify(w)?)?;
        let node = analyzer.coerce_to_boolean(node, "WHERE")?;
        text.push_str("\n  WHERE ");
        text.push_str(&print(&node)?);
    }
    // A plain column of the relation: what GROUP BY and ORDER BY may name.
    let column_of = |e: &Expr| -> Result<String, Unproven> {
        let e = unqualify(e)?;
        let Expr::Identifier(id) = &e else {
            return Err(unproven(
                "GROUP BY or ORDER BY of something other than a column",
            ));
        };
        let name = crate::parse::fold_ident(&id.value, id.quote_style.is_some());
        if !columns.iter().any(|c| c.name == name) {
            return Err(unproven("GROUP BY or ORDER BY of an output column name"));
        }
        Ok(name)
    };
    match &sel.group_by {
        GroupByExpr::Expressions(exprs, modifiers) if modifiers.is_empty() => {
            if !exprs.is_empty() {
                let mut items = Vec::new();
                for e in exprs {
                    let c = column_of(e)?;
                    items.push(format!("{prefix}.{}", quote_ident(&c)));
                }
                text.push_str("\n  GROUP BY ");
                text.push_str(&items.join(", "));
            }
        }
        _ => return Err(unproven("GROUP BY ALL or grouping sets")),
    }
    if let Some(ob) = &query.order_by {
        let OrderByKind::Expressions(exprs) = &ob.kind else {
            return Err(unproven("ORDER BY ALL"));
        };
        let mut items = Vec::new();
        for o in exprs {
            let c = column_of(&o.expr)?;
            // An output column of that name that is not this column would
            // be what ORDER BY means.
            if let Some(i) = names.iter().position(|n| *n == c) {
                let same = matches!(&targets[i], Expr::Identifier(id)
                    if crate::parse::fold_ident(&id.value, id.quote_style.is_some()) == c);
                if !same {
                    return Err(unproven("ORDER BY an output column name"));
                }
            }
            let mut item = format!("{prefix}.{}", quote_ident(&c));
            let desc = match &o.options.sort {
                None | Some(OrderBySort::Asc) => false,
                Some(OrderBySort::Desc) => true,
                Some(OrderBySort::Using(_)) => return Err(unproven("ORDER BY … USING")),
            };
            if desc {
                item.push_str(" DESC");
            }
            match o.options.nulls_first {
                Some(true) if !desc => item.push_str(" NULLS FIRST"),
                Some(false) if desc => item.push_str(" NULLS LAST"),
                _ => {}
            }
            items.push(item);
        }
        text.push_str("\n  ORDER BY ");
        text.push_str(&items.join(", "));
    }
    match &query.limit_clause {
        None => {}
        Some(LimitClause::LimitOffset {
            limit,
            offset,
            limit_by,
        }) if limit_by.is_empty() => {
            // The server prints OFFSET first.
            if let Some(o) = offset {
                text.push_str("\n OFFSET ");
                text.push_str(&integer(&o.value)?);
            }
            if let Some(l) = limit {
                text.push_str("\n LIMIT ");
                text.push_str(&integer(l)?);
            }
        }
        _ => return Err(unproven("an unsupported LIMIT")),
    }
    text.push(';');
    Ok(ViewDef {
        text,
        types: out_types,
    })
}

/// A LIMIT or OFFSET count: a non-negative integer literal.
fn integer(e: &Expr) -> Result<String, Unproven> {
    if let Expr::Value(v) = e {
        if let Value::Number(n, false) = &v.value {
            if n.chars().all(|c| c.is_ascii_digit()) {
                if let Ok(x) = n.parse::<i64>() {
                    return Ok(x.to_string());
                }
            }
        }
    }
    Err(unproven(
        "LIMIT or OFFSET of something other than an integer",
    ))
}

/// `q.col` / `ns.q.col` → `col` when the qualifier names the relation.
fn strip_qualifiers(e: &Expr, relation: Option<&Relation>) -> Result<Expr, Unproven> {
    use std::ops::ControlFlow;
    let mut e = e.clone();
    let mut bad = None;
    let _ = sqlparser::ast::visit_expressions_mut(&mut e, |x| {
        if let Expr::CompoundIdentifier(ids) = x {
            let folded: Vec<String> = ids
                .iter()
                .map(|i| crate::parse::fold_ident(&i.value, i.quote_style.is_some()))
                .collect();
            let (qual, _) = folded.split_at(folded.len().saturating_sub(1));
            let ok = relation.is_some_and(|r| r.qualifiers.iter().any(|q| q.as_slice() == qual));
            if ok {
                if let Some(last) = ids.last().cloned() {
                    *x = Expr::Identifier(last);
                }
            } else {
                bad = Some(folded.join("."));
                return ControlFlow::Break(());
            }
        }
        ControlFlow::<()>::Continue(())
    });
    match bad {
        Some(b) => Err(unproven(format!("the column reference {b}"))),
        None => Ok(e),
    }
}
