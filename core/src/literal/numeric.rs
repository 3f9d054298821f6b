//! Numbers: `int2in`/`int4in`/`int8in` (`pg_strtoint*`), `oidin`,
//! `numeric_in` with its typmod (`apply_typmod`) and `numeric_out`,
//! `float4in`/`float8in` (`strtod`) and the shortest round-trip output
//! PostgreSQL 12+ prints when `extra_float_digits > 0`.

use super::{invalid, is_space, syntax, Literal};

#[derive(Clone, Copy)]
pub(super) enum IntKind {
    Int2,
    Int4,
    Int8,
}

impl IntKind {
    fn name(self) -> &'static str {
        match self {
            IntKind::Int2 => "smallint",
            IntKind::Int4 => "integer",
            IntKind::Int8 => "bigint",
        }
    }
    fn min(self) -> i128 {
        match self {
            IntKind::Int2 => i16::MIN as i128,
            IntKind::Int4 => i32::MIN as i128,
            IntKind::Int8 => i64::MIN as i128,
        }
    }
    fn max(self) -> i128 {
        match self {
            IntKind::Int2 => i16::MAX as i128,
            IntKind::Int4 => i32::MAX as i128,
            IntKind::Int8 => i64::MAX as i128,
        }
    }
}

/// `pg_strtoint16/32/64` (PostgreSQL 15): optional whitespace, sign,
/// decimal digits, optional whitespace. Overflow is reported as soon as
/// the digits overflow, before any trailing junk.
pub(super) fn int_in(input: &str, kind: IntKind) -> Literal {
    let b = input.as_bytes();
    let mut i = 0;
    while i < b.len() && is_space(b[i] as char) {
        i += 1;
    }
    let mut neg = false;
    if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
        neg = b[i] == b'-';
        i += 1;
    }
    if i >= b.len() || !b[i].is_ascii_digit() {
        return syntax(kind.name(), input);
    }
    // Accumulate as a negative number, as PostgreSQL does.
    let mut acc: i128 = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        acc = acc * 10 - i128::from(b[i] - b'0');
        if acc < kind.min() {
            return out_of_range(input, kind.name());
        }
        i += 1;
    }
    while i < b.len() && is_space(b[i] as char) {
        i += 1;
    }
    if i != b.len() {
        return syntax(kind.name(), input);
    }
    let value = if neg {
        acc
    } else {
        if -acc > kind.max() {
            return out_of_range(input, kind.name());
        }
        -acc
    };
    Literal::Value(value.to_string())
}

fn out_of_range(input: &str, type_name: &str) -> Literal {
    invalid(
        "22003",
        format!("value \"{input}\" is out of range for type {type_name}"),
    )
}

/// `oidin` (`strtoul` on a 64-bit platform): negative numbers down to
/// -2^31 wrap around to 2^32 + n.
pub(super) fn oid_in(input: &str) -> Literal {
    if input.is_empty() {
        return syntax("oid", input);
    }
    let b = input.as_bytes();
    let mut i = 0;
    while i < b.len() && is_space(b[i] as char) {
        i += 1;
    }
    let mut neg = false;
    if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
        neg = b[i] == b'-';
        i += 1;
    }
    if i >= b.len() || !b[i].is_ascii_digit() {
        return syntax("oid", input);
    }
    let mut value: u128 = 0;
    let mut erange = false;
    while i < b.len() && b[i].is_ascii_digit() {
        value = value * 10 + u128::from(b[i] - b'0');
        if value > u128::from(u64::MAX) {
            erange = true;
            value = u128::from(u64::MAX) + 1;
        }
        i += 1;
    }
    if erange {
        return out_of_range(input, "oid");
    }
    while i < b.len() && is_space(b[i] as char) {
        i += 1;
    }
    if i != b.len() {
        return syntax("oid", input);
    }
    let cvt = value as u64;
    let cvt = if neg { cvt.wrapping_neg() } else { cvt };
    let result = cvt as u32;
    if cvt != u64::from(result) && cvt != (result as i32) as i64 as u64 {
        return out_of_range(input, "oid");
    }
    Literal::Value(result.to_string())
}

fn overflows() -> Literal {
    invalid("22003", "value overflows numeric format")
}

/// A finite decimal: `digits × 10^-scale`, magnitude digits without sign.
#[derive(Debug, Clone)]
pub(crate) struct Decimal {
    pub neg: bool,
    /// Decimal digits of the magnitude (may have leading zeros).
    pub digits: Vec<u8>,
    /// Digits after the decimal point (= display scale, never negative).
    pub scale: usize,
}

/// What `numeric_in` reads.
pub(crate) enum NumericValue {
    NaN,
    Inf(bool),
    Finite(Decimal),
}

/// `numeric_in` without typmod; `Err` is the error to report.
pub(crate) fn parse_numeric(input: &str) -> Result<NumericValue, Literal> {
    let s = input.trim_start_matches(is_space);
    let lower = s.to_ascii_lowercase();
    let specials: [(&str, NumericValue); 7] = [
        ("nan", NumericValue::NaN),
        ("infinity", NumericValue::Inf(false)),
        ("+infinity", NumericValue::Inf(false)),
        ("-infinity", NumericValue::Inf(true)),
        ("inf", NumericValue::Inf(false)),
        ("+inf", NumericValue::Inf(false)),
        ("-inf", NumericValue::Inf(true)),
    ];
    for (word, value) in specials {
        if lower.starts_with(word) {
            if !s[word.len()..].trim_start_matches(is_space).is_empty() {
                return Err(syntax("numeric", input));
            }
            return Ok(value);
        }
    }
    let b = s.as_bytes();
    let mut i = 0;
    let mut neg = false;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        neg = b[i] == b'-';
        i += 1;
    }
    let mut digits = Vec::new();
    let mut frac = 0usize;
    let mut seen_point = false;
    let mut have_digit = false;
    while i < b.len() {
        if b[i].is_ascii_digit() {
            digits.push(b[i] - b'0');
            have_digit = true;
            if seen_point {
                frac += 1;
            }
        } else if b[i] == b'.' && !seen_point {
            seen_point = true;
        } else {
            break;
        }
        i += 1;
    }
    if !have_digit {
        return Err(syntax("numeric", input));
    }
    let mut exponent: i64 = 0;
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        // strtol: leading whitespace, sign, digits.
        while i < b.len() && is_space(b[i] as char) {
            i += 1;
        }
        let mut eneg = false;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            eneg = b[i] == b'-';
            i += 1;
        }
        if i >= b.len() || !b[i].is_ascii_digit() {
            return Err(syntax("numeric", input));
        }
        while i < b.len() && b[i].is_ascii_digit() {
            exponent = (exponent * 10 + i64::from(b[i] - b'0')).min(1 << 40);
            i += 1;
        }
        if eneg {
            exponent = -exponent;
        }
        // PostgreSQL 15 refuses exponents beyond INT_MAX / 2.
        if exponent.abs() >= i64::from(i32::MAX / 2) {
            return Err(overflows());
        }
    }
    if !s[i..].trim_start_matches(is_space).is_empty() {
        return Err(syntax("numeric", input));
    }
    let mut scale = frac as i64 - exponent;
    // make_result's limits: 32767 base-10000 digits before the point,
    // a display scale of 16383.
    let first = digits.iter().position(|&d| d != 0);
    let int_digits = first.map_or(0, |f| digits.len() as i64 - f as i64 - scale);
    if int_digits > 131_072 || scale > 16_383 {
        return Err(Literal::Unknown(
            "numeric literals near the numeric format's limits are not read offline".to_string(),
        ));
    }
    if scale < 0 {
        digits.extend(std::iter::repeat_n(0, (-scale) as usize));
        scale = 0;
    }
    Ok(NumericValue::Finite(Decimal {
        neg,
        digits,
        scale: scale as usize,
    }))
}

impl Decimal {
    fn is_zero(&self) -> bool {
        self.digits.iter().all(|&d| d == 0)
    }

    /// Rounds half away from zero to `rscale` digits after the point
    /// (`round_var`); a negative `rscale` rounds to tens, hundreds, …
    fn round(&mut self, rscale: i32) {
        let scale = self.scale as i64;
        let rscale = i64::from(rscale);
        if rscale >= scale {
            self.digits
                .extend(std::iter::repeat_n(0, (rscale - scale) as usize));
            self.scale = rscale as usize;
            return;
        }
        let drop = (scale - rscale) as usize;
        // Make sure there are enough digits to drop.
        if drop > self.digits.len() {
            let pad = drop - self.digits.len();
            let mut d = vec![0; pad];
            d.extend_from_slice(&self.digits);
            self.digits = d;
        }
        let keep = self.digits.len() - drop;
        let round_up = self.digits[keep] >= 5;
        self.digits.truncate(keep);
        if round_up {
            let mut carry = true;
            for d in self.digits.iter_mut().rev() {
                if *d == 9 {
                    *d = 0;
                } else {
                    *d += 1;
                    carry = false;
                    break;
                }
            }
            if carry {
                self.digits.insert(0, 1);
            }
        }
        if rscale < 0 {
            // Back to an integer with -rscale trailing zeros.
            self.digits
                .extend(std::iter::repeat_n(0, (-rscale) as usize));
            self.scale = 0;
        } else {
            self.scale = rscale as usize;
        }
    }

    /// Decimal digits before the point of the most significant non-zero
    /// digit (`ddigits` in `apply_typmod`); `None` for zero.
    fn int_digits(&self) -> Option<i64> {
        let first = self.digits.iter().position(|&d| d != 0)?;
        Some(self.digits.len() as i64 - first as i64 - self.scale as i64)
    }

    /// `numeric_out`.
    pub(crate) fn out(&self) -> String {
        let mut out = String::new();
        if self.neg && !self.is_zero() {
            out.push('-');
        }
        let n = self.digits.len();
        let int_len = n.saturating_sub(self.scale);
        let int_part: String = self.digits[..int_len]
            .iter()
            .skip_while(|&&d| d == 0)
            .map(|d| char::from(b'0' + d))
            .collect();
        if int_part.is_empty() {
            out.push('0');
        } else {
            out.push_str(&int_part);
        }
        if self.scale > 0 {
            out.push('.');
            for _ in n..self.scale {
                out.push('0');
            }
            for d in &self.digits[int_len..] {
                out.push(char::from(b'0' + d));
            }
        }
        out
    }
}

pub(super) fn numeric_in(input: &str, typmod: i32) -> Literal {
    let value = match parse_numeric(input) {
        Ok(v) => v,
        Err(e) => return e,
    };
    match value {
        NumericValue::NaN => Literal::Value("NaN".to_string()),
        NumericValue::Inf(neg) => {
            if typmod >= 4 {
                return invalid("22003", "numeric field overflow");
            }
            Literal::Value(if neg { "-Infinity" } else { "Infinity" }.to_string())
        }
        NumericValue::Finite(mut d) => {
            if typmod >= 4 {
                let t = typmod - 4;
                let precision = (t >> 16) & 0xffff;
                let scale = ((t & 0x7ff) ^ 1024) - 1024;
                let maxdigits = i64::from(precision - scale);
                d.round(scale);
                if let Some(dd) = d.int_digits() {
                    if dd > maxdigits {
                        return invalid("22003", "numeric field overflow");
                    }
                }
            }
            Literal::Value(d.out())
        }
    }
}

/// `float4in` / `float8in`: the prefix `strtod` reads, the words
/// PostgreSQL adds, whitespace around.
pub(super) fn float_in(input: &str, double: bool) -> Literal {
    let type_name = if double { "double precision" } else { "real" };
    let s = input.trim_start_matches(is_space);
    if s.is_empty() {
        return syntax(type_name, input);
    }
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let rest = s[i..].to_ascii_lowercase();
    let end;
    let mut nonzero_digit = false;
    if rest.starts_with("0x") {
        return Literal::Unknown("hexadecimal floating-point input is not read offline".into());
    } else if rest.starts_with("nan(") {
        return Literal::Unknown("NaN with a payload is not read offline".into());
    } else if rest.starts_with("infinity") {
        end = i + 8;
    } else if rest.starts_with("inf") || rest.starts_with("nan") {
        end = i + 3;
    } else {
        let mut j = i;
        let mut have_digit = false;
        while j < b.len() && b[j].is_ascii_digit() {
            have_digit = true;
            nonzero_digit |= b[j] != b'0';
            j += 1;
        }
        if j < b.len() && b[j] == b'.' {
            j += 1;
            while j < b.len() && b[j].is_ascii_digit() {
                have_digit = true;
                nonzero_digit |= b[j] != b'0';
                j += 1;
            }
        }
        if !have_digit {
            return syntax(type_name, input);
        }
        if j < b.len() && (b[j] == b'e' || b[j] == b'E') {
            let mut k = j + 1;
            if k < b.len() && (b[k] == b'+' || b[k] == b'-') {
                k += 1;
            }
            if k < b.len() && b[k].is_ascii_digit() {
                while k < b.len() && b[k].is_ascii_digit() {
                    k += 1;
                }
                j = k;
            }
        }
        end = j;
    }
    let number = &s[..end];
    let out = if double {
        let v: f64 = match number.parse() {
            Ok(v) => v,
            Err(_) => return Literal::Unknown(format!("cannot read {number:?} as a float")),
        };
        if nonzero_digit && (v == 0.0 || v.is_infinite()) {
            let shown = if double { number } else { input };
            return invalid(
                "22003",
                format!("\"{shown}\" is out of range for type {type_name}"),
            );
        }
        float_out(v, 15)
    } else {
        let v: f32 = match number.parse() {
            Ok(v) => v,
            Err(_) => return Literal::Unknown(format!("cannot read {number:?} as a float")),
        };
        if nonzero_digit && (v == 0.0 || v.is_infinite()) {
            return invalid(
                "22003",
                format!("\"{input}\" is out of range for type {type_name}"),
            );
        }
        if v.is_nan() || v.is_infinite() {
            float_out(f64::from(v), 6)
        } else {
            shortest(&ryu_digits_f32(v), 6)
        }
    };
    if !s[end..].trim_start_matches(is_space).is_empty() {
        return syntax(type_name, input);
    }
    Literal::Value(out)
}

/// `float8out` with `extra_float_digits > 0`; `fixed_below` is the decimal
/// exponent from which the scientific form is used (15 for float8, 6 for
/// float4).
fn float_out(v: f64, fixed_below: i32) -> String {
    if v.is_nan() {
        return "NaN".to_string();
    }
    if v.is_infinite() {
        return if v > 0.0 { "Infinity" } else { "-Infinity" }.to_string();
    }
    shortest(&ryu_digits_f64(v), fixed_below)
}

/// The significand and binary exponent of a finite float: `m × 2^e`.
fn decompose(bits: u64, mantissa_bits: u32, bias: i64) -> (u64, i64) {
    let frac = bits & ((1 << mantissa_bits) - 1);
    let exp = (bits >> mantissa_bits) as i64;
    if exp == 0 {
        (frac, 1 - bias - i64::from(mantissa_bits))
    } else {
        (
            frac | 1 << mantissa_bits,
            exp - bias - i64::from(mantissa_bits),
        )
    }
}

/// Whether the decimal in `{:e}` form `sci` is exactly `odd × 2^e`.
fn equals_dyadic(sci: &str, odd: u128, e: i64) -> bool {
    let (mantissa, exp) = sci.split_once('e').expect("{:e} has an exponent");
    let mantissa = mantissa.trim_start_matches('-');
    let frac_len = mantissa.split_once('.').map_or(0, |(_, f)| f.len()) as i64;
    let Ok(mut d) = mantissa.replace('.', "").parse::<u128>() else {
        return false;
    };
    let q = exp.parse::<i64>().expect("exponent") - frac_len;
    if d == 0 {
        return false;
    }
    let mut t = 0i64;
    while d % 2 == 0 {
        d /= 2;
        t += 1;
    }
    if t + q != e {
        return false;
    }
    if q >= 0 {
        if q > 40 {
            return false;
        }
        d.checked_mul(5u128.pow(q as u32)) == Some(odd)
    } else {
        if -q > 40 {
            return false;
        }
        odd.checked_mul(5u128.pow((-q) as u32)) == Some(d)
    }
}

/// Whether `sci` lies exactly halfway between the float `m × 2^e` and a
/// neighbour (the one below is closer when `m` is a power of two).
fn is_midpoint(sci: &str, m: u64, e: i64, mantissa_bits: u32) -> bool {
    let m = u128::from(m);
    equals_dyadic(sci, 2 * m + 1, e - 1)
        || (m > 0 && equals_dyadic(sci, 2 * m - 1, e - 1))
        || (m == 1 << mantissa_bits && equals_dyadic(sci, 4 * m - 1, e - 2))
}

/// The shortest round-trip digits as PostgreSQL's Ryu prints them (built
/// without `STRICTLY_SHORTEST`, so it never accepts a bound of the
/// rounding interval): the fewest digits that read back as the same float
/// without lying exactly halfway to a neighbour, and among those the value
/// correctly rounded (ties to even).
fn ryu_digits(
    v: f64,
    shortest: String,
    max_digits: usize,
    round_trips: impl Fn(&str) -> bool,
    m: u64,
    e: i64,
    bits: u32,
) -> String {
    let len = shortest
        .split_once('e')
        .map_or(1, |(d, _)| d.replace(['.', '-'], "").len());
    for p in len..=max_digits {
        let c = trim_mantissa(&format!("{v:.prec$e}", prec = p - 1));
        if round_trips(&c) && !is_midpoint(&c, m, e, bits) {
            return c;
        }
        if p == len && !is_midpoint(&shortest, m, e, bits) {
            return shortest;
        }
    }
    shortest
}

/// `1.50e3` → `1.5e3`, `1.0e3` → `1e3`.
fn trim_mantissa(sci: &str) -> String {
    let (mantissa, exp) = sci.split_once('e').expect("{:e} has an exponent");
    let mantissa = if mantissa.contains('.') {
        mantissa.trim_end_matches('0').trim_end_matches('.')
    } else {
        mantissa
    };
    format!("{mantissa}e{exp}")
}

fn ryu_digits_f64(v: f64) -> String {
    let (m, e) = decompose(v.abs().to_bits(), 52, 1023);
    ryu_digits(
        v,
        format!("{v:e}"),
        17,
        |c| c.parse::<f64>() == Ok(v),
        m,
        e,
        52,
    )
}

fn ryu_digits_f32(v: f32) -> String {
    let (m, e) = decompose(u64::from(v.abs().to_bits()), 23, 127);
    ryu_digits(
        f64::from(v),
        format!("{v:e}"),
        9,
        |c| c.parse::<f32>() == Ok(v),
        m,
        e,
        23,
    )
}

/// Rust's shortest round-trip `{:e}` form (`-1.25e-7`) in the layout of
/// PostgreSQL's Ryu output.
fn shortest(sci: &str, fixed_below: i32) -> String {
    let (mantissa, exp) = sci.split_once('e').expect("{:e} has an exponent");
    let exp: i32 = exp.parse().expect("{:e} exponent is a number");
    let (neg, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if (-4..fixed_below).contains(&exp) {
        if exp >= 0 {
            let int_len = exp as usize + 1;
            if digits.len() <= int_len {
                out.push_str(&digits);
                out.extend(std::iter::repeat_n('0', int_len - digits.len()));
            } else {
                out.push_str(&digits[..int_len]);
                out.push('.');
                out.push_str(&digits[int_len..]);
            }
        } else {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', (-exp - 1) as usize));
            out.push_str(&digits);
        }
    } else {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push(if exp < 0 { '-' } else { '+' });
        out.push_str(&format!("{:02}", exp.abs()));
    }
    out
}
