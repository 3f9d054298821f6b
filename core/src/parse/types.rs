//! CREATE TYPE (enums and composite types; range types kept by name) and
//! collation names.

use sqlparser::tokenizer::Token;

use super::{fold_ident, Cursor, PResult, Stmt, UnmanagedOp};

impl<'a> Cursor<'a> {
    pub(super) fn create_type(&mut self) -> PResult<Stmt> {
        let name = self.qname()?;
        if self.eat_kw("AS") {
            if self.eat_kw("ENUM") {
                self.expect(&Token::LParen)?;
                let mut values = Vec::new();
                if !self.eat(&Token::RParen) {
                    loop {
                        values.push(self.string()?);
                        if !self.eat(&Token::Comma) {
                            break;
                        }
                    }
                    self.expect(&Token::RParen)?;
                }
                return Ok(Stmt::CreateEnum { name, values });
            }
            if self.eat(&Token::LParen) {
                let attributes = self.composite_attributes()?;
                if !self.at_end() {
                    return Err(self.expected("the end of the statement"));
                }
                return Ok(Stmt::CreateComposite { name, attributes });
            }
            if !self.eat_kw("RANGE") {
                return Err(self.expected("ENUM, RANGE or ( after AS"));
            }
            let kind = crate::model::UnmanagedKind::RangeType;
            self.skip_rest();
            return Ok(Stmt::Unmanaged {
                kind,
                op: UnmanagedOp::Create {
                    name: format!(
                        "{}.{}",
                        crate::model::quote_ident(name.schema.as_deref().unwrap_or("public")),
                        crate::model::quote_ident(&name.name)
                    ),
                    or_replace: false,
                    if_not_exists: false,
                },
            });
        }
        Err(self
            .err_here("strata does not understand this CREATE TYPE (base types are not supported)")
            .with_help(
                "mark the statement with `-- strata:ignore` if it changes nothing strata models",
            ))
    }

    pub(super) fn collation_name(&mut self) -> PResult<String> {
        let q = self.qname()?;
        Ok(match q.schema.as_deref() {
            None | Some("pg_catalog") | Some("public") => crate::model::quote_ident(&q.name),
            Some(s) => format!(
                "{}.{}",
                crate::model::quote_ident(s),
                crate::model::quote_ident(&q.name)
            ),
        })
    }
}

pub(super) fn collation_of(name: &sqlparser::ast::ObjectName) -> String {
    let parts: Vec<String> = name
        .0
        .iter()
        .filter_map(|p| p.as_ident())
        .map(|i| fold_ident(&i.value, i.quote_style.is_some()))
        .collect();
    match parts.as_slice() {
        [n] => crate::model::quote_ident(n),
        [s, n] if s == "pg_catalog" || s == "public" => crate::model::quote_ident(n),
        [s, n] => format!(
            "{}.{}",
            crate::model::quote_ident(s),
            crate::model::quote_ident(n)
        ),
        _ => name.to_string(),
    }
}
