//! Row-level security policies: `CREATE POLICY`, `ALTER POLICY`,
//! `DROP POLICY` (PostgreSQL's `policy.c`).

use sqlparser::ast::{Expr, Query};
use sqlparser::tokenizer::Token;

use crate::model::PolicyCommand;

use super::{
    fold_ident, AlterPolicyOp, Cursor, PResult, PolicyDef, PolicyExpr, PolicyRoleSpec, Stmt,
};

impl<'a> Cursor<'a> {
    /// After `CREATE POLICY`: `name ON table [AS PERMISSIVE|RESTRICTIVE]
    /// [FOR cmd] [TO roles] [USING (…)] [WITH CHECK (…)]`.
    pub(super) fn create_policy(&mut self) -> PResult<Stmt> {
        let name = self.ident()?;
        self.expect_kw("ON")?;
        let table = self.qname()?;
        let mut def = PolicyDef {
            command: PolicyCommand::All,
            permissive: true,
            roles: Vec::new(),
            using: None,
            with_check: None,
        };
        if self.eat_kw("AS") {
            if self.eat_kw("PERMISSIVE") {
                def.permissive = true;
            } else if self.eat_kw("RESTRICTIVE") {
                def.permissive = false;
            } else {
                return Err(self.expected("PERMISSIVE or RESTRICTIVE"));
            }
        }
        if self.eat_kw("FOR") {
            def.command = if self.eat_kw("ALL") {
                PolicyCommand::All
            } else if self.eat_kw("SELECT") {
                PolicyCommand::Select
            } else if self.eat_kw("INSERT") {
                PolicyCommand::Insert
            } else if self.eat_kw("UPDATE") {
                PolicyCommand::Update
            } else if self.eat_kw("DELETE") {
                PolicyCommand::Delete
            } else {
                return Err(self.expected("ALL, SELECT, INSERT, UPDATE or DELETE"));
            };
        }
        if self.eat_kw("TO") {
            def.roles = self.policy_roles()?;
        }
        if self.eat_kw("USING") {
            def.using = Some(self.policy_expr()?);
        }
        if self.eat_kws(&["WITH", "CHECK"]) {
            def.with_check = Some(self.policy_expr()?);
        }
        Ok(Stmt::CreatePolicy {
            name,
            table,
            def: Box::new(def),
        })
    }

    /// After `ALTER POLICY`.
    pub(super) fn alter_policy(&mut self) -> PResult<Stmt> {
        let name = self.ident()?;
        self.expect_kw("ON")?;
        let table = self.qname()?;
        if self.eat_kws(&["RENAME", "TO"]) {
            let new = self.ident()?;
            return Ok(Stmt::AlterPolicy {
                name,
                table,
                op: AlterPolicyOp::Rename(new),
            });
        }
        let mut roles = None;
        let mut using = None;
        let mut with_check = None;
        if self.eat_kw("TO") {
            roles = Some(self.policy_roles()?);
        }
        if self.eat_kw("USING") {
            using = Some(self.policy_expr()?);
        }
        if self.eat_kws(&["WITH", "CHECK"]) {
            with_check = Some(self.policy_expr()?);
        }
        if roles.is_none() && using.is_none() && with_check.is_none() {
            return Err(self.expected("RENAME TO, TO, USING or WITH CHECK"));
        }
        Ok(Stmt::AlterPolicy {
            name,
            table,
            op: AlterPolicyOp::Change {
                roles,
                using,
                with_check,
            },
        })
    }

    /// After `DROP POLICY`.
    pub(super) fn drop_policy(&mut self) -> PResult<Stmt> {
        let if_exists = self.if_exists();
        let name = self.ident()?;
        self.expect_kw("ON")?;
        let table = self.qname()?;
        // Nothing depends on a policy: CASCADE and RESTRICT drop the same.
        self.cascade();
        Ok(Stmt::DropPolicy {
            name,
            table,
            if_exists,
        })
    }

    /// `role [, …]`: names, `PUBLIC`, `CURRENT_USER`, `CURRENT_ROLE`,
    /// `SESSION_USER`.
    pub(super) fn policy_roles(&mut self) -> PResult<Vec<PolicyRoleSpec>> {
        let mut roles = Vec::new();
        loop {
            let Token::Word(w) = self.peek().token else {
                return Err(self.expected("a role name"));
            };
            self.p.next_token();
            let folded = fold_ident(&w.value, w.quote_style.is_some());
            let spec = if w.quote_style.is_none() {
                match folded.as_str() {
                    "public" => PolicyRoleSpec::Public,
                    "current_user" => PolicyRoleSpec::Session("CURRENT_USER"),
                    "current_role" => PolicyRoleSpec::Session("CURRENT_ROLE"),
                    "session_user" => PolicyRoleSpec::Session("SESSION_USER"),
                    _ => PolicyRoleSpec::Name(folded),
                }
            } else if folded == "public" {
                // The grammar reads a quoted "public" as PUBLIC too.
                PolicyRoleSpec::Public
            } else {
                PolicyRoleSpec::Name(folded)
            };
            roles.push(spec);
            if !self.eat(&Token::Comma) {
                break;
            }
        }
        Ok(roles)
    }

    /// `( expr )` of USING or WITH CHECK, as written, with the columns it
    /// reads outside subqueries.
    fn policy_expr(&mut self) -> PResult<PolicyExpr> {
        self.expect(&Token::LParen)?;
        let (e, expression) = self.written_expr()?;
        self.expect(&Token::RParen)?;
        Ok(PolicyExpr {
            expression,
            columns: outer_column_refs(&e),
        })
    }
}

/// The column names an expression reads outside its subqueries
/// (unqualified identifiers and the last part of compound ones), folded.
/// Inside a subquery a name may be another table's column: the server
/// resolves it there, strata cannot.
pub fn outer_column_refs(e: &Expr) -> Vec<String> {
    use sqlparser::ast::{Visit, Visitor};
    struct V {
        depth: usize,
        out: Vec<String>,
    }
    impl Visitor for V {
        type Break = ();
        fn pre_visit_query(&mut self, _q: &Query) -> std::ops::ControlFlow<()> {
            self.depth += 1;
            std::ops::ControlFlow::Continue(())
        }
        fn post_visit_query(&mut self, _q: &Query) -> std::ops::ControlFlow<()> {
            self.depth -= 1;
            std::ops::ControlFlow::Continue(())
        }
        fn pre_visit_expr(&mut self, e: &Expr) -> std::ops::ControlFlow<()> {
            if self.depth > 0 {
                return std::ops::ControlFlow::Continue(());
            }
            let n = match e {
                Expr::Identifier(id) => Some(fold_ident(&id.value, id.quote_style.is_some())),
                Expr::CompoundIdentifier(ids) => ids
                    .last()
                    .map(|id| fold_ident(&id.value, id.quote_style.is_some())),
                _ => None,
            };
            if let Some(n) = n {
                if !self.out.contains(&n) {
                    self.out.push(n);
                }
            }
            std::ops::ControlFlow::Continue(())
        }
    }
    let mut v = V {
        depth: 0,
        out: Vec::new(),
    };
    let _ = e.visit(&mut v);
    v.out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_statement;

    #[test]
    fn create_policy_reads_every_clause() {
        let s = parse_statement(
            "CREATE POLICY p ON app.t AS RESTRICTIVE FOR UPDATE TO a, \"B\", PUBLIC \
             USING (owner = current_user) WITH CHECK (n > (SELECT max(x) FROM o))",
        )
        .unwrap();
        let Stmt::CreatePolicy { name, table, def } = s else {
            panic!("{s:?}")
        };
        assert_eq!(name, "p");
        assert_eq!(table.schema.as_deref(), Some("app"));
        assert!(!def.permissive);
        assert_eq!(def.command, PolicyCommand::Update);
        assert_eq!(
            def.roles,
            vec![
                PolicyRoleSpec::Name("a".into()),
                PolicyRoleSpec::Name("B".into()),
                PolicyRoleSpec::Public
            ]
        );
        assert_eq!(def.using.unwrap().expression.sql, "owner = current_user");
        let wc = def.with_check.unwrap();
        assert_eq!(wc.expression.sql, "n > (SELECT max(x) FROM o)");
        assert_eq!(wc.columns, vec!["n".to_string()]);
    }

    #[test]
    fn alter_and_drop_policy() {
        assert!(matches!(
            parse_statement("ALTER POLICY p ON t RENAME TO q").unwrap(),
            Stmt::AlterPolicy {
                op: AlterPolicyOp::Rename(_),
                ..
            }
        ));
        assert!(matches!(
            parse_statement("ALTER POLICY p ON t TO current_user USING (true)").unwrap(),
            Stmt::AlterPolicy {
                op: AlterPolicyOp::Change {
                    roles: Some(_),
                    using: Some(_),
                    with_check: None
                },
                ..
            }
        ));
        assert!(parse_statement("ALTER POLICY p ON t").is_err());
        assert!(matches!(
            parse_statement("DROP POLICY IF EXISTS p ON t CASCADE").unwrap(),
            Stmt::DropPolicy {
                if_exists: true,
                ..
            }
        ));
    }
}
