//! Splitting SQL files into statements, with exact locations.
//!
//! A hand-written byte-level lexer that knows what PostgreSQL's lexer knows
//! about where a statement ends: `--` and (nesting) `/* */` comments, quoted
//! strings (`'…'` with `''`, `E'…'` with backslash escapes, `U&'…'`, `B'…'`,
//! `X'…'`, `N'…'`), quoted identifiers (`"…"` with `""`), dollar quoting
//! (`$$…$$`, `$tag$…$tag$`; `$1` is a parameter), `;` at top level, the
//! `BEGIN ATOMIC … END` bodies of SQL-standard functions, drizzle-kit's
//! `--> statement-breakpoint` and psql meta-commands (`\connect`,
//! `\restrict`).
//!
//! The lexer works on bytes. Every token boundary it finds is a char boundary:
//! it only ever stops at ASCII bytes, and non-ASCII bytes belong to
//! identifiers (as in PostgreSQL), strings or comments.

use std::ops::Range;
use std::sync::Arc;

use crate::error::SqlError;

/// One statement of a SQL file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawStatement {
    /// Statement text, from its first token up to (not including) the
    /// terminating `;` (or the end of the file / a drizzle
    /// `--> statement-breakpoint` comment), without the leading
    /// comments/whitespace. It ends with its last token: trailing whitespace
    /// and trailing comments are left out. Comments inside the statement are
    /// kept.
    pub text: String,
    /// Byte offset of `text` in the file.
    pub offset: usize,
    /// 1-based line and column (in characters) of `offset`.
    pub line: u32,
    pub column: u32,
    /// `-- strata:NAME ARGS` directives in the comments between the previous
    /// statement and this one (for the first statement this includes the
    /// [`file_directives`]).
    pub directives: Vec<Directive>,
    /// True for a psql meta-command line (`\restrict KEY`, `\unrestrict KEY`,
    /// `\connect db`, `\set …`): a backslash at the start of a statement. It
    /// ends at the end of its line (no `;`); `text` is the line, trimmed.
    pub meta_command: bool,
}

/// A `-- strata:NAME ARGS` line comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// `ignore` for `-- strata:ignore`.
    pub name: String,
    /// The rest of the line, trimmed: `old_name` for
    /// `-- strata:renamed-from old_name`.
    pub args: String,
    /// Byte offset of the comment's `--` in the file.
    pub offset: usize,
    /// 1-based line and column (in characters) of `offset`.
    pub line: u32,
    pub column: u32,
}

/// What kind of token a [`Token`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// A keyword or unquoted identifier (letters, digits, `_`, `$`, any
    /// non-ASCII character; not starting with a digit or `$`).
    Word,
    /// `"…"` or `U&"…"`.
    QuotedIdent,
    /// `'…'`, `E'…'`, `U&'…'`, `B'…'`, `X'…'`, `N'…'`, prefix included.
    String,
    /// A dollar-quoted string, `$$…$$` or `$tag$…$tag$`, delimiters included.
    Dollar,
    /// A positional parameter, `$1`.
    Param,
    /// A numeric literal: `42`, `3.14`, `.5`, `1e-3`.
    Number,
    /// An operator made of `+ - * / < > = ~ ! @ # % ^ & | \` ?`.
    Operator,
    /// Anything else, one character: `( ) [ ] , ; : .`, a lone `$`, `\`;
    /// and `::` and `..`.
    Punct,
}

/// A token of a statement: its kind and its byte range in the text given to
/// [`tokens`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Token {
    pub kind: TokenKind,
    pub start: usize,
    pub end: usize,
}

impl Token {
    pub fn range(&self) -> Range<usize> {
        self.start..self.end
    }

    /// The token's text in `src` (the text given to [`tokens`]).
    pub fn text<'a>(&self, src: &'a str) -> &'a str {
        src.get(self.range()).unwrap_or("")
    }

    /// Whether this is the unquoted word `keyword`, in any case.
    pub fn is_keyword(&self, src: &str, keyword: &str) -> bool {
        self.kind == TokenKind::Word && self.text(src).eq_ignore_ascii_case(keyword)
    }

    /// Whether this is the operator or punctuation `symbol` (`(`, `::`, `=`).
    pub fn is_symbol(&self, src: &str, symbol: &str) -> bool {
        matches!(self.kind, TokenKind::Operator | TokenKind::Punct) && self.text(src) == symbol
    }
}

/// Splits a SQL file into statements. `file` names it in errors.
// The crate's errors are `SqlError` by value; an error ends the file's
// reading, so its size costs nothing on the path that matters.
#[allow(clippy::result_large_err)]
pub fn split(file: &str, text: &Arc<str>) -> Result<Vec<RawStatement>, SqlError> {
    let src: &str = text;
    let b = src.as_bytes();
    if b.contains(&0) {
        let nul = b.iter().position(|&c| c == 0).unwrap_or(0);
        return Err(SqlError::new(
            file,
            text,
            nul,
            1,
            "file contains a NUL byte; is it binary?",
        )
        .with_help(
            "SQL files are text: remove the NUL byte, or check that the file is not binary \
             or saved as UTF-16",
        )
        .with_label("NUL byte"));
    }

    let mut statements = Vec::new();
    let mut lines = Lines::new(b);
    let mut directives = Vec::new();
    let mut pos = 0;
    loop {
        match lex(b, pos) {
            Lexeme::End => break,
            Lexeme::Space(end) | Lexeme::BlockComment(end) => pos = end,
            Lexeme::LineComment(end) => {
                if let Some(d) = directive(src, pos, end, &mut lines) {
                    directives.push(d);
                }
                pos = end;
            }
            Lexeme::Unclosed(unclosed) => return Err(unclosed_error(file, text, pos, unclosed)),
            Lexeme::Token(TokenKind::Punct, end) if b.get(pos) == Some(&b';') => {
                // An empty statement.
                pos = end;
            }
            Lexeme::Token(..) => {
                let start = pos;
                let meta_command = b.get(pos) == Some(&b'\\');
                let (text_end, next) = if meta_command {
                    meta_command_end(b, pos)
                } else {
                    statement_end(b, pos)
                        .map_err(|(at, unclosed)| unclosed_error(file, text, at, unclosed))?
                };
                let (line, column) = lines.at(start);
                statements.push(RawStatement {
                    text: src.get(start..text_end).unwrap_or("").to_string(),
                    offset: start,
                    line,
                    column,
                    directives: std::mem::take(&mut directives),
                    meta_command,
                });
                pos = next;
            }
        }
    }
    Ok(statements)
}

/// Directives in the leading comment block of a file (before the first
/// statement), e.g. `-- strata:no-transaction` on the first line. For a file
/// without statements, all directives of the file.
pub fn file_directives(text: &str) -> Vec<Directive> {
    let b = text.as_bytes();
    let mut lines = Lines::new(b);
    let mut directives = Vec::new();
    let mut pos = 0;
    loop {
        match lex(b, pos) {
            Lexeme::Space(end) | Lexeme::BlockComment(end) => pos = end,
            Lexeme::LineComment(end) => {
                if let Some(d) = directive(text, pos, end, &mut lines) {
                    directives.push(d);
                }
                pos = end;
            }
            Lexeme::Token(TokenKind::Punct, end) if b.get(pos) == Some(&b';') => pos = end,
            Lexeme::End | Lexeme::Token(..) | Lexeme::Unclosed(_) => break,
        }
    }
    directives
}

/// The tokens of one statement (comments and whitespace left out), with
/// byte ranges into `text`. Never fails: an unterminated string, identifier
/// or dollar-quoted string is one token to the end of the text; an
/// unterminated comment ends the tokens.
pub fn tokens(text: &str) -> Vec<Token> {
    let b = text.as_bytes();
    let mut tokens = Vec::new();
    let mut pos = 0;
    loop {
        match lex(b, pos) {
            Lexeme::End => break,
            Lexeme::Space(end) | Lexeme::LineComment(end) | Lexeme::BlockComment(end) => pos = end,
            Lexeme::Token(kind, end) => {
                tokens.push(Token {
                    kind,
                    start: pos,
                    end,
                });
                pos = end;
            }
            Lexeme::Unclosed(unclosed) => {
                let kind = match unclosed {
                    Unclosed::String { .. } => TokenKind::String,
                    Unclosed::Ident { .. } => TokenKind::QuotedIdent,
                    Unclosed::Dollar { .. } => TokenKind::Dollar,
                    Unclosed::Comment => break,
                };
                tokens.push(Token {
                    kind,
                    start: pos,
                    end: b.len(),
                });
                break;
            }
        }
    }
    tokens
}

/// Where a statement starting at `start` ends: the end of its last token and
/// where to go on after it. Errors with the offset of an unclosed token.
fn statement_end(b: &[u8], start: usize) -> Result<(usize, usize), (usize, Unclosed)> {
    let mut pos = start;
    let mut last = start;
    let mut body = AtomicBody::default();
    // psql's lexer: a `;` inside parentheses does not end the statement
    // (`CREATE RULE … DO (INSERT …; DELETE …)`).
    let mut parens: usize = 0;
    loop {
        match lex(b, pos) {
            Lexeme::End => return Ok((last, pos)),
            Lexeme::Space(end) | Lexeme::BlockComment(end) => pos = end,
            Lexeme::LineComment(end) => {
                if is_breakpoint(b.get(pos + 2..end).unwrap_or_default()) {
                    return Ok((last, end));
                }
                pos = end;
            }
            Lexeme::Unclosed(unclosed) => return Err((pos, unclosed)),
            Lexeme::Token(kind, end) => {
                let token = b.get(pos..end).unwrap_or_default();
                if kind == TokenKind::Punct && token == b";" && !body.inside() && parens == 0 {
                    return Ok((last, end));
                }
                if kind == TokenKind::Punct && token == b"(" {
                    parens += 1;
                } else if kind == TokenKind::Punct && token == b")" {
                    parens = parens.saturating_sub(1);
                }
                body.token(kind, token);
                last = end;
                pos = end;
            }
        }
    }
}

/// A meta-command starting at `start` runs to the end of its line.
fn meta_command_end(b: &[u8], start: usize) -> (usize, usize) {
    let eol = b
        .get(start..)
        .and_then(|rest| rest.iter().position(|&c| c == b'\n'))
        .map_or(b.len(), |i| start + i);
    let mut end = eol;
    while end > start && b.get(end - 1).is_some_and(|&c| is_space(c)) {
        end -= 1;
    }
    (end, eol)
}

/// drizzle-kit's `--> statement-breakpoint`; `comment` is what follows `--`.
fn is_breakpoint(comment: &[u8]) -> bool {
    comment
        .strip_prefix(b">")
        .is_some_and(|rest| rest.trim_ascii() == b"statement-breakpoint")
}

/// A `-- strata:NAME ARGS` directive in the line comment at `start..end`.
fn directive(src: &str, start: usize, end: usize, lines: &mut Lines) -> Option<Directive> {
    let comment = src.get(start + 2..end)?;
    let rest = comment.trim_start().strip_prefix("strata:")?;
    let (name, args) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    if name.is_empty() {
        return None;
    }
    let (line, column) = lines.at(start);
    Some(Directive {
        name: name.to_string(),
        args: args.trim().to_string(),
        offset: start,
        line,
        column,
    })
}

/// Tracks whether a statement is inside the `BEGIN ATOMIC … END` body of a
/// `CREATE [OR REPLACE] FUNCTION|PROCEDURE`, where `;` does not end the
/// statement. Inside the body, `CASE … END` nests.
#[derive(Default)]
struct AtomicBody {
    header: Header,
    after_begin: bool,
    depth: usize,
}

#[derive(Default, Clone, Copy, PartialEq, Eq)]
enum Header {
    #[default]
    Start,
    Create,
    CreateOr,
    CreateOrReplace,
    Routine,
    Other,
}

impl AtomicBody {
    fn inside(&self) -> bool {
        self.depth > 0
    }

    fn token(&mut self, kind: TokenKind, token: &[u8]) {
        if self.header == Header::Other {
            return;
        }
        let word = kind == TokenKind::Word;
        let is = |keyword: &str| word && token.eq_ignore_ascii_case(keyword.as_bytes());
        let routine = || is("function") || is("procedure");
        self.header = match self.header {
            Header::Start if is("create") => Header::Create,
            Header::Create if is("or") => Header::CreateOr,
            Header::CreateOr if is("replace") => Header::CreateOrReplace,
            Header::Create | Header::CreateOrReplace if routine() => Header::Routine,
            Header::Routine => Header::Routine,
            _ => Header::Other,
        };
        if self.header != Header::Routine {
            return;
        }
        if self.after_begin && is("atomic") {
            self.after_begin = false;
            self.depth += 1;
            return;
        }
        self.after_begin = is("begin");
        if self.depth > 0 {
            if is("case") {
                self.depth += 1;
            } else if is("end") {
                self.depth -= 1;
            }
        }
    }
}

/// 1-based line and column (characters) of increasing byte offsets, in one
/// pass over the text. Agrees with [`crate::error::line_column`].
struct Lines<'a> {
    b: &'a [u8],
    pos: usize,
    line: u32,
    column: u32,
}

impl<'a> Lines<'a> {
    fn new(b: &'a [u8]) -> Lines<'a> {
        Lines {
            b,
            pos: 0,
            line: 1,
            column: 1,
        }
    }

    fn at(&mut self, offset: usize) -> (u32, u32) {
        if offset < self.pos {
            *self = Lines::new(self.b);
        }
        let end = offset.min(self.b.len());
        let mut chunks = self
            .b
            .get(self.pos..end)
            .unwrap_or_default()
            .chunks_exact(8);
        for chunk in &mut chunks {
            let Ok(word) = <[u8; 8]>::try_from(chunk) else {
                continue;
            };
            self.advance_word(u64::from_le_bytes(word));
        }
        for &c in chunks.remainder() {
            if c == b'\n' {
                self.line = self.line.saturating_add(1);
                self.column = 1;
            } else if c & 0xC0 != 0x80 {
                // Not a UTF-8 continuation byte: a new character.
                self.column = self.column.saturating_add(1);
            }
        }
        self.pos = end;
        (self.line, self.column)
    }

    /// Eight bytes at once: the high bit of each byte of a mask stands for
    /// that byte.
    fn advance_word(&mut self, x: u64) {
        const LOW: u64 = 0x7f7f_7f7f_7f7f_7f7f;
        const HIGH: u64 = 0x8080_8080_8080_8080;
        const NEWLINES: u64 = 0x0a0a_0a0a_0a0a_0a0a;
        let y = x ^ NEWLINES;
        // Bytes equal to `\n` are the zero bytes of `y`.
        let newlines = !((y & LOW).wrapping_add(LOW) | y | LOW);
        // Every byte but a continuation byte (0b10xx_xxxx) starts a character.
        let starts = !(x & !(x << 1)) & HIGH;
        if newlines == 0 {
            self.column = self.column.saturating_add(starts.count_ones());
        } else {
            self.line = self.line.saturating_add(newlines.count_ones());
            let last = 63 - newlines.leading_zeros();
            let after = if last >= 63 { 0 } else { starts >> (last + 1) };
            self.column = 1 + after.count_ones();
        }
    }
}

/// What the lexer found at a position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lexeme {
    End,
    /// Whitespace up to the offset.
    Space(usize),
    /// `--` comment up to (not including) the line break.
    LineComment(usize),
    /// `/* */` comment, through its closing `*/`.
    BlockComment(usize),
    Token(TokenKind, usize),
    /// A string, identifier or comment that the text ends inside of.
    Unclosed(Unclosed),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unclosed {
    /// `open_len` bytes open it (`'`, `E'`, `U&'`).
    String {
        open_len: usize,
        escapes: bool,
    },
    Ident {
        open_len: usize,
    },
    /// The opening delimiter ends at `tag_end`.
    Dollar {
        tag_end: usize,
    },
    Comment,
}

fn unclosed_error(file: &str, text: &Arc<str>, start: usize, unclosed: Unclosed) -> SqlError {
    match unclosed {
        Unclosed::String { open_len, escapes } => {
            let help = if escapes {
                "end the string with `'`; inside an E'…' string write a quote as `\\'` or `''` \
                 and a backslash as `\\\\`"
            } else {
                "end the string with `'`; write a quote inside a string as `''`"
            };
            SqlError::new(
                file,
                text,
                start,
                open_len,
                "unterminated quoted string (opened here)",
            )
            .with_help(help)
        }
        Unclosed::Ident { open_len } => SqlError::new(
            file,
            text,
            start,
            open_len,
            "unterminated quoted identifier (opened here)",
        )
        .with_help(
            "end the identifier with `\"`; write a double quote inside an identifier as `\"\"`",
        ),
        Unclosed::Dollar { tag_end } => {
            let tag = text.get(start..tag_end).unwrap_or("$$");
            SqlError::new(
                file,
                text,
                start,
                tag_end.saturating_sub(start),
                format!("unterminated dollar-quoted string {tag} (opened here)"),
            )
            .with_help(format!(
                "end the string with `{tag}`; the closing tag must match the opening one exactly, \
                 letter case included"
            ))
        }
        Unclosed::Comment => SqlError::new(
            file,
            text,
            start,
            2,
            "unterminated block comment (opened here)",
        )
        .with_help(
            "end the comment with `*/`; block comments nest in PostgreSQL, so every `/*` inside \
             it needs its own `*/`",
        ),
    }
    .with_label("never closed")
}

const SPACE: u8 = 1;
const IDENT_START: u8 = 2;
const DIGIT: u8 = 4;
const DOLLAR: u8 = 8;
const OPERATOR: u8 = 16;

/// The classes of every byte, as PostgreSQL's lexer sees them. Bytes of
/// non-ASCII characters are identifier characters.
const CLASSES: [u8; 256] = {
    let mut classes = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        classes[i] = if matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c) {
            SPACE
        } else if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 {
            IDENT_START
        } else if c.is_ascii_digit() {
            DIGIT
        } else if c == b'$' {
            DOLLAR
        } else if matches!(
            c,
            b'~' | b'!'
                | b'@'
                | b'#'
                | b'^'
                | b'&'
                | b'|'
                | b'`'
                | b'?'
                | b'+'
                | b'-'
                | b'*'
                | b'/'
                | b'%'
                | b'<'
                | b'>'
                | b'='
        ) {
            OPERATOR
        } else {
            0
        };
        i += 1;
    }
    classes
};

fn is(c: u8, classes: u8) -> bool {
    CLASSES[usize::from(c)] & classes != 0
}

fn is_space(c: u8) -> bool {
    is(c, SPACE)
}

fn is_ident_start(c: u8) -> bool {
    is(c, IDENT_START)
}

fn is_ident_cont(c: u8) -> bool {
    is(c, IDENT_START | DIGIT | DOLLAR)
}

fn is_tag_cont(c: u8) -> bool {
    is(c, IDENT_START | DIGIT)
}

fn is_op_char(c: u8) -> bool {
    is(c, OPERATOR)
}

fn is_digit_or_underscore(c: u8) -> bool {
    c.is_ascii_digit() || c == b'_'
}

/// The first offset from `from` whose byte does not satisfy `keep`.
fn skip_while(b: &[u8], from: usize, keep: impl Fn(u8) -> bool) -> usize {
    b.get(from..)
        .and_then(|rest| rest.iter().position(|&c| !keep(c)))
        .map_or(b.len(), |i| from + i)
}

/// Lexes the token, comment or whitespace at `pos`. Every lexeme but `End`
/// ends after `pos`.
#[inline(always)]
fn lex(b: &[u8], pos: usize) -> Lexeme {
    let Some(&c) = b.get(pos) else {
        return Lexeme::End;
    };
    let next = b.get(pos + 1).copied();
    if is_ident_start(c) {
        return match (c, next) {
            (b'e' | b'E', Some(b'\'')) => quoted(b, pos, 2, b'\'', true),
            (b'b' | b'B' | b'x' | b'X' | b'n' | b'N', Some(b'\'')) => {
                quoted(b, pos, 2, b'\'', false)
            }
            (b'u' | b'U', Some(b'&')) => match b.get(pos + 2) {
                Some(&quote @ (b'\'' | b'"')) => quoted(b, pos, 3, quote, false),
                _ => Lexeme::Token(TokenKind::Word, pos + 1),
            },
            _ => Lexeme::Token(TokenKind::Word, skip_while(b, pos + 1, is_ident_cont)),
        };
    }
    if is_space(c) {
        return Lexeme::Space(skip_while(b, pos + 1, is_space));
    }
    match c {
        b'-' if next == Some(b'-') => {
            Lexeme::LineComment(skip_while(b, pos + 2, |c| c != b'\n' && c != b'\r'))
        }
        b'/' if next == Some(b'*') => block_comment(b, pos),
        b'\'' => quoted(b, pos, 1, b'\'', false),
        b'"' => quoted(b, pos, 1, b'"', false),
        b'$' => dollar(b, pos),
        b'0'..=b'9' => number(b, pos),
        b'.' if next.is_some_and(|c| c.is_ascii_digit()) => number(b, pos),
        b':' if next == Some(b':') => Lexeme::Token(TokenKind::Punct, pos + 2),
        b'.' if next == Some(b'.') => Lexeme::Token(TokenKind::Punct, pos + 2),
        _ if is_op_char(c) => operator(b, pos),
        _ => Lexeme::Token(TokenKind::Punct, pos + 1),
    }
}

/// A nesting `/* … */` comment starting at `start`.
fn block_comment(b: &[u8], start: usize) -> Lexeme {
    let mut depth: usize = 1;
    let mut i = start + 2;
    while let (Some(&c), Some(&d)) = (b.get(i), b.get(i + 1)) {
        if c == b'/' && d == b'*' {
            depth += 1;
            i += 2;
        } else if c == b'*' && d == b'/' {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return Lexeme::BlockComment(i);
            }
        } else {
            i += 1;
        }
    }
    Lexeme::Unclosed(Unclosed::Comment)
}

/// A string or quoted identifier whose `open_len`-byte opening ends with the
/// `quote` byte. A doubled quote stands for one; with `escapes`, a backslash
/// escapes the next byte.
fn quoted(b: &[u8], start: usize, open_len: usize, quote: u8, escapes: bool) -> Lexeme {
    let mut i = start + open_len;
    while let Some(&c) = b.get(i) {
        if c == quote {
            if b.get(i + 1) == Some(&quote) {
                i += 2;
                continue;
            }
            let kind = if quote == b'"' {
                TokenKind::QuotedIdent
            } else {
                TokenKind::String
            };
            return Lexeme::Token(kind, i + 1);
        }
        i += if escapes && c == b'\\' { 2 } else { 1 };
    }
    Lexeme::Unclosed(if quote == b'"' {
        Unclosed::Ident { open_len }
    } else {
        Unclosed::String { open_len, escapes }
    })
}

/// `$1`, `$tag$…$tag$`, `$$…$$` or a lone `$` at `start`.
fn dollar(b: &[u8], start: usize) -> Lexeme {
    let next = b.get(start + 1).copied();
    if next.is_some_and(|c| c.is_ascii_digit()) {
        return Lexeme::Token(
            TokenKind::Param,
            skip_while(b, start + 1, |c| c.is_ascii_digit()),
        );
    }
    let tag_end = if next.is_some_and(is_ident_start) {
        skip_while(b, start + 2, is_tag_cont)
    } else {
        start + 1
    };
    if b.get(tag_end) != Some(&b'$') {
        return Lexeme::Token(TokenKind::Punct, start + 1);
    }
    let Some(delimiter) = b.get(start..=tag_end) else {
        return Lexeme::Token(TokenKind::Punct, start + 1);
    };
    // The body ends at the first occurrence of the delimiter: PostgreSQL
    // retries at every `$`, so the delimiter cannot hide inside other text.
    let mut i = tag_end + 1;
    while let Some(found) = b
        .get(i..)
        .and_then(|rest| rest.iter().position(|&c| c == b'$'))
    {
        let at = i + found;
        if b.get(at..).is_some_and(|rest| rest.starts_with(delimiter)) {
            return Lexeme::Token(TokenKind::Dollar, at + delimiter.len());
        }
        i = at + 1;
    }
    Lexeme::Unclosed(Unclosed::Dollar {
        tag_end: tag_end + 1,
    })
}

/// A numeric literal at `start` (a digit, or `.` and a digit).
fn number(b: &[u8], start: usize) -> Lexeme {
    let radix = b.get(start + 1).is_some_and(|c| b"xXoObB".contains(c));
    if b.get(start) == Some(&b'0')
        && radix
        && b.get(start + 2).is_some_and(u8::is_ascii_alphanumeric)
    {
        let end = skip_while(b, start + 2, |c| c.is_ascii_alphanumeric() || c == b'_');
        return Lexeme::Token(TokenKind::Number, end);
    }
    let mut end = skip_while(b, start, is_digit_or_underscore);
    // `1..2` is 1 and `..`, not `1.` and `.2`.
    if b.get(end) == Some(&b'.') && b.get(end + 1) != Some(&b'.') {
        end = skip_while(b, end + 1, is_digit_or_underscore);
    }
    if matches!(b.get(end), Some(b'e' | b'E')) {
        let mut digits = end + 1;
        if matches!(b.get(digits), Some(b'+' | b'-')) {
            digits += 1;
        }
        if b.get(digits).is_some_and(u8::is_ascii_digit) {
            end = skip_while(b, digits, is_digit_or_underscore);
        }
    }
    Lexeme::Token(TokenKind::Number, end)
}

/// An operator at `start`. It stops before a `--` or `/*` (a comment starts
/// there), and, like PostgreSQL, does not end a multi-character operator in
/// `+` or `-` unless it holds a character SQL's own operators lack (`=-1` is
/// `=` and `-`; `@-` stays whole).
fn operator(b: &[u8], start: usize) -> Lexeme {
    let mut end = start;
    while let Some(&c) = b.get(end) {
        if !is_op_char(c) {
            break;
        }
        let next = b.get(end + 1).copied();
        if end > start && ((c == b'-' && next == Some(b'-')) || (c == b'/' && next == Some(b'*'))) {
            break;
        }
        end += 1;
    }
    let op = b.get(start..end).unwrap_or_default();
    if op.len() > 1 && matches!(op.last(), Some(b'+' | b'-')) {
        let sql_only = !op.iter().any(|c| b"~!@#^&|`?%".contains(c));
        if sql_only {
            let trailing = op
                .iter()
                .skip(1)
                .rev()
                .take_while(|&&c| c == b'+' || c == b'-')
                .count();
            end -= trailing;
        }
    }
    Lexeme::Token(TokenKind::Operator, end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::line_column;

    fn run(src: &str) -> Vec<RawStatement> {
        let text: Arc<str> = Arc::from(src);
        let statements = split("test.sql", &text).unwrap_or_else(|e| panic!("{e}"));
        for s in &statements {
            check_statement(src, s);
        }
        statements
    }

    /// Invariants of every statement: the text is the slice at the offset,
    /// and the line and column agree with `line_column`.
    fn check_statement(src: &str, s: &RawStatement) {
        assert_eq!(
            src.get(s.offset..s.offset + s.text.len()),
            Some(s.text.as_str())
        );
        assert_eq!(line_column(src, s.offset), (s.line, s.column), "{s:?}");
        assert!(!s.text.is_empty());
        assert_eq!(s.text.trim_end(), s.text);
        for d in &s.directives {
            assert_eq!(line_column(src, d.offset), (d.line, d.column));
        }
    }

    fn texts(statements: &[RawStatement]) -> Vec<&str> {
        statements.iter().map(|s| s.text.as_str()).collect()
    }

    fn positions(statements: &[RawStatement]) -> Vec<(usize, u32, u32)> {
        statements
            .iter()
            .map(|s| (s.offset, s.line, s.column))
            .collect()
    }

    fn error(src: &str) -> SqlError {
        let text: Arc<str> = Arc::from(src);
        match split("bad.sql", &text) {
            Ok(statements) => panic!("expected an error, got {statements:?}"),
            Err(e) => e,
        }
    }

    fn error_at(e: &SqlError) -> (u32, u32, usize, usize) {
        (
            e.location.line,
            e.location.column,
            e.span.offset(),
            e.span.len(),
        )
    }

    #[test]
    fn line_tracking_agrees_with_line_column() {
        let src = "ab\ncé d\r\n日本語 😀x\n\n\nlong line without a break, é é é é é é é é\nz\n";
        let boundaries: Vec<usize> = (0..=src.len())
            .filter(|&i| src.is_char_boundary(i))
            .collect();
        for step in 1..12 {
            let mut lines = Lines::new(src.as_bytes());
            for &offset in boundaries.iter().step_by(step) {
                assert_eq!(
                    lines.at(offset),
                    line_column(src, offset),
                    "offset {offset}"
                );
            }
        }
        // Going back starts over.
        let mut lines = Lines::new(src.as_bytes());
        assert_eq!(lines.at(20), line_column(src, 20));
        assert_eq!(lines.at(3), (2, 1));
    }

    #[test]
    fn splits_at_semicolons_with_locations() {
        let src = "CREATE TABLE a (id int);\n\n  CREATE TABLE b (id int) ;\nSELECT 1";
        let s = run(src);
        assert_eq!(
            texts(&s),
            [
                "CREATE TABLE a (id int)",
                "CREATE TABLE b (id int)",
                "SELECT 1"
            ]
        );
        assert_eq!(positions(&s), [(0, 1, 1), (28, 3, 3), (54, 4, 1)]);
        assert!(s.iter().all(|s| !s.meta_command && s.directives.is_empty()));
    }

    #[test]
    fn statement_without_semicolon_at_end_of_file() {
        let s = run("SELECT 1;\nSELECT 2\n  \n");
        assert_eq!(texts(&s), ["SELECT 1", "SELECT 2"]);
        assert_eq!(positions(&s), [(0, 1, 1), (10, 2, 1)]);
        // Trailing comments are not part of the last statement.
        let s = run("SELECT 3 -- three\n/* done */\n");
        assert_eq!(texts(&s), ["SELECT 3"]);
    }

    #[test]
    fn comments_before_and_inside_statements() {
        let src = "-- header\n/* block */ SELECT /* inside; */ 1 -- also; inside\n + 2;";
        let s = run(src);
        assert_eq!(texts(&s), ["SELECT /* inside; */ 1 -- also; inside\n + 2"]);
        assert_eq!(positions(&s), [(22, 2, 13)]);
    }

    #[test]
    fn nested_block_comments() {
        let src = "/* a /* b; */ c; */ SELECT 1; /* x /* y /* z */ */ ; */ SELECT 2;";
        let s = run(src);
        assert_eq!(texts(&s), ["SELECT 1", "SELECT 2"]);
        assert_eq!(positions(&s), [(20, 1, 21), (56, 1, 57)]);
        // `*/*` closes, then `*` is an operator; `/*/` does not close.
        let s = run("SELECT 2 /*/ x; */ */* y; */ 3;");
        assert_eq!(texts(&s), ["SELECT 2 /*/ x; */ */* y; */ 3"]);
    }

    #[test]
    fn dollar_quoting() {
        let src = "CREATE FUNCTION f() RETURNS int AS $fn$\nBEGIN\n  PERFORM 'x;'; -- ;\n  RETURN $$;$$;\nEND\n$fn$ LANGUAGE plpgsql;\nDO $$ BEGIN RAISE NOTICE 'a;b'; END $$;\nSELECT $body$ $other$ ; $body$;";
        let s = run(src);
        assert_eq!(
            texts(&s),
            [
                "CREATE FUNCTION f() RETURNS int AS $fn$\nBEGIN\n  PERFORM 'x;'; -- ;\n  RETURN $$;$$;\nEND\n$fn$ LANGUAGE plpgsql",
                "DO $$ BEGIN RAISE NOTICE 'a;b'; END $$",
                "SELECT $body$ $other$ ; $body$",
            ]
        );
        assert_eq!(positions(&s), [(0, 1, 1), (110, 7, 1), (150, 8, 1)]);
        // Tags are case-sensitive; the closing delimiter may follow a `$`.
        let s = run("SELECT $a$ $A$; $$a$; SELECT $$x$$$;");
        assert_eq!(texts(&s), ["SELECT $a$ $A$; $$a$", "SELECT $$x$$$"]);
        // Tags may hold non-ASCII letters and digits (not first).
        let s = run("SELECT $é1$;$é1$; SELECT 2");
        assert_eq!(texts(&s), ["SELECT $é1$;$é1$", "SELECT 2"]);
        assert_eq!(positions(&s)[1], (20, 1, 19));
    }

    #[test]
    fn parameters_and_dollars_in_identifiers_are_not_dollar_quotes() {
        let s = run("PREPARE p AS SELECT $1, $2::text;\nSELECT x$y$ FROM t$; SELECT $;");
        assert_eq!(
            texts(&s),
            [
                "PREPARE p AS SELECT $1, $2::text",
                "SELECT x$y$ FROM t$",
                "SELECT $"
            ]
        );
        assert_eq!(positions(&s), [(0, 1, 1), (34, 2, 1), (55, 2, 22)]);
    }

    #[test]
    fn single_quoted_strings() {
        let s = run("SELECT 'it''s; fine', '';\nSELECT 'a\n;b';");
        assert_eq!(texts(&s), ["SELECT 'it''s; fine', ''", "SELECT 'a\n;b'"]);
        assert_eq!(positions(&s), [(0, 1, 1), (26, 2, 1)]);
    }

    #[test]
    fn escape_strings() {
        let s = run(r"SELECT E'\''; SELECT e'it\'s; ok\\', 'x\'; SELECT E'a''b;';");
        assert_eq!(
            texts(&s),
            [
                r"SELECT E'\''",
                r"SELECT e'it\'s; ok\\', 'x\'",
                r"SELECT E'a''b;'"
            ]
        );
        assert_eq!(positions(&s), [(0, 1, 1), (14, 1, 15), (43, 1, 44)]);
        // A word ending in e is not a prefix: `me'…'` is `me` then '…'.
        let s = run(r"SELECT me'\'; SELECT 2;");
        assert_eq!(texts(&s), [r"SELECT me'\'", "SELECT 2"]);
    }

    #[test]
    fn prefixed_strings() {
        let s = run("SELECT U&'d\\0061t;', B'10;', X'1F;', N'n;', u&'x''y;'; SELECT U&\"a;\"\"\";");
        assert_eq!(
            texts(&s),
            [
                "SELECT U&'d\\0061t;', B'10;', X'1F;', N'n;', u&'x''y;'",
                "SELECT U&\"a;\"\"\""
            ]
        );
    }

    #[test]
    fn quoted_identifiers() {
        let s = run("CREATE TABLE \"a\"\"b;\" (\"x;\" int);\nCREATE TABLE \"\"\"\" ();");
        assert_eq!(
            texts(&s),
            [
                "CREATE TABLE \"a\"\"b;\" (\"x;\" int)",
                "CREATE TABLE \"\"\"\" ()"
            ]
        );
        assert_eq!(positions(&s), [(0, 1, 1), (33, 2, 1)]);
    }

    #[test]
    fn drizzle_statement_breakpoints() {
        let src = "CREATE TABLE \"a\" (\n\t\"id\" serial\n);\n--> statement-breakpoint\nCREATE TABLE \"b\" (\"id\" int);--> statement-breakpoint\nALTER TABLE \"b\" ADD COLUMN \"x\" int\n--> statement-breakpoint\nCREATE INDEX ON \"b\" (\"x\")--> statement-breakpoint\n";
        let s = run(src);
        assert_eq!(
            texts(&s),
            [
                "CREATE TABLE \"a\" (\n\t\"id\" serial\n)",
                "CREATE TABLE \"b\" (\"id\" int)",
                "ALTER TABLE \"b\" ADD COLUMN \"x\" int",
                "CREATE INDEX ON \"b\" (\"x\")",
            ]
        );
        assert_eq!(
            positions(&s),
            [(0, 1, 1), (60, 5, 1), (113, 6, 1), (173, 8, 1)]
        );
        // Other `-->` comments are just comments.
        let s = run("SELECT 1 --> not a breakpoint\n + 1;");
        assert_eq!(texts(&s), ["SELECT 1 --> not a breakpoint\n + 1"]);
    }

    #[test]
    fn psql_meta_commands() {
        let src =
            "\\restrict abc123\n\nSET a = 1;\n  \\connect \"db\" \nSELECT 1;\\unrestrict abc123\n";
        let s = run(src);
        assert_eq!(
            texts(&s),
            [
                "\\restrict abc123",
                "SET a = 1",
                "\\connect \"db\"",
                "SELECT 1",
                "\\unrestrict abc123"
            ]
        );
        assert_eq!(
            s.iter().map(|s| s.meta_command).collect::<Vec<_>>(),
            [true, false, true, false, true]
        );
        assert_eq!(
            positions(&s),
            [(0, 1, 1), (18, 3, 1), (31, 4, 3), (46, 5, 1), (55, 5, 10)]
        );
        // A meta-command ends at its line: a `;` or quote on it is part of it.
        let s = run("\\set x 'it;s\nSELECT :'x';");
        assert_eq!(texts(&s), ["\\set x 'it;s", "SELECT :'x'"]);
        assert!(s[0].meta_command && !s[1].meta_command);
    }

    #[test]
    fn crlf_line_endings() {
        let src = "-- c\r\nSELECT 1;\r\n\r\nSELECT\r\n  2\r\n;\r\n\\connect db\r\nSELECT 3\r\n";
        let s = run(src);
        assert_eq!(
            texts(&s),
            ["SELECT 1", "SELECT\r\n  2", "\\connect db", "SELECT 3"]
        );
        assert_eq!(
            positions(&s),
            [(6, 2, 1), (19, 4, 1), (35, 7, 1), (48, 8, 1)]
        );
        let s = run("SELECT 1 --> statement-breakpoint\r\nSELECT 2");
        assert_eq!(texts(&s), ["SELECT 1", "SELECT 2"]);
    }

    #[test]
    fn multibyte_characters_count_as_one_column() {
        let src = "-- ünïcödé\n/* 日本 */ SELECT 'ß;' AS \"ö\"; SELECT 😀;";
        let s = run(src);
        assert_eq!(texts(&s), ["SELECT 'ß;' AS \"ö\"", "SELECT 😀"]);
        assert_eq!(positions(&s), [(28, 2, 10), (50, 2, 30)]);
    }

    #[test]
    fn empty_statements_and_comment_only_files() {
        assert!(run("").is_empty());
        assert!(run(";;  ;\n;").is_empty());
        assert!(run("-- only\n/* comments */\n-- strata:ignore\n").is_empty());
        let s = run(";;SELECT 1;;;SELECT 2;;");
        assert_eq!(texts(&s), ["SELECT 1", "SELECT 2"]);
        assert_eq!(positions(&s), [(2, 1, 3), (13, 1, 14)]);
    }

    #[test]
    fn begin_atomic_bodies() {
        let src = "CREATE FUNCTION add(a int, b int) RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT CASE WHEN a > 0 THEN a ELSE 0 END;\n  SELECT a + b;\nEND;\nCREATE OR REPLACE PROCEDURE p() begin atomic insert into t values (1); end ;\nSELECT CASE WHEN true THEN 1 END; SELECT 2;";
        let s = run(src);
        assert_eq!(
            texts(&s),
            [
                "CREATE FUNCTION add(a int, b int) RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT CASE WHEN a > 0 THEN a ELSE 0 END;\n  SELECT a + b;\nEND",
                "CREATE OR REPLACE PROCEDURE p() begin atomic insert into t values (1); end",
                "SELECT CASE WHEN true THEN 1 END",
                "SELECT 2",
            ]
        );
        assert_eq!(
            positions(&s),
            [(0, 1, 1), (137, 6, 1), (214, 7, 1), (248, 7, 35)]
        );
        // A plain BEGIN (a transaction) and a BEGIN that is not ATOMIC.
        let s = run("BEGIN; CREATE FUNCTION f(begin int) RETURNS int RETURN 1; COMMIT;");
        assert_eq!(
            texts(&s),
            [
                "BEGIN",
                "CREATE FUNCTION f(begin int) RETURNS int RETURN 1",
                "COMMIT"
            ]
        );
        // Only routines have atomic bodies.
        let s = run("CREATE TABLE begin_atomic (atomic int); SELECT 1;");
        assert_eq!(
            texts(&s),
            ["CREATE TABLE begin_atomic (atomic int)", "SELECT 1"]
        );
    }

    #[test]
    fn directives_attach_to_the_next_statement() {
        let src = "-- strata:no-transaction\n\nCREATE TABLE a ();\n-- strata:ignore\n--strata:renamed-from  old_name  \n/* strata:not-a-directive */\nCREATE TABLE b ();\n-- strata:\nSELECT 1; -- strata:ignore trailing\n";
        let s = run(src);
        assert_eq!(
            texts(&s),
            ["CREATE TABLE a ()", "CREATE TABLE b ()", "SELECT 1"]
        );
        let d = |name: &str, args: &str, offset: usize, line: u32, column: u32| Directive {
            name: name.to_string(),
            args: args.to_string(),
            offset,
            line,
            column,
        };
        assert_eq!(s[0].directives, [d("no-transaction", "", 0, 1, 1)]);
        assert_eq!(
            s[1].directives,
            [
                d("ignore", "", 45, 4, 1),
                d("renamed-from", "old_name", 62, 5, 1)
            ]
        );
        assert!(s[2].directives.is_empty());
        assert_eq!(file_directives(src), [d("no-transaction", "", 0, 1, 1)]);
        assert_eq!(
            file_directives("/* x */ -- strata:a 1\n-- strata:b\n; -- strata:c\n"),
            [
                d("a", "1", 8, 1, 9),
                d("b", "", 22, 2, 1),
                d("c", "", 36, 3, 3)
            ]
        );
        assert!(file_directives("SELECT 1; -- strata:ignore").is_empty());
        assert!(file_directives("/* unterminated").is_empty());
    }

    #[test]
    fn unterminated_string_errors() {
        let e = error("SELECT 1;\nSELECT 'abc;\nSELECT 2;");
        assert_eq!(error_at(&e), (2, 8, 17, 1));
        assert_eq!(e.message, "unterminated quoted string (opened here)");
        assert!(e.help.as_deref().is_some_and(|h| h.contains("''")));
        assert_eq!(&*e.location.file, "bad.sql");

        let e = error("SELECT é, E'it\\'s;");
        assert_eq!(error_at(&e), (1, 11, 11, 2));
        assert!(e.help.as_deref().is_some_and(|h| h.contains("\\'")));

        let e = error("SELECT U&'x");
        assert_eq!(error_at(&e), (1, 8, 7, 3));
    }

    #[test]
    fn unterminated_identifier_error() {
        let e = error("CREATE TABLE \"a\"\"b (id int);\n");
        assert_eq!(error_at(&e), (1, 14, 13, 1));
        assert_eq!(e.message, "unterminated quoted identifier (opened here)");
        assert!(e.help.as_deref().is_some_and(|h| h.contains("\"\"")));
    }

    #[test]
    fn unterminated_dollar_quote_error() {
        let e = error("SELECT 1;\r\n  CREATE FUNCTION f() AS $fn$ SELECT 1; $FN$;\n");
        assert_eq!(error_at(&e), (2, 26, 36, 4));
        assert_eq!(
            e.message,
            "unterminated dollar-quoted string $fn$ (opened here)"
        );
        assert!(e.help.as_deref().is_some_and(|h| h.contains("`$fn$`")));
        let e = error("DO $$ BEGIN END $");
        assert_eq!(
            e.message,
            "unterminated dollar-quoted string $$ (opened here)"
        );
        assert_eq!(error_at(&e), (1, 4, 3, 2));
    }

    #[test]
    fn unterminated_block_comment_error() {
        let e = error("SELECT 1;\n/* a /* b */ c\nSELECT 2;");
        assert_eq!(error_at(&e), (2, 1, 10, 2));
        assert_eq!(e.message, "unterminated block comment (opened here)");
        assert!(e.help.as_deref().is_some_and(|h| h.contains("nest")));
        // Inside a statement too.
        let e = error("SELECT 1 /* x");
        assert_eq!(error_at(&e), (1, 10, 9, 2));
    }

    #[test]
    fn nul_byte_error() {
        let e = error("SELECT 1;\nSELECT 'a\0';");
        assert_eq!(error_at(&e), (2, 10, 19, 1));
        assert_eq!(e.message, "file contains a NUL byte; is it binary?");
        assert!(e.help.is_some());
    }

    #[test]
    fn tokens_of_a_statement() {
        let src = "SELECT e.\"Id\"::text, $1, 'a''b', E'\\'', 1.5e-3, .5, 42, $t$x$t$, a$b /* c */ >= -1 -- d\n FROM t WHERE x=-1 AND y @- z";
        let toks = tokens(src);
        let got: Vec<(TokenKind, &str)> = toks.iter().map(|t| (t.kind, t.text(src))).collect();
        use TokenKind::*;
        assert_eq!(
            got,
            [
                (Word, "SELECT"),
                (Word, "e"),
                (Punct, "."),
                (QuotedIdent, "\"Id\""),
                (Punct, "::"),
                (Word, "text"),
                (Punct, ","),
                (Param, "$1"),
                (Punct, ","),
                (String, "'a''b'"),
                (Punct, ","),
                (String, "E'\\''"),
                (Punct, ","),
                (Number, "1.5e-3"),
                (Punct, ","),
                (Number, ".5"),
                (Punct, ","),
                (Number, "42"),
                (Punct, ","),
                (Dollar, "$t$x$t$"),
                (Punct, ","),
                (Word, "a$b"),
                (Operator, ">="),
                (Operator, "-"),
                (Number, "1"),
                (Word, "FROM"),
                (Word, "t"),
                (Word, "WHERE"),
                (Word, "x"),
                (Operator, "="),
                (Operator, "-"),
                (Number, "1"),
                (Word, "AND"),
                (Word, "y"),
                (Operator, "@-"),
                (Word, "z"),
            ]
        );
        assert!(toks[0].is_keyword(src, "select"));
        assert!(!toks[3].is_keyword(src, "id"));
        assert!(toks[4].is_symbol(src, "::"));
        assert_eq!(toks[0].range(), 0..6);
    }

    #[test]
    fn tokens_of_unterminated_text_run_to_the_end() {
        let src = "SELECT 'abc";
        let toks = tokens(src);
        assert_eq!(
            toks.last().map(|t| (t.kind, t.text(src))),
            Some((TokenKind::String, "'abc"))
        );
        let src = "SELECT $a$ x";
        assert_eq!(tokens(src).last().map(|t| t.text(src)), Some("$a$ x"));
        assert_eq!(tokens("SELECT /* x").len(), 1);
        let src = "a*/*c*/b 1..2 x::int";
        let got: Vec<&str> = tokens(src).iter().map(|t| t.text(src)).collect();
        assert_eq!(got, ["a", "*", "b", "1", "..", "2", "x", "::", "int"]);
    }

    /// A small xorshift generator, for deterministic random texts.
    fn next(state: &mut u64) -> u64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state
    }

    #[test]
    fn never_panics_and_keeps_invariants_on_random_text() {
        const PIECES: &[&str] = &[
            "SELECT",
            " ",
            "\n",
            "\r\n",
            ";",
            "'",
            "''",
            "E'",
            "\\",
            "\\'",
            "\"",
            "$",
            "$$",
            "$a$",
            "$1",
            "/*",
            "*/",
            "--",
            "-->",
            "--> statement-breakpoint",
            "-- strata:ignore x",
            "é",
            "😀",
            "BEGIN",
            "ATOMIC",
            "END",
            "CASE",
            "CREATE FUNCTION f()",
            "U&'",
            "x",
            "1.5e",
            "(",
            ")",
            "::",
            "*",
            "/",
            "-",
            "+",
            "e",
        ];
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..3000 {
            let len = (next(&mut state) % 30) as usize;
            let mut src = String::new();
            for _ in 0..len {
                src.push_str(PIECES[(next(&mut state) % PIECES.len() as u64) as usize]);
            }
            let text: Arc<str> = Arc::from(src.as_str());
            match split("fuzz.sql", &text) {
                Ok(statements) => {
                    for s in &statements {
                        check_statement(&src, s);
                        for t in tokens(&s.text) {
                            assert!(s.text.get(t.range()).is_some());
                        }
                    }
                }
                Err(e) => {
                    assert!(src.is_char_boundary(e.span.offset()));
                    assert!(e.span.offset() + e.span.len() <= src.len());
                }
            }
            for t in tokens(&src) {
                assert!(t.start < t.end && src.get(t.range()).is_some());
            }
            for d in file_directives(&src) {
                assert_eq!(line_column(&src, d.offset), (d.line, d.column));
            }
        }
    }
}
