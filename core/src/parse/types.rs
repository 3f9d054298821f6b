//! CREATE TYPE (enums, composite types, range types and shell types) and
//! collation names.

use sqlparser::tokenizer::Token;

use super::{fold_ident, Cursor, PResult, QName, RangeParam, Stmt};

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
            let params = self.range_params()?;
            if !self.at_end() {
                return Err(self.expected("the end of the statement"));
            }
            return Ok(Stmt::CreateRange { name, params });
        }
        if self.at_end() {
            return Ok(Stmt::CreateShellType { name });
        }
        Err(self
            .err_here("strata does not understand this CREATE TYPE (base types are not supported)")
            .with_help(
                "mark the statement with `-- strata:ignore` if it changes nothing strata models",
            ))
    }

    /// `( name [= value], … )` of `CREATE TYPE … AS RANGE`: `subtype`
    /// takes a type, the others a (qualified) name or a string.
    fn range_params(&mut self) -> PResult<Vec<RangeParam>> {
        self.expect(&Token::LParen)?;
        let mut params = Vec::new();
        loop {
            let key = self.ident()?;
            self.expect(&Token::Eq)?;
            let param = match key.as_str() {
                "subtype" => RangeParam::Subtype(self.data_type()?.0),
                "subtype_opclass" => RangeParam::SubtypeOpclass(self.name_or_string()?),
                "collation" => RangeParam::Collation(self.name_or_string()?),
                "canonical" => RangeParam::Canonical(self.name_or_string()?),
                "subtype_diff" => RangeParam::SubtypeDiff(self.name_or_string()?),
                "multirange_type_name" => RangeParam::MultirangeTypeName(self.name_or_string()?),
                _ => {
                    // The value is not read: skip it to the next comma.
                    let mut depth = 0i32;
                    loop {
                        match self.peek().token {
                            Token::EOF => break,
                            Token::Comma | Token::RParen if depth == 0 => break,
                            Token::LParen => depth += 1,
                            Token::RParen => depth -= 1,
                            _ => {}
                        }
                        self.p.next_token();
                    }
                    RangeParam::Unknown(key)
                }
            };
            params.push(param);
            if !self.eat(&Token::Comma) {
                break;
            }
        }
        self.expect(&Token::RParen)?;
        Ok(params)
    }

    /// A (qualified) name, or a string taken as one name
    /// (`defGetQualifiedName`).
    fn name_or_string(&mut self) -> PResult<QName> {
        if let Token::SingleQuotedString(_) = self.peek().token {
            return Ok(QName {
                schema: None,
                name: self.string()?,
            });
        }
        self.qname()
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
