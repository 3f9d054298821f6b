//! `CREATE [OR REPLACE] [RECURSIVE] VIEW`, `CREATE MATERIALIZED VIEW`,
//! `ALTER VIEW | MATERIALIZED VIEW`, `DROP VIEW | MATERIALIZED VIEW` and
//! `REFRESH MATERIALIZED VIEW` (`view.c`, `matview.c`).
//!
//! The query is kept exactly as written; sqlparser reads it only to name
//! the output columns as the server does (`FigureColname`) and to find the
//! relations a `*` expands.

use sqlparser::ast::{Expr, Query, SelectItem, SetExpr, TableFactor};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, Tokenizer};

use super::{fold_ident, CreateView, Cursor, PResult, QName, Stmt, ViewAction, ViewItem};
use crate::model::CheckOption;

impl<'a> Cursor<'a> {
    /// After `CREATE [OR REPLACE] [RECURSIVE]`, at `VIEW` or
    /// `MATERIALIZED VIEW`.
    pub(super) fn create_view(&mut self, or_replace: bool, recursive: bool) -> PResult<Stmt> {
        let materialized = self.eat_kw("MATERIALIZED");
        self.expect_kw("VIEW")?;
        if materialized && or_replace {
            return Err(self.err_here(
                "CREATE OR REPLACE MATERIALIZED VIEW is not PostgreSQL syntax: PostgreSQL would fail here with a syntax error",
            ));
        }
        let if_not_exists = materialized && self.if_not_exists();
        let name = self.qname()?;
        let columns = if self.peek_is(&Token::LParen) {
            self.ident_list_parens()?
        } else {
            Vec::new()
        };
        if recursive && columns.is_empty() {
            return Err(self.err_here(
                "missing list of output columns for a RECURSIVE VIEW: PostgreSQL would fail here with a syntax error",
            ));
        }
        if materialized && self.eat_kw("USING") {
            return Err(self
                .err_here("a table access method of a materialized view is not supported")
                .with_help("strata models heap materialized views only"));
        }
        let options = if self.eat_kw("WITH") {
            self.rel_options()?
        } else {
            Vec::new()
        };
        if self.peek_kw("TABLESPACE") {
            self.p.next_token();
            self.ident()?;
        }
        self.expect_kw("AS")?;
        let query_offset = self.offset_of(&self.peek());
        // Every token to the end, remembering where top-level WITHs start.
        let mut tokens: Vec<(Token, usize)> = Vec::new();
        let mut depth = 0i32;
        let mut withs = Vec::new();
        while !self.at_end() {
            let t = self.p.next_token();
            match &t.token {
                Token::LParen => depth += 1,
                Token::RParen => depth -= 1,
                Token::Word(w)
                    if depth == 0
                        && w.quote_style.is_none()
                        && w.value.eq_ignore_ascii_case("WITH") =>
                {
                    withs.push(tokens.len());
                }
                _ => {}
            }
            tokens.push((t.token.clone(), self.offset_of(&t)));
        }
        if tokens.is_empty() {
            return Err(self.expected("a query"));
        }
        let words: Vec<String> = tokens
            .iter()
            .map(|(t, _)| match t {
                Token::Word(w) if w.quote_style.is_none() => w.value.to_ascii_uppercase(),
                _ => String::new(),
            })
            .collect();
        let mut end = self.text.len();
        let mut check_option = None;
        let mut with_data = true;
        if let Some(&w) = withs.last() {
            let tail: Vec<&str> = words[w..].iter().map(String::as_str).collect();
            let found = match tail.as_slice() {
                ["WITH", "CHECK", "OPTION"] | ["WITH", "CASCADED", "CHECK", "OPTION"]
                    if !materialized =>
                {
                    check_option = Some(CheckOption::Cascaded);
                    true
                }
                ["WITH", "LOCAL", "CHECK", "OPTION"] if !materialized => {
                    check_option = Some(CheckOption::Local);
                    true
                }
                ["WITH", "DATA"] if materialized => true,
                ["WITH", "NO", "DATA"] if materialized => {
                    with_data = false;
                    true
                }
                _ => false,
            };
            if found {
                end = tokens[w].1;
            }
        }
        let query = self.text[query_offset..end].trim_end().to_string();
        let (items, from) =
            match read_query(&query) {
                Ok(q) => shape(&q),
                Err(e) => return Err(super::ParseError {
                    message: format!("strata cannot read this view's query: {e}"),
                    offset: query_offset,
                    len: query.len().clamp(1, 40),
                    help: Some(
                        "check the query's syntax, or mark the statement with `-- strata:ignore`"
                            .to_string(),
                    ),
                }),
            };
        let mut query_key = query_key(&query);
        if recursive {
            query_key = format!("RECURSIVE ({}) {query_key}", columns.join(", "));
        }
        Ok(Stmt::CreateView(Box::new(CreateView {
            name,
            materialized,
            or_replace,
            if_not_exists,
            recursive,
            columns,
            options,
            query,
            query_offset,
            query_key,
            items,
            from,
            check_option,
            with_data,
        })))
    }

    /// After `ALTER`, at `VIEW` or `MATERIALIZED VIEW`.
    pub(super) fn alter_view(&mut self) -> PResult<Stmt> {
        let materialized = self.eat_kw("MATERIALIZED");
        self.expect_kw("VIEW")?;
        let if_exists = self.if_exists();
        let name = self.qname()?;
        let action = if self.eat_kws(&["RENAME", "TO"]) {
            ViewAction::RenameTo(self.ident()?)
        } else if self.eat_kw("RENAME") {
            self.eat_kw("COLUMN");
            let old = self.ident()?;
            self.expect_kw("TO")?;
            ViewAction::RenameColumn {
                old,
                new: self.ident()?,
            }
        } else if self.eat_kws(&["SET", "SCHEMA"]) {
            ViewAction::SetSchema(self.ident()?)
        } else if self.peek_kw("SET") && self.peek_nth_is(1, &Token::LParen) {
            self.p.next_token();
            ViewAction::SetOptions(self.rel_options()?)
        } else if self.eat_kw("RESET") {
            ViewAction::ResetOptions(self.rel_option_names()?)
        } else if self.eat_kws(&["OWNER", "TO"]) {
            ViewAction::Owner(self.role_spec()?)
        } else if !materialized && self.eat_kw("ALTER") {
            self.eat_kw("COLUMN");
            let column = self.ident()?;
            if self.eat_kws(&["SET", "DEFAULT"]) {
                let (_, default) = self.written_expr()?;
                ViewAction::SetDefault { column, default }
            } else if self.eat_kws(&["DROP", "DEFAULT"]) {
                ViewAction::DropDefault { column }
            } else {
                return Err(self.expected("SET DEFAULT or DROP DEFAULT"));
            }
        } else {
            return Err(self
                .err_here(format!(
                    "strata does not understand this ALTER {}",
                    if materialized { "MATERIALIZED VIEW" } else { "VIEW" }
                ))
                .with_help(
                    "supported: RENAME [COLUMN], SET SCHEMA, SET (…), RESET (…), ALTER COLUMN … SET/DROP DEFAULT, OWNER TO",
                ));
        };
        Ok(Stmt::AlterView {
            name,
            materialized,
            if_exists,
            action,
        })
    }

    /// After `DROP`, at `VIEW` or `MATERIALIZED VIEW`.
    pub(super) fn drop_view(&mut self) -> PResult<Stmt> {
        let materialized = self.eat_kw("MATERIALIZED");
        self.expect_kw("VIEW")?;
        let if_exists = self.if_exists();
        let names = self.qname_list()?;
        let cascade = self.cascade();
        Ok(Stmt::DropView {
            materialized,
            names,
            if_exists,
            cascade,
        })
    }

    /// `REFRESH MATERIALIZED VIEW [CONCURRENTLY] name [WITH [NO] DATA]`.
    pub(super) fn refresh_view(&mut self) -> PResult<Stmt> {
        self.expect_kws(&["REFRESH", "MATERIALIZED", "VIEW"])?;
        self.eat_kw("CONCURRENTLY");
        let name = self.qname()?;
        let with_data = if self.eat_kw("WITH") {
            let no = self.eat_kw("NO");
            self.expect_kw("DATA")?;
            !no
        } else {
            true
        };
        Ok(Stmt::RefreshView { name, with_data })
    }
}

fn read_query(sql: &str) -> Result<Query, String> {
    let dialect = PostgreSqlDialect {};
    let mut p = Parser::new(&dialect)
        .try_with_sql(sql)
        .map_err(|e| e.to_string())?;
    let q = p.parse_query().map_err(|e| e.to_string())?;
    if p.peek_token().token != Token::EOF {
        return Err(format!("unexpected `{}`", p.peek_token().token));
    }
    Ok(*q)
}

fn fold(id: &sqlparser::ast::Ident) -> String {
    fold_ident(&id.value, id.quote_style.is_some())
}

/// The SELECT list's output columns and the FROM clause's relations.
fn shape(q: &Query) -> (Vec<ViewItem>, Vec<(QName, Option<String>)>) {
    let mut body = q.body.as_ref();
    loop {
        match body {
            SetExpr::SetOperation { left, .. } => body = left,
            SetExpr::Query(q) => body = q.body.as_ref(),
            _ => break,
        }
    }
    let SetExpr::Select(sel) = body else {
        return (Vec::new(), Vec::new());
    };
    let mut items = Vec::new();
    for item in &sel.projection {
        match item {
            SelectItem::UnnamedExpr(e) => items.push(ViewItem::Column {
                name: crate::colname::figure_colname(e),
                source: source_of(e),
            }),
            SelectItem::ExprWithAlias { expr, alias } => items.push(ViewItem::Column {
                name: fold(alias),
                source: source_of(expr),
            }),
            SelectItem::Wildcard(_) => items.push(ViewItem::Star(None)),
            SelectItem::ExprWithAliases { .. } => return (Vec::new(), Vec::new()),
            SelectItem::QualifiedWildcard(kind, _) => {
                let q = match kind {
                    sqlparser::ast::SelectItemQualifiedWildcardKind::ObjectName(n) => {
                        n.0.last().and_then(|p| p.as_ident()).map(fold)
                    }
                    _ => None,
                };
                items.push(ViewItem::Star(q));
            }
        }
    }
    let ctes: Vec<String> = q
        .with
        .iter()
        .flat_map(|w| w.cte_tables.iter().map(|c| fold(&c.alias.name)))
        .collect();
    let mut from = Vec::new();
    let mut add = |f: &TableFactor| {
        if let TableFactor::Table { name, alias, .. } = f {
            let parts: Vec<String> = name
                .0
                .iter()
                .filter_map(|p| p.as_ident())
                .map(fold)
                .collect();
            let qn = match parts.as_slice() {
                [n] if ctes.contains(n) => None,
                [n] => Some(QName {
                    schema: None,
                    name: n.clone(),
                }),
                [s, n] => Some(QName {
                    schema: Some(s.clone()),
                    name: n.clone(),
                }),
                _ => None,
            };
            if let Some(qn) = qn {
                from.push((qn, alias.as_ref().map(|a| fold(&a.name))));
            }
        }
    };
    for twj in &sel.from {
        add(&twj.relation);
        for j in &twj.joins {
            add(&j.relation);
        }
    }
    (items, from)
}

fn source_of(e: &Expr) -> Option<(Option<String>, String)> {
    match e {
        Expr::Identifier(id) => Some((None, fold(id))),
        Expr::CompoundIdentifier(ids) if ids.len() >= 2 => {
            let n = ids.len();
            Some((Some(fold(&ids[n - 2])), fold(&ids[n - 1])))
        }
        Expr::Nested(x) => source_of(x),
        _ => None,
    }
}

/// The tokens of a query, comments and layout left out, unquoted words
/// folded to lower case as the server folds them: two queries with the
/// same key are the same query text to the server's parser.
pub fn query_key(sql: &str) -> String {
    let dialect = PostgreSqlDialect {};
    let Ok(tokens) = Tokenizer::new(&dialect, sql).tokenize() else {
        return sql.to_string();
    };
    let mut out = String::new();
    for t in tokens {
        let piece = match &t {
            Token::Whitespace(_) => continue,
            Token::Word(w) if w.quote_style.is_none() => fold_ident(&w.value, false),
            Token::Word(w) => format!("\"{}\"", fold_ident(&w.value, true)),
            other => other.to_string(),
        };
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&piece);
    }
    out
}
