//! Event triggers (`event_trigger.c`): `CREATE EVENT TRIGGER`, `ALTER
//! EVENT TRIGGER … ENABLE [REPLICA | ALWAYS] | DISABLE | RENAME TO | OWNER
//! TO`, `DROP EVENT TRIGGER`.

use sqlparser::tokenizer::Token;

use super::{Cursor, EventTriggerAction, PResult, Stmt};
use crate::model::TriggerEnabled;

impl<'a> Cursor<'a> {
    /// After `CREATE EVENT TRIGGER`.
    pub(super) fn create_event_trigger(&mut self) -> PResult<Stmt> {
        let name = self.ident()?;
        self.expect_kw("ON")?;
        let event = self.ident()?;
        let mut filters = Vec::new();
        if self.eat_kw("WHEN") {
            loop {
                let var = self.ident()?;
                self.expect_kw("IN")?;
                self.expect(&Token::LParen)?;
                let mut values = vec![self.string()?];
                while self.eat(&Token::Comma) {
                    values.push(self.string()?);
                }
                self.expect(&Token::RParen)?;
                filters.push((var, values));
                if !self.eat_kw("AND") {
                    break;
                }
            }
        }
        self.expect_kw("EXECUTE")?;
        if !self.eat_kw("FUNCTION") {
            self.expect_kw("PROCEDURE")?;
        }
        let function = self.qname()?;
        self.expect(&Token::LParen)?;
        self.expect(&Token::RParen)?;
        Ok(Stmt::CreateEventTrigger {
            name,
            event,
            filters,
            function,
        })
    }

    /// After `ALTER EVENT TRIGGER`.
    pub(super) fn alter_event_trigger(&mut self) -> PResult<Stmt> {
        let name = self.ident()?;
        let action = if self.eat_kw("DISABLE") {
            EventTriggerAction::Enable(TriggerEnabled::Disabled)
        } else if self.eat_kw("ENABLE") {
            EventTriggerAction::Enable(if self.eat_kw("REPLICA") {
                TriggerEnabled::Replica
            } else if self.eat_kw("ALWAYS") {
                TriggerEnabled::Always
            } else {
                TriggerEnabled::Origin
            })
        } else if self.eat_kws(&["RENAME", "TO"]) {
            EventTriggerAction::Rename(self.ident()?)
        } else if self.eat_kws(&["OWNER", "TO"]) {
            EventTriggerAction::Owner(self.role_spec()?)
        } else {
            return Err(self.expected("ENABLE, DISABLE, RENAME TO or OWNER TO"));
        };
        Ok(Stmt::AlterEventTrigger { name, action })
    }

    /// After `DROP EVENT TRIGGER`.
    pub(super) fn drop_event_trigger(&mut self) -> PResult<Stmt> {
        let if_exists = self.if_exists();
        let mut names = vec![self.ident()?];
        while self.eat(&Token::Comma) {
            names.push(self.ident()?);
        }
        self.cascade();
        Ok(Stmt::DropEventTrigger { names, if_exists })
    }
}
