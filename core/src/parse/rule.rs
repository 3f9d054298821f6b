//! Rewrite rules (`rewriteDefine.c`, gram.y's `RuleStmt`): `CREATE [OR
//! REPLACE] RULE name AS ON event TO table [WHERE condition] DO [ALSO |
//! INSTEAD] { NOTHING | command | ( command ; … ) }`, `DROP RULE`, `ALTER
//! RULE … RENAME TO`, `ALTER TABLE … ENABLE | DISABLE [REPLICA | ALWAYS]
//! RULE` and the target of `COMMENT ON RULE`.

use sqlparser::tokenizer::Token;

use super::{CreateRule, Cursor, PResult, QName, Stmt, TableAction};
use crate::model::{RuleEvent, TriggerEnabled};

impl<'a> Cursor<'a> {
    /// After `CREATE [OR REPLACE] RULE`.
    pub(super) fn create_rule(&mut self, or_replace: bool) -> PResult<Stmt> {
        let name = self.ident()?;
        self.expect_kw("AS")?;
        self.expect_kw("ON")?;
        let at = self.peek();
        let event = match &at.token {
            Token::Word(w) if w.quote_style.is_none() => RuleEvent::from_keyword(&w.value),
            _ => None,
        };
        let Some(event) = event else {
            return Err(self.expected("SELECT, INSERT, UPDATE or DELETE"));
        };
        self.p.next_token();
        self.expect_kw("TO")?;
        let table = self.qname()?;
        let mut condition = None;
        if self.eat_kw("WHERE") {
            let start = self.offset_of(&self.peek());
            let mut depth = 0usize;
            let mut any = false;
            loop {
                let t = self.peek().token;
                match &t {
                    Token::EOF => return Err(self.expected("DO")),
                    Token::SemiColon if depth == 0 => {
                        return Err(self.expected("DO"));
                    }
                    Token::Word(w)
                        if depth == 0
                            && w.quote_style.is_none()
                            && w.value.eq_ignore_ascii_case("DO") =>
                    {
                        break;
                    }
                    Token::LParen => depth += 1,
                    Token::RParen => depth = depth.saturating_sub(1),
                    _ => {}
                }
                any = true;
                self.p.next_token();
            }
            if !any {
                return Err(self.expected("a condition"));
            }
            let sql = self.written_since(start);
            condition = Some(sql);
        }
        self.expect_kw("DO")?;
        let instead = if self.eat_kw("INSTEAD") {
            true
        } else {
            self.eat_kw("ALSO");
            false
        };
        let actions_start = self.offset_of(&self.peek());
        let mut commands = Vec::new();
        if self.eat_kw("NOTHING") {
        } else if self.eat(&Token::LParen) {
            loop {
                if self.eat(&Token::SemiColon) {
                    continue;
                }
                if self.eat(&Token::RParen) {
                    break;
                }
                commands.push(self.rule_command(true)?);
            }
        } else {
            commands.push(self.rule_command(false)?);
        }
        if !self.at_end() {
            return Err(self.expected("the end of the statement"));
        }
        let actions = self.written_since(actions_start);
        Ok(Stmt::CreateRule(Box::new(CreateRule {
            name,
            table,
            or_replace,
            event,
            instead,
            condition,
            commands,
            actions,
            text: self
                .text
                .trim()
                .trim_end_matches(';')
                .trim_end()
                .to_string(),
        })))
    }

    /// One command of a rule's actions, as written: to the end of the
    /// statement, or (`inner`) to the `;` or `)` that ends it inside `( … )`.
    fn rule_command(&mut self, inner: bool) -> PResult<String> {
        let start = self.offset_of(&self.peek());
        let mut depth = 0usize;
        let mut any = false;
        loop {
            let t = self.peek().token;
            match t {
                Token::EOF => {
                    if inner {
                        return Err(self.expected(")"));
                    }
                    break;
                }
                Token::SemiColon if depth == 0 => break,
                Token::RParen if depth == 0 && inner => break,
                Token::LParen => depth += 1,
                Token::RParen => depth = depth.saturating_sub(1),
                _ => {}
            }
            any = true;
            self.p.next_token();
        }
        if !any {
            return Err(self.expected("a command (SELECT, INSERT, UPDATE, DELETE or NOTIFY)"));
        }
        Ok(self.written_since(start))
    }

    /// `DROP RULE [IF EXISTS] name ON table [CASCADE | RESTRICT]`, after
    /// `DROP RULE`.
    pub(super) fn drop_rule(&mut self) -> PResult<Stmt> {
        let if_exists = self.if_exists();
        let name = self.ident()?;
        self.expect_kw("ON")?;
        let table = self.qname()?;
        self.cascade();
        Ok(Stmt::DropRule {
            name,
            table,
            if_exists,
        })
    }

    /// `ALTER RULE name ON table RENAME TO new`, after `ALTER RULE`.
    pub(super) fn alter_rule(&mut self) -> PResult<Stmt> {
        let name = self.ident()?;
        self.expect_kw("ON")?;
        let table = self.qname()?;
        self.expect_kws(&["RENAME", "TO"])?;
        let new_name = self.ident()?;
        Ok(Stmt::RenameRule {
            name,
            table,
            new_name,
        })
    }

    /// `name ON table` of `COMMENT ON RULE`.
    pub(super) fn rule_target(&mut self) -> PResult<(String, QName)> {
        let name = self.ident()?;
        self.expect_kw("ON")?;
        Ok((name, self.qname()?))
    }

    /// `ENABLE [REPLICA | ALWAYS] RULE name` / `DISABLE RULE name` in ALTER
    /// TABLE, when that is what follows.
    pub(super) fn set_rule_action(&mut self) -> PResult<Option<TableAction>> {
        let (state, words) = if self.peek_kws(&["ENABLE", "RULE"]) {
            (TriggerEnabled::Origin, 1)
        } else if self.peek_kws(&["ENABLE", "REPLICA", "RULE"]) {
            (TriggerEnabled::Replica, 2)
        } else if self.peek_kws(&["ENABLE", "ALWAYS", "RULE"]) {
            (TriggerEnabled::Always, 2)
        } else if self.peek_kws(&["DISABLE", "RULE"]) {
            (TriggerEnabled::Disabled, 1)
        } else {
            return Ok(None);
        };
        for _ in 0..words {
            self.p.next_token();
        }
        self.expect_kw("RULE")?;
        let name = self.ident()?;
        Ok(Some(TableAction::SetRule { name, state }))
    }
}

#[cfg(test)]
mod tests {
    use crate::parse::parse_statement;

    #[test]
    fn an_unclosed_condition_is_an_error_not_a_hang() {
        assert!(parse_statement("CREATE RULE r AS ON INSERT TO t WHERE (a > 0").is_err());
        assert!(
            parse_statement("CREATE RULE r AS ON INSERT TO t DO (INSERT INTO x VALUES (1)")
                .is_err()
        );
        assert!(parse_statement("CREATE RULE r AS ON INSERT TO t DO INSTEAD (;;)").is_ok());
    }
}
