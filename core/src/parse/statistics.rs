//! Extended statistics (`statscmds.c`): `CREATE STATISTICS`, `ALTER
//! STATISTICS … SET STATISTICS | RENAME TO | SET SCHEMA | OWNER TO`, `DROP
//! STATISTICS`.

use sqlparser::ast::Expr;
use sqlparser::tokenizer::Token;

use super::{fold_ident, Cursor, PResult, StatisticsAction, StatsElem, Stmt};
use crate::model::Expression;

impl<'a> Cursor<'a> {
    /// `CREATE STATISTICS [IF NOT EXISTS] name [(kind, …)] ON elem, … FROM
    /// table` (PostgreSQL 15 requires the name), after `CREATE STATISTICS`.
    pub(super) fn create_statistics(&mut self) -> PResult<Stmt> {
        let if_not_exists = self.if_not_exists();
        if self.peek_kw("ON") {
            return Err(self
                .err_here("CREATE STATISTICS needs a name in PostgreSQL 15")
                .with_help("name the statistics object: CREATE STATISTICS name ON … FROM …"));
        }
        let name = self.qname()?;
        let mut kinds = Vec::new();
        if self.eat(&Token::LParen) {
            loop {
                kinds.push(self.ident()?);
                if !self.eat(&Token::Comma) {
                    break;
                }
            }
            self.expect(&Token::RParen)?;
        }
        self.expect_kw("ON")?;
        let mut elems = Vec::new();
        loop {
            elems.push(self.stats_elem()?);
            if !self.eat(&Token::Comma) {
                break;
            }
        }
        self.expect_kw("FROM")?;
        let tables = self.qname_list()?;
        Ok(Stmt::CreateStatistics {
            name,
            if_not_exists,
            kinds,
            elems,
            tables,
        })
    }

    /// One element of the `ON` list (gram.y's `stats_param`): a column, a
    /// function call, or a parenthesised expression (a parenthesised column
    /// is the column, as the server reads a bare `Var`).
    fn stats_elem(&mut self) -> PResult<StatsElem> {
        if self.eat(&Token::LParen) {
            let start = self.offset_of(&self.peek());
            let e = self.expr()?;
            let sql = self.written_since(start);
            self.expect(&Token::RParen)?;
            let mut inner = &e;
            while let Expr::Nested(x) = inner {
                inner = x;
            }
            if let Expr::Identifier(id) = inner {
                return Ok(StatsElem::Column(fold_ident(
                    &id.value,
                    id.quote_style.is_some(),
                )));
            }
            return Ok(StatsElem::Expression(Expression::written(
                sql,
                e.to_string(),
            )));
        }
        let at = self.peek();
        let start = self.offset_of(&at);
        let e = self.expr()?;
        match &e {
            Expr::Identifier(id) => Ok(StatsElem::Column(fold_ident(
                &id.value,
                id.quote_style.is_some(),
            ))),
            Expr::Function(_) => {
                let sql = self.written_since(start);
                Ok(StatsElem::Expression(Expression::written(
                    sql,
                    e.to_string(),
                )))
            }
            _ => Err(not_a_stats_param(self, start)),
        }
    }

    /// `ALTER STATISTICS [IF EXISTS] name …`, after `ALTER STATISTICS`.
    pub(super) fn alter_statistics(&mut self) -> PResult<Stmt> {
        let if_exists = self.if_exists();
        let name = self.qname()?;
        let action = if self.eat_kws(&["SET", "STATISTICS"]) {
            let n = self.number_i64()?;
            StatisticsAction::SetTarget(n)
        } else if self.eat_kws(&["RENAME", "TO"]) {
            StatisticsAction::Rename(self.ident()?)
        } else if self.eat_kws(&["SET", "SCHEMA"]) {
            StatisticsAction::SetSchema(self.ident()?)
        } else if self.eat_kws(&["OWNER", "TO"]) {
            StatisticsAction::Owner(self.role_spec()?)
        } else {
            return Err(self.expected("SET STATISTICS, RENAME TO, SET SCHEMA or OWNER TO"));
        };
        Ok(Stmt::AlterStatistics {
            name,
            if_exists,
            action,
        })
    }

    /// `DROP STATISTICS [IF EXISTS] name, … [CASCADE | RESTRICT]`, after
    /// `DROP STATISTICS`.
    pub(super) fn drop_statistics(&mut self) -> PResult<Stmt> {
        let if_exists = self.if_exists();
        let names = self.qname_list()?;
        self.cascade();
        Ok(Stmt::DropStatistics { names, if_exists })
    }
}

/// The syntax error PostgreSQL raises for an element that is neither a
/// column, a function call nor parenthesised.
fn not_a_stats_param(c: &Cursor<'_>, start: usize) -> super::ParseError {
    super::ParseError {
        message: "a statistics expression must be in parentheses unless it is a column or a function call: PostgreSQL would fail here with a syntax error".to_string(),
        offset: start,
        len: 1,
        help: Some(format!("write it as ({})", c.written_since(start))),
    }
}
