//! Publications (`publicationcmds.c`, gram.y's `CreatePublicationStmt`):
//! `CREATE PUBLICATION name [FOR ALL TABLES | FOR object, …] [WITH (…)]`,
//! `ALTER PUBLICATION … ADD | SET | DROP object, … | SET (…) | RENAME TO |
//! OWNER TO`, `DROP PUBLICATION`. An object is `TABLE [ONLY] t [*] [(cols)]
//! [WHERE (…)]` or `TABLES IN SCHEMA s | CURRENT_SCHEMA`; after a comma a
//! bare name continues the kind before it.

use sqlparser::tokenizer::Token;

use super::{Cursor, PResult, PubAction, PubObject, Stmt};

impl<'a> Cursor<'a> {
    /// After `CREATE PUBLICATION`.
    pub(super) fn create_publication(&mut self) -> PResult<Stmt> {
        let name = self.ident()?;
        let mut all_tables = false;
        let mut objects = Vec::new();
        if self.eat_kw("FOR") {
            if self.eat_kws(&["ALL", "TABLES"]) {
                all_tables = true;
            } else {
                objects = self.publication_objects()?;
            }
        }
        let options = if self.eat_kw("WITH") {
            self.publication_options()?
        } else {
            Vec::new()
        };
        Ok(Stmt::CreatePublication {
            name,
            all_tables,
            objects,
            options,
        })
    }

    /// After `ALTER PUBLICATION`.
    pub(super) fn alter_publication(&mut self) -> PResult<Stmt> {
        let name = self.ident()?;
        let action = if self.eat_kw("ADD") {
            PubAction::Add(self.publication_objects()?)
        } else if self.eat_kw("DROP") {
            let objects = self.publication_objects()?;
            if objects.iter().any(|o| {
                matches!(
                    o,
                    PubObject::Table {
                        columns: Some(_),
                        ..
                    } | PubObject::Table {
                        filter: Some(_),
                        ..
                    }
                )
            }) {
                return Err(self.err_here(
                    "column list or WHERE clause must not be specified in ALTER PUBLICATION … DROP",
                ));
            }
            PubAction::Drop(objects)
        } else if self.peek_kw("SET") && matches!(self.peek_nth(1).token, Token::LParen) {
            self.expect_kw("SET")?;
            PubAction::Options(self.publication_options()?)
        } else if self.eat_kw("SET") {
            PubAction::Set(self.publication_objects()?)
        } else if self.eat_kws(&["RENAME", "TO"]) {
            PubAction::Rename(self.ident()?)
        } else if self.eat_kws(&["OWNER", "TO"]) {
            PubAction::Owner(self.role_spec()?)
        } else {
            return Err(self.expected("ADD, SET, DROP, RENAME TO or OWNER TO"));
        };
        Ok(Stmt::AlterPublication { name, action })
    }

    /// After `DROP PUBLICATION`.
    pub(super) fn drop_publication(&mut self) -> PResult<Stmt> {
        let if_exists = self.if_exists();
        let mut names = vec![self.ident()?];
        while self.eat(&Token::Comma) {
            names.push(self.ident()?);
        }
        self.cascade();
        Ok(Stmt::DropPublication { names, if_exists })
    }

    fn publication_objects(&mut self) -> PResult<Vec<PubObject>> {
        let mut out = Vec::new();
        // Whether a bare name continues TABLE (else TABLES IN SCHEMA).
        let mut tables: Option<bool> = None;
        loop {
            if self.eat_kws(&["TABLES", "IN", "SCHEMA"]) {
                tables = Some(false);
            } else if self.eat_kw("TABLE") {
                tables = Some(true);
            } else if tables.is_none() {
                return Err(self.expected("TABLE or TABLES IN SCHEMA"));
            }
            if tables == Some(true) {
                let only = self.eat_kw("ONLY");
                let name = if only && self.peek_is(&Token::LParen) {
                    self.expect(&Token::LParen)?;
                    let q = self.qname()?;
                    self.expect(&Token::RParen)?;
                    q
                } else {
                    self.qname()?
                };
                let star = self.eat(&Token::Mul);
                let only = only && !star;
                let columns = if self.eat(&Token::LParen) {
                    let mut cols = vec![self.ident()?];
                    while self.eat(&Token::Comma) {
                        cols.push(self.ident()?);
                    }
                    self.expect(&Token::RParen)?;
                    Some(cols)
                } else {
                    None
                };
                let filter = if self.eat_kw("WHERE") {
                    self.expect(&Token::LParen)?;
                    let (_, e) = self.written_expr()?;
                    self.expect(&Token::RParen)?;
                    Some(e)
                } else {
                    None
                };
                out.push(PubObject::Table {
                    name,
                    only,
                    columns,
                    filter,
                });
            } else if self.eat_kw("CURRENT_SCHEMA") {
                out.push(PubObject::Schema(None));
            } else {
                out.push(PubObject::Schema(Some(self.ident()?)));
            }
            if !self.eat(&Token::Comma) {
                break;
            }
        }
        Ok(out)
    }

    /// `( name [= value], … )`: names lower-cased, values as strings.
    fn publication_options(&mut self) -> PResult<Vec<(String, Option<String>)>> {
        self.expect(&Token::LParen)?;
        let mut out = Vec::new();
        loop {
            let name = self.ident()?;
            let value = if self.eat(&Token::Eq) {
                Some(match self.peek().token {
                    Token::Word(_) => self.ident()?,
                    Token::Number(n, _) => {
                        self.p.next_token();
                        n
                    }
                    _ => self.string()?,
                })
            } else {
                None
            };
            out.push((name, value));
            if !self.eat(&Token::Comma) {
                break;
            }
        }
        self.expect(&Token::RParen)?;
        Ok(out)
    }
}
