//! The name PostgreSQL figures for an expression it must name itself: an
//! index column without a name (`CREATE INDEX ON t (lower(email))` is
//! `t_lower_idx`), following the rules of the server's `FigureColname`
//! (src/backend/parser/parse_target.c), applied to the statement as written.
//!
//! Every rule carries a strength, as the server's does: 2 for a good name
//! (a column, a function), 1 for a second-best one (the type of a cast, `case`),
//! 0 for none. A cast of something named less than well is named after its
//! type; a `CASE` is `case` unless its `ELSE` branch is named well.

use sqlparser::ast::{AccessExpr, DataType, Expr, TrimWhereField};

/// The name of an index expression, or `None` when PostgreSQL would fall back
/// to `expr`.
pub fn figure_index_colname(e: &Expr) -> Option<String> {
    let (strength, name) = figure(e);
    if strength > 0 {
        name
    } else {
        None
    }
}

/// The name of an output column written without an alias
/// (`FigureColname`): `?column?` when PostgreSQL finds none.
pub fn figure_colname(e: &Expr) -> String {
    figure_index_colname(e).unwrap_or_else(|| "?column?".to_string())
}

fn fold(id: &sqlparser::ast::Ident) -> String {
    crate::parse::fold_ident(&id.value, id.quote_style.is_some())
}

fn named(s: &str) -> (u8, Option<String>) {
    (2, Some(s.to_string()))
}

fn figure(e: &Expr) -> (u8, Option<String>) {
    match e {
        Expr::Identifier(id) => (2, Some(fold(id))),
        Expr::CompoundIdentifier(ids) => match ids.last() {
            Some(id) => (2, Some(fold(id))),
            None => (0, None),
        },
        // `(a).b`, `a[1]`, `(f(x)).y`: the last field name, else the base.
        Expr::CompoundFieldAccess { root, access_chain } => {
            let last_field = access_chain.iter().rev().find_map(|a| match a {
                AccessExpr::Dot(Expr::Identifier(id)) => Some(fold(id)),
                _ => None,
            });
            match last_field {
                Some(f) => (2, Some(f)),
                None => figure(root),
            }
        }
        Expr::Nested(x) => figure(x),
        Expr::Collate { expr, .. } => figure(expr),
        Expr::Function(f) => match f.name.0.last().and_then(|p| p.as_ident()) {
            Some(id) => (2, Some(fold(id))),
            None => (0, None),
        },
        // Grammar rules that the server turns into function calls.
        Expr::Extract { .. } => named("extract"),
        Expr::Substring { .. } => named("substring"),
        Expr::Position { .. } => named("position"),
        Expr::Overlay { .. } => named("overlay"),
        Expr::Ceil { .. } => named("ceil"),
        Expr::Floor { .. } => named("floor"),
        Expr::AtTimeZone { .. } => named("timezone"),
        Expr::IsNormalized { .. } => named("is_normalized"),
        Expr::Trim { trim_where, .. } => match trim_where {
            Some(TrimWhereField::Leading) => named("ltrim"),
            Some(TrimWhereField::Trailing) => named("rtrim"),
            _ => named("btrim"),
        },
        Expr::Cast {
            expr, data_type, ..
        } => {
            let (strength, name) = figure(expr);
            if strength <= 1 {
                if let Some(t) = type_name(data_type) {
                    return (1, Some(t));
                }
            }
            (strength, name)
        }
        // `DATE '2020-01-01'`, `INTERVAL '1 day'`: a cast of a constant.
        Expr::TypedString(ts) => match type_name(&ts.data_type) {
            Some(t) => (1, Some(t)),
            None => (0, None),
        },
        Expr::Interval(_) => (1, Some("interval".to_string())),
        Expr::Case { else_result, .. } => {
            let (strength, name) = match else_result {
                Some(x) => figure(x),
                None => (0, None),
            };
            if strength <= 1 {
                (1, Some("case".to_string()))
            } else {
                (strength, name)
            }
        }
        Expr::Array(_) => named("array"),
        Expr::Tuple(_) => named("row"),
        Expr::Exists { .. } => named("exists"),
        _ => (0, None),
    }
}

/// The last name of a cast's type as the server's grammar writes it: the
/// internal name for the types SQL spells with keywords (`integer` is
/// `int4`, `character varying` is `varchar`), the name as written for any
/// other (`text`, `mood`), array bounds and modifiers left out.
fn type_name(dt: &DataType) -> Option<String> {
    match dt {
        DataType::Custom(name, _) => {
            return name.0.last().and_then(|p| p.as_ident()).map(fold);
        }
        DataType::Array(elem) => {
            use sqlparser::ast::ArrayElemTypeDef as A;
            return match elem {
                A::SquareBracket(t, _)
                | A::Qualified(t, _)
                | A::AngleBracket(t)
                | A::Parenthesis(t)
                | A::ParenthesisNotNull(t) => type_name(t),
                A::None => None,
            };
        }
        _ => {}
    }
    let canonical = crate::normalize::data_type(dt).ok()?;
    let base = match canonical.find('(') {
        Some(i) => &canonical[..i],
        None => canonical.as_str(),
    };
    let base = base.trim_end_matches("[]");
    // `timestamp(3) with time zone`: the modifier sits inside.
    let base = if canonical.contains(" with time zone") {
        if base.starts_with("timestamp") {
            "timestamp with time zone"
        } else {
            "time with time zone"
        }
    } else if canonical.starts_with("interval") {
        "interval"
    } else {
        base
    };
    Some(
        match base {
            "integer" => "int4",
            "smallint" => "int2",
            "bigint" => "int8",
            "real" => "float4",
            "double precision" => "float8",
            "boolean" => "bool",
            "character varying" => "varchar",
            "character" => "bpchar",
            "timestamp without time zone" => "timestamp",
            "timestamp with time zone" => "timestamptz",
            "time without time zone" => "time",
            "time with time zone" => "timetz",
            "bit varying" => "varbit",
            other => other,
        }
        .to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name_of(sql: &str) -> Option<String> {
        let dialect = sqlparser::dialect::PostgreSqlDialect {};
        let e = sqlparser::parser::Parser::new(&dialect)
            .try_with_sql(sql)
            .unwrap()
            .parse_expr()
            .unwrap();
        figure_index_colname(&e)
    }

    /// Names read back from PostgreSQL 15 (`CREATE INDEX ON t (…)` without a
    /// name, then `pg_class.relname`); tests/replay_live.rs checks them live.
    #[test]
    fn names_the_server_chose() {
        assert_eq!(name_of("(a + b)::bigint").as_deref(), Some("int8"));
        assert_eq!(name_of("extract(year from at)").as_deref(), Some("extract"));
        assert_eq!(
            name_of("trim(leading 'x' from email)").as_deref(),
            Some("ltrim")
        );
        assert_eq!(
            name_of("CASE WHEN a > 0 THEN 1 ELSE 0 END").as_deref(),
            Some("case")
        );
        assert_eq!(
            name_of("CASE WHEN a > 0 THEN 1 ELSE b END").as_deref(),
            Some("b")
        );
        assert_eq!(name_of("a::text").as_deref(), Some("a"));
        assert_eq!(name_of("(a + b)").as_deref(), None);
    }
}
