//! Character and byte strings: `varcharin`, `bpcharin` with their typmods,
//! `namein` (63 bytes), `charin` (`"char"`), `byteain` (hex and escape
//! forms) printed with `bytea_output = hex`.

use super::{invalid, Literal};

/// Byte offset of the end of the first `n` characters.
fn clip_chars(s: &str, n: usize) -> usize {
    s.char_indices().nth(n).map_or(s.len(), |(i, _)| i)
}

/// Checks the characters past `maxlen` are all spaces; the clipped text.
fn clip_spaces<'a>(s: &'a str, maxlen: usize, type_name: &str) -> Result<&'a str, Literal> {
    let cut = clip_chars(s, maxlen);
    if s[cut..].bytes().any(|b| b != b' ') {
        return Err(invalid(
            "22001",
            format!("value too long for type {type_name}({maxlen})"),
        ));
    }
    Ok(&s[..cut])
}

pub(super) fn varchar_in(input: &str, typmod: i32) -> Literal {
    if typmod < 4 {
        return Literal::Value(input.to_string());
    }
    let maxlen = (typmod - 4) as usize;
    match clip_spaces(input, maxlen, "character varying") {
        Ok(s) => Literal::Value(s.to_string()),
        Err(e) => e,
    }
}

pub(super) fn bpchar_in(input: &str, typmod: i32) -> Literal {
    if typmod < 4 {
        return Literal::Value(input.to_string());
    }
    let maxlen = (typmod - 4) as usize;
    match clip_spaces(input, maxlen, "character") {
        Ok(s) => {
            let mut out = s.to_string();
            let have = s.chars().count();
            out.extend(std::iter::repeat_n(' ', maxlen.saturating_sub(have)));
            Literal::Value(out)
        }
        Err(e) => e,
    }
}

/// `namein`: at most 63 bytes, cut at a character boundary.
pub(super) fn name_in(input: &str) -> Literal {
    let mut end = input.len().min(63);
    while !input.is_char_boundary(end) {
        end -= 1;
    }
    Literal::Value(input[..end].to_string())
}

/// `charin` / `charout` (the one-byte `"char"` type).
pub(super) fn char_in(input: &str) -> Literal {
    let b = input.as_bytes();
    let octal = |c: u8| (b'0'..=b'7').contains(&c);
    let byte = if b.len() == 4 && b[0] == b'\\' && octal(b[1]) && octal(b[2]) && octal(b[3]) {
        (((b[1] - b'0') as u32) << 6 | ((b[2] - b'0') as u32) << 3 | (b[3] - b'0') as u32) as u8
    } else {
        b.first().copied().unwrap_or(0)
    };
    Literal::Value(if byte == 0 {
        String::new()
    } else if byte >= 0x80 {
        format!("\\{byte:03o}")
    } else {
        char::from(byte).to_string()
    })
}

/// `byteain` → `byteaout` (hex).
pub(super) fn bytea_in(input: &str) -> Literal {
    match bytea_bytes(input) {
        Ok(bytes) => {
            let mut out = String::with_capacity(2 + 2 * bytes.len());
            out.push_str("\\x");
            for b in bytes {
                out.push_str(&format!("{b:02x}"));
            }
            Literal::Value(out)
        }
        Err(e) => e,
    }
}

fn bytea_bytes(input: &str) -> Result<Vec<u8>, Literal> {
    let b = input.as_bytes();
    let mut out = Vec::new();
    if let Some(hex) = input.strip_prefix("\\x") {
        let mut chars = hex.char_indices().peekable();
        while let Some((_, c)) = chars.next() {
            if matches!(c, ' ' | '\n' | '\t' | '\r') {
                continue;
            }
            let hi = hex_digit(c)?;
            let Some((_, c2)) = chars.next() else {
                return Err(invalid(
                    "22023",
                    "invalid hexadecimal data: odd number of digits",
                ));
            };
            let lo = hex_digit(c2)?;
            out.push(hi << 4 | lo);
        }
        return Ok(out);
    }
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' {
            out.push(b[i]);
            i += 1;
        } else if i + 3 < b.len()
            && (b'0'..=b'3').contains(&b[i + 1])
            && (b'0'..=b'7').contains(&b[i + 2])
            && (b'0'..=b'7').contains(&b[i + 3])
        {
            out.push((b[i + 1] - b'0') << 6 | (b[i + 2] - b'0') << 3 | (b[i + 3] - b'0'));
            i += 4;
        } else if i + 1 < b.len() && b[i + 1] == b'\\' {
            out.push(b'\\');
            i += 2;
        } else {
            return Err(invalid("22P02", "invalid input syntax for type bytea"));
        }
    }
    Ok(out)
}

fn hex_digit(c: char) -> Result<u8, Literal> {
    c.to_digit(16)
        .map(|d| d as u8)
        .ok_or_else(|| invalid("22023", format!("invalid hexadecimal digit: \"{c}\"")))
}
