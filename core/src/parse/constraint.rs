//! Constraints: column and table constraints, foreign keys and their
//! actions, exclusion constraints, constraint attributes.

use sqlparser::tokenizer::Token;

use super::{ConstraintDef, ConstraintDefKind, Cursor, PResult};
use crate::model::FkAction;

impl<'a> Cursor<'a> {
    pub(super) fn column_constraint(&mut self, column: &str) -> PResult<Option<ConstraintDefKind>> {
        if self.eat_kws(&["PRIMARY", "KEY"]) {
            let include = self.index_params()?;
            return Ok(Some(ConstraintDefKind::PrimaryKey {
                columns: vec![column.to_string()],
                include,
                using_index: None,
            }));
        }
        if self.eat_kw("UNIQUE") {
            let nulls_not_distinct = self.nulls_distinct()?;
            let include = self.index_params()?;
            return Ok(Some(ConstraintDefKind::Unique {
                columns: vec![column.to_string()],
                include,
                nulls_not_distinct,
                using_index: None,
            }));
        }
        if self.eat_kw("CHECK") {
            let (expression, columns) = self.paren_predicate()?;
            let no_inherit = self.eat_kws(&["NO", "INHERIT"]);
            return Ok(Some(ConstraintDefKind::Check {
                expression,
                columns,
                no_inherit,
            }));
        }
        if self.eat_kw("REFERENCES") {
            return Ok(Some(self.references(vec![column.to_string()])?));
        }
        Ok(None)
    }

    pub(super) fn nulls_distinct(&mut self) -> PResult<bool> {
        if self.eat_kws(&["NULLS", "NOT", "DISTINCT"]) {
            Ok(true)
        } else {
            self.eat_kws(&["NULLS", "DISTINCT"]);
            Ok(false)
        }
    }

    /// `[INCLUDE (…)] [WITH (…)] [USING INDEX TABLESPACE x]` → INCLUDE columns.
    fn index_params(&mut self) -> PResult<Vec<String>> {
        let mut include = Vec::new();
        loop {
            if self.eat_kw("INCLUDE") {
                include = self.ident_list_parens()?;
            } else if self.peek_kw("WITH") && self.peek_nth(1).token == Token::LParen {
                return Err(self
                    .err_here("storage parameters of a constraint's index are not supported yet")
                    .with_help("create the index with its parameters, then add the constraint with `USING INDEX`; or mark the statement with `-- strata:ignore`"));
            } else if self.eat_kws(&["USING", "INDEX", "TABLESPACE"]) {
                self.ident()?;
            } else {
                break;
            }
        }
        Ok(include)
    }

    fn references(&mut self, columns: Vec<String>) -> PResult<ConstraintDefKind> {
        let ref_table = self.qname()?;
        let ref_columns = if self.peek_is(&Token::LParen) {
            self.ident_list_parens()?
        } else {
            Vec::new()
        };
        let mut on_delete = FkAction::NoAction;
        let mut on_update = FkAction::NoAction;
        let mut match_full = false;
        loop {
            if self.eat_kw("MATCH") {
                if self.eat_kw("FULL") {
                    match_full = true;
                } else if self.eat_kw("SIMPLE") {
                } else if self.peek_kw("PARTIAL") {
                    return Err(self.err_here("MATCH PARTIAL is not implemented by PostgreSQL"));
                } else {
                    return Err(self.expected("FULL or SIMPLE"));
                }
            } else if self.eat_kws(&["ON", "DELETE"]) {
                on_delete = self.fk_action()?;
            } else if self.eat_kws(&["ON", "UPDATE"]) {
                on_update = self.fk_action()?;
            } else {
                break;
            }
        }
        Ok(ConstraintDefKind::ForeignKey {
            columns,
            ref_table,
            ref_columns,
            on_delete,
            on_update,
            match_full,
        })
    }

    fn fk_action(&mut self) -> PResult<FkAction> {
        let a = if self.eat_kws(&["NO", "ACTION"]) {
            FkAction::NoAction
        } else if self.eat_kw("RESTRICT") {
            FkAction::Restrict
        } else if self.eat_kw("CASCADE") {
            FkAction::Cascade
        } else if self.eat_kws(&["SET", "NULL"]) {
            FkAction::SetNull
        } else if self.eat_kws(&["SET", "DEFAULT"]) {
            FkAction::SetDefault
        } else {
            return Err(self.expected("NO ACTION, RESTRICT, CASCADE, SET NULL or SET DEFAULT"));
        };
        if matches!(a, FkAction::SetNull | FkAction::SetDefault) && self.peek_is(&Token::LParen) {
            return Err(
                self.err_here("ON DELETE SET NULL/DEFAULT with a column list is not supported yet")
            );
        }
        Ok(a)
    }

    pub(super) fn constraint_attributes(&mut self, c: &mut ConstraintDef) -> PResult<()> {
        loop {
            if self.eat_kw("DEFERRABLE") {
                c.deferrable = true;
            } else if self.eat_kws(&["NOT", "DEFERRABLE"]) {
                c.deferrable = false;
            } else if self.eat_kws(&["INITIALLY", "DEFERRED"]) {
                c.initially_deferred = true;
                c.deferrable = true;
            } else if self.eat_kws(&["INITIALLY", "IMMEDIATE"]) {
                c.initially_deferred = false;
            } else if self.eat_kws(&["NOT", "VALID"]) {
                c.not_valid = true;
            } else if self.eat_kws(&["NO", "INHERIT"]) {
                if let ConstraintDefKind::Check { no_inherit, .. } = &mut c.kind {
                    *no_inherit = true;
                }
            } else {
                break;
            }
        }
        Ok(())
    }

    pub(super) fn table_constraint(&mut self) -> PResult<ConstraintDef> {
        let name = if self.eat_kw("CONSTRAINT") {
            Some(self.ident()?)
        } else {
            None
        };
        let kind = if self.eat_kws(&["PRIMARY", "KEY"]) {
            if self.eat_kws(&["USING", "INDEX"]) {
                let idx = self.ident()?;
                ConstraintDefKind::PrimaryKey {
                    columns: vec![],
                    include: vec![],
                    using_index: Some(idx),
                }
            } else {
                let columns = self.ident_list_parens()?;
                let include = self.index_params()?;
                ConstraintDefKind::PrimaryKey {
                    columns,
                    include,
                    using_index: None,
                }
            }
        } else if self.eat_kw("UNIQUE") {
            if self.eat_kws(&["USING", "INDEX"]) {
                let idx = self.ident()?;
                ConstraintDefKind::Unique {
                    columns: vec![],
                    include: vec![],
                    nulls_not_distinct: false,
                    using_index: Some(idx),
                }
            } else {
                let nulls_not_distinct = self.nulls_distinct()?;
                let columns = self.ident_list_parens()?;
                let include = self.index_params()?;
                ConstraintDefKind::Unique {
                    columns,
                    include,
                    nulls_not_distinct,
                    using_index: None,
                }
            }
        } else if self.eat_kw("CHECK") {
            let (expression, columns) = self.paren_predicate()?;
            ConstraintDefKind::Check {
                expression,
                columns,
                no_inherit: false,
            }
        } else if self.eat_kws(&["FOREIGN", "KEY"]) {
            let columns = self.ident_list_parens()?;
            self.expect_kw("REFERENCES")?;
            self.references(columns)?
        } else if self.eat_kw("EXCLUDE") {
            self.exclusion()?
        } else {
            return Err(self.expected("PRIMARY KEY, UNIQUE, CHECK, FOREIGN KEY or EXCLUDE"));
        };
        let mut c = ConstraintDef {
            name,
            kind,
            deferrable: false,
            initially_deferred: false,
            not_valid: false,
        };
        self.constraint_attributes(&mut c)?;
        Ok(c)
    }

    fn exclusion(&mut self) -> PResult<ConstraintDefKind> {
        let method = if self.eat_kw("USING") {
            self.ident()?
        } else {
            "btree".to_string()
        };
        self.expect(&Token::LParen)?;
        let mut elems = Vec::new();
        let mut columns = Vec::new();
        let mut name_parts = Vec::new();
        loop {
            let e = self.index_elem()?;
            if let crate::model::IndexKeyExpr::Column(c) = &e.key {
                columns.push(c.clone());
            }
            name_parts.push(e.name_part.clone());
            self.expect_kw("WITH")?;
            let op = self.operator()?;
            let key = match &e.key {
                crate::model::IndexKeyExpr::Column(c) => crate::model::quote_ident(c),
                crate::model::IndexKeyExpr::Expression(x) => format!("({x})"),
            };
            let mut s = key;
            if let Some(oc) = &e.opclass {
                s.push(' ');
                s.push_str(oc);
            }
            if e.descending {
                s.push_str(" DESC");
            }
            s.push_str(" WITH ");
            s.push_str(&op);
            elems.push(s);
            if !self.eat(&Token::Comma) {
                break;
            }
        }
        self.expect(&Token::RParen)?;
        let include = self.index_params()?;
        name_parts.extend(include.iter().cloned());
        let mut def = format!("USING {method} ({})", elems.join(", "));
        if !include.is_empty() {
            def.push_str(&format!(
                " INCLUDE ({})",
                include
                    .iter()
                    .map(|c| crate::model::quote_ident(c))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if self.eat_kw("WHERE") {
            let (pred, _) = self.paren_expr()?;
            def.push_str(&format!(" WHERE ({})", pred.sql));
        }
        Ok(ConstraintDefKind::Exclusion {
            definition: def,
            columns,
            name_parts,
        })
    }

    fn operator(&mut self) -> PResult<String> {
        if self.eat_kw("OPERATOR") {
            self.expect(&Token::LParen)?;
            let mut s = String::new();
            while !self.peek_is(&Token::RParen) && !self.at_end() {
                s.push_str(&self.p.next_token().token.to_string());
            }
            self.expect(&Token::RParen)?;
            return Ok(s);
        }
        let t = self.p.next_token().token;
        match t {
            Token::Word(_) | Token::EOF | Token::Comma | Token::RParen => {
                self.p.prev_token();
                Err(self.expected("an operator"))
            }
            t => Ok(t.to_string()),
        }
    }
}
