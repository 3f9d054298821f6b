//! `bit_in` / `varbit_in` with their typmods (the length in bits), printed
//! as `0`/`1` digits.

use super::{invalid, Literal};

pub(super) fn bit_in(input: &str, typmod: i32, varying: bool) -> Literal {
    let (binary, body) = match input.as_bytes().first() {
        Some(b'b' | b'B') => (true, &input[1..]),
        Some(b'x' | b'X') => (false, &input[1..]),
        _ => (true, input),
    };
    let bitlen = if binary { body.len() } else { body.len() * 4 };
    if typmod > 0 {
        let n = typmod as usize;
        if varying && bitlen > n {
            return invalid(
                "22001",
                format!("bit string too long for type bit varying({n})"),
            );
        }
        if !varying && bitlen != n {
            return invalid(
                "22026",
                format!("bit string length {bitlen} does not match type bit({n})"),
            );
        }
    }
    let mut out = String::with_capacity(bitlen);
    for c in body.chars() {
        if binary {
            match c {
                '0' | '1' => out.push(c),
                _ => {
                    return invalid("22P02", format!("\"{c}\" is not a valid binary digit"));
                }
            }
        } else {
            match c.to_digit(16) {
                Some(d) => out.push_str(&format!("{d:04b}")),
                None => {
                    return invalid("22P02", format!("\"{c}\" is not a valid hexadecimal digit"));
                }
            }
        }
    }
    Literal::Value(out)
}
