//! COMMENT ON.

use sqlparser::tokenizer::Token;

use super::{CommentTarget, Cursor, PResult, QName, Stmt};

impl<'a> Cursor<'a> {
    pub(super) fn comment(&mut self) -> PResult<Stmt> {
        self.expect_kws(&["COMMENT", "ON"])?;
        let target = if self.eat_kw("TABLE") {
            CommentTarget::Table(self.qname()?)
        } else if self.eat_kws(&["FOREIGN", "TABLE"]) {
            CommentTarget::ForeignTable(self.qname()?)
        } else if self.eat_kw("COLUMN") {
            let mut parts = vec![self.ident()?];
            while self.eat(&Token::Period) {
                parts.push(self.ident()?);
            }
            match parts.len() {
                2 => CommentTarget::Column(
                    QName {
                        schema: None,
                        name: parts[0].clone(),
                    },
                    parts[1].clone(),
                ),
                3 => CommentTarget::Column(
                    QName {
                        schema: Some(parts[0].clone()),
                        name: parts[1].clone(),
                    },
                    parts[2].clone(),
                ),
                _ => return Err(self.err_here("expected table.column")),
            }
        } else if self.eat_kw("INDEX") {
            CommentTarget::Index(self.qname()?)
        } else if self.eat_kw("SEQUENCE") {
            CommentTarget::Sequence(self.qname()?)
        } else if self.eat_kw("TYPE") {
            CommentTarget::Type(self.qname()?)
        } else if self.eat_kw("SCHEMA") {
            CommentTarget::Schema(self.ident()?)
        } else if self.eat_kw("EXTENSION") {
            CommentTarget::Extension(self.ident()?)
        } else if self.eat_kw("CONSTRAINT") {
            let name = self.ident()?;
            self.expect_kw("ON")?;
            if self.eat_kw("DOMAIN") {
                CommentTarget::DomainConstraint {
                    name,
                    domain: self.qname()?,
                }
            } else {
                let table = self.qname()?;
                CommentTarget::Constraint { name, table }
            }
        } else if self.eat_kw("VIEW") {
            CommentTarget::View {
                name: self.qname()?,
                materialized: false,
            }
        } else if self.eat_kws(&["MATERIALIZED", "VIEW"]) {
            CommentTarget::View {
                name: self.qname()?,
                materialized: true,
            }
        } else if self.eat_kw("AGGREGATE") {
            CommentTarget::Aggregate(self.aggregate_ref()?)
        } else if let Some(kind) = self.routine_keyword() {
            CommentTarget::Routine(kind, self.routine_ref()?)
        } else if self.eat_kw("TRIGGER") {
            let (name, table) = self.trigger_target()?;
            CommentTarget::Trigger { name, table }
        } else if self.eat_kw("PUBLICATION") {
            CommentTarget::Publication(self.ident()?)
        } else if self.eat_kw("RULE") {
            let (name, table) = self.rule_target()?;
            CommentTarget::Rule { name, table }
        } else if self.eat_kw("POLICY") {
            let name = self.ident()?;
            self.expect_kw("ON")?;
            CommentTarget::Policy {
                name,
                table: self.qname()?,
            }
        } else if self.eat_kw("DOMAIN") {
            CommentTarget::Domain(self.qname()?)
        } else if self.eat_kw("COLLATION") {
            CommentTarget::Collation(self.qname()?)
        } else if self.eat_kws(&["EVENT", "TRIGGER"]) {
            CommentTarget::EventTrigger(self.ident()?)
        } else if self.eat_kw("STATISTICS") {
            CommentTarget::Statistics(self.qname()?)
        } else if self.eat_kw("SERVER") {
            CommentTarget::ForeignServer(self.ident()?)
        } else if self.eat_kws(&["FOREIGN", "DATA", "WRAPPER"]) {
            CommentTarget::ForeignDataWrapper(self.ident()?)
        } else if self.peek_kw("OPERATOR")
            && !self.peek_nth_kw(1, "CLASS")
            && !self.peek_nth_kw(1, "FAMILY")
        {
            self.p.next_token();
            CommentTarget::Operator(self.operator_ref()?)
        } else {
            // database, role, …: not modelled.
            while !self.at_end() && !self.peek_kw("IS") {
                self.p.next_token();
            }
            CommentTarget::Other("other object")
        };
        self.expect_kw("IS")?;
        let text = if self.eat_kw("NULL") {
            None
        } else {
            Some(self.string()?)
        };
        let text = text.filter(|t| !t.is_empty());
        Ok(Stmt::Comment { target, text })
    }
}
