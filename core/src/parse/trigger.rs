//! Triggers (PostgreSQL's `CreateTrigStmt` and friends): `CREATE [OR
//! REPLACE] [CONSTRAINT] TRIGGER`, `DROP TRIGGER`, `ALTER TRIGGER … RENAME`,
//! `ALTER TABLE … ENABLE | DISABLE TRIGGER` and the target of `COMMENT ON
//! TRIGGER`.

use sqlparser::tokenizer::Token;

use super::{
    fold_ident, CreateTrigger, Cursor, PResult, QName, Stmt, TableAction, TriggerSelector,
};
use crate::model::{Expression, TriggerEnabled, TriggerEvents, TriggerTiming};

impl<'a> Cursor<'a> {
    /// After `CREATE [OR REPLACE]`, at `[CONSTRAINT] TRIGGER`.
    pub(super) fn create_trigger(&mut self, or_replace: bool) -> PResult<Stmt> {
        let constraint = self.eat_kw("CONSTRAINT");
        if constraint && or_replace {
            return Err(self.err_here("CREATE OR REPLACE CONSTRAINT TRIGGER is not supported"));
        }
        self.expect_kw("TRIGGER")?;
        let name = self.ident()?;
        let timing = if self.eat_kw("BEFORE") {
            TriggerTiming::Before
        } else if self.eat_kw("AFTER") {
            TriggerTiming::After
        } else if self.eat_kws(&["INSTEAD", "OF"]) {
            TriggerTiming::InsteadOf
        } else {
            return Err(self.expected("BEFORE, AFTER or INSTEAD OF"));
        };
        if constraint && timing != TriggerTiming::After {
            return Err(self.expected("AFTER (a constraint trigger fires after the event)"));
        }
        let mut events = TriggerEvents::default();
        loop {
            let at = self.peek();
            let dup = if self.eat_kw("INSERT") {
                std::mem::replace(&mut events.insert, true)
            } else if self.eat_kw("DELETE") {
                std::mem::replace(&mut events.delete, true)
            } else if self.eat_kw("TRUNCATE") {
                std::mem::replace(&mut events.truncate, true)
            } else if self.eat_kw("UPDATE") {
                let d = std::mem::replace(&mut events.update, true);
                if self.eat_kw("OF") {
                    loop {
                        events.update_of.push(self.ident()?);
                        if !self.eat(&Token::Comma) {
                            break;
                        }
                    }
                }
                d
            } else {
                return Err(self.expected("INSERT, UPDATE, DELETE or TRUNCATE"));
            };
            if dup {
                let offset = self.offset_of(&at);
                let mut e = self.err_here("duplicate trigger events specified");
                e.offset = offset;
                return Err(e);
            }
            if !self.eat_kw("OR") {
                break;
            }
        }
        self.expect_kw("ON")?;
        let table = self.qname()?;
        let mut from = None;
        let (mut deferrable, mut initially_deferred) = (false, false);
        if constraint {
            if self.eat_kw("FROM") {
                from = Some(self.qname()?);
            }
            loop {
                if self.eat_kws(&["NOT", "DEFERRABLE"]) {
                    deferrable = false;
                } else if self.eat_kw("DEFERRABLE") {
                    deferrable = true;
                } else if self.eat_kws(&["INITIALLY", "DEFERRED"]) {
                    initially_deferred = true;
                } else if self.eat_kws(&["INITIALLY", "IMMEDIATE"]) {
                    initially_deferred = false;
                } else {
                    break;
                }
            }
            if initially_deferred && !deferrable {
                // gram.y: INITIALLY DEFERRED implies DEFERRABLE.
                deferrable = true;
            }
        }
        let (mut old_table, mut new_table) = (None, None);
        if self.eat_kw("REFERENCING") {
            let mut any = false;
            loop {
                let is_new = if self.eat_kw("OLD") {
                    false
                } else if self.eat_kw("NEW") {
                    true
                } else {
                    break;
                };
                if !(self.eat_kw("TABLE")) {
                    return Err(self.expected("TABLE (OLD ROW / NEW ROW are not supported)"));
                }
                self.eat_kw("AS");
                let n = self.ident()?;
                let slot = if is_new {
                    &mut new_table
                } else {
                    &mut old_table
                };
                if slot.is_some() {
                    return Err(self.err_here(format!(
                        "{} TABLE cannot be specified multiple times",
                        if is_new { "NEW" } else { "OLD" }
                    )));
                }
                *slot = Some(n);
                any = true;
            }
            if !any {
                return Err(self.expected("OLD TABLE or NEW TABLE"));
            }
        }
        let mut for_each_row = false;
        if self.eat_kw("FOR") {
            self.eat_kw("EACH");
            if self.eat_kw("ROW") {
                for_each_row = true;
            } else if self.eat_kw("STATEMENT") {
                if constraint {
                    return Err(self.expected("ROW (a constraint trigger is FOR EACH ROW)"));
                }
            } else {
                return Err(self.expected("ROW or STATEMENT"));
            }
        } else if constraint {
            return Err(self.expected("FOR EACH ROW"));
        }
        let (mut when, mut when_refs) = (None, Vec::new());
        if self.eat_kw("WHEN") {
            let (e, refs) = self.trigger_when()?;
            when = Some(e);
            when_refs = refs;
        }
        self.expect_kw("EXECUTE")?;
        if !self.eat_kw("FUNCTION") && !self.eat_kw("PROCEDURE") {
            return Err(self.expected("FUNCTION or PROCEDURE"));
        }
        let function = self.qname()?;
        self.expect(&Token::LParen)?;
        let mut arguments = Vec::new();
        if !self.eat(&Token::RParen) {
            loop {
                arguments.push(self.trigger_argument()?);
                if !self.eat(&Token::Comma) {
                    break;
                }
            }
            self.expect(&Token::RParen)?;
        }
        Ok(Stmt::CreateTrigger(Box::new(CreateTrigger {
            name,
            table,
            or_replace,
            constraint,
            timing,
            events,
            for_each_row,
            when,
            when_refs,
            function,
            arguments,
            old_table,
            new_table,
            from,
            deferrable,
            initially_deferred,
            text: self
                .text
                .trim()
                .trim_end_matches(';')
                .trim_end()
                .to_string(),
        })))
    }

    /// `( condition )` after WHEN: the text as written, and the `OLD` /
    /// `NEW` columns it reads. The tokens are kept as the comparison key.
    fn trigger_when(&mut self) -> PResult<(Expression, Vec<(bool, String)>)> {
        self.expect(&Token::LParen)?;
        let start = self.offset_of(&self.peek());
        let mut depth = 0usize;
        let mut tokens: Vec<Token> = Vec::new();
        loop {
            let t = self.peek().token;
            match t {
                Token::EOF => return Err(self.expected(")")),
                Token::LParen => depth += 1,
                Token::RParen if depth == 0 => break,
                Token::RParen => depth -= 1,
                _ => {}
            }
            self.p.next_token();
            if !matches!(t, Token::Whitespace(_)) {
                tokens.push(t);
            }
        }
        if tokens.is_empty() {
            return Err(self.expected("a condition"));
        }
        let sql = self.written_since(start);
        self.expect(&Token::RParen)?;
        let mut refs = Vec::new();
        for w in tokens.windows(3) {
            if let (Token::Word(rel), Token::Period, last) = (&w[0], &w[1], &w[2]) {
                let rel = fold_ident(&rel.value, rel.quote_style.is_some());
                let is_new = match rel.as_str() {
                    "new" => true,
                    "old" => false,
                    _ => continue,
                };
                let col = match last {
                    Token::Word(c) => fold_ident(&c.value, c.quote_style.is_some()),
                    Token::Mul => "*".to_string(),
                    _ => continue,
                };
                if !refs.contains(&(is_new, col.clone())) {
                    refs.push((is_new, col));
                }
            }
        }
        // A lone `new` / `old` (a whole row, as in `new IS NOT NULL`).
        for (i, t) in tokens.iter().enumerate() {
            if let Token::Word(w) = t {
                let v = fold_ident(&w.value, w.quote_style.is_some());
                let next_is_period = matches!(tokens.get(i + 1), Some(Token::Period));
                let prev_is_period = i > 0 && matches!(tokens[i - 1], Token::Period);
                if (v == "new" || v == "old") && !next_is_period && !prev_is_period {
                    let r = (v == "new", "*".to_string());
                    if !refs.contains(&r) {
                        refs.push(r);
                    }
                }
            }
        }
        let key: Vec<String> = tokens.iter().map(|t| t.to_string()).collect();
        Ok((Expression::written(sql, key.join(" ")), refs))
    }

    /// One argument of `EXECUTE FUNCTION f(…)`: a string, a number or a
    /// name, kept as the string the server stores (`tgargs`).
    fn trigger_argument(&mut self) -> PResult<String> {
        match self.peek().token {
            Token::Number(n, _) => {
                self.p.next_token();
                // An integer constant is stored as `%d` prints it; anything
                // else (a float, an integer too big for int4) as written.
                if n.bytes().all(|b| b.is_ascii_digit()) {
                    if let Ok(v) = n.parse::<i32>() {
                        return Ok(v.to_string());
                    }
                }
                Ok(n)
            }
            Token::Word(_) => self.ident(),
            _ => self.string(),
        }
    }

    /// `DROP TRIGGER [IF EXISTS] name ON table [CASCADE | RESTRICT]`, after
    /// `DROP TRIGGER`.
    pub(super) fn drop_trigger(&mut self) -> PResult<Stmt> {
        let if_exists = self.if_exists();
        let name = self.ident()?;
        self.expect_kw("ON")?;
        let table = self.qname()?;
        self.cascade();
        Ok(Stmt::DropTrigger {
            name,
            table,
            if_exists,
        })
    }

    /// `ALTER TRIGGER name ON table RENAME TO new`, after `ALTER TRIGGER`.
    pub(super) fn alter_trigger(&mut self) -> PResult<Stmt> {
        let name = self.ident()?;
        self.expect_kw("ON")?;
        let table = self.qname()?;
        if self.eat_kws(&["RENAME", "TO"]) {
            let new_name = self.ident()?;
            return Ok(Stmt::RenameTrigger {
                name,
                table,
                new_name,
            });
        }
        Err(self
            .err_here("this ALTER TRIGGER is not supported yet (only RENAME TO is)")
            .with_help("mark the statement with `-- strata:ignore` to skip it"))
    }

    /// `name ON table` of `COMMENT ON TRIGGER`.
    pub(super) fn trigger_target(&mut self) -> PResult<(String, QName)> {
        let name = self.ident()?;
        self.expect_kw("ON")?;
        Ok((name, self.qname()?))
    }

    /// `ENABLE [REPLICA | ALWAYS] TRIGGER …` / `DISABLE TRIGGER …` in ALTER
    /// TABLE, when that is what follows.
    pub(super) fn set_trigger_action(&mut self) -> PResult<Option<TableAction>> {
        let state = if self.peek_kws(&["ENABLE", "TRIGGER"]) {
            self.p.next_token();
            TriggerEnabled::Origin
        } else if self.peek_kws(&["ENABLE", "REPLICA", "TRIGGER"]) {
            self.p.next_token();
            self.p.next_token();
            TriggerEnabled::Replica
        } else if self.peek_kws(&["ENABLE", "ALWAYS", "TRIGGER"]) {
            self.p.next_token();
            self.p.next_token();
            TriggerEnabled::Always
        } else if self.peek_kws(&["DISABLE", "TRIGGER"]) {
            self.p.next_token();
            TriggerEnabled::Disabled
        } else {
            return Ok(None);
        };
        self.expect_kw("TRIGGER")?;
        let plain = matches!(state, TriggerEnabled::Origin | TriggerEnabled::Disabled);
        // ENABLE REPLICA | ALWAYS take a trigger name only (gram.y).
        let which = if plain && self.eat_kw("ALL") {
            TriggerSelector::All
        } else if plain && self.eat_kw("USER") {
            TriggerSelector::User
        } else {
            TriggerSelector::Name(self.ident()?)
        };
        Ok(Some(TableAction::SetTrigger { which, state }))
    }
}
