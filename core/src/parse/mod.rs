//! Parsing one statement into what replay needs.
//!
//! The cursor is sqlparser's own `Parser` (PostgreSqlDialect): its tokenizer,
//! and its expression and data-type parsers. The statement grammar on top is
//! strata's, because PostgreSQL DDL that real histories use (`ALTER COLUMN …
//! DROP EXPRESSION`, `DROP INDEX CONCURRENTLY`, `ALTER SEQUENCE … OWNED BY`,
//! `CREATE INDEX … ON ONLY`, `OWNER TO`, …) is beyond sqlparser 0.64, and
//! because every statement must be consumed to its last token: a statement
//! that only parses as a prefix is an error, never a silent partial apply.
//!
//! The grammar is split by kind of object, as PostgreSQL's
//! `src/backend/commands/` is: `cursor` holds the token-level primitives and
//! `ast` the statement types; `table`, `constraint`, `index`, `sequence`,
//! `types`, `routine`, `trigger`, `policy`, `privilege`, `unmanaged`, `comment` and `utility` each parse their kind of
//! statement; this module dispatches a statement by its first words (CREATE,
//! ALTER, DROP, …).

mod aggregate;
mod ast;
mod comment;
mod constraint;
mod cursor;
mod domain;
mod event_trigger;
mod foreign;
mod index;
mod operator;
mod policy;
mod privilege;
mod publication;
mod routine;
mod rule;
mod sequence;
mod statistics;
mod table;
mod trigger;
mod types;
mod unmanaged;
mod utility;
mod view;

pub use ast::*;
pub(crate) use cursor::Cursor;
pub use routine::{float4_text, routine_type, set_config};
pub use utility::{default_search_path, split_search_path};
pub use view::query_key;

use sqlparser::ast::Expr;
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::Token;

use crate::names::truncate_identifier;
use unmanaged::rename_last_part;
use utility::static_kind;

/// A parse error at a byte offset of the statement text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub message: String,
    pub offset: usize,
    pub len: usize,
    pub help: Option<String>,
}

type PResult<T> = Result<T, ParseError>;

/// Parses one statement (as split from a file, without its `;`).
pub fn parse_statement(text: &str) -> PResult<Stmt> {
    let dialect = PostgreSqlDialect {};
    let parser = Parser::new(&dialect)
        .try_with_sql(text)
        .map_err(|e| ParseError {
            message: format!("cannot tokenize statement: {e}"),
            offset: 0,
            len: text.len().min(1),
            help: None,
        })?;
    let mut c = Cursor::new(parser, text);
    let stmt = c.statement()?;
    if !c.at_end() {
        return Err(c
            .err_here("unexpected text after the end of the statement")
            .with_help(
                "strata read the statement up to here and does not understand the rest; \
             check the syntax, or mark the statement with `-- strata:ignore`",
            ));
    }
    Ok(stmt)
}

impl ParseError {
    fn with_help(mut self, help: impl Into<String>) -> ParseError {
        self.help = Some(help.into());
        self
    }
}

impl<'a> Cursor<'a> {
    // ---------------------------------------------------------------- statements

    fn statement(&mut self) -> PResult<Stmt> {
        let Some(first) = self.word_upper(0) else {
            if matches!(self.peek().token, Token::LParen) {
                // `(SELECT …)`
                self.skip_rest();
                return Ok(Stmt::NonSchema("SELECT"));
            }
            return Err(self.expected("a statement"));
        };
        match first.as_str() {
            "CREATE" => self.create(),
            "ALTER" => self.alter(),
            "DROP" => self.drop(),
            "COMMENT" => self.comment(),
            "SET" => self.set(),
            "RESET" => {
                // `RESET search_path` and `RESET ALL` bring back the default.
                let resets_path = matches!(self.word_upper(1).as_deref(), Some("SEARCH_PATH" | "ALL"));
                if self.peek_nth_kw(1, "ROLE")
                    || (self.peek_nth_kw(1, "SESSION") && self.peek_nth_kw(2, "AUTHORIZATION"))
                {
                    self.skip_rest();
                    return Ok(Stmt::SetRole {
                        local: false,
                        role: None,
                    });
                }
                self.skip_rest();
                if resets_path {
                    return Ok(Stmt::SetSearchPath(default_search_path()));
                }
                Ok(Stmt::NonSchema("RESET"))
            }
            "IMPORT" if self.peek_nth_kw(1, "FOREIGN") => self.import_foreign_schema(),
            "SELECT" => self.select(),
            "DO" => self.do_block(),
            "REFRESH" if self.peek_nth_kw(1, "MATERIALIZED") => self.refresh_view(),
            "GRANT" | "REVOKE" => self.grant_or_revoke(),
            "INSERT" | "UPDATE" | "DELETE" | "MERGE" | "TRUNCATE" | "COPY" | "ANALYZE" | "ANALYSE" | "VACUUM" | "REFRESH"
            | "LOCK" | "NOTIFY" | "LISTEN" | "UNLISTEN" | "CLUSTER" | "REINDEX" | "CHECKPOINT" | "DISCARD" | "BEGIN"
            | "COMMIT" | "END" | "START" | "SAVEPOINT" | "RELEASE" | "WITH" | "VALUES" | "TABLE" | "CALL" | "EXPLAIN" | "SECURITY"
            | "PREPARE" | "EXECUTE" | "DEALLOCATE" | "DECLARE" | "FETCH" | "CLOSE" | "MOVE" | "LOAD" | "ABORT" => {
                let kind = static_kind(&first);
                self.skip_rest();
                Ok(Stmt::NonSchema(kind))
            }
            _ if !STATEMENT_WORDS.contains(&first.as_str()) => {
                // Not a statement PostgreSQL knows either: a typo, not
                // something to ignore.
                let help = match closest_statement_word(&first) {
                    Some(w) => format!("did you mean `{w}`?"),
                    None => "check the statement's first word".to_string(),
                };
                Err(self
                    .err_here(format!("`{first}` does not begin an SQL statement: PostgreSQL would fail here with a syntax error"))
                    .with_help(help))
            }
            _ => Err(self.err_here(format!("strata does not understand statements starting with `{first}`")).with_help(
                "if this statement changes nothing strata models, mark it with a `-- strata:ignore` comment on the line before it",
            )),
        }
    }

    fn create(&mut self) -> PResult<Stmt> {
        self.expect_kw("CREATE")?;
        let or_replace = self.eat_kws(&["OR", "REPLACE"]);
        if self.eat_kw("UNLOGGED") {
            self.expect_kw("TABLE")?;
            return self.create_table(true);
        }
        if self.peek_kw("TEMP") || self.peek_kw("TEMPORARY") {
            return Err(self
                .err_here("temporary objects are not part of a schema")
                .with_help(
                    "remove the statement from the migration, or mark it with `-- strata:ignore`",
                ));
        }
        if self.eat_kw("TABLE") {
            return self.create_table(false);
        }
        if self.eat_kw("UNIQUE") {
            self.expect_kw("INDEX")?;
            return self.create_index(true);
        }
        if self.eat_kw("INDEX") {
            return self.create_index(false);
        }
        if self.eat_kw("SCHEMA") {
            let if_not_exists = self.if_not_exists();
            let (name, authorization) = if self.eat_kw("AUTHORIZATION") {
                match self.role_spec()? {
                    Some(role) => (role.clone(), Some(Some(role))),
                    None => {
                        return Err(self
                            .err_here("CREATE SCHEMA AUTHORIZATION CURRENT_USER names the schema after the role running the SQL, which strata cannot know offline")
                            .with_help("name the schema: CREATE SCHEMA name AUTHORIZATION CURRENT_USER"));
                    }
                }
            } else {
                let n = self.ident()?;
                let authorization = if self.eat_kw("AUTHORIZATION") {
                    Some(self.role_spec()?)
                } else {
                    None
                };
                (n, authorization)
            };
            if !self.at_end() {
                return Err(self
                    .err_here("CREATE SCHEMA with schema elements is not supported")
                    .with_help("create the objects in separate statements"));
            }
            return Ok(Stmt::CreateSchema {
                name,
                if_not_exists,
                authorization,
            });
        }
        if self.eat_kw("EXTENSION") {
            let if_not_exists = self.if_not_exists();
            let name = self.ident()?;
            self.eat_kw("WITH");
            let mut schema = None;
            let mut version = None;
            loop {
                if self.eat_kw("SCHEMA") {
                    schema = Some(self.ident()?);
                } else if self.eat_kw("VERSION") {
                    version = Some(self.ident_or_string()?);
                } else if self.eat_kw("CASCADE") {
                } else {
                    break;
                }
            }
            return Ok(Stmt::CreateExtension {
                name,
                if_not_exists,
                schema,
                version,
            });
        }
        if self.eat_kw("TYPE") {
            return self.create_type();
        }
        if self.eat_kw("SEQUENCE") {
            let if_not_exists = self.if_not_exists();
            let name = self.qname()?;
            let options = self.seq_options()?;
            return Ok(Stmt::CreateSequence {
                name,
                if_not_exists,
                options,
            });
        }
        if self.peek_kw("FUNCTION") || self.peek_kw("PROCEDURE") {
            return self.create_routine(or_replace);
        }
        if self.eat_kw("DOMAIN") {
            return self.create_domain();
        }
        if self.eat_kw("COLLATION") {
            return self.create_collation();
        }
        if self.eat_kws(&["EVENT", "TRIGGER"]) {
            return self.create_event_trigger();
        }
        if self.eat_kws(&["FOREIGN", "DATA", "WRAPPER"]) {
            return self.create_foreign_data_wrapper();
        }
        if self.eat_kws(&["FOREIGN", "TABLE"]) {
            return self.create_foreign_table();
        }
        if self.eat_kw("SERVER") {
            return self.create_server();
        }
        if self.eat_kws(&["USER", "MAPPING"]) {
            return self.create_user_mapping();
        }
        if self.eat_kw("STATISTICS") {
            if or_replace {
                return Err(self.err_here(
                    "CREATE OR REPLACE STATISTICS does not exist: PostgreSQL would fail here with a syntax error",
                ));
            }
            return self.create_statistics();
        }
        if self.eat_kw("POLICY") {
            if or_replace {
                return Err(
                    self.err_here("CREATE OR REPLACE POLICY does not exist in PostgreSQL 15")
                );
            }
            return self.create_policy();
        }
        if self.peek_kw("TRIGGER") || self.peek_kws(&["CONSTRAINT", "TRIGGER"]) {
            return self.create_trigger(or_replace);
        }
        if self.eat_kw("RULE") {
            return self.create_rule(or_replace);
        }
        if self.eat_kw("PUBLICATION") {
            return self.create_publication();
        }
        let recursive = self.eat_kw("RECURSIVE");
        if self.peek_kw("VIEW") || self.peek_kws(&["MATERIALIZED", "VIEW"]) {
            return self.create_view(or_replace, recursive);
        }
        // Objects kept by name.
        if self.peek_kw("CONSTRAINT") && self.peek_nth_kw(1, "TRIGGER") {
            self.p.next_token();
        }
        if self.peek_kw("OPERATOR")
            && !self.peek_nth_kw(1, "CLASS")
            && !self.peek_nth_kw(1, "FAMILY")
        {
            self.p.next_token();
            return self.create_operator();
        }
        if self.eat_kw("AGGREGATE") {
            return self.create_aggregate(or_replace);
        }
        let kind = if let Some(kind) = self.unmanaged_kind() {
            kind
        } else {
            let what = self.word_upper(0).unwrap_or_default();
            return Err(self.err_here(format!("strata does not understand CREATE {what}")).with_help(
                "if this statement changes nothing strata models, mark it with a `-- strata:ignore` comment on the line before it",
            ));
        };
        let if_not_exists = self.if_not_exists();
        let name = self.unmanaged_name(kind)?;
        self.skip_rest();
        Ok(Stmt::Unmanaged {
            kind,
            op: UnmanagedOp::Create {
                name,
                or_replace,
                if_not_exists,
            },
        })
    }

    fn alter(&mut self) -> PResult<Stmt> {
        self.expect_kw("ALTER")?;
        if self.eat_kw("TABLE") {
            return self.alter_table();
        }
        if self.eat_kw("INDEX") {
            let if_exists = self.if_exists();
            let name = self.qname()?;
            if self.eat_kws(&["RENAME", "TO"]) {
                let new_name = self.ident()?;
                return Ok(Stmt::RenameIndex {
                    name,
                    if_exists,
                    new_name,
                });
            }
            if self.peek_kw("SET")
                || self.peek_kw("RESET")
                || self.peek_kw("ALTER")
                || self.peek_kw("ATTACH")
                || self.peek_kw("OWNER")
            {
                if self.eat_kws(&["ATTACH", "PARTITION"]) {
                    let child = self.qname()?;
                    return Ok(Stmt::AttachIndex {
                        parent: name,
                        child,
                    });
                }
                if self.peek_kw("SET") && self.peek_nth_kw(1, "SCHEMA") {
                    return Err(self.err_here("ALTER INDEX … SET SCHEMA is not supported"));
                }
                if self.peek_kw("SET") && self.peek_nth(1).token == Token::LParen {
                    self.p.next_token();
                    let set = self.rel_options()?;
                    return Ok(Stmt::AlterIndexOptions {
                        name,
                        if_exists,
                        set,
                        reset: Vec::new(),
                    });
                }
                if self.eat_kw("RESET") {
                    let reset = self.rel_option_names()?;
                    return Ok(Stmt::AlterIndexOptions {
                        name,
                        if_exists,
                        set: Vec::new(),
                        reset,
                    });
                }
                if self.peek_kw("ALTER") {
                    let targets = self.index_statistics_targets()?;
                    return Ok(Stmt::AlterIndexStatistics {
                        name,
                        if_exists,
                        targets,
                    });
                }
                if self.peek_kw("SET") && !self.peek_nth_kw(1, "TABLESPACE") {
                    return Err(self.expected("SET (…), SET TABLESPACE or RESET (…)"));
                }
                self.skip_rest();
                return Ok(Stmt::NonSchema("ALTER INDEX"));
            }
            return Err(self.expected("RENAME TO or SET"));
        }
        if self.eat_kw("DOMAIN") {
            return self.alter_domain();
        }
        if self.eat_kw("COLLATION") {
            return self.alter_collation();
        }
        if self.eat_kw("STATISTICS") {
            return self.alter_statistics();
        }
        if self.eat_kws(&["EVENT", "TRIGGER"]) {
            return self.alter_event_trigger();
        }
        if self.eat_kws(&["FOREIGN", "DATA", "WRAPPER"]) {
            return self.alter_foreign_data_wrapper();
        }
        if self.eat_kws(&["FOREIGN", "TABLE"]) {
            return self.alter_foreign_table();
        }
        if self.eat_kw("SERVER") {
            return self.alter_server();
        }
        if self.eat_kws(&["USER", "MAPPING"]) {
            return self.alter_user_mapping();
        }
        if self.eat_kw("TYPE") {
            let name = self.qname()?;
            let action = if let Some(a) = self.attribute_action()? {
                if !self.at_end() {
                    return Err(self.expected("the end of the statement"));
                }
                a
            } else if self.eat_kws(&["ADD", "VALUE"]) {
                let if_not_exists = self.if_not_exists();
                let value = self.string()?;
                let mut before = None;
                let mut after = None;
                if self.eat_kw("BEFORE") {
                    before = Some(self.string()?);
                } else if self.eat_kw("AFTER") {
                    after = Some(self.string()?);
                }
                EnumAction::AddValue {
                    value,
                    if_not_exists,
                    before,
                    after,
                }
            } else if self.eat_kws(&["RENAME", "VALUE"]) {
                let old = self.string()?;
                self.expect_kw("TO")?;
                let new = self.string()?;
                EnumAction::RenameValue { old, new }
            } else if self.eat_kws(&["RENAME", "TO"]) {
                EnumAction::RenameTo(self.ident()?)
            } else if self.eat_kws(&["SET", "SCHEMA"]) {
                EnumAction::SetSchema(self.ident()?)
            } else if self.eat_kws(&["OWNER", "TO"]) {
                let role = self.role_spec()?;
                return Ok(Stmt::AlterOwner {
                    target: OwnerTarget::Type {
                        name,
                        domain: false,
                    },
                    role,
                });
            } else {
                return Err(self
                    .err_here("strata does not understand this ALTER TYPE")
                    .with_help(
                        "supported: ADD VALUE, RENAME VALUE, ADD/DROP/ALTER/RENAME ATTRIBUTE, RENAME TO, SET SCHEMA, OWNER TO",
                    ));
            };
            return Ok(Stmt::AlterEnum { name, action });
        }
        if self.eat_kw("SEQUENCE") {
            let if_exists = self.if_exists();
            let name = self.qname()?;
            if self.eat_kws(&["RENAME", "TO"]) {
                let new_name = self.ident()?;
                return Ok(Stmt::AlterSequence {
                    name,
                    if_exists,
                    options: SeqOptions::default(),
                    rename: Some(new_name),
                });
            }
            if self.eat_kws(&["OWNER", "TO"]) {
                let role = self.role_spec()?;
                return Ok(Stmt::AlterOwner {
                    target: OwnerTarget::Sequence { name, if_exists },
                    role,
                });
            }
            let options = self.seq_options()?;
            return Ok(Stmt::AlterSequence {
                name,
                if_exists,
                options,
                rename: None,
            });
        }
        if self.eat_kw("SCHEMA") {
            let name = self.ident()?;
            if self.eat_kws(&["RENAME", "TO"]) {
                let new_name = self.ident()?;
                return Ok(Stmt::RenameSchema { name, new_name });
            }
            if self.eat_kws(&["OWNER", "TO"]) {
                let role = self.role_spec()?;
                return Ok(Stmt::AlterOwner {
                    target: OwnerTarget::Schema(name),
                    role,
                });
            }
            return Err(self.expected("RENAME TO or OWNER TO"));
        }
        if self.eat_kw("EXTENSION") {
            let name = self.ident()?;
            if self.eat_kw("UPDATE") {
                let version = if self.eat_kw("TO") {
                    Some(self.ident_or_string()?)
                } else {
                    None
                };
                return Ok(Stmt::AlterExtension {
                    name,
                    version,
                    schema: None,
                });
            }
            if self.eat_kws(&["SET", "SCHEMA"]) {
                let schema = Some(self.ident()?);
                return Ok(Stmt::AlterExtension {
                    name,
                    version: None,
                    schema,
                });
            }
            return Err(self.err_here("strata does not understand this ALTER EXTENSION"));
        }
        if self.eat_kws(&["DEFAULT", "PRIVILEGES"]) {
            return self.alter_default_privileges();
        }
        if self.peek_kw("ROLE")
            || self.peek_kw("USER")
            || self.peek_kw("DATABASE")
            || self.peek_kw("SYSTEM")
        {
            let k = self.word_upper(0).unwrap_or_default();
            self.skip_rest();
            return Ok(Stmt::NonSchema(static_kind(&format!("ALTER {k}"))));
        }
        if self.eat_kw("POLICY") {
            return self.alter_policy();
        }
        if let Some(kind) = self.routine_keyword() {
            let target = self.routine_ref()?;
            let op = if self.eat_kws(&["RENAME", "TO"]) {
                AlterRoutineOp::Rename(self.ident()?)
            } else if self.eat_kws(&["SET", "SCHEMA"]) {
                AlterRoutineOp::SetSchema(self.ident()?)
            } else if self.eat_kws(&["OWNER", "TO"]) {
                AlterRoutineOp::Owner(self.role_spec()?)
            } else if self.peek_kw("DEPENDS") || self.peek_kw("NO") {
                return Err(self
                    .err_here("ALTER FUNCTION … DEPENDS ON EXTENSION is not supported yet")
                    .with_help("mark the statement with `-- strata:ignore` to skip it"));
            } else {
                let mut actions = Vec::new();
                while let Some(a) = self.routine_action()? {
                    actions.push(a);
                }
                self.eat_kw("RESTRICT");
                if actions.is_empty() || !self.at_end() {
                    return Err(self.expected("an ALTER FUNCTION action"));
                }
                AlterRoutineOp::Actions(actions)
            };
            return Ok(Stmt::AlterRoutine {
                kind,
                target,
                op,
                text: self.text.to_string(),
            });
        }
        if self.eat_kw("TRIGGER") {
            return self.alter_trigger();
        }
        if self.eat_kw("RULE") {
            return self.alter_rule();
        }
        if self.eat_kw("PUBLICATION") {
            return self.alter_publication();
        }
        if self.peek_kw("OPERATOR")
            && !self.peek_nth_kw(1, "CLASS")
            && !self.peek_nth_kw(1, "FAMILY")
        {
            self.p.next_token();
            return self.alter_operator();
        }
        if self.eat_kw("AGGREGATE") {
            return self.alter_aggregate();
        }
        if self.peek_kw("VIEW") || self.peek_kws(&["MATERIALIZED", "VIEW"]) {
            return self.alter_view();
        }
        // Unmanaged objects: renames follow, everything else changes nothing modelled.
        let kind = if let Some(kind) = self.unmanaged_kind() {
            kind
        } else {
            let what = self.word_upper(0).unwrap_or_default();
            return Err(self.err_here(format!("strata does not understand ALTER {what}")).with_help(
                "if this statement changes nothing strata models, mark it with a `-- strata:ignore` comment on the line before it",
            ));
        };
        self.if_exists();
        let name = self.unmanaged_name(kind)?;
        if self.eat_kws(&["RENAME", "TO"]) {
            let new = self.ident()?;
            let new_name = rename_last_part(&name, &new);
            return Ok(Stmt::Unmanaged {
                kind,
                op: UnmanagedOp::Rename { name, new_name },
            });
        }
        if self.peek_kw("RENAME") || (self.peek_kw("SET") && self.peek_nth_kw(1, "SCHEMA")) {
            return Err(self.err_here(format!(
                "this ALTER {} is not supported yet",
                kind.label().to_uppercase()
            )));
        }
        self.skip_rest();
        Ok(Stmt::NonSchema("ALTER (unmanaged object)"))
    }

    fn drop(&mut self) -> PResult<Stmt> {
        self.expect_kw("DROP")?;
        let foreign = self.eat_kws(&["FOREIGN", "TABLE"]);
        if foreign || self.eat_kw("TABLE") {
            let if_exists = self.if_exists();
            let names = self.qname_list()?;
            let cascade = self.cascade();
            return Ok(Stmt::DropTable {
                names,
                if_exists,
                cascade,
                foreign,
            });
        }
        if self.eat_kw("INDEX") {
            self.eat_kw("CONCURRENTLY");
            let if_exists = self.if_exists();
            let names = self.qname_list()?;
            let cascade = self.cascade();
            return Ok(Stmt::DropIndex {
                names,
                if_exists,
                cascade,
            });
        }
        if self.eat_kw("COLLATION") {
            let if_exists = self.if_exists();
            let names = self.qname_list()?;
            let cascade = self.cascade();
            return Ok(Stmt::DropCollation {
                names,
                if_exists,
                cascade,
            });
        }
        if self.eat_kw("STATISTICS") {
            return self.drop_statistics();
        }
        if self.eat_kws(&["EVENT", "TRIGGER"]) {
            return self.drop_event_trigger();
        }
        if self.eat_kws(&["FOREIGN", "DATA", "WRAPPER"]) {
            return self.drop_foreign_data_wrapper();
        }
        if self.eat_kw("SERVER") {
            return self.drop_server();
        }
        if self.eat_kws(&["USER", "MAPPING"]) {
            return self.drop_user_mapping();
        }
        if self.eat_kw("RULE") {
            return self.drop_rule();
        }
        if self.eat_kw("PUBLICATION") {
            return self.drop_publication();
        }
        if self.eat_kw("DOMAIN") {
            let if_exists = self.if_exists();
            let names = self.qname_list()?;
            let cascade = self.cascade();
            return Ok(Stmt::DropDomain {
                names,
                if_exists,
                cascade,
            });
        }
        if self.eat_kw("TYPE") {
            let if_exists = self.if_exists();
            let names = self.qname_list()?;
            let cascade = self.cascade();
            return Ok(Stmt::DropType {
                names,
                if_exists,
                cascade,
            });
        }
        if self.eat_kw("SEQUENCE") {
            let if_exists = self.if_exists();
            let names = self.qname_list()?;
            let cascade = self.cascade();
            return Ok(Stmt::DropSequence {
                names,
                if_exists,
                cascade,
            });
        }
        if self.eat_kw("SCHEMA") {
            let if_exists = self.if_exists();
            let mut names = vec![self.ident()?];
            while self.eat(&Token::Comma) {
                names.push(self.ident()?);
            }
            let cascade = self.cascade();
            return Ok(Stmt::DropSchema {
                names,
                if_exists,
                cascade,
            });
        }
        if self.eat_kw("EXTENSION") {
            let if_exists = self.if_exists();
            let mut names = vec![self.ident()?];
            while self.eat(&Token::Comma) {
                names.push(self.ident()?);
            }
            let cascade = self.cascade();
            return Ok(Stmt::DropExtension {
                names,
                if_exists,
                cascade,
            });
        }
        if self.peek_kw("OWNED")
            || self.peek_kw("ROLE")
            || self.peek_kw("USER")
            || self.peek_kw("DATABASE")
        {
            self.skip_rest();
            return Ok(Stmt::NonSchema("DROP ROLE/OWNED"));
        }
        if self.eat_kw("POLICY") {
            return self.drop_policy();
        }
        if let Some(kind) = self.routine_keyword() {
            let if_exists = self.if_exists();
            let mut refs = vec![self.routine_ref()?];
            while self.eat(&Token::Comma) {
                refs.push(self.routine_ref()?);
            }
            let cascade = self.cascade();
            return Ok(Stmt::DropRoutine {
                kind,
                refs,
                if_exists,
                cascade,
            });
        }
        if self.eat_kw("TRIGGER") {
            return self.drop_trigger();
        }
        if self.peek_kw("OPERATOR")
            && !self.peek_nth_kw(1, "CLASS")
            && !self.peek_nth_kw(1, "FAMILY")
        {
            self.p.next_token();
            return self.drop_operator();
        }
        if self.eat_kw("AGGREGATE") {
            return self.drop_aggregate();
        }
        if self.peek_kw("VIEW") || self.peek_kws(&["MATERIALIZED", "VIEW"]) {
            return self.drop_view();
        }
        let kind = if let Some(kind) = self.unmanaged_kind() {
            kind
        } else {
            let what = self.word_upper(0).unwrap_or_default();
            return Err(self.err_here(format!("strata does not understand DROP {what}")).with_help(
                "if this statement changes nothing strata models, mark it with a `-- strata:ignore` comment on the line before it",
            ));
        };
        let if_exists = self.if_exists();
        let mut names = vec![self.unmanaged_name(kind)?];
        while self.eat(&Token::Comma) {
            names.push(self.unmanaged_name(kind)?);
        }
        self.cascade();
        Ok(Stmt::Unmanaged {
            kind,
            op: UnmanagedOp::Drop { names, if_exists },
        })
    }
}

/// Folds an identifier as PostgreSQL does: unquoted to lower case (ASCII),
/// then truncates to 63 bytes.
pub fn fold_ident(value: &str, quoted: bool) -> String {
    if quoted {
        truncate_identifier(value)
    } else {
        truncate_identifier(&value.to_ascii_lowercase())
    }
}

/// Column names an expression refers to (unqualified identifiers and the
/// last part of compound ones), folded, in first-seen order.
pub fn column_refs(e: &Expr) -> Vec<String> {
    use sqlparser::ast::Visit;
    struct V(Vec<String>);
    impl sqlparser::ast::Visitor for V {
        type Break = ();
        fn pre_visit_expr(&mut self, e: &Expr) -> std::ops::ControlFlow<()> {
            let n = match e {
                Expr::Identifier(id) => Some(fold_ident(&id.value, id.quote_style.is_some())),
                Expr::CompoundIdentifier(ids) => ids
                    .last()
                    .map(|id| fold_ident(&id.value, id.quote_style.is_some())),
                _ => None,
            };
            if let Some(n) = n {
                if !self.0.contains(&n) {
                    self.0.push(n);
                }
            }
            std::ops::ControlFlow::Continue(())
        }
    }
    let mut v = V(Vec::new());
    let _ = e.visit(&mut v);
    v.0
}

/// Splits `a.b` (identifiers possibly quoted) into namespace and name,
/// unquoted.
pub(crate) fn split_qualified(s: &str) -> (Option<String>, String) {
    let mut parts = Vec::new();
    let mut cur = String::new();
    let mut in_q = false;
    let mut chars = s.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '"' if in_q && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => in_q = !in_q,
            '.' if !in_q => parts.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    parts.push(cur);
    if parts.len() >= 2 {
        let name = parts.pop().unwrap_or_default();
        let ns = parts.pop();
        (ns, name)
    } else {
        (None, parts.pop().unwrap_or_default())
    }
}

/// The words a PostgreSQL 15 statement can begin with (gram.y's `stmt`).
const STATEMENT_WORDS: &[&str] = &[
    "ABORT",
    "ALTER",
    "ANALYSE",
    "ANALYZE",
    "BEGIN",
    "CALL",
    "CHECKPOINT",
    "CLOSE",
    "CLUSTER",
    "COMMENT",
    "COMMIT",
    "COPY",
    "CREATE",
    "DEALLOCATE",
    "DECLARE",
    "DELETE",
    "DISCARD",
    "DO",
    "DROP",
    "END",
    "EXECUTE",
    "EXPLAIN",
    "FETCH",
    "GRANT",
    "IMPORT",
    "INSERT",
    "LISTEN",
    "LOAD",
    "LOCK",
    "MERGE",
    "MOVE",
    "NOTIFY",
    "PREPARE",
    "REASSIGN",
    "REFRESH",
    "REINDEX",
    "RELEASE",
    "RESET",
    "REVOKE",
    "ROLLBACK",
    "SAVEPOINT",
    "SECURITY",
    "SELECT",
    "SET",
    "SHOW",
    "START",
    "TABLE",
    "TRUNCATE",
    "UNLISTEN",
    "UPDATE",
    "VACUUM",
    "VALUES",
    "WITH",
];

/// The statement word within two edits of `word`, if exactly one is
/// closest.
fn closest_statement_word(word: &str) -> Option<&'static str> {
    fn distance(a: &str, b: &str) -> usize {
        let b: Vec<char> = b.chars().collect();
        let mut prev: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.chars().enumerate() {
            let mut cur = vec![i + 1];
            for (j, cb) in b.iter().enumerate() {
                let sub = prev[j] + usize::from(ca != *cb);
                cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
            }
            prev = cur;
        }
        prev[b.len()]
    }
    let mut best: Vec<(usize, &'static str)> = STATEMENT_WORDS
        .iter()
        .map(|w| (distance(word, w), *w))
        .filter(|(d, _)| *d <= 2)
        .collect();
    best.sort();
    match best.as_slice() {
        [(d, w), rest @ ..] if rest.first().is_none_or(|(d2, _)| d2 > d) => Some(w),
        _ => None,
    }
}

#[cfg(test)]
mod typo_tests {
    use super::*;

    #[test]
    fn a_misspelt_first_word_gets_the_statement_it_was_meant_to_be() {
        assert_eq!(closest_statement_word("CREAT"), Some("CREATE"));
        assert_eq!(closest_statement_word("ALTR"), Some("ALTER"));
        assert_eq!(closest_statement_word("INSRET"), Some("INSERT"));
        assert_eq!(closest_statement_word("XYZZY"), None);
        let e = parse_statement("CREAT TABLE t (a int)").unwrap_err();
        assert!(
            e.message.contains("does not begin an SQL statement"),
            "{}",
            e.message
        );
        assert_eq!(e.help.as_deref(), Some("did you mean `CREATE`?"));
        // A real statement strata does not model keeps the ignore advice.
        let e = parse_statement("IMPORT FOREIGN SCHEMA s FROM SERVER x INTO y").unwrap_err();
        assert!(
            e.help.as_deref().unwrap_or("").contains("strata:ignore")
                && e.message.contains("IMPORT FOREIGN SCHEMA"),
            "{e:?}"
        );
    }
}
