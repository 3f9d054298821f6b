//! The cursor over sqlparser's parser, and its token-level primitives:
//! keywords, names, literals, expressions and data types as written.

use sqlparser::ast::Expr;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, TokenWithSpan};

use super::{column_refs, fold_ident, PResult, ParseError, QName};
use crate::model::Expression;
use crate::normalize;

pub(crate) struct Cursor<'a> {
    pub(super) p: Parser<'a>,
    pub(super) text: &'a str,
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

    pub(super) fn offset_of(&self, tok: &TokenWithSpan) -> usize {
        self.offset_at(tok.span.start)
    }

    /// The text of a token as written in the statement.
    pub(super) fn source_of(&self, tok: &TokenWithSpan) -> &'a str {
        let (start, end) = (self.offset_at(tok.span.start), self.offset_at(tok.span.end));
        self.text.get(start..end.max(start)).unwrap_or_default()
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

    pub(super) fn peek(&self) -> TokenWithSpan {
        self.p.peek_token()
    }

    pub(super) fn peek_nth(&self, n: usize) -> TokenWithSpan {
        self.p.peek_nth_token(n)
    }

    pub(super) fn err_here(&self, message: impl Into<String>) -> ParseError {
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

    pub(super) fn expected(&self, what: &str) -> ParseError {
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

    pub(super) fn sql_err(&self, e: sqlparser::parser::ParserError) -> ParseError {
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

    pub(super) fn peek_kw(&self, kw: &str) -> bool {
        Self::is_kw_tok(&self.peek().token, kw)
    }

    pub(super) fn peek_nth_kw(&self, n: usize, kw: &str) -> bool {
        Self::is_kw_tok(&self.peek_nth(n).token, kw)
    }

    /// The next tokens are these keywords (nothing is consumed).
    pub(super) fn peek_kws(&self, kws: &[&str]) -> bool {
        kws.iter().enumerate().all(|(i, k)| self.peek_nth_kw(i, k))
    }

    pub(super) fn peek_nth_is(&self, n: usize, t: &Token) -> bool {
        &self.peek_nth(n).token == t
    }

    pub(super) fn peek_is(&self, t: &Token) -> bool {
        &self.peek().token == t
    }

    pub(super) fn eat_kw(&mut self, kw: &str) -> bool {
        if self.peek_kw(kw) {
            self.p.next_token();
            true
        } else {
            false
        }
    }

    pub(super) fn eat_kws(&mut self, kws: &[&str]) -> bool {
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

    pub(super) fn expect_kw(&mut self, kw: &str) -> PResult<()> {
        if self.eat_kw(kw) {
            Ok(())
        } else {
            Err(self.expected(kw))
        }
    }

    pub(super) fn expect_kws(&mut self, kws: &[&str]) -> PResult<()> {
        for kw in kws {
            self.expect_kw(kw)?;
        }
        Ok(())
    }

    pub(super) fn eat(&mut self, t: &Token) -> bool {
        self.p.consume_token(t)
    }

    pub(super) fn expect(&mut self, t: &Token) -> PResult<()> {
        if self.eat(t) {
            Ok(())
        } else {
            Err(self.expected(&format!("`{t}`")))
        }
    }

    /// A role as `OWNER TO` takes it: a name, or `None` for CURRENT_USER,
    /// CURRENT_ROLE and SESSION_USER (the role running the SQL).
    pub(super) fn role_spec(&mut self) -> PResult<Option<String>> {
        if let Token::Word(w) = &self.peek().token {
            if w.quote_style.is_none()
                && ["CURRENT_USER", "CURRENT_ROLE", "SESSION_USER"]
                    .iter()
                    .any(|k| w.value.eq_ignore_ascii_case(k))
            {
                self.p.next_token();
                return Ok(None);
            }
        }
        Ok(Some(self.ident()?))
    }

    /// An identifier, folded as PostgreSQL does and truncated to 63 bytes.
    pub(super) fn ident(&mut self) -> PResult<String> {
        match self.peek().token {
            Token::Word(w) => {
                self.p.next_token();
                Ok(fold_ident(&w.value, w.quote_style.is_some()))
            }
            _ => Err(self.expected("a name")),
        }
    }

    pub(super) fn qname(&mut self) -> PResult<QName> {
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

    pub(super) fn qname_list(&mut self) -> PResult<Vec<QName>> {
        let mut v = vec![self.qname()?];
        while self.eat(&Token::Comma) {
            v.push(self.qname()?);
        }
        Ok(v)
    }

    pub(super) fn ident_list_parens(&mut self) -> PResult<Vec<String>> {
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

    pub(super) fn string(&mut self) -> PResult<String> {
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

    pub(super) fn ident_or_string(&mut self) -> PResult<String> {
        match self.peek().token {
            Token::Word(_) => self.ident(),
            Token::Number(n, _) => {
                self.p.next_token();
                Ok(n)
            }
            _ => self.string(),
        }
    }

    pub(super) fn number_i64(&mut self) -> PResult<i64> {
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

    pub(super) fn expr(&mut self) -> PResult<Expr> {
        self.p.parse_expr().map_err(|e| self.sql_err(e))
    }

    /// The text of the statement from `start` (a byte offset) to the end of
    /// the last token read: an expression exactly as written.
    pub(super) fn written_since(&self, start: usize) -> String {
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
    pub(super) fn written_expr(&mut self) -> PResult<(Expr, Expression)> {
        let start = self.offset_of(&self.peek());
        let e = self.expr()?;
        let sql = self.written_since(start);
        let key = unparenthesized(&e).to_string();
        Ok((e.clone(), Expression::written(sql, key)))
    }

    /// A parenthesised expression `( expr )`, as written.
    pub(super) fn paren_expr(&mut self) -> PResult<(Expression, Vec<String>)> {
        self.expect(&Token::LParen)?;
        let (e, x) = self.written_expr()?;
        self.expect(&Token::RParen)?;
        Ok((x, column_refs(&e)))
    }

    /// A parenthesised boolean expression (CHECK, WHERE), as written.
    pub(super) fn paren_predicate(&mut self) -> PResult<(Expression, Vec<String>)> {
        self.paren_expr()
    }

    pub(super) fn data_type(&mut self) -> PResult<(String, bool)> {
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
    pub(super) fn skip_rest(&mut self) {
        while !self.at_end() {
            self.p.next_token();
        }
    }

    pub(super) fn if_exists(&mut self) -> bool {
        self.eat_kws(&["IF", "EXISTS"])
    }

    pub(super) fn if_not_exists(&mut self) -> bool {
        self.eat_kws(&["IF", "NOT", "EXISTS"])
    }

    pub(super) fn cascade(&mut self) -> bool {
        if self.eat_kw("CASCADE") {
            true
        } else {
            self.eat_kw("RESTRICT");
            false
        }
    }

    pub(super) fn word_upper(&self, n: usize) -> Option<String> {
        match self.peek_nth(n).token {
            Token::Word(w) if w.quote_style.is_none() => Some(w.value.to_ascii_uppercase()),
            _ => None,
        }
    }
}

/// The expression inside any parentheses that enclose all of it: `((f(x)))`
/// and `f(x)` are the same tree to the server, so their comparison keys
/// are one (an unproven expression is compared by its key).
pub(crate) fn unparenthesized(e: &Expr) -> &Expr {
    let mut inner = e;
    while let Expr::Nested(x) = inner {
        inner = x;
    }
    inner
}
