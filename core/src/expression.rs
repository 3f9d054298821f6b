//! Replay's side of [`Expression`]s: what the server stores for an
//! expression written in a table, worked out once the table's columns are
//! known ([`crate::analyze`]), and kept right when the table changes under
//! it (a column renamed or retyped).

use sqlparser::ast::{visit_expressions_mut, Expr, Ident};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::Token;
use std::ops::ControlFlow;

use crate::analyze::{self, Role, Scope};
use crate::model::{quote_ident, Column, Expression, Schema, Stored};
use crate::parse::{column_refs, fold_ident};

/// The reason an expression carries until replay has analysed it.
pub const NOT_ANALYSED: &str = "not analysed";

/// Parses one expression (PostgreSqlDialect), the whole text.
pub fn parse(text: &str) -> Result<Expr, String> {
    let dialect = PostgreSqlDialect {};
    let mut p = Parser::new(&dialect)
        .try_with_sql(text)
        .map_err(|e| format!("cannot read expression: {e}"))?;
    let e = p
        .parse_expr()
        .map_err(|e| format!("cannot read expression: {e}"))?;
    if p.peek_token().token != Token::EOF {
        return Err("cannot read expression: unexpected text after it".to_string());
    }
    Ok(e)
}

/// Whether replay still has to work out what the server stores.
pub fn pending(e: &Expression) -> bool {
    matches!(&e.stored, Stored::Unproven { reason, .. } if reason == NOT_ANALYSED)
}

/// The text analysis starts from: the server's text when known (it parses
/// back to the tree the server holds), else the text as written.
fn source(e: &Expression) -> &str {
    e.exact().unwrap_or(&e.sql)
}

/// `e` analysed in `role` over `columns`: the server's text when strata can
/// derive it, else unproven with the reason and a key of its tokens and the
/// types of the columns it reads.
pub fn resolve(e: &Expression, columns: &[Column], schema: &Schema, role: Role) -> Expression {
    // A pending expression carries the text to analyse in its key.
    let text = match &e.stored {
        Stored::Unproven { reason, key } if reason == NOT_ANALYSED => key.as_str(),
        _ => source(e),
    };
    let ast = match parse(text) {
        Ok(a) => a,
        Err(reason) => {
            return Expression {
                sql: e.sql.clone(),
                stored: Stored::Unproven {
                    reason,
                    key: format!("{text}|"),
                },
            }
        }
    };
    let scope = Scope { columns, schema };
    let stored = match analyze::stored(&ast, &scope, role) {
        Ok(text) => Stored::Exact { text },
        Err(u) => {
            // What the session decides (its TimeZone, the time the statement
            // ran) is not in the text: two such expressions are never the
            // same by their text, so each analysis gets its own key.
            let key = if session_dependent(&u.reason) {
                static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
                let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                format!("{}|session-dependent #{n}", unproven_key(&ast, columns))
            } else {
                unproven_key(&ast, columns)
            };
            Stored::Unproven {
                reason: u.reason,
                key,
            }
        }
    };
    Expression {
        sql: e.sql.clone(),
        stored,
    }
}

/// Whether an unproven expression's value depends on the session that ran
/// the DDL (its `TimeZone`, the moment it ran), not on its text alone.
fn session_dependent(reason: &str) -> bool {
    reason.contains("session's TimeZone") || reason.contains("depends on when the statement ran")
}

/// Tokens of the expression plus the types of the columns it reads: two
/// unproven expressions compare equal only when both agree.
fn unproven_key(ast: &Expr, columns: &[Column]) -> String {
    let mut refs = column_refs(ast);
    refs.sort();
    refs.dedup();
    let types: Vec<String> = refs
        .iter()
        .map(|r| {
            let t = columns
                .iter()
                .find(|c| &c.name == r)
                .map_or("?", |c| c.data_type.as_str());
            format!("{}:{t}", quote_ident(r))
        })
        .collect();
    format!("{ast}|{}", types.join(","))
}

/// Whether the expression reads column `col`.
pub fn mentions(e: &Expression, col: &str) -> bool {
    match parse(&e.sql) {
        Ok(ast) => column_refs(&ast).iter().any(|c| c == col),
        // Unreadable: assume it does (dropping the column then fails loudly
        // rather than leaving an expression over a missing column).
        Err(_) => true,
    }
}

/// `e` with column `old` renamed to `new`, to be analysed again: the server
/// keeps the tree and prints the new name.
pub fn rename(e: &Expression, old: &str, new: &str) -> Expression {
    let rn = |text: &str| -> Option<String> {
        let mut ast = parse(text).ok()?;
        let _ = visit_expressions_mut(&mut ast, |x| {
            match x {
                Expr::Identifier(id) if fold_ident(&id.value, id.quote_style.is_some()) == old => {
                    *id = ident(new);
                }
                Expr::CompoundIdentifier(parts) => {
                    if let Some(last) = parts.last_mut() {
                        if fold_ident(&last.value, last.quote_style.is_some()) == old {
                            *last = ident(new);
                        }
                    }
                }
                _ => {}
            }
            ControlFlow::<()>::Continue(())
        });
        Some(ast.to_string())
    };
    let sql = rn(&e.sql).unwrap_or_else(|| e.sql.clone());
    // Analyse from the server's renamed text when it was known.
    let from = rn(source(e)).unwrap_or_else(|| sql.clone());
    Expression {
        sql,
        stored: Stored::Unproven {
            reason: NOT_ANALYSED.to_string(),
            key: from,
        },
    }
}

/// `e` to be analysed again after a column it reads was retyped: the server
/// re-reads its stored text, which is also what it now prints.
pub fn retyped(e: &Expression) -> Expression {
    let text = source(e).to_string();
    Expression {
        sql: text.clone(),
        stored: Stored::Unproven {
            reason: NOT_ANALYSED.to_string(),
            key: text,
        },
    }
}

fn ident(name: &str) -> Ident {
    let q = quote_ident(name);
    if q.starts_with('"') {
        Ident::with_quote('"', name)
    } else {
        Ident::new(name)
    }
}

/// Replaces `from` by `to` in the server's text of `e` (and in the text as
/// written), where `from` is not followed by a character that continues
/// an identifier: a renamed type or enum label, which the server prints
/// anew because it stores OIDs.
pub fn replace_in_server_text(e: &mut Expression, from: &str, to: &str) {
    fn rep(text: &str, from: &str, to: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(i) = rest.find(from) {
            let after = &rest[i + from.len()..];
            let continues = after.chars().next().is_some_and(|c| {
                c.is_alphanumeric() || c == '_' || c == '$' || c == '"' || c == '.'
            });
            out.push_str(&rest[..i]);
            out.push_str(if continues { from } else { to });
            rest = after;
        }
        out.push_str(rest);
        out
    }
    let mut server_changed = false;
    if let Stored::Exact { text } = &mut e.stored {
        if text.contains(from) {
            *text = rep(text, from, to);
            server_changed = true;
        }
    }
    if e.sql.contains(from) {
        e.sql = rep(&e.sql, from, to);
    } else if server_changed {
        // The text as written names the object some other way: the
        // server's text is the one that still means the same.
        e.sql = e.exact().unwrap_or_default().to_string();
    }
}

/// Whether a default is what the server stores as a bare null constant,
/// which it then does not keep: `NULL`, or `NULL` cast to exactly the
/// column's type (a cast to another type or type modifier leaves a
/// coercion on top, which the server keeps).
pub fn is_null_constant(e: &Expression, column_type: &str) -> bool {
    let Ok(mut ast) = parse(&e.sql) else {
        return false;
    };
    while let Expr::Nested(x) = ast {
        ast = *x;
    }
    let is_null = |x: &Expr| {
        let mut x = x;
        while let Expr::Nested(y) = x {
            x = y;
        }
        matches!(x, Expr::Value(v) if v.value == sqlparser::ast::Value::Null)
    };
    match &ast {
        x if is_null(x) => true,
        Expr::Cast {
            expr, data_type, ..
        } => {
            is_null(expr) && crate::normalize::data_type(data_type).is_ok_and(|t| t == column_type)
        }
        _ => false,
    }
}

/// Whether the expression calls a function named `name` (unqualified or in
/// any schema; any overload).
pub fn calls(e: &Expression, name: &str) -> bool {
    let Ok(mut ast) = parse(&e.sql) else {
        // Unreadable text: assume it might, so a drop is not let through.
        return true;
    };
    let mut found = false;
    let _ = visit_expressions_mut(&mut ast, |x| {
        if let Expr::Function(f) = x {
            if let Some(last) = f.name.0.last() {
                let id = last
                    .as_ident()
                    .cloned()
                    .unwrap_or_else(|| Ident::new(last.to_string()));
                if fold_ident(&id.value, id.quote_style.is_some()) == name {
                    found = true;
                }
            }
        }
        ControlFlow::<()>::Continue(())
    });
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn analysed(sql: &str, column_type: &str) -> Expression {
        let columns = [Column::new("at", column_type)];
        let schema = Schema::default();
        let e = Expression::written(sql, parse(sql).unwrap().to_string());
        resolve(&e, &columns, &schema, Role::Default { column_type })
    }

    /// The same zone-less timestamptz literal, analysed twice (a declared
    /// schema and a history): the sessions may have had other TimeZones, so
    /// the two are not proven equal; a literal with its zone is.
    #[test]
    fn session_dependent_literals_are_never_equal_by_text() {
        let tz = "timestamp with time zone";
        let a = analysed("'2020-01-01 10:00'", tz);
        let b = analysed("'2020-01-01 10:00'", tz);
        assert!(
            a.unproven().is_some_and(|r| r.contains("TimeZone")),
            "{a:?}"
        );
        assert_ne!(a, b);
        assert_eq!(a, a.clone());
        let c = analysed("'2020-01-01 10:00+00'", tz);
        assert_eq!(c, analysed("'2020-01-01 10:00+00'", tz));
        assert!(c.exact().is_some());
        let now = analysed("'now'", tz);
        assert_ne!(now, analysed("'now'", tz));
        // Not session-dependent: unproven alike, equal.
        let f = analysed("my_func()", tz);
        assert!(f.unproven().is_some());
        assert_eq!(f, analysed("my_func()", tz));
    }
}
