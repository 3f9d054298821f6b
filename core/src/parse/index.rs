//! CREATE INDEX and index elements (also used by partition keys and
//! exclusion constraints).

use sqlparser::ast::Expr;
use sqlparser::tokenizer::Token;

use super::types::collation_of;
use super::{fold_ident, CreateIndex, Cursor, IndexElem, PResult, Stmt};
use crate::model::Expression;

impl<'a> Cursor<'a> {
    /// `ALTER [COLUMN] n SET STATISTICS k[, ALTER …]` after `ALTER INDEX
    /// name`: the index column by number (as `pg_dump` writes it).
    pub(super) fn index_statistics_targets(&mut self) -> PResult<Vec<(i16, i32)>> {
        let mut targets = Vec::new();
        loop {
            self.expect_kw("ALTER")?;
            self.eat_kw("COLUMN");
            let column = match self.peek().token {
                Token::Number(..) => {
                    let at = self.err_here("column number must be in range from 1 to 32767");
                    let n = self.number_i64()?;
                    match i16::try_from(n) {
                        Ok(n) if n >= 1 => n,
                        _ => return Err(at),
                    }
                }
                Token::Word(_) => {
                    return Err(self
                        .err_here("ALTER INDEX … ALTER COLUMN by name is not supported")
                        .with_help("name the index column by its number (1 for the first), as pg_dump writes it"));
                }
                _ => return Err(self.expected("an index column number")),
            };
            self.expect_kws(&["SET", "STATISTICS"])?;
            let at = self.err_here("statistics target out of range: expected an integer");
            let k = self.number_i64()?;
            let Ok(k) = i32::try_from(k) else {
                return Err(at);
            };
            targets.push((column, k));
            if !self.eat(&Token::Comma) {
                return Ok(targets);
            }
        }
    }

    pub(super) fn create_index(&mut self, unique: bool) -> PResult<Stmt> {
        let concurrently = self.eat_kw("CONCURRENTLY");
        let if_not_exists = self.if_not_exists();
        let name = if self.peek_kw("ON") {
            None
        } else {
            Some(self.ident()?)
        };
        self.expect_kw("ON")?;
        let only = self.eat_kw("ONLY");
        let table = self.qname()?;
        let method = if self.eat_kw("USING") {
            self.ident()?
        } else {
            "btree".to_string()
        };
        self.expect(&Token::LParen)?;
        let mut keys = Vec::new();
        loop {
            keys.push(self.index_elem()?);
            if !self.eat(&Token::Comma) {
                break;
            }
        }
        self.expect(&Token::RParen)?;
        let mut include = Vec::new();
        let mut nulls_not_distinct = false;
        let mut predicate = None;
        let mut options = Vec::new();
        loop {
            if self.eat_kw("INCLUDE") {
                include = self.ident_list_parens()?;
            } else if self.peek_kw("NULLS") {
                nulls_not_distinct = self.nulls_distinct()?;
            } else if self.peek_kw("WITH") {
                self.p.next_token();
                options = self.rel_options()?;
            } else if self.eat_kw("TABLESPACE") {
                self.ident()?;
            } else if self.eat_kw("WHERE") {
                let (_, e) = self.written_expr()?;
                predicate = Some(e);
            } else {
                break;
            }
        }
        Ok(Stmt::CreateIndex(CreateIndex {
            name,
            unique,
            concurrently,
            if_not_exists,
            table,
            method: method.to_ascii_lowercase(),
            keys,
            include,
            nulls_not_distinct,
            predicate,
            options,
            only,
        }))
    }

    pub(super) fn index_elem(&mut self) -> PResult<IndexElem> {
        let start = self.offset_of(&self.peek());
        let mut e = self.expr()?;
        let mut sql = self.written_since(start);
        let mut collation = None;
        if let Expr::Collate { expr, collation: c } = e {
            collation = Some(collation_of(&c));
            e = *expr;
            sql = e.to_string();
        }
        let (key, name_part) = index_key(&e, sql);
        let mut opclass = None;
        if self.eat_kw("COLLATE") {
            collation = Some(self.collation_name()?);
        }
        if let Token::Word(w) = self.peek().token {
            let up = w.value.to_ascii_uppercase();
            if w.quote_style.is_some() || !matches!(up.as_str(), "ASC" | "DESC" | "NULLS" | "WITH")
            {
                let q = self.qname()?;
                opclass = Some(match q.schema.as_deref() {
                    None | Some("pg_catalog") | Some("public") => q.name,
                    Some(s) => format!(
                        "{}.{}",
                        crate::model::quote_ident(s),
                        crate::model::quote_ident(&q.name)
                    ),
                });
                if self.peek_is(&Token::LParen) {
                    return Err(self.err_here("operator class parameters are not supported yet"));
                }
            }
        }
        let mut descending = false;
        if self.eat_kw("DESC") {
            descending = true;
        } else {
            self.eat_kw("ASC");
        }
        let mut nulls_first = None;
        if self.eat_kws(&["NULLS", "FIRST"]) {
            nulls_first = Some(true);
        } else if self.eat_kws(&["NULLS", "LAST"]) {
            nulls_first = Some(false);
        }
        Ok(IndexElem {
            key,
            name_part,
            opclass,
            collation,
            descending,
            nulls_first,
        })
    }
}

/// The index key an element expression stands for, and the name PostgreSQL
/// gives it when it chooses an index name.
fn index_key(e: &Expr, sql: String) -> (crate::model::IndexKeyExpr, String) {
    let mut inner = e;
    while let Expr::Nested(x) = inner {
        inner = x;
    }
    match inner {
        Expr::Identifier(id) => {
            let n = fold_ident(&id.value, id.quote_style.is_some());
            (crate::model::IndexKeyExpr::Column(n.clone()), n)
        }
        _ => (
            crate::model::IndexKeyExpr::Expression(Expression::written(sql, inner.to_string())),
            crate::colname::figure_index_colname(inner).unwrap_or_else(|| "expr".to_string()),
        ),
    }
}
