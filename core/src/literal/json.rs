//! `json_in` (validated by PostgreSQL's JSON lexer and parser, kept as
//! written) and `jsonb_in` → `jsonb_out`: keys de-duplicated (the last
//! wins) and ordered by length then bytes, numbers as `numeric_out` prints
//! them, strings de-escaped and re-escaped as `escape_json` does, `, ` and
//! `: ` separators.

use super::numeric::{parse_numeric, NumericValue};
use super::{invalid, Literal};

enum Value {
    Null,
    Bool(bool),
    Number(String),
    String(String),
    Array(Vec<Value>),
    Object(Vec<(String, Value)>),
}

enum Error {
    Syntax,
    /// `\u0000` in jsonb.
    CodePointZero,
    Unknown(String),
}

struct Parser<'a> {
    b: &'a [u8],
    s: &'a str,
    i: usize,
    depth: usize,
    /// jsonb de-escapes strings and refuses `\u0000` while lexing.
    jsonb: bool,
}

fn is_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r')
}

fn is_alnum(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80
}

impl<'a> Parser<'a> {
    fn skip_ws(&mut self) {
        while self.i < self.b.len() && is_ws(self.b[self.i]) {
            self.i += 1;
        }
    }

    fn value(&mut self) -> Result<Value, Error> {
        self.skip_ws();
        let Some(&c) = self.b.get(self.i) else {
            return Err(Error::Syntax);
        };
        match c {
            b'{' => {
                self.enter()?;
                self.i += 1;
                let mut pairs = Vec::new();
                self.skip_ws();
                if self.b.get(self.i) == Some(&b'}') {
                    self.i += 1;
                    self.depth -= 1;
                    return Ok(Value::Object(pairs));
                }
                loop {
                    self.skip_ws();
                    if self.b.get(self.i) != Some(&b'"') {
                        return Err(Error::Syntax);
                    }
                    let key = self.string()?;
                    self.skip_ws();
                    if self.b.get(self.i) != Some(&b':') {
                        return Err(Error::Syntax);
                    }
                    self.i += 1;
                    let v = self.value()?;
                    pairs.push((key, v));
                    self.skip_ws();
                    match self.b.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b'}') => {
                            self.i += 1;
                            self.depth -= 1;
                            return Ok(Value::Object(pairs));
                        }
                        _ => return Err(Error::Syntax),
                    }
                }
            }
            b'[' => {
                self.enter()?;
                self.i += 1;
                let mut items = Vec::new();
                self.skip_ws();
                if self.b.get(self.i) == Some(&b']') {
                    self.i += 1;
                    self.depth -= 1;
                    return Ok(Value::Array(items));
                }
                loop {
                    items.push(self.value()?);
                    self.skip_ws();
                    match self.b.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b']') => {
                            self.i += 1;
                            self.depth -= 1;
                            return Ok(Value::Array(items));
                        }
                        _ => return Err(Error::Syntax),
                    }
                }
            }
            b'"' => Ok(Value::String(self.string()?)),
            b'-' | b'0'..=b'9' => self.number(),
            _ => {
                let start = self.i;
                while self.i < self.b.len() && is_alnum(self.b[self.i]) {
                    self.i += 1;
                }
                match &self.s[start..self.i] {
                    "true" => Ok(Value::Bool(true)),
                    "false" => Ok(Value::Bool(false)),
                    "null" => Ok(Value::Null),
                    _ => Err(Error::Syntax),
                }
            }
        }
    }

    fn enter(&mut self) -> Result<(), Error> {
        self.depth += 1;
        if self.depth > 1000 {
            return Err(Error::Unknown(
                "JSON nested deeper than 1000 levels is not read offline (stack depth limit)"
                    .to_string(),
            ));
        }
        Ok(())
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while self.i < self.b.len() && self.b[self.i].is_ascii_digit() {
            self.i += 1;
        }
        self.i - start
    }

    fn number(&mut self) -> Result<Value, Error> {
        let start = self.i;
        if self.b[self.i] == b'-' {
            self.i += 1;
        }
        match self.b.get(self.i) {
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(Error::Syntax),
        }
        if self.b.get(self.i) == Some(&b'.') {
            self.i += 1;
            if self.digits() == 0 {
                return Err(Error::Syntax);
            }
        }
        if matches!(self.b.get(self.i), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.b.get(self.i), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if self.digits() == 0 {
                return Err(Error::Syntax);
            }
        }
        if self.i < self.b.len() && is_alnum(self.b[self.i]) {
            return Err(Error::Syntax);
        }
        Ok(Value::Number(self.s[start..self.i].to_string()))
    }

    /// A string token (at its opening quote), de-escaped.
    fn string(&mut self) -> Result<String, Error> {
        self.i += 1;
        let mut out = String::new();
        let mut hi: Option<u32> = None;
        loop {
            let Some(&c) = self.b.get(self.i) else {
                return Err(Error::Syntax);
            };
            if c == b'"' {
                if hi.is_some() {
                    return Err(Error::Syntax);
                }
                self.i += 1;
                return Ok(out);
            }
            if c < 0x20 {
                return Err(Error::Syntax);
            }
            if c == b'\\' {
                self.i += 1;
                let Some(&e) = self.b.get(self.i) else {
                    return Err(Error::Syntax);
                };
                self.i += 1;
                if e == b'u' {
                    let hex = self.s.get(self.i..self.i + 4).ok_or(Error::Syntax)?;
                    if !hex.bytes().all(|h| h.is_ascii_hexdigit()) {
                        return Err(Error::Syntax);
                    }
                    self.i += 4;
                    let mut ch = u32::from_str_radix(hex, 16).expect("hex");
                    if !self.jsonb {
                        // json only checks the escape's syntax; the
                        // surrogate rules apply when jsonb decodes it.
                        continue;
                    }
                    if (0xd800..=0xdbff).contains(&ch) {
                        if hi.is_some() {
                            return Err(Error::Syntax);
                        }
                        hi = Some(ch);
                        continue;
                    } else if (0xdc00..=0xdfff).contains(&ch) {
                        let Some(h) = hi.take() else {
                            return Err(Error::Syntax);
                        };
                        ch = 0x10000 + ((h - 0xd800) << 10) + (ch - 0xdc00);
                    }
                    if hi.is_some() {
                        return Err(Error::Syntax);
                    }
                    if ch == 0 {
                        return Err(Error::CodePointZero);
                    }
                    out.push(char::from_u32(ch).ok_or(Error::Syntax)?);
                    continue;
                }
                if hi.is_some() {
                    return Err(Error::Syntax);
                }
                out.push(match e {
                    b'"' => '"',
                    b'\\' => '\\',
                    b'/' => '/',
                    b'b' => '\x08',
                    b'f' => '\x0c',
                    b'n' => '\n',
                    b'r' => '\r',
                    b't' => '\t',
                    _ => return Err(Error::Syntax),
                });
                continue;
            }
            if hi.is_some() {
                return Err(Error::Syntax);
            }
            let ch = self.s[self.i..].chars().next().expect("in bounds");
            out.push(ch);
            self.i += ch.len_utf8();
        }
    }
}

fn parse(input: &str, jsonb: bool) -> Result<Value, Error> {
    let mut p = Parser {
        b: input.as_bytes(),
        s: input,
        i: 0,
        depth: 0,
        jsonb,
    };
    let v = p.value()?;
    p.skip_ws();
    if p.i != p.b.len() {
        return Err(Error::Syntax);
    }
    Ok(v)
}

fn json_error(e: Error) -> Literal {
    match e {
        Error::Syntax => invalid("22P02", "invalid input syntax for type json"),
        Error::CodePointZero => invalid("22P05", "unsupported Unicode escape sequence"),
        Error::Unknown(why) => Literal::Unknown(why),
    }
}

pub(super) fn json_in(input: &str) -> Literal {
    match parse(input, false) {
        Ok(_) => Literal::Value(input.to_string()),
        Err(e) => json_error(e),
    }
}

pub(super) fn jsonb_in(input: &str) -> Literal {
    let value = match parse(input, true) {
        Ok(v) => v,
        Err(e) => return json_error(e),
    };
    let mut out = String::new();
    match write(&mut out, value) {
        Ok(()) => Literal::Value(out),
        Err(e) => json_error(e),
    }
}

fn write(out: &mut String, v: Value) -> Result<(), Error> {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if b { "true" } else { "false" }),
        Value::Number(n) => match parse_numeric(&n) {
            Ok(NumericValue::Finite(d)) => out.push_str(&d.out()),
            _ => {
                return Err(Error::Unknown(format!(
                    "JSON number {n} is beyond what numeric reads offline"
                )))
            }
        },
        Value::String(s) => escape(out, &s)?,
        Value::Array(items) => {
            out.push('[');
            for (k, item) in items.into_iter().enumerate() {
                if k > 0 {
                    out.push_str(", ");
                }
                write(out, item)?;
            }
            out.push(']');
        }
        Value::Object(pairs) => {
            let mut kept: Vec<(String, Value)> = Vec::new();
            for (k, v) in pairs {
                match kept.iter_mut().find(|(k2, _)| *k2 == k) {
                    Some(slot) => slot.1 = v,
                    None => kept.push((k, v)),
                }
            }
            kept.sort_by(|a, b| {
                a.0.len()
                    .cmp(&b.0.len())
                    .then_with(|| a.0.as_bytes().cmp(b.0.as_bytes()))
            });
            out.push('{');
            for (n, (k, v)) in kept.into_iter().enumerate() {
                if n > 0 {
                    out.push_str(", ");
                }
                escape(out, &k)?;
                out.push_str(": ");
                write(out, v)?;
            }
            out.push('}');
        }
    }
    Ok(())
}

/// `escape_json`.
fn escape(out: &mut String, s: &str) -> Result<(), Error> {
    out.push('"');
    for c in s.chars() {
        match c {
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    Ok(())
}
