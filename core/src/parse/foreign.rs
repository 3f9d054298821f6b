//! Foreign-data wrappers, foreign servers and user mappings
//! (`foreigncmds.c`): `CREATE`/`ALTER`/`DROP FOREIGN DATA WRAPPER`,
//! `SERVER` and `USER MAPPING`, and `IMPORT FOREIGN SCHEMA` (refused: it
//! reads the remote server).

use sqlparser::tokenizer::Token;

use super::{Cursor, PResult, Stmt};
use crate::parse::ast::{ForeignStmt, MappingUser, OptionChange, OptionOp};

impl<'a> Cursor<'a> {
    /// After `CREATE FOREIGN DATA WRAPPER`.
    pub(super) fn create_foreign_data_wrapper(&mut self) -> PResult<Stmt> {
        let name = self.ident()?;
        let (handler, validator) = self.fdw_functions()?;
        let options = self.create_generic_options()?;
        Ok(foreign(ForeignStmt::CreateWrapper {
            name,
            handler: handler.flatten(),
            validator: validator.flatten(),
            options,
        }))
    }

    /// `HANDLER f | NO HANDLER`, `VALIDATOR f | NO VALIDATOR`, in any
    /// order: `Some(None)` for `NO …`.
    #[allow(clippy::type_complexity)]
    fn fdw_functions(
        &mut self,
    ) -> PResult<(Option<Option<super::QName>>, Option<Option<super::QName>>)> {
        let mut handler = None;
        let mut validator = None;
        loop {
            if self.peek_kw("HANDLER") || self.peek_kws(&["NO", "HANDLER"]) {
                if handler.is_some() {
                    return Err(self.err_here("conflicting or redundant options"));
                }
                handler = Some(if self.eat_kws(&["NO", "HANDLER"]) {
                    None
                } else {
                    self.expect_kw("HANDLER")?;
                    Some(self.qname()?)
                });
            } else if self.peek_kw("VALIDATOR") || self.peek_kws(&["NO", "VALIDATOR"]) {
                if validator.is_some() {
                    return Err(self.err_here("conflicting or redundant options"));
                }
                validator = Some(if self.eat_kws(&["NO", "VALIDATOR"]) {
                    None
                } else {
                    self.expect_kw("VALIDATOR")?;
                    Some(self.qname()?)
                });
            } else {
                break;
            }
        }
        Ok((handler, validator))
    }

    /// `OPTIONS (name 'value', …)` of a CREATE, when present.
    pub(super) fn create_generic_options(&mut self) -> PResult<Vec<(String, String)>> {
        if !self.eat_kw("OPTIONS") {
            return Ok(Vec::new());
        }
        self.expect(&Token::LParen)?;
        let mut out = Vec::new();
        loop {
            let name = self.ident()?;
            let value = self.string()?;
            out.push((name, value));
            if !self.eat(&Token::Comma) {
                break;
            }
        }
        self.expect(&Token::RParen)?;
        Ok(out)
    }

    /// `OPTIONS ([ADD | SET | DROP] name ['value'], …)` of an ALTER.
    pub(super) fn alter_generic_options(&mut self) -> PResult<Vec<OptionChange>> {
        self.expect_kw("OPTIONS")?;
        self.expect(&Token::LParen)?;
        let mut out = Vec::new();
        loop {
            // `ADD`, `SET` and `DROP` are also option names: a keyword
            // followed by a string is the option's name and value.
            let op_word = matches!(self.peek_nth(1).token, Token::Word(_));
            let op = if op_word && self.eat_kw("ADD") {
                OptionOp::Add
            } else if op_word && self.eat_kw("SET") {
                OptionOp::Set
            } else if op_word && self.eat_kw("DROP") {
                OptionOp::Drop
            } else {
                OptionOp::Add
            };
            let name = self.ident()?;
            let value = if op == OptionOp::Drop {
                None
            } else {
                Some(self.string()?)
            };
            out.push(OptionChange { op, name, value });
            if !self.eat(&Token::Comma) {
                break;
            }
        }
        self.expect(&Token::RParen)?;
        Ok(out)
    }

    /// After `ALTER FOREIGN DATA WRAPPER`.
    pub(super) fn alter_foreign_data_wrapper(&mut self) -> PResult<Stmt> {
        let name = self.ident()?;
        if self.eat_kws(&["RENAME", "TO"]) {
            let new_name = self.ident()?;
            return Ok(foreign(ForeignStmt::RenameWrapper { name, new_name }));
        }
        if self.eat_kws(&["OWNER", "TO"]) {
            let role = self.role_spec()?;
            return Ok(foreign(ForeignStmt::OwnerWrapper { name, role }));
        }
        let (handler, validator) = self.fdw_functions()?;
        let options = if self.peek_kw("OPTIONS") {
            self.alter_generic_options()?
        } else {
            Vec::new()
        };
        if handler.is_none() && validator.is_none() && options.is_empty() {
            return Err(self.expected("HANDLER, VALIDATOR, OPTIONS, RENAME TO or OWNER TO"));
        }
        Ok(foreign(ForeignStmt::AlterWrapper {
            name,
            handler,
            validator,
            options,
        }))
    }

    /// After `DROP FOREIGN DATA WRAPPER`.
    pub(super) fn drop_foreign_data_wrapper(&mut self) -> PResult<Stmt> {
        let if_exists = self.if_exists();
        let names = self.ident_list()?;
        self.cascade();
        Ok(foreign(ForeignStmt::DropWrapper { names, if_exists }))
    }

    fn ident_list(&mut self) -> PResult<Vec<String>> {
        let mut names = vec![self.ident()?];
        while self.eat(&Token::Comma) {
            names.push(self.ident()?);
        }
        Ok(names)
    }

    /// After `CREATE SERVER`.
    pub(super) fn create_server(&mut self) -> PResult<Stmt> {
        let if_not_exists = self.if_not_exists();
        let name = self.ident()?;
        let server_type = if self.eat_kw("TYPE") {
            Some(self.string()?)
        } else {
            None
        };
        let version = if self.eat_kw("VERSION") {
            if self.eat_kw("NULL") {
                None
            } else {
                Some(self.string()?)
            }
        } else {
            None
        };
        self.expect_kws(&["FOREIGN", "DATA", "WRAPPER"])?;
        let wrapper = self.ident()?;
        let options = self.create_generic_options()?;
        Ok(foreign(ForeignStmt::CreateServer {
            name,
            if_not_exists,
            server_type,
            version,
            wrapper,
            options,
        }))
    }

    /// After `ALTER SERVER`.
    pub(super) fn alter_server(&mut self) -> PResult<Stmt> {
        let name = self.ident()?;
        if self.eat_kws(&["RENAME", "TO"]) {
            let new_name = self.ident()?;
            return Ok(foreign(ForeignStmt::RenameServer { name, new_name }));
        }
        if self.eat_kws(&["OWNER", "TO"]) {
            let role = self.role_spec()?;
            return Ok(foreign(ForeignStmt::OwnerServer { name, role }));
        }
        let version = if self.eat_kw("VERSION") {
            Some(if self.eat_kw("NULL") {
                None
            } else {
                Some(self.string()?)
            })
        } else {
            None
        };
        let options = if self.peek_kw("OPTIONS") {
            self.alter_generic_options()?
        } else {
            Vec::new()
        };
        if version.is_none() && options.is_empty() {
            return Err(self.expected("VERSION, OPTIONS, RENAME TO or OWNER TO"));
        }
        Ok(foreign(ForeignStmt::AlterServer {
            name,
            version,
            options,
        }))
    }

    /// After `DROP SERVER`.
    pub(super) fn drop_server(&mut self) -> PResult<Stmt> {
        let if_exists = self.if_exists();
        let names = self.ident_list()?;
        self.cascade();
        Ok(foreign(ForeignStmt::DropServer { names, if_exists }))
    }

    /// `FOR role | USER | CURRENT_USER | CURRENT_ROLE | SESSION_USER |
    /// PUBLIC SERVER name`.
    fn mapping_target(&mut self) -> PResult<(MappingUser, String)> {
        self.expect_kw("FOR")?;
        let user =
            if self.eat_kw("CURRENT_USER") || self.eat_kw("USER") || self.eat_kw("CURRENT_ROLE") {
                MappingUser::CurrentUser
            } else if self.eat_kw("SESSION_USER") {
                MappingUser::SessionUser
            } else {
                let role = self.ident()?;
                if role == "public" {
                    MappingUser::Public
                } else {
                    MappingUser::Role(role)
                }
            };
        self.expect_kw("SERVER")?;
        let server = self.ident()?;
        Ok((user, server))
    }

    /// After `CREATE USER MAPPING`.
    pub(super) fn create_user_mapping(&mut self) -> PResult<Stmt> {
        let if_not_exists = self.if_not_exists();
        let (user, server) = self.mapping_target()?;
        let options = self.create_generic_options()?;
        Ok(foreign(ForeignStmt::CreateMapping {
            user,
            server,
            if_not_exists,
            options,
        }))
    }

    /// After `ALTER USER MAPPING`.
    pub(super) fn alter_user_mapping(&mut self) -> PResult<Stmt> {
        let (user, server) = self.mapping_target()?;
        let options = self.alter_generic_options()?;
        Ok(foreign(ForeignStmt::AlterMapping {
            user,
            server,
            options,
        }))
    }

    /// After `DROP USER MAPPING`.
    pub(super) fn drop_user_mapping(&mut self) -> PResult<Stmt> {
        let if_exists = self.if_exists();
        let (user, server) = self.mapping_target()?;
        Ok(foreign(ForeignStmt::DropMapping {
            user,
            server,
            if_exists,
        }))
    }

    /// `IMPORT FOREIGN SCHEMA`: the tables it creates are read from the
    /// remote server, which replay cannot reach.
    pub(super) fn import_foreign_schema(&mut self) -> PResult<Stmt> {
        Err(self
            .err_here("IMPORT FOREIGN SCHEMA cannot be replayed offline: the foreign tables it creates are read from the remote server")
            .with_help(
                "write the CREATE FOREIGN TABLE statements it makes instead (run it once, then `pg_dump -s` or `strata inspect` prints them), or mark the statement with `-- strata:ignore` and declare the tables yourself",
            ))
    }
}

fn foreign(s: ForeignStmt) -> Stmt {
    Stmt::Foreign(Box::new(s))
}
