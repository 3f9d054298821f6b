//! Parsing one statement into what replay needs.
//!
//! The cursor is sqlparser's own `Parser` (PostgreSqlDialect): its tokenizer,
//! and its expression and data-type parsers. The statement grammar on top is
//! strata's, because PostgreSQL DDL that real histories use (`ALTER COLUMN …
//! DROP EXPRESSION`, `DROP INDEX CONCURRENTLY`, `ALTER SEQUENCE … OWNED BY`,
//! `CREATE INDEX … ON ONLY`, `OWNER TO`, …) is beyond sqlparser 0.64, and
//! because every statement must be consumed to its last token: a statement
//! that only parses as a prefix is an error, never a silent partial apply.

use sqlparser::ast::Expr;
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, TokenWithSpan};

use crate::model::{Expression, FkAction, Identity};
use crate::names::truncate_identifier;
use crate::normalize;

/// A possibly qualified name, folded as PostgreSQL folds identifiers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QName {
    pub schema: Option<String>,
    pub name: String,
}

impl std::fmt::Display for QName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.schema {
            Some(s) => write!(
                f,
                "{}.{}",
                crate::model::quote_ident(s),
                crate::model::quote_ident(&self.name)
            ),
            None => write!(f, "{}", crate::model::quote_ident(&self.name)),
        }
    }
}

/// What a statement means to the schema.
#[derive(Debug, Clone)]
pub enum Stmt {
    CreateSchema {
        name: String,
        if_not_exists: bool,
    },
    DropSchema {
        names: Vec<String>,
        if_exists: bool,
        cascade: bool,
    },
    RenameSchema {
        name: String,
        new_name: String,
    },
    CreateExtension {
        name: String,
        if_not_exists: bool,
        schema: Option<String>,
        version: Option<String>,
    },
    DropExtension {
        names: Vec<String>,
        if_exists: bool,
        cascade: bool,
    },
    AlterExtension {
        name: String,
        version: Option<String>,
        schema: Option<String>,
    },
    CreateEnum {
        name: QName,
        values: Vec<String>,
    },
    AlterEnum {
        name: QName,
        action: EnumAction,
    },
    DropType {
        names: Vec<QName>,
        if_exists: bool,
        cascade: bool,
    },
    CreateTable(CreateTable),
    AlterTable {
        name: QName,
        if_exists: bool,
        actions: Vec<TableAction>,
    },
    DropTable {
        names: Vec<QName>,
        if_exists: bool,
        cascade: bool,
    },
    CreateIndex(CreateIndex),
    DropIndex {
        names: Vec<QName>,
        if_exists: bool,
        cascade: bool,
    },
    RenameIndex {
        name: QName,
        if_exists: bool,
        new_name: String,
    },
    /// `ALTER INDEX … SET (…)` / `RESET (…)`.
    AlterIndexOptions {
        name: QName,
        if_exists: bool,
        set: Vec<(String, String)>,
        reset: Vec<String>,
    },
    CreateSequence {
        name: QName,
        if_not_exists: bool,
        options: SeqOptions,
    },
    AlterSequence {
        name: QName,
        if_exists: bool,
        options: SeqOptions,
        rename: Option<String>,
    },
    DropSequence {
        names: Vec<QName>,
        if_exists: bool,
        cascade: bool,
    },
    Comment {
        target: CommentTarget,
        text: Option<String>,
    },
    /// An object strata keeps by name only (views, functions, …).
    Unmanaged {
        kind: crate::model::UnmanagedKind,
        op: UnmanagedOp,
    },
    /// `SET search_path …` / `set_config('search_path', …)`.
    SetSearchPath(Vec<String>),
    /// `SET LOCAL search_path …` / `set_config('search_path', …, true)`:
    /// until the end of the transaction.
    SetLocalSearchPath(Vec<String>),
    /// A statement that changes no schema (INSERT, SET, GRANT, …), by kind.
    NonSchema(&'static str),
    /// A `DO` block; its body is interpreted by replay.
    Do {
        body: String,
        body_offset: usize,
    },
}

#[derive(Debug, Clone)]
pub enum UnmanagedOp {
    Create {
        name: String,
        or_replace: bool,
        if_not_exists: bool,
    },
    Drop {
        names: Vec<String>,
        if_exists: bool,
    },
    Rename {
        name: String,
        new_name: String,
    },
}

#[derive(Debug, Clone)]
pub enum EnumAction {
    AddValue {
        value: String,
        if_not_exists: bool,
        before: Option<String>,
        after: Option<String>,
    },
    RenameValue {
        old: String,
        new: String,
    },
    RenameTo(String),
    SetSchema(String),
}

#[derive(Debug, Clone, Default)]
pub struct SeqOptions {
    pub data_type: Option<String>,
    pub start: Option<i64>,
    pub increment: Option<i64>,
    /// `Some(None)` for `NO MINVALUE`.
    pub min_value: Option<Option<i64>>,
    pub max_value: Option<Option<i64>>,
    pub cache: Option<i64>,
    pub cycle: Option<bool>,
    /// `Some(None)` for `OWNED BY NONE`; else table and column.
    pub owned_by: Option<Option<(QName, String)>>,
    pub restart: bool,
}

#[derive(Debug, Clone)]
pub struct CreateTable {
    pub name: QName,
    pub if_not_exists: bool,
    pub unlogged: bool,
    pub partition_by: Option<String>,
    /// `WITH (name = value, …)`: storage parameters, values as the server
    /// stores their text.
    pub options: Vec<(String, String)>,
    pub columns: Vec<ColumnDef>,
    pub constraints: Vec<ConstraintDef>,
}

#[derive(Debug, Clone)]
pub struct ColumnDef {
    pub name: String,
    /// Canonical type (serial pseudo-types already resolved to their integer type).
    pub data_type: String,
    /// `serial`/`bigserial`/`smallserial`.
    pub serial: bool,
    pub collation: Option<String>,
    pub not_null: bool,
    pub default: Option<Expression>,
    pub generated: Option<Expression>,
    pub identity: Option<(Identity, SeqOptions)>,
    /// Constraints written on the column, bound to it.
    pub constraints: Vec<ConstraintDef>,
}

#[derive(Debug, Clone)]
pub struct ConstraintDef {
    pub name: Option<String>,
    pub kind: ConstraintDefKind,
    pub deferrable: bool,
    pub initially_deferred: bool,
    pub not_valid: bool,
}

#[derive(Debug, Clone)]
pub enum ConstraintDefKind {
    PrimaryKey {
        columns: Vec<String>,
        include: Vec<String>,
        using_index: Option<String>,
    },
    Unique {
        columns: Vec<String>,
        include: Vec<String>,
        nulls_not_distinct: bool,
        using_index: Option<String>,
    },
    ForeignKey {
        columns: Vec<String>,
        ref_table: QName,
        ref_columns: Vec<String>,
        on_delete: FkAction,
        on_update: FkAction,
        match_full: bool,
    },
    Check {
        expression: Expression,
        columns: Vec<String>,
        no_inherit: bool,
    },
    Exclusion {
        definition: String,
        columns: Vec<String>,
        /// The names PostgreSQL gives its index columns (keys, then
        /// INCLUDE columns) when it chooses the constraint's name.
        name_parts: Vec<String>,
    },
}

#[derive(Debug, Clone)]
pub enum TableAction {
    AddColumn {
        if_not_exists: bool,
        column: Box<ColumnDef>,
    },
    DropColumn {
        name: String,
        if_exists: bool,
        cascade: bool,
    },
    AlterColumn {
        name: String,
        op: ColumnOp,
    },
    AddConstraint(ConstraintDef),
    DropConstraint {
        name: String,
        if_exists: bool,
        cascade: bool,
    },
    ValidateConstraint(String),
    RenameColumn {
        old: String,
        new: String,
    },
    RenameConstraint {
        old: String,
        new: String,
    },
    RenameTo(String),
    SetSchema(String),
    RowLevelSecurity(bool),
    ForceRowLevelSecurity(bool),
    SetLogged(bool),
    /// `SET (name = value, …)`.
    SetOptions(Vec<(String, String)>),
    /// `RESET (name, …)`.
    ResetOptions(Vec<String>),
    /// Changes nothing strata models (OWNER TO, SET (storage), CLUSTER ON, …).
    NoOp(&'static str),
}

#[derive(Debug, Clone)]
pub enum ColumnOp {
    SetType {
        data_type: String,
        collation: Option<String>,
        using: bool,
    },
    SetDefault(Expression),
    DropDefault,
    SetNotNull,
    DropNotNull,
    DropExpression {
        if_exists: bool,
    },
    SetExpression(Expression),
    AddIdentity(Identity, SeqOptions),
    SetIdentity(Option<Identity>, SeqOptions),
    DropIdentity {
        if_exists: bool,
    },
    /// `SET STATISTICS n` (-1: the default).
    SetStatistics(i32),
    NoOp(&'static str),
}

#[derive(Debug, Clone)]
pub struct CreateIndex {
    pub name: Option<String>,
    pub unique: bool,
    pub concurrently: bool,
    pub if_not_exists: bool,
    pub table: QName,
    pub method: String,
    pub keys: Vec<IndexElem>,
    pub include: Vec<String>,
    pub nulls_not_distinct: bool,
    pub predicate: Option<Expression>,
    /// `WITH (…)`: storage parameters.
    pub options: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
pub struct IndexElem {
    pub key: crate::model::IndexKeyExpr,
    /// Name PostgreSQL uses for it when choosing an index name.
    pub name_part: String,
    pub opclass: Option<String>,
    pub collation: Option<String>,
    pub descending: bool,
    pub nulls_first: Option<bool>,
}

#[derive(Debug, Clone)]
pub enum CommentTarget {
    Table(QName),
    Column(QName, String),
    Index(QName),
    Sequence(QName),
    Type(QName),
    Schema(String),
    Extension(String),
    Constraint {
        name: String,
        table: QName,
    },
    Unmanaged(crate::model::UnmanagedKind, String),
    /// Objects whose comments are not modelled (database, role, …).
    Other(&'static str),
}

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

pub(crate) struct Cursor<'a> {
    p: Parser<'a>,
    text: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(p: Parser<'a>, text: &'a str) -> Cursor<'a> {
        let mut line_starts = vec![0];
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                line_starts.push(i + 1);
            }
        }
        Cursor {
            p,
            text,
            line_starts,
        }
    }

    fn offset_of(&self, tok: &TokenWithSpan) -> usize {
        self.offset_at(tok.span.start)
    }

    /// The byte offset of a tokenizer location in the statement's text.
    fn offset_at(&self, at: sqlparser::tokenizer::Location) -> usize {
        let line = at.line as usize;
        let col = at.column as usize;
        if line == 0 {
            return self.text.len();
        }
        let start = self
            .line_starts
            .get(line - 1)
            .copied()
            .unwrap_or(self.text.len());
        let rest = &self.text[start.min(self.text.len())..];
        let mut off = start;
        for (i, (bi, _)) in rest.char_indices().enumerate() {
            if i + 1 == col {
                return start + bi;
            }
            off = start + bi;
        }
        off.min(self.text.len())
    }

    fn peek(&self) -> TokenWithSpan {
        self.p.peek_token()
    }

    fn peek_nth(&self, n: usize) -> TokenWithSpan {
        self.p.peek_nth_token(n)
    }

    fn err_here(&self, message: impl Into<String>) -> ParseError {
        let tok = self.peek();
        let offset = self.offset_of(&tok);
        let len = tok
            .token
            .to_string()
            .len()
            .max(1)
            .min(self.text.len().saturating_sub(offset).max(1));
        ParseError {
            message: message.into(),
            offset,
            len,
            help: None,
        }
    }

    fn expected(&self, what: &str) -> ParseError {
        let tok = self.peek();
        let found = match &tok.token {
            Token::EOF => "the end of the statement".to_string(),
            t => {
                let text = t.to_string();
                if text.chars().any(char::is_control) {
                    // Invisible characters are named, not printed raw.
                    let shown: String = text.chars().flat_map(char::escape_debug).collect();
                    format!("`{shown}` (a control character)")
                } else {
                    format!("`{text}`")
                }
            }
        };
        self.err_here(format!("expected {what}, found {found}"))
    }

    fn sql_err(&self, e: sqlparser::parser::ParserError) -> ParseError {
        let msg = match e {
            sqlparser::parser::ParserError::ParserError(m)
            | sqlparser::parser::ParserError::TokenizerError(m) => m,
            sqlparser::parser::ParserError::RecursionLimitExceeded => {
                "expression nested too deeply".to_string()
            }
        };
        // sqlparser appends " at Line: x, Column: y"; the location is ours.
        let msg = match msg.find(" at Line: ") {
            Some(i) => msg[..i].to_string(),
            None => msg,
        };
        let mut err = self.err_here(msg);
        err.help = Some("check the syntax; if strata is wrong about it, mark the statement with `-- strata:ignore`".into());
        err
    }

    pub(crate) fn at_end(&self) -> bool {
        matches!(self.peek().token, Token::EOF | Token::SemiColon)
    }

    fn is_kw_tok(tok: &Token, kw: &str) -> bool {
        matches!(tok, Token::Word(w) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case(kw))
    }

    fn peek_kw(&self, kw: &str) -> bool {
        Self::is_kw_tok(&self.peek().token, kw)
    }

    fn peek_nth_kw(&self, n: usize, kw: &str) -> bool {
        Self::is_kw_tok(&self.peek_nth(n).token, kw)
    }

    /// The next tokens are these keywords (nothing is consumed).
    fn peek_kws(&self, kws: &[&str]) -> bool {
        kws.iter().enumerate().all(|(i, k)| self.peek_nth_kw(i, k))
    }

    fn peek_nth_is(&self, n: usize, t: &Token) -> bool {
        &self.peek_nth(n).token == t
    }

    fn eat_kw(&mut self, kw: &str) -> bool {
        if self.peek_kw(kw) {
            self.p.next_token();
            true
        } else {
            false
        }
    }

    fn eat_kws(&mut self, kws: &[&str]) -> bool {
        for (i, kw) in kws.iter().enumerate() {
            if !self.peek_nth_kw(i, kw) {
                return false;
            }
        }
        for _ in kws {
            self.p.next_token();
        }
        true
    }

    fn expect_kw(&mut self, kw: &str) -> PResult<()> {
        if self.eat_kw(kw) {
            Ok(())
        } else {
            Err(self.expected(kw))
        }
    }

    fn expect_kws(&mut self, kws: &[&str]) -> PResult<()> {
        for kw in kws {
            self.expect_kw(kw)?;
        }
        Ok(())
    }

    fn eat(&mut self, t: &Token) -> bool {
        self.p.consume_token(t)
    }

    fn expect(&mut self, t: &Token) -> PResult<()> {
        if self.eat(t) {
            Ok(())
        } else {
            Err(self.expected(&format!("`{t}`")))
        }
    }

    /// An identifier, folded as PostgreSQL does and truncated to 63 bytes.
    fn ident(&mut self) -> PResult<String> {
        match self.peek().token {
            Token::Word(w) => {
                self.p.next_token();
                Ok(fold_ident(&w.value, w.quote_style.is_some()))
            }
            _ => Err(self.expected("a name")),
        }
    }

    fn qname(&mut self) -> PResult<QName> {
        let first = self.ident()?;
        if self.eat(&Token::Period) {
            let second = self.ident()?;
            if self.eat(&Token::Period) {
                // database.schema.name: the database part is ignored.
                let third = self.ident()?;
                return Ok(QName {
                    schema: Some(second),
                    name: third,
                });
            }
            Ok(QName {
                schema: Some(first),
                name: second,
            })
        } else {
            Ok(QName {
                schema: None,
                name: first,
            })
        }
    }

    fn qname_list(&mut self) -> PResult<Vec<QName>> {
        let mut v = vec![self.qname()?];
        while self.eat(&Token::Comma) {
            v.push(self.qname()?);
        }
        Ok(v)
    }

    fn ident_list_parens(&mut self) -> PResult<Vec<String>> {
        self.expect(&Token::LParen)?;
        let mut v = Vec::new();
        if self.eat(&Token::RParen) {
            return Ok(v);
        }
        loop {
            v.push(self.ident()?);
            if !self.eat(&Token::Comma) {
                break;
            }
        }
        self.expect(&Token::RParen)?;
        Ok(v)
    }

    fn string(&mut self) -> PResult<String> {
        match self.peek().token {
            Token::SingleQuotedString(s)
            | Token::EscapedStringLiteral(s)
            | Token::NationalStringLiteral(s)
            | Token::UnicodeStringLiteral(s) => {
                self.p.next_token();
                // Adjacent string literals separated by a newline concatenate.
                let mut s = s;
                while let Token::SingleQuotedString(more) = self.peek().token {
                    self.p.next_token();
                    s.push_str(&more);
                }
                Ok(s)
            }
            Token::DollarQuotedString(d) => {
                self.p.next_token();
                Ok(d.value)
            }
            _ => Err(self.expected("a string literal")),
        }
    }

    fn number_i64(&mut self) -> PResult<i64> {
        let neg = self.eat(&Token::Minus);
        if !neg {
            self.eat(&Token::Plus);
        }
        match self.peek().token {
            Token::Number(n, _) => {
                self.p.next_token();
                // Parsed wide so that -9223372036854775808 fits.
                let v: Option<i64> = n
                    .parse::<i128>()
                    .ok()
                    .map(|v| if neg { -v } else { v })
                    .and_then(|v| i64::try_from(v).ok());
                v.ok_or_else(|| {
                    self.err_here(format!(
                        "`{}{n}` is out of range for type bigint",
                        if neg { "-" } else { "" }
                    ))
                })
            }
            _ => Err(self.expected("a number")),
        }
    }

    fn expr(&mut self) -> PResult<Expr> {
        self.p.parse_expr().map_err(|e| self.sql_err(e))
    }

    /// The text of the statement from `start` (a byte offset) to the end of
    /// the last token read: an expression exactly as written.
    fn written_since(&self, start: usize) -> String {
        // The end location is one past the token's last character, which
        // may be past the end of the text: find the last character instead.
        let mut last = self.p.get_current_token().span.end;
        last.column = last.column.saturating_sub(1).max(1);
        let at = self.offset_at(last);
        let end = at + self.text[at..].chars().next().map_or(0, char::len_utf8);
        self.text
            .get(start..end.max(start))
            .unwrap_or_default()
            .to_string()
    }

    /// An expression as written; what the server stores is worked out by
    /// replay, where the table's columns are known.
    fn written_expr(&mut self) -> PResult<(Expr, Expression)> {
        let start = self.offset_of(&self.peek());
        let e = self.expr()?;
        let sql = self.written_since(start);
        Ok((e.clone(), Expression::written(sql, e.to_string())))
    }

    /// A parenthesised expression `( expr )`, as written.
    fn paren_expr(&mut self) -> PResult<(Expression, Vec<String>)> {
        self.expect(&Token::LParen)?;
        let (e, x) = self.written_expr()?;
        self.expect(&Token::RParen)?;
        Ok((x, column_refs(&e)))
    }

    /// A parenthesised boolean expression (CHECK, WHERE), as written.
    fn paren_predicate(&mut self) -> PResult<(Expression, Vec<String>)> {
        self.paren_expr()
    }

    fn data_type(&mut self) -> PResult<(String, bool)> {
        // serial pseudo-types are names, not types.
        if let Token::Word(w) = self.peek().token {
            if w.quote_style.is_none() {
                if let Some(t) = normalize::serial_type(&w.value.to_ascii_lowercase()) {
                    if !matches!(self.peek_nth(1).token, Token::Period | Token::LBracket) {
                        self.p.next_token();
                        return Ok((t.to_string(), true));
                    }
                }
            }
        }
        let start = self.peek();
        let dt = self.p.parse_data_type().map_err(|e| self.sql_err(e))?;
        let t = normalize::data_type(&dt).map_err(|m| {
            let offset = self.offset_of(&start);
            ParseError {
                message: m,
                offset,
                len: 1,
                help: None,
            }
        })?;
        Ok((t, false))
    }

    /// Skips to the end of the statement.
    fn skip_rest(&mut self) {
        while !self.at_end() {
            self.p.next_token();
        }
    }

    fn if_exists(&mut self) -> bool {
        self.eat_kws(&["IF", "EXISTS"])
    }

    fn if_not_exists(&mut self) -> bool {
        self.eat_kws(&["IF", "NOT", "EXISTS"])
    }

    fn cascade(&mut self) -> bool {
        if self.eat_kw("CASCADE") {
            true
        } else {
            self.eat_kw("RESTRICT");
            false
        }
    }

    fn word_upper(&self, n: usize) -> Option<String> {
        match self.peek_nth(n).token {
            Token::Word(w) if w.quote_style.is_none() => Some(w.value.to_ascii_uppercase()),
            _ => None,
        }
    }

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
                self.skip_rest();
                if resets_path {
                    return Ok(Stmt::SetSearchPath(default_search_path()));
                }
                Ok(Stmt::NonSchema("RESET"))
            }
            "SELECT" => self.select(),
            "DO" => self.do_block(),
            "INSERT" | "UPDATE" | "DELETE" | "MERGE" | "TRUNCATE" | "COPY" | "ANALYZE" | "ANALYSE" | "VACUUM" | "REFRESH" | "GRANT"
            | "REVOKE" | "LOCK" | "NOTIFY" | "LISTEN" | "UNLISTEN" | "CLUSTER" | "REINDEX" | "CHECKPOINT" | "DISCARD" | "BEGIN"
            | "COMMIT" | "END" | "START" | "SAVEPOINT" | "RELEASE" | "WITH" | "VALUES" | "TABLE" | "CALL" | "EXPLAIN" | "SECURITY"
            | "PREPARE" | "EXECUTE" | "DEALLOCATE" | "DECLARE" | "FETCH" | "CLOSE" | "MOVE" | "LOAD" | "ABORT" => {
                let kind = static_kind(&first);
                self.skip_rest();
                Ok(Stmt::NonSchema(kind))
            }
            _ => Err(self.err_here(format!("strata does not understand statements starting with `{first}`")).with_help(
                "if this statement changes nothing strata models, mark it with a `-- strata:ignore` comment on the line before it",
            )),
        }
    }

    fn select(&mut self) -> PResult<Stmt> {
        // `SELECT pg_catalog.set_config('search_path', '', false);` as pg_dump writes it.
        let text_start = self.offset_of(&self.peek());
        let rest = self.text[text_start..].to_ascii_lowercase();
        if rest.contains("set_config") && rest.contains("'search_path'") {
            self.p.next_token();
            let e = self.expr()?;
            if let Expr::Function(f) = &e {
                let fname = f.name.to_string().to_ascii_lowercase();
                if fname.ends_with("set_config") {
                    if let sqlparser::ast::FunctionArguments::List(list) = &f.args {
                        let args: Vec<Option<sqlparser::ast::Value>> = list
                            .args
                            .iter()
                            .map(|a| match a {
                                sqlparser::ast::FunctionArg::Unnamed(
                                    sqlparser::ast::FunctionArgExpr::Expr(Expr::Value(v)),
                                ) => Some(v.value.clone()),
                                _ => None,
                            })
                            .collect();
                        let text =
                            |i: usize| args.get(i).cloned().flatten().and_then(|v| v.into_string());
                        if args.len() == 3 && text(0).as_deref() == Some("search_path") {
                            let Some(value) = text(1) else {
                                return Err(self.err_here(
                                    "strata cannot tell which search_path this set_config sets: write the value as a string literal",
                                ));
                            };
                            let local = match args[2].clone() {
                                Some(sqlparser::ast::Value::Boolean(b)) => Some(b),
                                Some(v) => match v
                                    .into_string()
                                    .map(|t| t.to_ascii_lowercase())
                                    .as_deref()
                                {
                                    Some("true" | "t" | "on" | "yes" | "y" | "1") => Some(true),
                                    Some("false" | "f" | "off" | "no" | "n" | "0") => Some(false),
                                    _ => None,
                                },
                                None => None,
                            };
                            let Some(local) = local else {
                                return Err(self.err_here(
                                    "strata cannot tell whether this set_config of search_path is local: write its third argument as true or false",
                                ));
                            };
                            self.skip_rest();
                            let path = split_search_path(&value);
                            return Ok(if local {
                                Stmt::SetLocalSearchPath(path)
                            } else {
                                Stmt::SetSearchPath(path)
                            });
                        }
                    }
                }
            }
        }
        self.skip_rest();
        Ok(Stmt::NonSchema("SELECT"))
    }

    fn set(&mut self) -> PResult<Stmt> {
        self.expect_kw("SET")?;
        let local = !self.eat_kw("SESSION") && self.eat_kw("LOCAL");
        if self.peek_kw("search_path") {
            self.p.next_token();
            if !(self.eat(&Token::Eq) || self.eat_kw("TO")) {
                return Err(self.expected("`=` or TO"));
            }
            let mut path = Vec::new();
            if self.eat_kw("DEFAULT") {
                path = default_search_path();
            } else {
                loop {
                    match self.peek().token {
                        Token::Word(w) => {
                            self.p.next_token();
                            path.push(fold_ident(&w.value, w.quote_style.is_some()));
                        }
                        // A string is one schema name, as written: `'a, b'`
                        // names the schema `a, b`, `'$user'` is `$user`.
                        Token::SingleQuotedString(s) => {
                            self.p.next_token();
                            path.push(truncate_identifier(&s));
                        }
                        _ => return Err(self.expected("a schema name")),
                    }
                    if !self.eat(&Token::Comma) {
                        break;
                    }
                }
            }
            return Ok(if local {
                Stmt::SetLocalSearchPath(path)
            } else {
                Stmt::SetSearchPath(path)
            });
        }
        self.skip_rest();
        Ok(Stmt::NonSchema("SET"))
    }

    fn do_block(&mut self) -> PResult<Stmt> {
        self.expect_kw("DO")?;
        if self.eat_kw("LANGUAGE") {
            let lang = self.ident()?;
            if lang != "plpgsql" {
                return Err(
                    self.err_here(format!("DO blocks in language {lang} are not supported"))
                );
            }
        }
        let tok = self.peek();
        let off = self.offset_of(&tok);
        let (body, body_offset) = match tok.token {
            Token::DollarQuotedString(d) => {
                self.p.next_token();
                let tag_len = d.tag.as_ref().map_or(0, |t| t.len()) + 2;
                (d.value, off + tag_len)
            }
            Token::SingleQuotedString(s) => {
                self.p.next_token();
                (s, off + 1)
            }
            _ => return Err(self.expected("the body of the DO block")),
        };
        if self.eat_kw("LANGUAGE") {
            let lang = self.ident()?;
            if lang != "plpgsql" {
                return Err(
                    self.err_here(format!("DO blocks in language {lang} are not supported"))
                );
            }
        }
        Ok(Stmt::Do { body, body_offset })
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
            let name = if self.eat_kw("AUTHORIZATION") {
                self.ident()?
            } else {
                let n = self.ident()?;
                if self.eat_kw("AUTHORIZATION") {
                    self.ident()?;
                }
                n
            };
            if !self.at_end() {
                return Err(self
                    .err_here("CREATE SCHEMA with schema elements is not supported")
                    .with_help("create the objects in separate statements"));
            }
            return Ok(Stmt::CreateSchema {
                name,
                if_not_exists,
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
        // Objects kept by name.
        let _ = self.eat_kw("RECURSIVE");
        if self.peek_kw("CONSTRAINT") && self.peek_nth_kw(1, "TRIGGER") {
            self.p.next_token();
        }
        let kind = if let Some(kind) = self.unmanaged_kind() {
            kind
        } else if self.peek_kw("OPERATOR")
            && !self.peek_nth_kw(1, "CLASS")
            && !self.peek_nth_kw(1, "FAMILY")
        {
            self.p.next_token();
            let name = self.operator_signature_create()?;
            return Ok(Stmt::Unmanaged {
                kind: crate::model::UnmanagedKind::Operator,
                op: UnmanagedOp::Create {
                    name,
                    or_replace,
                    if_not_exists: false,
                },
            });
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

    /// `[schema.]symbol`: the operator's qualified name.
    fn operator_name(&mut self) -> PResult<String> {
        let mut schema = "public".to_string();
        if let Token::Word(w) = self.peek().token {
            if self.peek_nth(1).token == Token::Period {
                self.p.next_token();
                self.p.next_token();
                schema = fold_ident(&w.value, w.quote_style.is_some());
            }
        }
        let mut sym = String::new();
        while !self.at_end() && !self.peek_is(&Token::LParen) {
            sym.push_str(&self.p.next_token().token.to_string());
        }
        if sym.is_empty() {
            return Err(self.expected("an operator name"));
        }
        Ok(format!("{}.{sym}", crate::model::quote_ident(&schema)))
    }

    /// `CREATE OPERATOR name (LEFTARG = t, RIGHTARG = t, …)` → `ns.op(left, right)`.
    fn operator_signature_create(&mut self) -> PResult<String> {
        let name = self.operator_name()?;
        self.expect(&Token::LParen)?;
        let (mut left, mut right) = ("NONE".to_string(), "NONE".to_string());
        loop {
            if self.eat_kw("LEFTARG") {
                self.expect(&Token::Eq)?;
                left = self.data_type()?.0;
            } else if self.eat_kw("RIGHTARG") {
                self.expect(&Token::Eq)?;
                right = self.data_type()?.0;
            } else {
                // Other options: skip to the next comma at this level.
                let mut depth = 0;
                while !self.at_end() {
                    match self.peek().token {
                        Token::LParen => depth += 1,
                        Token::RParen if depth == 0 => break,
                        Token::RParen => depth -= 1,
                        Token::Comma if depth == 0 => break,
                        _ => {}
                    }
                    self.p.next_token();
                }
            }
            if !self.eat(&Token::Comma) {
                break;
            }
        }
        self.expect(&Token::RParen)?;
        Ok(format!("{name}({left}, {right})"))
    }

    /// The kind keyword of an object strata keeps by name (`VIEW`,
    /// `MATERIALIZED VIEW`, `FUNCTION`, …), consumed when present.
    fn unmanaged_kind(&mut self) -> Option<crate::model::UnmanagedKind> {
        use crate::model::UnmanagedKind as K;
        const ONE: &[(&str, K)] = &[
            ("VIEW", K::View),
            ("FUNCTION", K::Function),
            ("PROCEDURE", K::Procedure),
            ("AGGREGATE", K::Aggregate),
            ("TRIGGER", K::Trigger),
            ("POLICY", K::Policy),
            ("RULE", K::Rule),
            ("DOMAIN", K::Domain),
            ("COLLATION", K::Collation),
            ("PUBLICATION", K::Publication),
        ];
        const TWO: &[([&str; 2], K)] = &[
            (["MATERIALIZED", "VIEW"], K::MaterializedView),
            (["FOREIGN", "TABLE"], K::ForeignTable),
            (["EVENT", "TRIGGER"], K::EventTrigger),
        ];
        for (kws, kind) in TWO {
            if self.eat_kws(kws) {
                return Some(*kind);
            }
        }
        for (kw, kind) in ONE {
            if self.eat_kw(kw) {
                return Some(*kind);
            }
        }
        None
    }

    fn ident_or_string(&mut self) -> PResult<String> {
        match self.peek().token {
            Token::Word(_) => self.ident(),
            Token::Number(n, _) => {
                self.p.next_token();
                Ok(n)
            }
            _ => self.string(),
        }
    }

    /// The name of an unmanaged object as the inspector spells it:
    /// `ns.name`, `ns.name(argtypes)` for routines, `ns.table.name` for
    /// triggers, policies and rules. Names are qualified with `public` when
    /// written without a schema; replay re-qualifies with the search path.
    fn unmanaged_name(&mut self, kind: crate::model::UnmanagedKind) -> PResult<String> {
        use crate::model::UnmanagedKind as K;
        match kind {
            K::Trigger | K::Policy | K::Rule => {
                let name = self.ident()?;
                // Find `ON table`.
                while !self.at_end() && !self.peek_kw("ON") {
                    self.p.next_token();
                }
                self.expect_kw("ON")?;
                let table = self.qname()?;
                Ok(format!(
                    "{}.{}.{}",
                    crate::model::quote_ident(table.schema.as_deref().unwrap_or("public")),
                    crate::model::quote_ident(&table.name),
                    crate::model::quote_ident(&name)
                ))
            }
            K::EventTrigger | K::Publication => Ok(crate::model::quote_ident(&self.ident()?)),
            K::Function | K::Procedure | K::Aggregate => {
                let q = self.qname()?;
                let args = self.routine_args()?;
                Ok(format!(
                    "{}.{}({})",
                    crate::model::quote_ident(q.schema.as_deref().unwrap_or("public")),
                    crate::model::quote_ident(&q.name),
                    args.join(", ")
                ))
            }
            _ => {
                let q = self.qname()?;
                Ok(format!(
                    "{}.{}",
                    crate::model::quote_ident(q.schema.as_deref().unwrap_or("public")),
                    crate::model::quote_ident(&q.name)
                ))
            }
        }
    }

    /// Argument types of a routine signature `(a integer, OUT b text, …)`:
    /// input argument types only, canonical.
    fn routine_args(&mut self) -> PResult<Vec<String>> {
        let mut types = Vec::new();
        if !self.peek_is(&Token::LParen) {
            return Ok(types);
        }
        self.expect(&Token::LParen)?;
        if self.eat(&Token::RParen) {
            return Ok(types);
        }
        if self.eat(&Token::Mul) {
            // aggregate(*)
            self.expect(&Token::RParen)?;
            return Ok(types);
        }
        loop {
            let mut mode_out = false;
            if self.eat_kw("OUT") {
                mode_out = true;
            } else if !(self.eat_kw("INOUT") || self.eat_kw("IN")) {
                self.eat_kw("VARIADIC");
            }
            // Either `name type` or `type`. Try: if the next-next token starts a
            // type while the next is a plain word, the first is a name.
            let start_tok = self.peek();
            let mut ty = None;
            if let Token::Word(_) = self.peek().token {
                let first = self.data_type();
                if let Ok((t, _)) = first {
                    if self.peek_is(&Token::Comma)
                        || self.peek_is(&Token::RParen)
                        || self.peek_kw("DEFAULT")
                        || self.peek_is(&Token::Eq)
                    {
                        ty = Some(t);
                    }
                }
                if ty.is_none() {
                    // Rewind: a name came first.
                    let mut guard = 0;
                    while self.peek().span != start_tok.span && guard < 64 {
                        self.p.prev_token();
                        guard += 1;
                    }
                    self.p.next_token();
                    ty = Some(self.data_type()?.0);
                }
            } else {
                ty = Some(self.data_type()?.0);
            }
            if self.eat_kw("DEFAULT") || self.eat(&Token::Eq) {
                self.expr()?;
            }
            if !mode_out {
                if let Some(t) = ty {
                    types.push(t);
                }
            }
            if !self.eat(&Token::Comma) {
                break;
            }
        }
        self.expect(&Token::RParen)?;
        Ok(types)
    }

    fn peek_is(&self, t: &Token) -> bool {
        &self.peek().token == t
    }

    fn create_type(&mut self) -> PResult<Stmt> {
        let name = self.qname()?;
        if self.eat_kw("AS") {
            if self.eat_kw("ENUM") {
                self.expect(&Token::LParen)?;
                let mut values = Vec::new();
                if !self.eat(&Token::RParen) {
                    loop {
                        values.push(self.string()?);
                        if !self.eat(&Token::Comma) {
                            break;
                        }
                    }
                    self.expect(&Token::RParen)?;
                }
                return Ok(Stmt::CreateEnum { name, values });
            }
            let kind = if self.eat_kw("RANGE") {
                crate::model::UnmanagedKind::RangeType
            } else {
                crate::model::UnmanagedKind::CompositeType
            };
            self.skip_rest();
            return Ok(Stmt::Unmanaged {
                kind,
                op: UnmanagedOp::Create {
                    name: format!(
                        "{}.{}",
                        crate::model::quote_ident(name.schema.as_deref().unwrap_or("public")),
                        crate::model::quote_ident(&name.name)
                    ),
                    or_replace: false,
                    if_not_exists: false,
                },
            });
        }
        Err(self
            .err_here("strata does not understand this CREATE TYPE (base types are not supported)")
            .with_help(
                "mark the statement with `-- strata:ignore` if it changes nothing strata models",
            ))
    }

    fn seq_options(&mut self) -> PResult<SeqOptions> {
        let mut o = SeqOptions::default();
        loop {
            if self.eat_kw("AS") {
                let (t, _) = self.data_type()?;
                o.data_type = Some(t);
            } else if self.eat_kw("INCREMENT") {
                self.eat_kw("BY");
                o.increment = Some(self.number_i64()?);
            } else if self.eat_kw("MINVALUE") {
                o.min_value = Some(Some(self.number_i64()?));
            } else if self.eat_kw("MAXVALUE") {
                o.max_value = Some(Some(self.number_i64()?));
            } else if self.eat_kws(&["NO", "MINVALUE"]) {
                o.min_value = Some(None);
            } else if self.eat_kws(&["NO", "MAXVALUE"]) {
                o.max_value = Some(None);
            } else if self.eat_kws(&["NO", "CYCLE"]) {
                o.cycle = Some(false);
            } else if self.eat_kw("CYCLE") {
                o.cycle = Some(true);
            } else if self.eat_kw("START") {
                self.eat_kw("WITH");
                o.start = Some(self.number_i64()?);
            } else if self.eat_kw("RESTART") {
                o.restart = true;
                if self.eat_kw("WITH")
                    || matches!(self.peek().token, Token::Number(..) | Token::Minus)
                {
                    self.number_i64()?;
                }
            } else if self.eat_kw("CACHE") {
                o.cache = Some(self.number_i64()?);
            } else if self.eat_kws(&["OWNED", "BY"]) {
                if self.eat_kw("NONE") {
                    o.owned_by = Some(None);
                } else {
                    let q = self.qname_list_dotted()?;
                    o.owned_by = Some(Some(q));
                }
            } else if self.peek_kw("SEQUENCE") && self.peek_nth_kw(1, "NAME") {
                // The name of an identity column's sequence is not modelled:
                // refused rather than dropped.
                return Err(self
                    .err_here("identity sequence names (SEQUENCE NAME) are not supported yet")
                    .with_help("leave SEQUENCE NAME out: PostgreSQL then names the sequence table_column_seq"));
            } else {
                break;
            }
        }
        Ok(o)
    }

    /// `[schema.]table.column`
    fn qname_list_dotted(&mut self) -> PResult<(QName, String)> {
        let mut parts = vec![self.ident()?];
        while self.eat(&Token::Period) {
            parts.push(self.ident()?);
        }
        match parts.len() {
            2 => Ok((
                QName {
                    schema: None,
                    name: parts[0].clone(),
                },
                parts[1].clone(),
            )),
            3 => Ok((
                QName {
                    schema: Some(parts[0].clone()),
                    name: parts[1].clone(),
                },
                parts[2].clone(),
            )),
            _ => Err(self.err_here("expected table.column")),
        }
    }

    fn create_table(&mut self, unlogged: bool) -> PResult<Stmt> {
        let if_not_exists = self.if_not_exists();
        let name = self.qname()?;
        if self.peek_kw("OF") {
            return Err(self
                .err_here("typed tables (CREATE TABLE … OF type) are not supported yet")
                .with_help("declare the table with its columns, or mark the statement with `-- strata:ignore` to skip it"));
        }
        if self.peek_kw("PARTITION") {
            return Err(self.err_here("partitions are not supported yet").with_help("mark the statement with `-- strata:ignore` to skip it (the partition will then be missing from the model)"));
        }
        if self.peek_kw("AS") {
            return Err(self
                .err_here("CREATE TABLE … AS is not supported")
                .with_help("declare the table with its columns instead"));
        }
        self.expect(&Token::LParen)?;
        let mut columns = Vec::new();
        let mut constraints = Vec::new();
        if !self.eat(&Token::RParen) {
            loop {
                if self.peek_kw("CONSTRAINT")
                    || self.peek_kw("PRIMARY")
                    || (self.peek_kw("UNIQUE") && !matches!(self.peek_nth(1).token, Token::Word(_)))
                    || (self.peek_kw("UNIQUE")
                        && (self.peek_nth_kw(1, "NULLS") || self.peek_nth_kw(1, "USING")))
                    || (self.peek_kw("CHECK") && self.peek_nth(1).token == Token::LParen)
                    || (self.peek_kw("FOREIGN") && self.peek_nth_kw(1, "KEY"))
                    || (self.peek_kw("EXCLUDE")
                        && !matches!(self.peek_nth(1).token, Token::Word(ref w) if w.quote_style.is_none() && !w.value.eq_ignore_ascii_case("USING")))
                {
                    constraints.push(self.table_constraint()?);
                } else if self.peek_kw("LIKE") {
                    return Err(self
                        .err_here("CREATE TABLE … (LIKE …) is not supported")
                        .with_help("write the columns out"));
                } else {
                    columns.push(self.column_def()?);
                }
                if !self.eat(&Token::Comma) {
                    break;
                }
            }
            self.expect(&Token::RParen)?;
        }
        if self.peek_kw("INHERITS") {
            return Err(self
                .err_here("table inheritance is not supported yet")
                .with_help("mark the statement with `-- strata:ignore` to skip it"));
        }
        let mut partition_by = None;
        if self.eat_kws(&["PARTITION", "BY"]) {
            let strategy = match self.word_upper(0).as_deref() {
                Some(s @ ("RANGE" | "LIST" | "HASH")) => s.to_string(),
                _ => return Err(self.expected("RANGE, LIST or HASH")),
            };
            self.p.next_token();
            self.expect(&Token::LParen)?;
            let mut keys = Vec::new();
            loop {
                let e = self.index_elem()?;
                let mut k = match &e.key {
                    crate::model::IndexKeyExpr::Column(c) => crate::model::quote_ident(c),
                    crate::model::IndexKeyExpr::Expression(x) => format!("({x})"),
                };
                if let Some(c) = &e.collation {
                    k.push_str(&format!(" COLLATE {c}"));
                }
                if let Some(o) = &e.opclass {
                    k.push(' ');
                    k.push_str(o);
                }
                keys.push(k);
                if !self.eat(&Token::Comma) {
                    break;
                }
            }
            self.expect(&Token::RParen)?;
            partition_by = Some(format!("{strategy} ({})", keys.join(", ")));
        }
        let mut options = Vec::new();
        loop {
            if self.eat_kw("WITHOUT") {
                self.expect_kw("OIDS")?;
            } else if self.peek_kw("WITH") && self.peek_nth(1).token == Token::LParen {
                self.p.next_token();
                for (k, v) in self.rel_options()? {
                    // `oids=false` is accepted and means nothing since
                    // PostgreSQL 12.
                    if k == "oids" && matches!(v.as_str(), "false" | "off" | "0" | "no") {
                        continue;
                    }
                    options.push((k, v));
                }
            } else if self.peek_kw("USING") {
                if !self.peek_nth_kw(1, "heap") {
                    return Err(self
                        .err_here("table access methods other than heap are not supported yet")
                        .with_help("mark the statement with `-- strata:ignore` to skip it"));
                }
                self.p.next_token();
                self.ident()?;
            } else if self.eat_kw("TABLESPACE") {
                self.ident()?;
            } else {
                break;
            }
        }
        Ok(Stmt::CreateTable(CreateTable {
            name,
            if_not_exists,
            unlogged,
            partition_by,
            options,
            columns,
            constraints,
        }))
    }

    fn column_def(&mut self) -> PResult<ColumnDef> {
        let name = self.ident()?;
        let (data_type, serial) = self.data_type()?;
        let mut col = ColumnDef {
            name,
            data_type,
            serial,
            collation: None,
            not_null: false,
            default: None,
            generated: None,
            identity: None,
            constraints: Vec::new(),
        };
        loop {
            let cname = if self.eat_kw("CONSTRAINT") {
                Some(self.ident()?)
            } else {
                None
            };
            if self.eat_kw("COLLATE") {
                col.collation = Some(self.collation_name()?);
            } else if self.eat_kws(&["NOT", "NULL"]) {
                col.not_null = true;
            } else if self.eat_kw("NULL") {
                col.not_null = false;
            } else if self.eat_kw("DEFAULT") {
                // PostgreSQL's b_expr: no IS / NOT / AND / OR at the top, so
                // `DEFAULT 'x' NOT NULL` ends the default before NOT.
                let prec = sqlparser::dialect::Dialect::prec_value(
                    &PostgreSqlDialect {},
                    sqlparser::dialect::Precedence::Is,
                );
                let start = self.offset_of(&self.peek());
                let e = self.p.parse_subexpr(prec).map_err(|e| self.sql_err(e))?;
                col.default = Some(Expression::written(
                    self.written_since(start),
                    e.to_string(),
                ));
            } else if self.eat_kw("GENERATED") {
                if self.eat_kw("ALWAYS") {
                    self.expect_kw("AS")?;
                    if self.eat_kw("IDENTITY") {
                        let opts = self.identity_options()?;
                        col.identity = Some((Identity::Always, opts));
                    } else {
                        let (e, _) = self.paren_expr()?;
                        self.expect_kw("STORED")?;
                        col.generated = Some(e);
                    }
                } else {
                    self.expect_kws(&["BY", "DEFAULT", "AS", "IDENTITY"])?;
                    let opts = self.identity_options()?;
                    col.identity = Some((Identity::ByDefault, opts));
                }
            } else if let Some(kind) = self.column_constraint(&col.name)? {
                let mut c = ConstraintDef {
                    name: cname,
                    kind,
                    deferrable: false,
                    initially_deferred: false,
                    not_valid: false,
                };
                self.constraint_attributes(&mut c)?;
                col.constraints.push(c);
            } else {
                if cname.is_some() {
                    return Err(self.expected("a constraint"));
                }
                break;
            }
        }
        Ok(col)
    }

    fn collation_name(&mut self) -> PResult<String> {
        let q = self.qname()?;
        Ok(match q.schema.as_deref() {
            None | Some("pg_catalog") | Some("public") => crate::model::quote_ident(&q.name),
            Some(s) => format!(
                "{}.{}",
                crate::model::quote_ident(s),
                crate::model::quote_ident(&q.name)
            ),
        })
    }

    fn identity_options(&mut self) -> PResult<SeqOptions> {
        if self.eat(&Token::LParen) {
            if self.peek_kw("AS") {
                // The identity sequence takes the column's type.
                return Err(self
                    .err_here("a data type in identity sequence options is not supported yet")
                    .with_help("leave AS out: the sequence takes the column's type"));
            }
            let o = self.seq_options()?;
            if o.data_type.is_some() || o.owned_by.is_some() {
                return Err(self.err_here(
                    "AS and OWNED BY are not identity sequence options strata supports",
                ));
            }
            self.expect(&Token::RParen)?;
            Ok(o)
        } else {
            Ok(SeqOptions::default())
        }
    }

    /// `(name [= value], …)` of `WITH (…)` / `SET (…)`: each value as
    /// PostgreSQL stores its text (`'50'` and `050` → `50`, a bare name →
    /// `true`, words folded to lower case).
    fn rel_options(&mut self) -> PResult<Vec<(String, String)>> {
        self.expect(&Token::LParen)?;
        let mut out: Vec<(String, String)> = Vec::new();
        loop {
            if self.peek_nth_is(1, &Token::Period) {
                return Err(self
                    .err_here("storage parameters of the TOAST table (toast.…) are not supported yet")
                    .with_help("mark the statement with `-- strata:ignore` to skip it (the parameter will then be missing from the model)"));
            }
            let name = self.ident()?;
            let value = if self.eat(&Token::Eq) {
                self.option_value()?
            } else {
                "true".to_string()
            };
            out.push((name, value));
            if !self.eat(&Token::Comma) {
                break;
            }
        }
        self.expect(&Token::RParen)?;
        Ok(out)
    }

    /// `(name, …)` of `RESET (…)`.
    fn rel_option_names(&mut self) -> PResult<Vec<String>> {
        self.expect(&Token::LParen)?;
        let mut out = Vec::new();
        loop {
            if self.peek_nth_is(1, &Token::Period) {
                return Err(self
                    .err_here(
                        "storage parameters of the TOAST table (toast.…) are not supported yet",
                    )
                    .with_help("mark the statement with `-- strata:ignore` to skip it"));
            }
            out.push(self.ident()?);
            if self.peek_is(&Token::Eq) {
                return Err(self.err_here("RESET must not include values for parameters"));
            }
            if !self.eat(&Token::Comma) {
                break;
            }
        }
        self.expect(&Token::RParen)?;
        Ok(out)
    }

    /// One storage parameter value, as the server stores its text.
    fn option_value(&mut self) -> PResult<String> {
        let tok = self.p.next_token().token;
        let number = |text: &str, negative: bool| -> String {
            let integer = !text.contains(['.', 'e', 'E']);
            match text.parse::<i64>() {
                Ok(n) if integer && i32::try_from(n).is_ok() => {
                    (if negative { -n } else { n }).to_string()
                }
                _ if negative => format!("-{text}"),
                _ => text.to_string(),
            }
        };
        match tok {
            Token::Number(text, _) => Ok(number(&text, false)),
            Token::Plus | Token::Minus => {
                let negative = tok == Token::Minus;
                match self.p.next_token().token {
                    Token::Number(text, _) => Ok(number(&text, negative)),
                    _ => {
                        self.p.prev_token();
                        Err(self.expected("a number"))
                    }
                }
            }
            Token::SingleQuotedString(v) => Ok(v),
            Token::Word(w) => {
                if self.peek_is(&Token::Period) {
                    return Err(self.err_here(
                        "a qualified name as a storage parameter value is not supported",
                    ));
                }
                Ok(if w.quote_style.is_some() {
                    w.value
                } else {
                    w.value.to_lowercase()
                })
            }
            _ => {
                self.p.prev_token();
                Err(self.expected("a storage parameter value"))
            }
        }
    }

    fn column_constraint(&mut self, column: &str) -> PResult<Option<ConstraintDefKind>> {
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

    fn nulls_distinct(&mut self) -> PResult<bool> {
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

    fn constraint_attributes(&mut self, c: &mut ConstraintDef) -> PResult<()> {
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

    fn table_constraint(&mut self) -> PResult<ConstraintDef> {
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

    fn create_index(&mut self, unique: bool) -> PResult<Stmt> {
        let concurrently = self.eat_kw("CONCURRENTLY");
        let if_not_exists = self.if_not_exists();
        let name = if self.peek_kw("ON") {
            None
        } else {
            Some(self.ident()?)
        };
        self.expect_kw("ON")?;
        self.eat_kw("ONLY");
        let table = self.qname()?;
        let method = if self.eat_kw("USING") {
            self.ident()?
        } else {
            "btree".to_string()
        };
        self.expect(&Token::LParen)?;
        let mut keys = Vec::new();
        loop {
            keys.push(self.index_elem()?);
            if !self.eat(&Token::Comma) {
                break;
            }
        }
        self.expect(&Token::RParen)?;
        let mut include = Vec::new();
        let mut nulls_not_distinct = false;
        let mut predicate = None;
        let mut options = Vec::new();
        loop {
            if self.eat_kw("INCLUDE") {
                include = self.ident_list_parens()?;
            } else if self.peek_kw("NULLS") {
                nulls_not_distinct = self.nulls_distinct()?;
            } else if self.peek_kw("WITH") {
                self.p.next_token();
                options = self.rel_options()?;
            } else if self.eat_kw("TABLESPACE") {
                self.ident()?;
            } else if self.eat_kw("WHERE") {
                let (_, e) = self.written_expr()?;
                predicate = Some(e);
            } else {
                break;
            }
        }
        Ok(Stmt::CreateIndex(CreateIndex {
            name,
            unique,
            concurrently,
            if_not_exists,
            table,
            method: method.to_ascii_lowercase(),
            keys,
            include,
            nulls_not_distinct,
            predicate,
            options,
        }))
    }

    fn index_elem(&mut self) -> PResult<IndexElem> {
        let start = self.offset_of(&self.peek());
        let mut e = self.expr()?;
        let mut sql = self.written_since(start);
        let mut collation = None;
        if let Expr::Collate { expr, collation: c } = e {
            collation = Some(collation_of(&c));
            e = *expr;
            sql = e.to_string();
        }
        let (key, name_part) = index_key(&e, sql);
        let mut opclass = None;
        if self.eat_kw("COLLATE") {
            collation = Some(self.collation_name()?);
        }
        if let Token::Word(w) = self.peek().token {
            let up = w.value.to_ascii_uppercase();
            if w.quote_style.is_some() || !matches!(up.as_str(), "ASC" | "DESC" | "NULLS" | "WITH")
            {
                let q = self.qname()?;
                opclass = Some(match q.schema.as_deref() {
                    None | Some("pg_catalog") | Some("public") => q.name,
                    Some(s) => format!(
                        "{}.{}",
                        crate::model::quote_ident(s),
                        crate::model::quote_ident(&q.name)
                    ),
                });
                if self.peek_is(&Token::LParen) {
                    return Err(self.err_here("operator class parameters are not supported yet"));
                }
            }
        }
        let mut descending = false;
        if self.eat_kw("DESC") {
            descending = true;
        } else {
            self.eat_kw("ASC");
        }
        let mut nulls_first = None;
        if self.eat_kws(&["NULLS", "FIRST"]) {
            nulls_first = Some(true);
        } else if self.eat_kws(&["NULLS", "LAST"]) {
            nulls_first = Some(false);
        }
        Ok(IndexElem {
            key,
            name_part,
            opclass,
            collation,
            descending,
            nulls_first,
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
                if self.peek_kw("ATTACH") {
                    // ALTER INDEX parent ATTACH PARTITION child: partitions are not modelled.
                    self.skip_rest();
                    return Ok(Stmt::NonSchema("ALTER INDEX ATTACH PARTITION"));
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
                    return Err(self
                        .err_here("ALTER INDEX … ALTER COLUMN (an index column's statistics target) is not supported yet")
                        .with_help("mark the statement with `-- strata:ignore` to skip it (the statistics target will then be missing from the model)"));
                }
                if self.peek_kw("SET") && !self.peek_nth_kw(1, "TABLESPACE") {
                    return Err(self.expected("SET (…), SET TABLESPACE or RESET (…)"));
                }
                self.skip_rest();
                return Ok(Stmt::NonSchema("ALTER INDEX"));
            }
            return Err(self.expected("RENAME TO or SET"));
        }
        if self.eat_kw("TYPE") {
            let name = self.qname()?;
            let action = if self.eat_kws(&["ADD", "VALUE"]) {
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
                self.skip_rest();
                return Ok(Stmt::NonSchema("ALTER TYPE OWNER TO"));
            } else {
                return Err(self
                    .err_here("strata does not understand this ALTER TYPE")
                    .with_help(
                        "supported: ADD VALUE, RENAME VALUE, RENAME TO, SET SCHEMA, OWNER TO",
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
                self.skip_rest();
                return Ok(Stmt::NonSchema("ALTER SEQUENCE OWNER TO"));
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
                self.skip_rest();
                return Ok(Stmt::NonSchema("ALTER SCHEMA OWNER TO"));
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
        if self.peek_kw("DEFAULT") && self.peek_nth_kw(1, "PRIVILEGES") {
            self.skip_rest();
            return Ok(Stmt::NonSchema("ALTER DEFAULT PRIVILEGES"));
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

    fn alter_table(&mut self) -> PResult<Stmt> {
        let if_exists = self.if_exists();
        self.eat_kw("ONLY");
        let name = self.qname()?;
        self.eat(&Token::Mul);
        let mut actions = Vec::new();
        // Single-action forms.
        if self.eat_kw("RENAME") {
            if self.eat_kw("TO") {
                actions.push(TableAction::RenameTo(self.ident()?));
            } else if self.eat_kw("CONSTRAINT") {
                let old = self.ident()?;
                self.expect_kw("TO")?;
                let new = self.ident()?;
                actions.push(TableAction::RenameConstraint { old, new });
            } else {
                self.eat_kw("COLUMN");
                let old = self.ident()?;
                self.expect_kw("TO")?;
                let new = self.ident()?;
                actions.push(TableAction::RenameColumn { old, new });
            }
            return Ok(Stmt::AlterTable {
                name,
                if_exists,
                actions,
            });
        }
        if self.eat_kws(&["SET", "SCHEMA"]) {
            actions.push(TableAction::SetSchema(self.ident()?));
            return Ok(Stmt::AlterTable {
                name,
                if_exists,
                actions,
            });
        }
        if self.peek_kw("ATTACH") || self.peek_kw("DETACH") {
            return Err(self
                .err_here("partitions are not supported yet")
                .with_help("mark the statement with `-- strata:ignore` to skip it"));
        }
        loop {
            actions.push(self.table_action()?);
            if !self.eat(&Token::Comma) {
                break;
            }
        }
        Ok(Stmt::AlterTable {
            name,
            if_exists,
            actions,
        })
    }

    fn table_action(&mut self) -> PResult<TableAction> {
        if self.eat_kw("ADD") {
            if self.peek_kw("CONSTRAINT")
                || self.peek_kw("PRIMARY")
                || self.peek_kw("UNIQUE")
                || (self.peek_kw("CHECK") && self.peek_nth(1).token == Token::LParen)
                || (self.peek_kw("FOREIGN") && self.peek_nth_kw(1, "KEY"))
                || (self.peek_kw("EXCLUDE") && !self.peek_nth_kw(1, "text"))
            {
                return Ok(TableAction::AddConstraint(self.table_constraint()?));
            }
            self.eat_kw("COLUMN");
            let if_not_exists = self.if_not_exists();
            let column = Box::new(self.column_def()?);
            return Ok(TableAction::AddColumn {
                if_not_exists,
                column,
            });
        }
        if self.eat_kw("DROP") {
            if self.eat_kw("CONSTRAINT") {
                let if_exists = self.if_exists();
                let name = self.ident()?;
                let cascade = self.cascade();
                return Ok(TableAction::DropConstraint {
                    name,
                    if_exists,
                    cascade,
                });
            }
            self.eat_kw("COLUMN");
            let if_exists = self.if_exists();
            let name = self.ident()?;
            let cascade = self.cascade();
            return Ok(TableAction::DropColumn {
                name,
                if_exists,
                cascade,
            });
        }
        if self.eat_kw("ALTER") {
            self.eat_kw("COLUMN");
            let name = self.ident()?;
            let op = self.column_op()?;
            return Ok(TableAction::AlterColumn { name, op });
        }
        if self.eat_kws(&["VALIDATE", "CONSTRAINT"]) {
            return Ok(TableAction::ValidateConstraint(self.ident()?));
        }
        if self.eat_kws(&["ENABLE", "ROW", "LEVEL", "SECURITY"]) {
            return Ok(TableAction::RowLevelSecurity(true));
        }
        if self.eat_kws(&["DISABLE", "ROW", "LEVEL", "SECURITY"]) {
            return Ok(TableAction::RowLevelSecurity(false));
        }
        if self.eat_kws(&["FORCE", "ROW", "LEVEL", "SECURITY"]) {
            return Ok(TableAction::ForceRowLevelSecurity(true));
        }
        if self.eat_kws(&["NO", "FORCE", "ROW", "LEVEL", "SECURITY"]) {
            return Ok(TableAction::ForceRowLevelSecurity(false));
        }
        if self.eat_kws(&["SET", "LOGGED"]) {
            return Ok(TableAction::SetLogged(true));
        }
        if self.eat_kws(&["SET", "UNLOGGED"]) {
            return Ok(TableAction::SetLogged(false));
        }
        if self.eat_kws(&["OWNER", "TO"]) {
            self.ident()?;
            return Ok(TableAction::NoOp("OWNER TO"));
        }
        if self.peek_kw("SET") && self.peek_nth(1).token == Token::LParen {
            self.p.next_token();
            return Ok(TableAction::SetOptions(self.rel_options()?));
        }
        if self.eat_kw("RESET") {
            return Ok(TableAction::ResetOptions(self.rel_option_names()?));
        }
        if self.peek_kw("SET") && self.peek_nth_kw(1, "WITHOUT") && self.peek_nth_kw(2, "CLUSTER") {
            self.p.next_token();
            return Err(self
                .err_here("SET WITHOUT CLUSTER is not supported yet (the clustered index is not modelled)")
                .with_help("mark the statement with `-- strata:ignore` to skip it"));
        }
        if self.peek_kw("SET") && self.peek_nth_kw(1, "ACCESS") {
            self.p.next_token();
            return Err(self
                .err_here("SET ACCESS METHOD is not supported yet (table access methods are not modelled)")
                .with_help("mark the statement with `-- strata:ignore` to skip it"));
        }
        if self.peek_kw("SET")
            && (self.peek_nth_kw(1, "TABLESPACE") || self.peek_nth_kw(1, "WITHOUT"))
        {
            self.p.next_token();
            self.p.next_token();
            if !self.peek_is(&Token::Comma) && !self.at_end() {
                self.p.next_token();
            }
            return Ok(TableAction::NoOp("SET"));
        }
        if self.peek_kws(&["CLUSTER", "ON"]) {
            return Err(self
                .err_here("CLUSTER ON is not supported yet (the clustered index is not modelled)")
                .with_help("mark the statement with `-- strata:ignore` to skip it (the table will then differ from the model in which index it is clustered on)"));
        }
        if self.peek_kws(&["REPLICA", "IDENTITY"]) {
            if self.peek_nth_kw(2, "DEFAULT") {
                // Every table strata accepts has the default replica
                // identity, so setting it again changes nothing.
                self.p.next_token();
                self.p.next_token();
                self.p.next_token();
                return Ok(TableAction::NoOp("REPLICA IDENTITY DEFAULT"));
            }
            return Err(self
                .err_here("REPLICA IDENTITY other than DEFAULT is not supported yet")
                .with_help("mark the statement with `-- strata:ignore` to skip it"));
        }
        if self.peek_kw("ENABLE") || self.peek_kw("DISABLE") {
            let plain_enable = self.peek_kw("ENABLE")
                && (self.peek_nth_kw(1, "TRIGGER") || self.peek_nth_kw(1, "RULE"));
            if !plain_enable {
                let what = if (1..=2).any(|n| self.peek_nth_kw(n, "RULE")) {
                    "rules"
                } else {
                    "triggers"
                };
                return Err(self
                    .err_here(format!(
                        "disabled or replica/always {what} are not supported yet (strata keeps {what} by name only)"
                    ))
                    .with_help("mark the statement with `-- strata:ignore` to skip it"));
            }
            // Plain ENABLE sets the state every trigger and rule strata
            // accepts already has.
            self.p.next_token();
            self.p.next_token();
            self.p.next_token();
            return Ok(TableAction::NoOp("ENABLE TRIGGER/RULE"));
        }
        let what = self.word_upper(0).unwrap_or_default();
        Err(self
            .err_here(format!("strata does not understand ALTER TABLE … {what}"))
            .with_help(
                "if this changes nothing strata models, mark the statement with `-- strata:ignore`",
            ))
    }

    fn column_op(&mut self) -> PResult<ColumnOp> {
        if self.eat_kws(&["SET", "DATA", "TYPE"]) || self.eat_kw("TYPE") {
            let (data_type, serial) = self.data_type()?;
            if serial {
                return Err(self.err_here("type serial does not exist (serial is only a shorthand in CREATE TABLE / ADD COLUMN)"));
            }
            let collation = if self.eat_kw("COLLATE") {
                Some(self.collation_name()?)
            } else {
                None
            };
            let using = if self.eat_kw("USING") {
                self.expr()?;
                true
            } else {
                false
            };
            return Ok(ColumnOp::SetType {
                data_type,
                collation,
                using,
            });
        }
        if self.eat_kws(&["SET", "DEFAULT"]) {
            let (_, e) = self.written_expr()?;
            return Ok(ColumnOp::SetDefault(e));
        }
        if self.eat_kws(&["DROP", "DEFAULT"]) {
            return Ok(ColumnOp::DropDefault);
        }
        if self.eat_kws(&["SET", "NOT", "NULL"]) {
            return Ok(ColumnOp::SetNotNull);
        }
        if self.eat_kws(&["DROP", "NOT", "NULL"]) {
            return Ok(ColumnOp::DropNotNull);
        }
        if self.eat_kws(&["DROP", "EXPRESSION"]) {
            let if_exists = self.if_exists();
            return Ok(ColumnOp::DropExpression { if_exists });
        }
        if self.eat_kws(&["SET", "EXPRESSION", "AS"]) {
            let (e, _) = self.paren_expr()?;
            return Ok(ColumnOp::SetExpression(e));
        }
        if self.eat_kws(&["DROP", "IDENTITY"]) {
            let if_exists = self.if_exists();
            return Ok(ColumnOp::DropIdentity { if_exists });
        }
        if self.eat_kw("ADD") {
            self.expect_kw("GENERATED")?;
            let kind = if self.eat_kw("ALWAYS") {
                Identity::Always
            } else {
                self.expect_kws(&["BY", "DEFAULT"])?;
                Identity::ByDefault
            };
            self.expect_kws(&["AS", "IDENTITY"])?;
            let opts = self.identity_options()?;
            return Ok(ColumnOp::AddIdentity(kind, opts));
        }
        if self.peek_kw("SET") && self.peek_nth_kw(1, "GENERATED")
            || self.peek_kw("RESTART")
            || (self.peek_kw("SET")
                && matches!(
                    self.word_upper(1).as_deref(),
                    Some(
                        "INCREMENT" | "START" | "MINVALUE" | "MAXVALUE" | "NO" | "CYCLE" | "CACHE"
                    )
                ))
        {
            let mut kind = None;
            let mut opts = SeqOptions::default();
            loop {
                if self.eat_kws(&["SET", "GENERATED"]) {
                    kind = Some(if self.eat_kw("ALWAYS") {
                        Identity::Always
                    } else {
                        self.expect_kws(&["BY", "DEFAULT"])?;
                        Identity::ByDefault
                    });
                } else if self.eat_kw("RESTART") {
                    // RESTART changes data, not schema.
                    opts.restart = true;
                    if self.eat_kw("WITH")
                        || matches!(self.peek().token, Token::Number(..) | Token::Minus)
                    {
                        self.number_i64()?;
                    }
                } else if self.eat_kw("SET") {
                    if self.peek_kw("AS") || self.peek_kws(&["OWNED", "BY"]) {
                        return Err(self.expected("an identity sequence option"));
                    }
                    let o = self.seq_options()?;
                    merge_seq_options(&mut opts, o);
                } else {
                    break;
                }
            }
            return Ok(ColumnOp::SetIdentity(kind, opts));
        }
        if self.eat_kws(&["SET", "STATISTICS"]) {
            let n = self.number_i64()?;
            let n = i32::try_from(n.clamp(-2, 10_000)).unwrap_or(-2);
            return Ok(ColumnOp::SetStatistics(n));
        }
        if self.peek_kws(&["SET", "STORAGE"]) || self.peek_kws(&["SET", "COMPRESSION"]) {
            let what = if self.peek_nth_kw(1, "STORAGE") {
                "SET STORAGE"
            } else {
                "SET COMPRESSION"
            };
            return Err(self
                .err_here(format!("ALTER COLUMN … {what} is not supported yet"))
                .with_help("mark the statement with `-- strata:ignore` to skip it (the column will then differ from the model)"));
        }
        if self.peek_kw("SET") && self.peek_nth(1).token == Token::LParen || self.peek_kw("RESET") {
            return Err(self
                .err_here("column attribute options (ALTER COLUMN … SET (n_distinct = …) / RESET) are not supported yet")
                .with_help("mark the statement with `-- strata:ignore` to skip it"));
        }
        let what = self.word_upper(0).unwrap_or_default();
        Err(self.err_here(format!("strata does not understand ALTER COLUMN … {what}")))
    }

    fn drop(&mut self) -> PResult<Stmt> {
        self.expect_kw("DROP")?;
        if self.eat_kw("TABLE") {
            let if_exists = self.if_exists();
            let names = self.qname_list()?;
            let cascade = self.cascade();
            return Ok(Stmt::DropTable {
                names,
                if_exists,
                cascade,
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

    fn comment(&mut self) -> PResult<Stmt> {
        self.expect_kws(&["COMMENT", "ON"])?;
        use crate::model::UnmanagedKind as K;
        let target = if self.eat_kw("TABLE") {
            CommentTarget::Table(self.qname()?)
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
                self.qname()?;
                CommentTarget::Other("constraint on domain")
            } else {
                let table = self.qname()?;
                CommentTarget::Constraint { name, table }
            }
        } else if self.eat_kw("VIEW") {
            CommentTarget::Unmanaged(K::View, self.unmanaged_name(K::View)?)
        } else if self.eat_kws(&["MATERIALIZED", "VIEW"]) {
            CommentTarget::Unmanaged(
                K::MaterializedView,
                self.unmanaged_name(K::MaterializedView)?,
            )
        } else if self.eat_kw("FUNCTION") {
            CommentTarget::Unmanaged(K::Function, self.unmanaged_name(K::Function)?)
        } else if self.eat_kw("PROCEDURE") {
            CommentTarget::Unmanaged(K::Procedure, self.unmanaged_name(K::Procedure)?)
        } else if self.eat_kw("TRIGGER") {
            CommentTarget::Unmanaged(K::Trigger, self.unmanaged_name(K::Trigger)?)
        } else if self.eat_kw("POLICY") {
            CommentTarget::Unmanaged(K::Policy, self.unmanaged_name(K::Policy)?)
        } else if self.eat_kw("DOMAIN") {
            CommentTarget::Unmanaged(K::Domain, self.unmanaged_name(K::Domain)?)
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

fn merge_seq_options(into: &mut SeqOptions, o: SeqOptions) {
    into.data_type = o.data_type.or(into.data_type.take());
    into.start = o.start.or(into.start);
    into.increment = o.increment.or(into.increment);
    into.min_value = o.min_value.or(into.min_value);
    into.max_value = o.max_value.or(into.max_value);
    into.cache = o.cache.or(into.cache);
    into.cycle = o.cycle.or(into.cycle);
    into.restart |= o.restart;
}

fn rename_last_part(name: &str, new: &str) -> String {
    // name is `ns.obj(args)` or `ns.table.obj`; replace obj.
    let (head, args) = match name.find('(') {
        Some(i) => (&name[..i], &name[i..]),
        None => (name, ""),
    };
    match head.rfind('.') {
        Some(i) => format!("{}.{}{}", &head[..i], crate::model::quote_ident(new), args),
        None => format!("{}{}", crate::model::quote_ident(new), args),
    }
}

fn static_kind(word: &str) -> &'static str {
    const KINDS: &[&str] = &[
        "INSERT",
        "UPDATE",
        "DELETE",
        "MERGE",
        "TRUNCATE",
        "COPY",
        "ANALYZE",
        "ANALYSE",
        "VACUUM",
        "REFRESH",
        "GRANT",
        "REVOKE",
        "LOCK",
        "NOTIFY",
        "LISTEN",
        "UNLISTEN",
        "CLUSTER",
        "REINDEX",
        "CHECKPOINT",
        "DISCARD",
        "BEGIN",
        "COMMIT",
        "END",
        "START",
        "SAVEPOINT",
        "RELEASE",
        "WITH",
        "VALUES",
        "TABLE",
        "CALL",
        "EXPLAIN",
        "SECURITY",
        "PREPARE",
        "EXECUTE",
        "DEALLOCATE",
        "DECLARE",
        "FETCH",
        "CLOSE",
        "MOVE",
        "LOAD",
        "ABORT",
        "ALTER ROLE",
        "ALTER USER",
        "ALTER DATABASE",
        "ALTER SYSTEM",
    ];
    KINDS
        .iter()
        .find(|k| **k == word)
        .copied()
        .unwrap_or("other")
}

fn collation_of(name: &sqlparser::ast::ObjectName) -> String {
    let parts: Vec<String> = name
        .0
        .iter()
        .filter_map(|p| p.as_ident())
        .map(|i| fold_ident(&i.value, i.quote_style.is_some()))
        .collect();
    match parts.as_slice() {
        [n] => crate::model::quote_ident(n),
        [s, n] if s == "pg_catalog" || s == "public" => crate::model::quote_ident(n),
        [s, n] => format!(
            "{}.{}",
            crate::model::quote_ident(s),
            crate::model::quote_ident(n)
        ),
        _ => name.to_string(),
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

/// PostgreSQL's default `search_path`: `"$user", public`.
pub fn default_search_path() -> Vec<String> {
    vec!["$user".to_string(), "public".to_string()]
}

/// Splits a `search_path` value (`"$user", public`) into folded names.
pub fn split_search_path(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            if s.len() >= 2 && s.starts_with('"') && s.ends_with('"') {
                s[1..s.len() - 1].replace("\"\"", "\"")
            } else {
                s.to_ascii_lowercase()
            }
        })
        .collect()
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

/// The index key an element expression stands for, and the name PostgreSQL
/// gives it when it chooses an index name.
fn index_key(e: &Expr, sql: String) -> (crate::model::IndexKeyExpr, String) {
    let mut inner = e;
    while let Expr::Nested(x) = inner {
        inner = x;
    }
    match inner {
        Expr::Identifier(id) => {
            let n = fold_ident(&id.value, id.quote_style.is_some());
            (crate::model::IndexKeyExpr::Column(n.clone()), n)
        }
        _ => (
            crate::model::IndexKeyExpr::Expression(Expression::written(sql, e.to_string())),
            crate::colname::figure_index_colname(inner).unwrap_or_else(|| "expr".to_string()),
        ),
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
