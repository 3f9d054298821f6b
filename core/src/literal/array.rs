//! `array_in` → `array_out` for arrays of the element types `canonical`
//! reads: optional dimensions (`[1:2]={…}`), braces, quoted and unquoted
//! elements with backslash escapes, `NULL`; the output quoting rules.
//! Every element type read here uses `,` as its delimiter.

use super::{invalid, scalar, Literal};

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c')
}

/// A nested array as read: a level of sub-levels or of elements.
enum Node {
    Level(Vec<Node>),
    /// `None` is NULL.
    Elem(Option<String>),
}

enum Fail {
    Malformed,
    Literal(Literal),
}

struct Reader<'a> {
    c: Vec<char>,
    i: usize,
    _s: &'a str,
}

#[derive(PartialEq, Clone, Copy)]
enum State {
    LevelStarted,
    ElemStarted,
    QuotedCompleted,
    ElemDelimited,
    LevelCompleted,
    LevelDelimited,
}

impl Reader<'_> {
    fn peek(&self) -> Option<char> {
        self.c.get(self.i).copied()
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(is_space) {
            self.i += 1;
        }
    }

    /// One level, at its `{`.
    fn level(&mut self, depth: usize) -> Result<Node, Fail> {
        if depth > 6 {
            return Err(Fail::Literal(Literal::Unknown(
                "arrays of more than 6 dimensions are refused by the server".to_string(),
            )));
        }
        self.i += 1; // '{'
        let mut items = Vec::new();
        let mut state = State::LevelStarted;
        loop {
            self.skip_ws();
            let Some(c) = self.peek() else {
                return Err(Fail::Malformed);
            };
            match c {
                '{' => {
                    if !matches!(state, State::LevelStarted | State::LevelDelimited) {
                        return Err(Fail::Malformed);
                    }
                    items.push(self.level(depth + 1)?);
                    state = State::LevelCompleted;
                }
                '}' => {
                    if matches!(state, State::ElemDelimited | State::LevelDelimited) {
                        return Err(Fail::Malformed);
                    }
                    if state == State::LevelStarted && depth > 1 {
                        return Err(Fail::Malformed);
                    }
                    self.i += 1;
                    return Ok(Node::Level(items));
                }
                ',' => {
                    state = match state {
                        State::ElemStarted | State::QuotedCompleted => State::ElemDelimited,
                        State::LevelCompleted => State::LevelDelimited,
                        _ => return Err(Fail::Malformed),
                    };
                    self.i += 1;
                }
                _ => {
                    if !matches!(state, State::LevelStarted | State::ElemDelimited) {
                        return Err(Fail::Malformed);
                    }
                    let (text, quoted) = self.element()?;
                    state = if quoted {
                        State::QuotedCompleted
                    } else {
                        State::ElemStarted
                    };
                    let null = !quoted && text.eq_ignore_ascii_case("NULL");
                    items.push(Node::Elem(if null { None } else { Some(text) }));
                }
            }
        }
    }

    /// One element: quoted, or unquoted up to `,` `{` `}` with trailing
    /// unescaped whitespace dropped. `quoted` when any quoting or escape
    /// was used (such an element is never NULL).
    fn element(&mut self) -> Result<(String, bool), Fail> {
        let mut out = String::new();
        let mut quoting = false;
        if self.peek() == Some('"') {
            self.i += 1;
            loop {
                match self.peek() {
                    None => return Err(Fail::Malformed),
                    Some('"') => {
                        self.i += 1;
                        break;
                    }
                    Some('\\') => {
                        self.i += 1;
                        match self.peek() {
                            None => return Err(Fail::Malformed),
                            Some(c) => out.push(c),
                        }
                        self.i += 1;
                    }
                    Some(c) => {
                        out.push(c);
                        self.i += 1;
                    }
                }
            }
            // Only whitespace may follow, up to a delimiter or brace.
            self.skip_ws();
            match self.peek() {
                Some(',') | Some('}') => {}
                _ => return Err(Fail::Malformed),
            }
            return Ok((out, true));
        }
        let mut end = 0; // length of `out` up to the last significant char
        loop {
            match self.peek() {
                None => return Err(Fail::Malformed),
                Some(',') | Some('}') => break,
                Some('{') | Some('"') => return Err(Fail::Malformed),
                Some('\\') => {
                    self.i += 1;
                    match self.peek() {
                        None => return Err(Fail::Malformed),
                        Some(c) => out.push(c),
                    }
                    self.i += 1;
                    quoting = true;
                    end = out.len();
                }
                Some(c) => {
                    out.push(c);
                    self.i += 1;
                    if !is_space(c) {
                        end = out.len();
                    }
                }
            }
        }
        out.truncate(end);
        Ok((out, quoting))
    }
}

/// The shape of a rectangular array: lengths per dimension.
fn shape(node: &Node) -> Result<Vec<usize>, Fail> {
    match node {
        Node::Elem(_) => Ok(Vec::new()),
        Node::Level(items) => {
            if items.is_empty() {
                return Ok(vec![0]);
            }
            let first = shape(&items[0])?;
            for it in &items[1..] {
                let other = shape(it)?;
                if other.len() != first.len() {
                    return Err(Fail::Literal(Literal::Unknown(
                        "sub-arrays of different depths: PostgreSQL 15 reads them inconsistently"
                            .to_string(),
                    )));
                }
                if other != first {
                    return Err(Fail::Malformed);
                }
            }
            let mut dims = vec![items.len()];
            dims.extend(first);
            Ok(dims)
        }
    }
}

fn flatten(node: Node, out: &mut Vec<Option<String>>) {
    match node {
        Node::Elem(e) => out.push(e),
        Node::Level(items) => {
            for it in items {
                flatten(it, out);
            }
        }
    }
}

/// `[lb:ub]…=` dimension decorations. `Ok(None)` when there are none.
fn dims(c: &[char], i: &mut usize) -> Result<Option<Vec<(i64, i64)>>, Fail> {
    let mut out = Vec::new();
    loop {
        while c.get(*i).copied().is_some_and(is_space) {
            *i += 1;
        }
        if c.get(*i) != Some(&'[') {
            break;
        }
        *i += 1;
        let num = |i: &mut usize| -> Option<i64> {
            let start = *i;
            if matches!(c.get(*i), Some('-') | Some('+')) {
                *i += 1;
            }
            let ds = *i;
            while c.get(*i).is_some_and(|d| d.is_ascii_digit()) {
                *i += 1;
            }
            if *i == ds || *i - ds > 9 {
                return None;
            }
            c[start..*i].iter().collect::<String>().parse().ok()
        };
        let Some(first) = num(i) else {
            return Err(Fail::Literal(Literal::Unknown(
                "array dimensions in an unusual form are not read offline".to_string(),
            )));
        };
        let (lb, ub) = if c.get(*i) == Some(&':') {
            *i += 1;
            let Some(ub) = num(i) else {
                return Err(Fail::Literal(Literal::Unknown(
                    "array dimensions in an unusual form are not read offline".to_string(),
                )));
            };
            (first, ub)
        } else {
            (1, first)
        };
        if c.get(*i) != Some(&']') {
            return Err(Fail::Literal(Literal::Unknown(
                "array dimensions in an unusual form are not read offline".to_string(),
            )));
        }
        *i += 1;
        if ub < lb {
            return Err(Fail::Literal(invalid(
                "2202E",
                "upper bound cannot be less than lower bound",
            )));
        }
        out.push((lb, ub));
    }
    if out.is_empty() {
        return Ok(None);
    }
    if c.get(*i) != Some(&'=') {
        return Err(Fail::Malformed);
    }
    *i += 1;
    while c.get(*i).copied().is_some_and(is_space) {
        *i += 1;
    }
    Ok(Some(out))
}

pub(super) fn array_in(elem: &str, typmod: i32, input: &str) -> Literal {
    array_with(input, &|text| {
        match scalar(elem, typmod, text) {
            Literal::Value(v) if elem == "bool" => {
                // boolout prints t/f.
                Literal::Value(if v == "true" { "t".into() } else { "f".into() })
            }
            other => other,
        }
    })
}

/// `array_in` → `array_out` with `elem` reading (and printing) each element:
/// for element types the caller knows (a schema's enums).
pub fn array_with(input: &str, elem: &dyn Fn(&str) -> Literal) -> Literal {
    let malformed = || invalid("22P02", format!("malformed array literal: \"{input}\""));
    let chars: Vec<char> = input.chars().collect();
    let mut i = 0;
    let given = match dims(&chars, &mut i) {
        Ok(d) => d,
        Err(Fail::Malformed) => return malformed(),
        Err(Fail::Literal(l)) => return l,
    };
    if chars.get(i) != Some(&'{') {
        return malformed();
    }
    // Errors found while reading the braces quote the text from the first
    // `{` on (ArrayCount's argument), not the whole literal.
    let from_brace: String = chars[i..].iter().collect();
    let malformed_body = || {
        invalid(
            "22P02",
            format!("malformed array literal: \"{from_brace}\""),
        )
    };
    let mut r = Reader {
        c: chars,
        i,
        _s: input,
    };
    let root = match r.level(1) {
        Ok(n) => n,
        Err(Fail::Malformed) => return malformed_body(),
        Err(Fail::Literal(l)) => return l,
    };
    r.skip_ws();
    if r.i != r.c.len() {
        return malformed_body();
    }
    let shape = match shape(&root) {
        Ok(s) => s,
        Err(Fail::Malformed) => return malformed_body(),
        Err(Fail::Literal(l)) => return l,
    };
    if shape.contains(&0) {
        if shape.len() > 1 {
            return Literal::Unknown(
                "nested empty arrays are read inconsistently by PostgreSQL 15".to_string(),
            );
        }
        if given.is_some() {
            return Literal::Unknown(
                "an empty array with dimensions is not read offline".to_string(),
            );
        }
        return Literal::Value("{}".to_string());
    }
    let bounds: Vec<(i64, i64)> = match given {
        Some(g) => {
            let matches = g.len() == shape.len()
                && g.iter()
                    .zip(&shape)
                    .all(|((lb, ub), n)| ub - lb + 1 == *n as i64);
            if !matches {
                return malformed();
            }
            g
        }
        None => shape.iter().map(|&n| (1, n as i64)).collect(),
    };
    let mut elems = Vec::new();
    flatten(root, &mut elems);
    let mut outs = Vec::with_capacity(elems.len());
    for e in elems {
        match e {
            None => outs.push(None),
            Some(text) => match elem(&text) {
                Literal::Value(v) => outs.push(Some(v)),
                other => return other,
            },
        }
    }
    let mut out = String::new();
    if bounds.iter().any(|(lb, _)| *lb != 1) {
        for (lb, ub) in &bounds {
            out.push_str(&format!("[{lb}:{ub}]"));
        }
        out.push('=');
    }
    let mut k = 0;
    write_level(&mut out, &shape, &outs, &mut k);
    Literal::Value(out)
}

fn write_level(out: &mut String, shape: &[usize], elems: &[Option<String>], k: &mut usize) {
    out.push('{');
    for n in 0..shape[0] {
        if n > 0 {
            out.push(',');
        }
        if shape.len() > 1 {
            write_level(out, &shape[1..], elems, k);
        } else {
            match &elems[*k] {
                None => out.push_str("NULL"),
                Some(v) => quote(out, v),
            }
            *k += 1;
        }
    }
    out.push('}');
}

/// `array_out`'s quoting of one element.
fn quote(out: &mut String, v: &str) {
    let needs = v.is_empty()
        || v.eq_ignore_ascii_case("NULL")
        || v.chars()
            .any(|c| matches!(c, '"' | '\\' | '{' | '}' | ',') || is_space(c));
    if !needs {
        out.push_str(v);
        return;
    }
    out.push('"');
    for c in v.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
}
