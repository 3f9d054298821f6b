//! Following `DO` blocks: the small part of PL/pgSQL that migration tools
//! write around DDL.
//!
//! Supported: `BEGIN … EXCEPTION WHEN duplicate_object THEN null; END`
//! (drizzle-kit), `IF [NOT] EXISTS (SELECT … FROM pg_constraint | pg_type |
//! information_schema.tables | … WHERE name = '…') THEN … END IF` (Prisma
//! and hand-written guards), nested blocks, `EXECUTE 'literal'`, `RAISE`,
//! `NULL`. A block that changes no schema (data backfills with loops and
//! variables) is passed over as data. Anything else that holds DDL is an
//! error that names the construct: strata never guesses what a block did.
//!
//! The block runs in a [`Session`]: replay's `Replayer` is one (in
//! `replay/do_block.rs`); this module does not depend on replay.

use std::collections::BTreeMap;
use std::sync::Arc;

use sqlparser::ast::{BinaryOperator, Expr, SetExpr, TableFactor, UnaryOperator};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, Tokenizer};

use crate::error::Failure;
use crate::model::quote_ident;
use crate::parse::{fold_ident, split_qualified};

/// What a DO block needs of the session it runs in. `Clone`: a block with
/// an EXCEPTION handler goes back to the session as it was before the
/// block when the handler catches the error.
pub(crate) trait Session: Clone {
    /// Counts a block that changes no schema as a data statement.
    fn count_data_statement(&mut self);

    /// Applies one statement from inside the block: `sql`, at byte `offset`
    /// of `text` (the file).
    fn apply_nested(&mut self, sql: &str, offset: usize, text: &Arc<str>) -> Result<(), Failure>;

    /// Evaluates a catalog lookup `EXISTS (SELECT … FROM catalog WHERE
    /// col = 'x' AND …)`; `None` when it cannot.
    fn catalog_has(&self, catalog: &str, conds: &BTreeMap<String, String>) -> Option<bool>;
}

#[derive(Debug, Clone)]
struct Tok {
    token: Token,
    start: usize,
    end: usize,
}

fn tokenize(text: &str) -> Result<Vec<Tok>, String> {
    let dialect = PostgreSqlDialect {};
    let toks = Tokenizer::new(&dialect, text)
        .tokenize_with_location()
        .map_err(|e| e.to_string())?;
    let mut line_starts = vec![0usize];
    for (i, b) in text.bytes().enumerate() {
        if b == b'\n' {
            line_starts.push(i + 1);
        }
    }
    let to_off = |line: u64, col: u64| -> usize {
        if line == 0 {
            return text.len();
        }
        let start = line_starts
            .get(line as usize - 1)
            .copied()
            .unwrap_or(text.len());
        let rest = &text[start..];
        rest.char_indices()
            .nth(col.saturating_sub(1) as usize)
            .map_or(text.len(), |(b, _)| start + b)
    };
    Ok(toks
        .into_iter()
        .filter(|t| !matches!(t.token, Token::Whitespace(_)))
        .map(|t| Tok {
            start: to_off(t.span.start.line, t.span.start.column),
            end: to_off(t.span.end.line, t.span.end.column),
            token: t.token,
        })
        .collect())
}

/// Identifier tokens of an expression, each as `quote_ident` prints it.
pub(crate) fn ident_tokens(expr: &str) -> Vec<String> {
    let dialect = PostgreSqlDialect {};
    let Ok(toks) = Tokenizer::new(&dialect, expr).tokenize() else {
        return Vec::new();
    };
    toks.into_iter()
        .filter_map(|t| match t {
            Token::Word(w) => Some(quote_ident(&fold_ident(&w.value, w.quote_style.is_some()))),
            _ => None,
        })
        .collect()
}

#[derive(Debug)]
enum Pl {
    Sql(usize, usize),
    Block(Block),
    If(Vec<((usize, usize), Vec<Pl>)>, Vec<Pl>),
    Execute(String, usize),
    /// RAISE EXCEPTION: running it fails the block.
    RaiseException(usize),
    Nothing,
}

#[derive(Debug)]
struct Block {
    stmts: Vec<Pl>,
    handlers: Vec<(Vec<String>, Vec<Pl>)>,
}

struct PlParser<'a> {
    toks: &'a [Tok],
    i: usize,
    body: &'a str,
}

fn unsupported(offset: usize, what: &str) -> Failure {
    Failure {
        code: "0A000",
        message: format!("strata cannot follow this DO block: {what}"),
        help: Some(
            "strata only follows DO blocks made of DDL, IF [NOT] EXISTS catalog checks and EXCEPTION handlers; \
             write the DDL as plain statements, or mark the block `-- strata:ignore` if it changes nothing strata models"
                .to_string(),
        ),
        offset: Some(offset),
        len: 2,
    }
}

impl<'a> PlParser<'a> {
    fn kw(&self, k: &str) -> bool {
        self.kw_at(self.i, k)
    }

    fn kw_at(&self, i: usize, k: &str) -> bool {
        matches!(self.toks.get(i), Some(Tok { token: Token::Word(w), .. }) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case(k))
    }

    fn off(&self) -> usize {
        self.toks.get(self.i).map_or(self.body.len(), |t| t.start)
    }

    fn semi(&mut self) {
        if matches!(
            self.toks.get(self.i),
            Some(Tok {
                token: Token::SemiColon,
                ..
            })
        ) {
            self.i += 1;
        }
    }

    /// Skips to just after the next `;` at parenthesis depth 0; returns the
    /// byte range before the `;`.
    fn until_semi(&mut self) -> (usize, usize) {
        let start = self.off();
        let mut depth = 0i32;
        let mut end = start;
        while let Some(t) = self.toks.get(self.i) {
            match t.token {
                Token::LParen => depth += 1,
                Token::RParen => depth -= 1,
                Token::SemiColon if depth <= 0 => {
                    self.i += 1;
                    return (start, end);
                }
                _ => {}
            }
            end = t.end;
            self.i += 1;
        }
        (start, end)
    }

    fn block(&mut self) -> Result<Block, Failure> {
        if self.kw("DECLARE") {
            // Variables feed data statements (passed over); DDL never uses them
            // in the blocks strata follows.
            while self.i < self.toks.len() && !self.kw("BEGIN") {
                self.i += 1;
            }
        }
        if !self.kw("BEGIN") {
            return Err(unsupported(self.off(), "expected BEGIN"));
        }
        self.i += 1;
        let stmts = self.stmts(&["EXCEPTION", "END"])?;
        let mut handlers = Vec::new();
        if self.kw("EXCEPTION") {
            self.i += 1;
            while self.kw("WHEN") {
                self.i += 1;
                let mut conds = Vec::new();
                while self.i < self.toks.len() && !self.kw("THEN") {
                    match &self.toks[self.i].token {
                        Token::Word(w)
                            if !w.value.eq_ignore_ascii_case("OR")
                                && !w.value.eq_ignore_ascii_case("SQLSTATE") =>
                        {
                            conds.push(w.value.to_ascii_lowercase())
                        }
                        Token::SingleQuotedString(s) => conds.push(s.clone()),
                        _ => {}
                    }
                    self.i += 1;
                }
                if !self.kw("THEN") {
                    return Err(unsupported(self.off(), "expected THEN"));
                }
                self.i += 1;
                let h = self.stmts(&["WHEN", "END"])?;
                handlers.push((conds, h));
            }
        }
        if !self.kw("END") {
            return Err(unsupported(self.off(), "expected END"));
        }
        self.i += 1;
        // optional label
        if matches!(
            self.toks.get(self.i),
            Some(Tok {
                token: Token::Word(_),
                ..
            })
        ) && !self.kw("IF")
        {
            self.i += 1;
        }
        self.semi();
        Ok(Block { stmts, handlers })
    }

    fn stmts(&mut self, stop: &[&str]) -> Result<Vec<Pl>, Failure> {
        let mut v = Vec::new();
        loop {
            if self.i >= self.toks.len() {
                return Ok(v);
            }
            if stop.iter().any(|s| self.kw(s)) {
                // `END IF` / `END LOOP` are not block ends of the caller's kind
                return Ok(v);
            }
            v.push(self.stmt()?);
        }
    }

    fn stmt(&mut self) -> Result<Pl, Failure> {
        let off = self.off();
        if self.kw("BEGIN") || self.kw("DECLARE") {
            return Ok(Pl::Block(self.block()?));
        }
        if self.kw("IF") {
            self.i += 1;
            let mut branches = Vec::new();
            let mut else_branch = Vec::new();
            loop {
                let cstart = self.off();
                let mut cend = cstart;
                while self.i < self.toks.len() && !self.kw("THEN") {
                    cend = self.toks[self.i].end;
                    self.i += 1;
                }
                if !self.kw("THEN") {
                    return Err(unsupported(off, "IF without THEN"));
                }
                self.i += 1;
                let body = self.stmts(&["ELSIF", "ELSEIF", "ELSE", "END"])?;
                branches.push(((cstart, cend), body));
                if self.kw("ELSIF") || self.kw("ELSEIF") {
                    self.i += 1;
                    continue;
                }
                if self.kw("ELSE") {
                    self.i += 1;
                    else_branch = self.stmts(&["END"])?;
                }
                break;
            }
            if !(self.kw("END") && self.kw_at(self.i + 1, "IF")) {
                return Err(unsupported(self.off(), "expected END IF"));
            }
            self.i += 2;
            self.semi();
            return Ok(Pl::If(branches, else_branch));
        }
        if self.kw("NULL") {
            self.until_semi();
            return Ok(Pl::Nothing);
        }
        if self.kw("RAISE") {
            let exception = self.kw_at(self.i + 1, "EXCEPTION")
                || matches!(
                    self.toks.get(self.i + 1),
                    Some(Tok {
                        token: Token::SingleQuotedString(_),
                        ..
                    })
                );
            self.until_semi();
            return Ok(if exception {
                Pl::RaiseException(off)
            } else {
                Pl::Nothing
            });
        }
        if self.kw("PERFORM") || self.kw("RETURN") {
            self.until_semi();
            return Ok(Pl::Nothing);
        }
        if self.kw("EXECUTE") {
            let lit = match self.toks.get(self.i + 1) {
                Some(Tok {
                    token: Token::SingleQuotedString(s),
                    start,
                    ..
                }) if matches!(
                    self.toks.get(self.i + 2),
                    Some(Tok {
                        token: Token::SemiColon,
                        ..
                    })
                ) =>
                {
                    Some((s.clone(), *start + 1))
                }
                _ => None,
            };
            let (s, e) = self.until_semi();
            return match lit {
                Some((sql, at)) => Ok(Pl::Execute(sql, at)),
                None => {
                    if has_ddl(&self.body[s..e]) {
                        Err(unsupported(off, "EXECUTE of a computed string"))
                    } else {
                        Ok(Pl::Nothing)
                    }
                }
            };
        }
        if self.kw("FOR")
            || self.kw("WHILE")
            || self.kw("LOOP")
            || self.kw("FOREACH")
            || self.kw("CASE")
        {
            return Err(unsupported(off, "a loop or CASE statement around DDL"));
        }
        // assignment `x := …;`
        if matches!(
            self.toks.get(self.i + 1),
            Some(Tok {
                token: Token::Assignment,
                ..
            })
        ) {
            self.until_semi();
            return Ok(Pl::Nothing);
        }
        let (s, e) = self.until_semi();
        Ok(Pl::Sql(s, e))
    }
}

const DDL: [&str; 4] = ["CREATE", "ALTER", "DROP", "COMMENT"];

fn has_ddl(text: &str) -> bool {
    has_ddl_in(text, true)
}

/// `top`: `text` is the block's body (unreadable means "not followed");
/// else it is the content of a string literal, which need not be SQL
/// (`'it''s'`, `'$a$'`): unreadable, any DDL keyword among its words
/// counts.
fn has_ddl_in(text: &str, top: bool) -> bool {
    let dialect = PostgreSqlDialect {};
    let Ok(toks) = Tokenizer::new(&dialect, text).tokenize() else {
        return top
            || text
                .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .any(|w| DDL.iter().any(|k| w.eq_ignore_ascii_case(k)));
    };
    toks.iter().any(|t| match t {
        Token::Word(w) => {
            w.quote_style.is_none() && DDL.iter().any(|k| w.value.eq_ignore_ascii_case(k))
        }
        // DDL built as a string for EXECUTE (`EXECUTE 'ALTER TABLE ' || t`,
        // `format('CREATE INDEX …')`) counts too: never passed over as data.
        Token::SingleQuotedString(s) | Token::EscapedStringLiteral(s) => has_ddl_in(s, false),
        Token::DollarQuotedString(d) => has_ddl_in(&d.value, false),
        _ => false,
    })
}

/// Applies a DO block body to the session. `base` is the byte offset of the
/// body in the file.
pub(crate) fn apply_do(
    r: &mut impl Session,
    body: &str,
    base: usize,
    text: &Arc<str>,
) -> Result<(), Failure> {
    if !has_ddl(body) {
        r.count_data_statement();
        return Ok(());
    }
    let toks = tokenize(body).map_err(|m| unsupported(base, &m))?;
    let mut p = PlParser {
        toks: &toks,
        i: 0,
        body,
    };
    let block = p.block().map_err(|mut e| {
        e.offset = e.offset.map(|o| o + base);
        e
    })?;
    if p.i < toks.len() {
        return Err(unsupported(base + p.off(), "text after the block's END"));
    }
    let ctx = Ctx { body, base, text };
    exec_block(r, &block, &ctx)
}

struct Ctx<'a> {
    body: &'a str,
    base: usize,
    text: &'a Arc<str>,
}

fn exec_block(r: &mut impl Session, b: &Block, ctx: &Ctx) -> Result<(), Failure> {
    if b.handlers.is_empty() {
        return exec_stmts(r, &b.stmts, ctx);
    }
    let snapshot = r.clone();
    match exec_stmts(r, &b.stmts, ctx) {
        Ok(()) => Ok(()),
        Err(e) => {
            for (conds, h) in &b.handlers {
                if conds.iter().any(|c| condition_matches(c, e.code)) {
                    *r = snapshot;
                    return exec_stmts(r, h, ctx);
                }
            }
            Err(e)
        }
    }
}

fn condition_matches(cond: &str, code: &str) -> bool {
    let c = match cond {
        "others" => return true,
        "duplicate_object" => "42710",
        "duplicate_table" => "42P07",
        "duplicate_column" => "42701",
        "duplicate_schema" => "42P06",
        "duplicate_function" => "42723",
        "undefined_object" => "42704",
        "undefined_table" => "42P01",
        "undefined_column" => "42703",
        "invalid_schema_name" => "3F000",
        "dependent_objects_still_exist" => "2BP01",
        "invalid_table_definition" => "42P16",
        "feature_not_supported" => "0A000",
        other => other,
    };
    c.eq_ignore_ascii_case(code)
}

fn exec_stmts(r: &mut impl Session, stmts: &[Pl], ctx: &Ctx) -> Result<(), Failure> {
    for s in stmts {
        match s {
            Pl::Sql(a, b) => r.apply_nested(&ctx.body[*a..*b], ctx.base + a, ctx.text)?,
            Pl::Execute(sql, at) => r.apply_nested(sql, ctx.base + at, ctx.text)?,
            Pl::Block(b) => exec_block(r, b, ctx)?,
            Pl::If(branches, else_branch) => {
                let mut taken = false;
                for ((a, b), body) in branches {
                    if eval_cond(r, &ctx.body[*a..*b]).map_err(|m| unsupported(ctx.base + a, &m))? {
                        exec_stmts(r, body, ctx)?;
                        taken = true;
                        break;
                    }
                }
                if !taken {
                    exec_stmts(r, else_branch, ctx)?;
                }
            }
            Pl::RaiseException(at) => {
                return Err(Failure {
                    code: "P0001",
                    message: "the DO block raises an exception on this database".to_string(),
                    help: Some("the block's guard found the schema in a state it refuses; check the migrations before it".to_string()),
                    offset: Some(ctx.base + at),
                    len: 5,
                })
            }
            Pl::Nothing => {}
        }
    }
    Ok(())
}

fn eval_cond(r: &impl Session, cond: &str) -> Result<bool, String> {
    let dialect = PostgreSqlDialect {};
    let e = Parser::new(&dialect)
        .try_with_sql(cond)
        .and_then(|mut p| p.parse_expr())
        .map_err(|e| format!("cannot read the IF condition: {e}"))?;
    eval(r, &e)
}

fn eval(r: &impl Session, e: &Expr) -> Result<bool, String> {
    match e {
        Expr::Nested(x) => eval(r, x),
        Expr::UnaryOp {
            op: UnaryOperator::Not,
            expr,
        } => Ok(!eval(r, expr)?),
        Expr::BinaryOp {
            left,
            op: BinaryOperator::And,
            right,
        } => Ok(eval(r, left)? && eval(r, right)?),
        Expr::BinaryOp {
            left,
            op: BinaryOperator::Or,
            right,
        } => Ok(eval(r, left)? || eval(r, right)?),
        Expr::Exists { subquery, negated } => {
            let SetExpr::Select(sel) = subquery.body.as_ref() else {
                return Err("an EXISTS over something other than a plain SELECT".into());
            };
            let Some(from) = sel.from.first() else {
                return Err("an EXISTS without FROM".into());
            };
            if sel.from.len() != 1 || !from.joins.is_empty() {
                return Err("an EXISTS over several catalogs".into());
            }
            let TableFactor::Table { name, .. } = &from.relation else {
                return Err("an EXISTS over a subquery".into());
            };
            let catalog = name
                .0
                .last()
                .and_then(|p| p.as_ident())
                .map(|i| i.value.to_ascii_lowercase())
                .unwrap_or_default();
            let mut conds = BTreeMap::new();
            if let Some(w) = &sel.selection {
                collect_eqs(w, &mut conds);
            }
            let found = r
                .catalog_has(&catalog, &conds)
                .ok_or_else(|| format!("a check of {catalog} strata cannot evaluate"))?;
            Ok(found != *negated)
        }
        _ => Err("a condition other than [NOT] EXISTS (SELECT … FROM <catalog> WHERE …)".into()),
    }
}

fn collect_eqs(e: &Expr, out: &mut BTreeMap<String, String>) {
    match e {
        Expr::Nested(x) => collect_eqs(x, out),
        Expr::BinaryOp {
            left,
            op: BinaryOperator::And,
            right,
        } => {
            collect_eqs(left, out);
            collect_eqs(right, out);
        }
        Expr::BinaryOp {
            left,
            op: BinaryOperator::Eq,
            right,
        } => {
            let col = match left.as_ref() {
                Expr::Identifier(i) => Some(i.value.to_ascii_lowercase()),
                Expr::CompoundIdentifier(ids) => ids.last().map(|i| i.value.to_ascii_lowercase()),
                _ => None,
            };
            let val = literal(right);
            if let (Some(c), Some(v)) = (col, val) {
                if c == "conrelid" || c == "attrelid" || c == "indrelid" {
                    let (_, t) = split_qualified(&v);
                    out.insert("table_name".into(), t);
                } else {
                    out.insert(c, v);
                }
            }
        }
        _ => {}
    }
}

fn literal(e: &Expr) -> Option<String> {
    match e {
        Expr::Value(v) => v.value.clone().into_string(),
        Expr::Cast { expr, .. } => literal(expr),
        Expr::Nested(x) => literal(x),
        _ => None,
    }
}
