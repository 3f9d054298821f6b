//! Domains (`CREATE DOMAIN`, `ALTER DOMAIN`, `DROP DOMAIN`), composite
//! types (`CREATE TYPE … AS (…)`, `ALTER TYPE … ATTRIBUTE`) — the statements
//! `typecmds.c` owns besides enums — and collations (`collationcmds.c`).

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::tokenizer::Token;

use crate::model::Expression;

use super::{
    AttributeDef, CollationDef, Cursor, DomainAction, DomainConstraintDef, DomainConstraintKind,
    EnumAction, OwnerTarget, PResult, Stmt,
};

impl<'a> Cursor<'a> {
    /// After `CREATE DOMAIN`.
    pub(super) fn create_domain(&mut self) -> PResult<Stmt> {
        let name = self.qname()?;
        self.eat_kw("AS");
        let (base_type, serial) = self.data_type()?;
        if serial {
            return Err(self
                .err_here("a domain cannot be based on a serial pseudo-type")
                .with_help("use integer, bigint or smallint: PostgreSQL fails here with 42704"));
        }
        let mut collation = None;
        let mut default = None;
        let mut constraints = Vec::new();
        loop {
            if self.eat_kw("COLLATE") {
                collation = Some(self.collation_name()?);
            } else if self.eat_kw("DEFAULT") {
                default = Some(self.domain_default()?);
            } else if let Some(c) = self.domain_constraint(true)? {
                constraints.push(c);
            } else {
                break;
            }
        }
        if !self.at_end() {
            return Err(self
                .expected("COLLATE, DEFAULT, NOT NULL, NULL, CHECK or the end of the statement"));
        }
        Ok(Stmt::CreateDomain {
            name,
            base_type,
            collation,
            default,
            constraints,
        })
    }

    /// `DEFAULT e`: a b_expr, so `DEFAULT 0 NOT NULL` ends before NOT.
    fn domain_default(&mut self) -> PResult<Expression> {
        let prec = sqlparser::dialect::Dialect::prec_value(
            &PostgreSqlDialect {},
            sqlparser::dialect::Precedence::Is,
        );
        let start = self.offset_of(&self.peek());
        let e = self.p.parse_subexpr(prec).map_err(|e| self.sql_err(e))?;
        Ok(Expression::written(
            self.written_since(start),
            e.to_string(),
        ))
    }

    /// `[CONSTRAINT name] NOT NULL | NULL | CHECK (e) [NOT VALID]`, or
    /// nothing when the next word begins none of them.
    fn domain_constraint(&mut self, creating: bool) -> PResult<Option<DomainConstraintDef>> {
        let name = if self.eat_kw("CONSTRAINT") {
            Some(self.ident()?)
        } else {
            None
        };
        let kind = if self.eat_kws(&["NOT", "NULL"]) {
            DomainConstraintKind::NotNull
        } else if self.eat_kw("NULL") {
            DomainConstraintKind::Null
        } else if self.eat_kw("CHECK") {
            let (e, refs) = self.paren_expr()?;
            DomainConstraintKind::Check(e, refs)
        } else if name.is_some() {
            return Err(self.expected("NOT NULL, NULL or CHECK"));
        } else {
            return Ok(None);
        };
        let not_valid = if matches!(kind, DomainConstraintKind::Check(..))
            && self.peek_kws(&["NOT", "VALID"])
        {
            if creating {
                self.p.next_token();
                return Err(self
                    .err_here("syntax error at or near \"VALID\": CREATE DOMAIN takes no NOT VALID")
                    .with_help("add the constraint later with ALTER DOMAIN … ADD … NOT VALID (PostgreSQL fails here with 42601)"));
            }
            self.eat_kws(&["NOT", "VALID"])
        } else {
            false
        };
        if self.peek_kw("DEFERRABLE")
            || self.peek_kws(&["NOT", "DEFERRABLE"])
            || self.peek_kw("INITIALLY")
        {
            return Err(self
                .err_here("domain constraints cannot be deferrable")
                .with_help("remove the DEFERRABLE clause: PostgreSQL fails here with 0A000"));
        }
        Ok(Some(DomainConstraintDef {
            name,
            kind,
            not_valid,
        }))
    }

    /// After `ALTER DOMAIN`.
    pub(super) fn alter_domain(&mut self) -> PResult<Stmt> {
        let name = self.qname()?;
        let action = if self.eat_kws(&["SET", "DEFAULT"]) {
            DomainAction::SetDefault(self.domain_default()?)
        } else if self.eat_kws(&["DROP", "DEFAULT"]) {
            DomainAction::DropDefault
        } else if self.eat_kws(&["SET", "NOT", "NULL"]) {
            DomainAction::SetNotNull
        } else if self.eat_kws(&["DROP", "NOT", "NULL"]) {
            DomainAction::DropNotNull
        } else if self.eat_kw("ADD") {
            // Only CHECK: NOT NULL and NULL are not constraints ALTER
            // DOMAIN … ADD takes (the server's grammar fails at them).
            let checks = if self.peek_kw("CONSTRAINT") {
                self.peek_nth_kw(2, "CHECK")
            } else {
                self.peek_kw("CHECK")
            };
            if !checks {
                let at = if self.peek_kw("CONSTRAINT") { 2 } else { 0 };
                for _ in 0..at {
                    self.p.next_token();
                }
                return Err(self
                    .err_here("syntax error: ALTER DOMAIN … ADD takes only CHECK constraints")
                    .with_help(
                        "use ALTER DOMAIN … SET NOT NULL (PostgreSQL fails here with 42601)",
                    ));
            }
            match self.domain_constraint(false)? {
                Some(c) => DomainAction::AddConstraint(c),
                None => return Err(self.expected("a domain constraint")),
            }
        } else if self.eat_kws(&["DROP", "CONSTRAINT"]) {
            let if_exists = self.if_exists();
            let name = self.ident()?;
            self.cascade();
            DomainAction::DropConstraint { name, if_exists }
        } else if self.eat_kws(&["RENAME", "CONSTRAINT"]) {
            let old = self.ident()?;
            self.expect_kw("TO")?;
            DomainAction::RenameConstraint {
                old,
                new: self.ident()?,
            }
        } else if self.eat_kws(&["VALIDATE", "CONSTRAINT"]) {
            DomainAction::ValidateConstraint(self.ident()?)
        } else if self.eat_kws(&["RENAME", "TO"]) {
            DomainAction::RenameTo(self.ident()?)
        } else if self.eat_kws(&["SET", "SCHEMA"]) {
            DomainAction::SetSchema(self.ident()?)
        } else if self.eat_kws(&["OWNER", "TO"]) {
            let role = self.role_spec()?;
            return Ok(Stmt::AlterOwner {
                target: OwnerTarget::Type { name, domain: true },
                role,
            });
        } else {
            return Err(self
                .err_here("strata does not understand this ALTER DOMAIN")
                .with_help("supported: SET/DROP DEFAULT, SET/DROP NOT NULL, ADD/DROP/RENAME/VALIDATE CONSTRAINT, RENAME TO, SET SCHEMA, OWNER TO"));
        };
        if !self.at_end() {
            return Err(self.expected("the end of the statement"));
        }
        Ok(Stmt::AlterDomain { name, action })
    }

    /// After `CREATE TYPE name AS (`: the attributes and `)`.
    pub(super) fn composite_attributes(&mut self) -> PResult<Vec<AttributeDef>> {
        let mut attributes = Vec::new();
        if self.eat(&Token::RParen) {
            return Ok(attributes);
        }
        loop {
            attributes.push(self.attribute_def()?);
            if !self.eat(&Token::Comma) {
                break;
            }
        }
        self.expect(&Token::RParen)?;
        Ok(attributes)
    }

    /// `name type [COLLATE c]`.
    fn attribute_def(&mut self) -> PResult<AttributeDef> {
        let name = self.ident()?;
        let (data_type, serial) = self.data_type()?;
        if serial {
            return Err(self
                .err_here("an attribute of a composite type cannot be serial")
                .with_help("use integer, bigint or smallint: PostgreSQL fails here with 42704"));
        }
        let collation = if self.eat_kw("COLLATE") {
            Some(self.collation_name()?)
        } else {
            None
        };
        Ok(AttributeDef {
            name,
            data_type,
            collation,
        })
    }

    /// The attribute actions of `ALTER TYPE name …` (composite types).
    pub(super) fn attribute_action(&mut self) -> PResult<Option<EnumAction>> {
        let action = if self.eat_kws(&["ADD", "ATTRIBUTE"]) {
            EnumAction::AddAttribute(self.attribute_def()?)
        } else if self.eat_kws(&["DROP", "ATTRIBUTE"]) {
            let if_exists = self.if_exists();
            EnumAction::DropAttribute {
                name: self.ident()?,
                if_exists,
            }
        } else if self.eat_kws(&["ALTER", "ATTRIBUTE"]) {
            let name = self.ident()?;
            self.eat_kws(&["SET", "DATA"]);
            self.expect_kw("TYPE")?;
            let (data_type, _) = self.data_type()?;
            let collation = if self.eat_kw("COLLATE") {
                Some(self.collation_name()?)
            } else {
                None
            };
            EnumAction::AlterAttributeType(AttributeDef {
                name,
                data_type,
                collation,
            })
        } else if self.eat_kws(&["RENAME", "ATTRIBUTE"]) {
            let old = self.ident()?;
            self.expect_kw("TO")?;
            EnumAction::RenameAttribute {
                old,
                new: self.ident()?,
            }
        } else {
            return Ok(None);
        };
        if self.eat_kw("CASCADE") || self.eat_kw("RESTRICT") {
            // Typed tables of the type: strata refuses typed tables, so
            // none can exist.
        }
        if self.peek_is(&Token::Comma) {
            return Err(self
                .err_here("several actions in one ALTER TYPE are not supported yet")
                .with_help("write one ALTER TYPE statement per attribute"));
        }
        Ok(Some(action))
    }

    /// After `CREATE COLLATION`.
    pub(super) fn create_collation(&mut self) -> PResult<Stmt> {
        let if_not_exists = self.if_not_exists();
        let name = self.qname()?;
        let def = if self.eat_kw("FROM") {
            CollationDef::From(self.qname()?)
        } else {
            self.expect(&Token::LParen)?;
            let mut options = Vec::new();
            loop {
                let key = self.ident()?.to_ascii_lowercase();
                self.expect(&Token::Eq)?;
                let value = self.ident_or_string()?;
                options.push((key, value));
                if !self.eat(&Token::Comma) {
                    break;
                }
            }
            self.expect(&Token::RParen)?;
            CollationDef::Options(options)
        };
        if !self.at_end() {
            return Err(self.expected("the end of the statement"));
        }
        Ok(Stmt::CreateCollation {
            name,
            if_not_exists,
            def,
        })
    }

    /// After `ALTER COLLATION`.
    pub(super) fn alter_collation(&mut self) -> PResult<Stmt> {
        let name = self.qname()?;
        let (mut rename, mut schema, mut owner) = (None, None, None);
        if self.eat_kws(&["RENAME", "TO"]) {
            rename = Some(self.ident()?);
        } else if self.eat_kws(&["SET", "SCHEMA"]) {
            schema = Some(self.ident()?);
        } else if self.eat_kws(&["OWNER", "TO"]) {
            owner = Some(self.role_spec()?);
        } else if self.eat_kws(&["REFRESH", "VERSION"]) {
            self.skip_rest();
        } else {
            return Err(self
                .err_here("strata does not understand this ALTER COLLATION")
                .with_help("supported: RENAME TO, SET SCHEMA, REFRESH VERSION, OWNER TO"));
        }
        if !self.at_end() {
            return Err(self.expected("the end of the statement"));
        }
        Ok(Stmt::AlterCollation {
            name,
            rename,
            schema,
            owner,
        })
    }
}
