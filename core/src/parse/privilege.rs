//! Privileges: `GRANT` / `REVOKE` on objects and `ALTER DEFAULT
//! PRIVILEGES` (PostgreSQL's `aclchk.c`).
//!
//! `GRANT role TO role` (membership) and grants on cluster or database
//! objects (`DATABASE`, `TABLESPACE`, `LARGE OBJECT`, `PARAMETER`,
//! `LANGUAGE`, `FOREIGN DATA WRAPPER`, `FOREIGN SERVER`) change nothing in
//! a schema: they are recognised and counted as non-schema statements.

use sqlparser::tokenizer::Token;

use crate::model::{DefaultAclObject, RoutineKind};

use super::{
    AllInSchema, Cursor, DefaultPrivilegesStmt, GrantStmt, GrantTarget, PResult, PrivilegeSpec,
    Stmt,
};

/// Privilege words the grammar accepts (`privilege_to_string`'s, and
/// PostgreSQL 15's `SET` / `ALTER SYSTEM` on parameters).
const PRIVILEGE_WORDS: &[&str] = &[
    "SELECT",
    "INSERT",
    "UPDATE",
    "DELETE",
    "TRUNCATE",
    "REFERENCES",
    "TRIGGER",
    "EXECUTE",
    "USAGE",
    "CREATE",
    "TEMP",
    "TEMPORARY",
    "CONNECT",
];

impl<'a> Cursor<'a> {
    /// `GRANT …` or `REVOKE …`, at the first word.
    pub(super) fn grant_or_revoke(&mut self) -> PResult<Stmt> {
        let is_grant = self.eat_kw("GRANT");
        if !is_grant {
            self.expect_kw("REVOKE")?;
        }
        if !self.has_top_level_on() {
            // `GRANT role TO role`, `REVOKE [ADMIN OPTION FOR] role FROM
            // role`: membership, a cluster-level change.
            self.skip_rest();
            return Ok(Stmt::NonSchema(if is_grant {
                "GRANT role"
            } else {
                "REVOKE role"
            }));
        }
        let mut grant_option = !is_grant && self.eat_kws(&["GRANT", "OPTION", "FOR"]);
        let privileges = self.privilege_list()?;
        self.expect_kw("ON")?;
        let Some(target) = self.grant_target()? else {
            self.skip_rest();
            return Ok(Stmt::NonSchema(if is_grant {
                "GRANT (database object)"
            } else {
                "REVOKE (database object)"
            }));
        };
        if is_grant {
            self.expect_kw("TO")?;
        } else {
            self.expect_kw("FROM")?;
        }
        let grantees = self.grantee_list()?;
        if is_grant && self.eat_kws(&["WITH", "GRANT", "OPTION"]) {
            grant_option = true;
        }
        if self.eat_kws(&["GRANTED", "BY"]) {
            // PostgreSQL 15 accepts only the current role here: the grantor
            // is not compared.
            self.grantee_list()?;
        }
        let cascade = !is_grant && self.cascade();
        Ok(Stmt::Grant(Box::new(GrantStmt {
            is_grant,
            grant_option,
            privileges,
            target,
            grantees,
            cascade,
        })))
    }

    /// After `ALTER DEFAULT PRIVILEGES`.
    pub(super) fn alter_default_privileges(&mut self) -> PResult<Stmt> {
        let mut for_roles = Vec::new();
        let mut schemas = Vec::new();
        loop {
            if self.eat_kw("FOR") {
                if !self.eat_kw("ROLE") {
                    self.expect_kw("USER")?;
                }
                for_roles = self.grantee_list()?;
            } else if self.eat_kws(&["IN", "SCHEMA"]) {
                schemas.push(self.ident()?);
                while self.eat(&Token::Comma) {
                    schemas.push(self.ident()?);
                }
            } else {
                break;
            }
        }
        let is_grant = self.eat_kw("GRANT");
        if !is_grant && !self.eat_kw("REVOKE") {
            return Err(self.expected("FOR ROLE, IN SCHEMA, GRANT or REVOKE"));
        }
        let mut grant_option = !is_grant && self.eat_kws(&["GRANT", "OPTION", "FOR"]);
        let at = self.peek();
        let privileges = self.privilege_list()?;
        if privileges.iter().any(|p| !p.columns.is_empty()) {
            return Err(ParseErrorAt::at(
                self,
                &at,
                "default privileges cannot name columns",
            ));
        }
        self.expect_kw("ON")?;
        let object = if self.eat_kw("TABLES") {
            DefaultAclObject::Tables
        } else if self.eat_kw("SEQUENCES") {
            DefaultAclObject::Sequences
        } else if self.eat_kw("FUNCTIONS") || self.eat_kw("ROUTINES") {
            DefaultAclObject::Functions
        } else if self.eat_kw("TYPES") {
            DefaultAclObject::Types
        } else if self.eat_kw("SCHEMAS") {
            DefaultAclObject::Schemas
        } else {
            return Err(self.expected("TABLES, SEQUENCES, FUNCTIONS, ROUTINES, TYPES or SCHEMAS"));
        };
        if is_grant {
            self.expect_kw("TO")?;
        } else {
            self.expect_kw("FROM")?;
        }
        let grantees = self.grantee_list()?;
        if is_grant && self.eat_kws(&["WITH", "GRANT", "OPTION"]) {
            grant_option = true;
        }
        if !is_grant {
            self.cascade();
        }
        Ok(Stmt::AlterDefaultPrivileges(Box::new(
            DefaultPrivilegesStmt {
                for_roles,
                schemas,
                is_grant,
                grant_option,
                privileges,
                object,
                grantees,
            },
        )))
    }

    /// Whether an unquoted `ON` stands outside parentheses before the end:
    /// an object grant, not a role membership.
    fn has_top_level_on(&self) -> bool {
        let mut depth = 0usize;
        for n in 0.. {
            match self.peek_nth(n).token {
                Token::EOF | Token::SemiColon => return false,
                Token::LParen => depth += 1,
                Token::RParen => depth = depth.saturating_sub(1),
                Token::Word(w)
                    if depth == 0
                        && w.quote_style.is_none()
                        && w.value.eq_ignore_ascii_case("ON") =>
                {
                    return true
                }
                _ => {}
            }
        }
        false
    }

    /// `ALL [PRIVILEGES] [(cols)]` or `priv [(cols)], …`; empty for `ALL`
    /// without columns.
    fn privilege_list(&mut self) -> PResult<Vec<PrivilegeSpec>> {
        if self.eat_kw("ALL") {
            self.eat_kw("PRIVILEGES");
            if self.peek_is(&Token::LParen) {
                let columns = self.ident_list_parens()?;
                return Ok(vec![PrivilegeSpec {
                    keyword: "ALL".to_string(),
                    columns,
                }]);
            }
            return Ok(Vec::new());
        }
        let mut v = Vec::new();
        loop {
            let keyword = match self.word_upper(0) {
                Some(w) if PRIVILEGE_WORDS.contains(&w.as_str()) => w,
                Some(w) if w == "ALTER" && self.peek_nth_kw(1, "SYSTEM") => {
                    self.p.next_token();
                    "ALTER SYSTEM".to_string()
                }
                Some(w) if w == "SET" => w,
                Some(w) => {
                    return Err(self.err_here(format!(
                        "unrecognized privilege type \"{}\"",
                        w.to_lowercase()
                    )))
                }
                None => return Err(self.expected("a privilege")),
            };
            self.p.next_token();
            let columns = if self.peek_is(&Token::LParen) {
                self.ident_list_parens()?
            } else {
                Vec::new()
            };
            v.push(PrivilegeSpec { keyword, columns });
            if !self.eat(&Token::Comma) {
                break;
            }
        }
        Ok(v)
    }

    /// After `ON`; `None` for an object outside the schema.
    fn grant_target(&mut self) -> PResult<Option<GrantTarget>> {
        if self.eat_kw("ALL") {
            let kind = if self.eat_kw("TABLES") {
                AllInSchema::Tables
            } else if self.eat_kw("SEQUENCES") {
                AllInSchema::Sequences
            } else if self.eat_kw("FUNCTIONS") {
                AllInSchema::Functions
            } else if self.eat_kw("PROCEDURES") {
                AllInSchema::Procedures
            } else if self.eat_kw("ROUTINES") {
                AllInSchema::Routines
            } else {
                return Err(self.expected("TABLES, SEQUENCES, FUNCTIONS, PROCEDURES or ROUTINES"));
            };
            self.expect_kws(&["IN", "SCHEMA"])?;
            let mut schemas = vec![self.ident()?];
            while self.eat(&Token::Comma) {
                schemas.push(self.ident()?);
            }
            return Ok(Some(GrantTarget::AllInSchema(kind, schemas)));
        }
        for words in [
            &["DATABASE"][..],
            &["TABLESPACE"],
            &["LARGE", "OBJECT"],
            &["PARAMETER"],
            &["LANGUAGE"],
        ] {
            if self.peek_kws(words) && !self.peek_nth_kw(words.len(), "TO") {
                return Ok(None);
            }
        }
        if self.eat_kws(&["FOREIGN", "SERVER"]) {
            let mut names = vec![self.ident()?];
            while self.eat(&Token::Comma) {
                names.push(self.ident()?);
            }
            return Ok(Some(GrantTarget::ForeignServers(names)));
        }
        if self.eat_kws(&["FOREIGN", "DATA", "WRAPPER"]) {
            let mut names = vec![self.ident()?];
            while self.eat(&Token::Comma) {
                names.push(self.ident()?);
            }
            return Ok(Some(GrantTarget::ForeignWrappers(names)));
        }
        if self.eat_kw("SEQUENCE") {
            return Ok(Some(GrantTarget::Sequences(self.qname_list()?)));
        }
        let routine_kind = if self.eat_kw("FUNCTION") {
            Some(Some(RoutineKind::Function))
        } else if self.eat_kw("PROCEDURE") {
            Some(Some(RoutineKind::Procedure))
        } else if self.eat_kw("ROUTINE") {
            Some(None)
        } else {
            None
        };
        if let Some(kind) = routine_kind {
            let mut refs = vec![self.routine_ref()?];
            while self.eat(&Token::Comma) {
                refs.push(self.routine_ref()?);
            }
            return Ok(Some(GrantTarget::Routines(kind, refs)));
        }
        if self.eat_kw("SCHEMA") {
            let mut names = vec![self.ident()?];
            while self.eat(&Token::Comma) {
                names.push(self.ident()?);
            }
            return Ok(Some(GrantTarget::Schemas(names)));
        }
        if self.eat_kw("TYPE") {
            return Ok(Some(GrantTarget::Types {
                domain: false,
                names: self.qname_list()?,
            }));
        }
        if self.eat_kw("DOMAIN") {
            return Ok(Some(GrantTarget::Types {
                domain: true,
                names: self.qname_list()?,
            }));
        }
        // `TABLE t` unless `table` is the table's name (`GRANT … ON table
        // TO …`).
        if self.peek_kw("TABLE") && !self.peek_nth_kw(1, "TO") && !self.peek_nth_kw(1, "FROM") {
            self.p.next_token();
        }
        Ok(Some(GrantTarget::Tables(self.qname_list()?)))
    }

    /// `[GROUP] role, …`.
    fn grantee_list(&mut self) -> PResult<Vec<super::PolicyRoleSpec>> {
        if self.peek_kw("GROUP")
            && !self.peek_nth_is(1, &Token::Comma)
            && !self.peek_nth_is(1, &Token::EOF)
        {
            self.p.next_token();
        }
        self.policy_roles()
    }
}

/// A parse error at a token seen earlier.
struct ParseErrorAt;

impl ParseErrorAt {
    fn at(
        c: &Cursor<'_>,
        tok: &sqlparser::tokenizer::TokenWithSpan,
        message: &str,
    ) -> super::ParseError {
        let mut e = c.err_here(message);
        e.offset = c.offset_of(tok);
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::{parse_statement, PolicyRoleSpec};

    fn grant(sql: &str) -> GrantStmt {
        match parse_statement(sql).unwrap() {
            Stmt::Grant(g) => *g,
            s => panic!("{sql}: {s:?}"),
        }
    }

    #[test]
    fn object_grants_read_every_clause() {
        let g = grant("GRANT SELECT (a, \"B\"), update ON TABLE app.t, u TO alice, PUBLIC WITH GRANT OPTION GRANTED BY CURRENT_USER");
        assert!(g.is_grant && g.grant_option);
        assert_eq!(
            g.privileges[0].columns,
            vec!["a".to_string(), "B".to_string()]
        );
        assert_eq!(g.privileges[1].keyword, "UPDATE");
        assert!(matches!(&g.target, GrantTarget::Tables(t) if t.len() == 2));
        assert_eq!(
            g.grantees,
            vec![PolicyRoleSpec::Name("alice".into()), PolicyRoleSpec::Public]
        );
        let g = grant("REVOKE GRANT OPTION FOR ALL PRIVILEGES ON ALL TABLES IN SCHEMA a, b FROM GROUP bob CASCADE");
        assert!(!g.is_grant && g.grant_option && g.cascade && g.privileges.is_empty());
        assert!(
            matches!(g.target, GrantTarget::AllInSchema(AllInSchema::Tables, ref s) if s.len() == 2)
        );
        let g = grant("GRANT EXECUTE ON FUNCTION f(int, text), g TO r");
        assert!(
            matches!(g.target, GrantTarget::Routines(Some(RoutineKind::Function), ref r) if r.len() == 2)
        );
        let g = grant("grant usage on domain d to r");
        assert!(matches!(g.target, GrantTarget::Types { domain: true, .. }));
        let g = grant("grant select on table to r");
        assert!(matches!(&g.target, GrantTarget::Tables(t) if t[0].name == "table"));
    }

    #[test]
    fn membership_and_database_grants_are_not_schema_changes() {
        for sql in [
            "GRANT admin TO alice",
            "GRANT admin, ops TO alice WITH ADMIN OPTION",
            "REVOKE ADMIN OPTION FOR admin FROM alice",
            "GRANT CONNECT ON DATABASE app TO alice",
            "GRANT USAGE ON LANGUAGE plpgsql TO alice",
            "GRANT SELECT ON LARGE OBJECT 1234 TO alice",
            "GRANT CREATE ON TABLESPACE t TO alice",
        ] {
            assert!(
                matches!(parse_statement(sql).unwrap(), Stmt::NonSchema(_)),
                "{sql}"
            );
        }
        assert!(parse_statement("GRANT SELEKT ON t TO a").is_err());
    }

    #[test]
    fn default_privileges() {
        let Stmt::AlterDefaultPrivileges(d) = parse_statement(
            "ALTER DEFAULT PRIVILEGES FOR ROLE admin IN SCHEMA app GRANT SELECT ON TABLES TO PUBLIC",
        )
        .unwrap() else {
            panic!()
        };
        assert_eq!(d.for_roles, vec![PolicyRoleSpec::Name("admin".into())]);
        assert_eq!(d.schemas, vec!["app".to_string()]);
        assert_eq!(d.object, DefaultAclObject::Tables);
        assert!(matches!(
            parse_statement("ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON ROUTINES FROM PUBLIC").unwrap(),
            Stmt::AlterDefaultPrivileges(d) if !d.is_grant && d.object == DefaultAclObject::Functions
        ));
        assert!(
            parse_statement("ALTER DEFAULT PRIVILEGES GRANT SELECT (a) ON TABLES TO x").is_err()
        );
    }
}
