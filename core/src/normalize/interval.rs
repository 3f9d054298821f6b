//! Interval literals in the form PostgreSQL prints them (`IntervalStyle =
//! postgres`): `'1 month'` → `1 mon`, `'1 hour'` → `01:00:00`.
//!
//! The reader follows PostgreSQL's interval input rules for the forms people
//! write in schemas: numbers with units (`3 days`, `1.5 hours`, `10min`),
//! `hh:mm[:ss[.frac]]` time fields, a day count before a time field
//! (`1 12:00:00`), a bare trailing number (seconds), `@` and `ago`. Anything
//! else (ISO 8601 `P1Y2M`, SQL-standard `1-2`, …) is refused with `None`.

const USECS_PER_SEC: i64 = 1_000_000;
const USECS_PER_MINUTE: i64 = 60 * USECS_PER_SEC;
const USECS_PER_HOUR: i64 = 60 * USECS_PER_MINUTE;
const USECS_PER_DAY: i64 = 24 * USECS_PER_HOUR;

/// Canonical interval literal: `'1 month'`, `'1 mon'`, `'30 days'`,
/// `'1 year 2 mons'`, `'01:00:00'`, `'1 hour'` → PostgreSQL's output form
/// (`1 mon`, `30 days`, `1 year 2 mons`, `01:00:00`). The text may be given
/// with or without its surrounding single quotes; the result has none.
/// `None` when the text is not an interval this reader understands.
pub fn interval_literal(text: &str) -> Option<String> {
    let body = unquote(text.trim())?;
    let value = parse(&body)?;
    Some(value.encode())
}

/// Strips one pair of surrounding single quotes (undoubling `''`), if present.
fn unquote(text: &str) -> Option<String> {
    if text.len() >= 2 && text.starts_with('\'') && text.ends_with('\'') {
        let inner = &text[1..text.len() - 1];
        let mut out = String::with_capacity(inner.len());
        let mut chars = inner.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '\'' {
                // A lone quote inside is not a valid literal.
                if chars.next() != Some('\'') {
                    return None;
                }
            }
            out.push(c);
        }
        Some(out)
    } else {
        Some(text.to_string())
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Number(String),
    Time(String),
    Word(String),
}

fn tokenize(s: &str) -> Option<Vec<Tok>> {
    let chars: Vec<char> = s.chars().collect();
    let mut toks = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() || c == '@' {
            i += 1;
        } else if c.is_ascii_digit() || c == '.' || c == '-' || c == '+' {
            // A sign must be followed by a digit (`-.5 hour` is refused).
            if (c == '-' || c == '+') && !chars.get(i + 1).is_some_and(|d| d.is_ascii_digit()) {
                return None;
            }
            let start = i;
            i += 1;
            while i < chars.len()
                && (chars[i].is_ascii_digit() || chars[i] == '.' || chars[i] == ':')
            {
                i += 1;
            }
            let t: String = chars[start..i].iter().collect();
            // `177.` or `177.week`: digits then a dot without a digit after
            // it make a date-like field, which an interval refuses.
            if c.is_ascii_digit() && !t.contains(':') {
                if let Some(dot) = t.find('.') {
                    if !t[dot + 1..].starts_with(|d: char| d.is_ascii_digit()) {
                        return None;
                    }
                }
            }
            if t.contains(':') {
                toks.push(Tok::Time(t));
            } else {
                toks.push(Tok::Number(t));
            }
        } else if c.is_ascii_alphabetic() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_alphabetic() {
                i += 1;
            }
            // PostgreSQL reads a word running into a digit, sign, `.` or
            // `/` (`min0`, `months46`) as one date-like field, which an
            // interval refuses.
            if i < chars.len() && (chars[i].is_ascii_digit() || "+-./".contains(chars[i])) {
                return None;
            }
            let t: String = chars[start..i].iter().collect();
            toks.push(Tok::Word(t.to_ascii_lowercase()));
        } else {
            return None;
        }
    }
    Some(toks)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Microsecond,
    Millisecond,
    Second,
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Year,
    Decade,
    Century,
    Millennium,
}

fn unit(word: &str) -> Option<Unit> {
    Some(match word {
        "us" | "usec" | "usecs" | "useconds" | "microsecon" | "microsecond" | "microseconds" => {
            Unit::Microsecond
        }
        "ms" | "msec" | "msecs" | "mseconds" | "millisecon" | "millisecond" | "milliseconds" => {
            Unit::Millisecond
        }
        "s" | "sec" | "secs" | "second" | "seconds" => Unit::Second,
        "m" | "min" | "mins" | "minute" | "minutes" => Unit::Minute,
        "h" | "hr" | "hrs" | "hour" | "hours" => Unit::Hour,
        "d" | "day" | "days" => Unit::Day,
        "w" | "week" | "weeks" => Unit::Week,
        "mon" | "mons" | "month" | "months" => Unit::Month,
        "y" | "yr" | "yrs" | "year" | "years" => Unit::Year,
        "dec" | "decs" | "decade" | "decades" => Unit::Decade,
        "c" | "cent" | "century" | "centuries" => Unit::Century,
        "mil" | "mils" | "millennia" | "millennium" => Unit::Millennium,
        _ => return None,
    })
}

/// An interval as PostgreSQL stores it: months, days and microseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Interval {
    months: i64,
    days: i64,
    usecs: i64,
}

/// A signed number split into its integer part and its fraction (both with
/// the number's sign), as PostgreSQL's interval reader splits it.
fn split_number(t: &str) -> Option<(i64, f64)> {
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let (int_part, frac_part) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits, None),
    };
    if int_part.is_empty() && matches!(frac_part, None | Some("")) {
        return None;
    }
    if !int_part.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let mut val: i64 = if int_part.is_empty() {
        0
    } else {
        int_part.parse().ok()?
    };
    let mut frac = 0.0;
    if let Some(f) = frac_part {
        if !f.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        if !f.is_empty() {
            frac = format!("0.{f}").parse::<f64>().ok()?;
        }
    }
    if neg {
        val = -val;
        frac = -frac;
    }
    Some((val, frac))
}

/// `AdjustFractMicroseconds`: adds `frac` (|frac| < 1) of a unit of
/// `scale` microseconds, the fractional microsecond rounded to the nearest
/// with exact halves going toward zero, as PostgreSQL 15 does.
fn add_frac_usecs(iv: &mut Interval, frac: f64, scale: i64) -> Option<()> {
    if frac == 0.0 {
        return Some(());
    }
    let scaled = frac * scale as f64;
    if !scaled.is_finite() || scaled.abs() > 9.0e18 {
        return None;
    }
    let mut usecs = scaled as i64;
    let rest = scaled - usecs as f64;
    if rest > 0.5 {
        usecs += 1;
    } else if rest < -0.5 {
        usecs -= 1;
    }
    iv.usecs = iv.usecs.checked_add(usecs)?;
    Some(())
}

/// `AdjustFractDays`: `frac` of a unit of `scale` days, whole days first.
fn add_frac_days(iv: &mut Interval, frac: f64, scale: i64) -> Option<()> {
    if frac == 0.0 {
        return Some(());
    }
    let days = frac * scale as f64;
    let whole = days as i64;
    iv.days = iv.days.checked_add(whole)?;
    add_frac_usecs(iv, days - whole as f64, USECS_PER_DAY)
}

/// `AdjustFractYears`: `frac` of a unit of `scale` years, in whole months
/// (rounded half to even, C's `rint`).
fn add_frac_years(iv: &mut Interval, frac: f64, scale: i64) -> Option<()> {
    let m = (frac * scale as f64 * 12.0).round_ties_even();
    if !m.is_finite() || m.abs() > 9.0e18 {
        return None;
    }
    iv.months = iv.months.checked_add(m as i64)?;
    Some(())
}

fn apply(iv: &mut Interval, number: &str, u: Unit) -> Option<()> {
    let (val, frac) = split_number(number)?;
    let usecs = |iv: &mut Interval, scale: i64| -> Option<()> {
        iv.usecs = iv.usecs.checked_add(val.checked_mul(scale)?)?;
        add_frac_usecs(iv, frac, scale)
    };
    match u {
        Unit::Microsecond => usecs(iv, 1)?,
        Unit::Millisecond => usecs(iv, 1000)?,
        Unit::Second => usecs(iv, USECS_PER_SEC)?,
        Unit::Minute => usecs(iv, USECS_PER_MINUTE)?,
        Unit::Hour => usecs(iv, USECS_PER_HOUR)?,
        Unit::Day => {
            iv.days = iv.days.checked_add(val)?;
            add_frac_usecs(iv, frac, USECS_PER_DAY)?;
        }
        Unit::Week => {
            iv.days = iv.days.checked_add(val.checked_mul(7)?)?;
            add_frac_days(iv, frac, 7)?;
        }
        Unit::Month => {
            iv.months = iv.months.checked_add(val)?;
            add_frac_days(iv, frac, 30)?;
        }
        Unit::Year => {
            iv.months = iv.months.checked_add(val.checked_mul(12)?)?;
            add_frac_years(iv, frac, 1)?;
        }
        Unit::Decade => {
            iv.months = iv.months.checked_add(val.checked_mul(120)?)?;
            add_frac_years(iv, frac, 10)?;
        }
        Unit::Century => {
            iv.months = iv.months.checked_add(val.checked_mul(1200)?)?;
            add_frac_years(iv, frac, 100)?;
        }
        Unit::Millennium => {
            iv.months = iv.months.checked_add(val.checked_mul(12000)?)?;
            add_frac_years(iv, frac, 1000)?;
        }
    }
    Some(())
}

/// `[-+]hh:mm[:ss[.frac]]` → microseconds.
fn time_field(t: &str) -> Option<i64> {
    let (neg, body) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let parts: Vec<&str> = body.split(':').collect();
    if parts.len() < 2 || parts.len() > 3 {
        return None;
    }
    let int = |s: &str| -> Option<i64> {
        if s.is_empty() || !s.chars().all(|c| c.is_ascii_digit()) {
            None
        } else {
            s.parse().ok()
        }
    };
    let hours = int(parts[0])?;
    let minutes = int(parts[1])?;
    if minutes > 59 {
        return None;
    }
    let mut usecs = hours
        .checked_mul(USECS_PER_HOUR)?
        .checked_add(minutes * USECS_PER_MINUTE)?;
    if let Some(sec) = parts.get(2) {
        let (whole, frac) = match sec.split_once('.') {
            Some((w, f)) => (w, f),
            None => (*sec, ""),
        };
        let secs = int(whole)?;
        if secs > 60 {
            return None;
        }
        let mut frac_us = 0;
        if !frac.is_empty() {
            if !frac.chars().all(|c| c.is_ascii_digit()) {
                return None;
            }
            let f: f64 = format!("0.{frac}").parse().ok()?;
            frac_us = (f * USECS_PER_SEC as f64).round_ties_even() as i64;
        }
        usecs = usecs.checked_add(secs * USECS_PER_SEC + frac_us)?;
    }
    Some(if neg { -usecs } else { usecs })
}

/// The field bits a unit sets in PostgreSQL 15's `DecodeInterval`; seconds
/// with a fraction also claim milliseconds and microseconds.
fn field_mask(u: Unit, fractional: bool) -> u32 {
    match u {
        Unit::Microsecond => 1,
        Unit::Millisecond => 1 << 1,
        Unit::Second if fractional => 1 | 1 << 1 | 1 << 2,
        Unit::Second => 1 << 2,
        Unit::Minute => 1 << 3,
        Unit::Hour => 1 << 4,
        Unit::Day => 1 << 5,
        Unit::Week => 1 << 6,
        Unit::Month => 1 << 7,
        Unit::Year => 1 << 8,
        Unit::Decade => 1 << 9,
        Unit::Century => 1 << 10,
        Unit::Millennium => 1 << 11,
    }
}

fn parse(s: &str) -> Option<Interval> {
    let toks = tokenize(s)?;
    if toks.is_empty() {
        return None;
    }
    let mut iv = Interval::default();
    let mut ago = false;
    // PostgreSQL 15 refuses a field given twice (`1 day 1 day`,
    // `1 hour 10:00`): the fields seen so far, one bit per unit.
    let mut seen: u32 = 0;
    let mut claim = |mask: u32| -> Option<()> {
        if seen & mask != 0 {
            return None;
        }
        seen |= mask;
        Some(())
    };
    let mut i = 0;
    while i < toks.len() {
        match &toks[i] {
            Tok::Number(n) => match toks.get(i + 1) {
                Some(Tok::Word(w)) if w != "ago" => {
                    let u = unit(w)?;
                    claim(field_mask(u, n.contains('.')))?;
                    apply(&mut iv, n, u)?;
                    i += 2;
                }
                Some(Tok::Time(_)) => {
                    // A number before a time field counts days.
                    if n.contains('.') {
                        return None;
                    }
                    claim(field_mask(Unit::Day, false))?;
                    apply(&mut iv, n, Unit::Day)?;
                    i += 1;
                }
                None => {
                    // A trailing number without unit counts seconds.
                    claim(field_mask(Unit::Second, n.contains('.')))?;
                    apply(&mut iv, n, Unit::Second)?;
                    i += 1;
                }
                // `5 ago`: PostgreSQL refuses a bare number before `ago`.
                Some(Tok::Number(_)) | Some(Tok::Word(_)) => return None,
            },
            Tok::Time(t) => {
                // hh:mm:ss claims hours, minutes and every kind of seconds.
                claim(
                    field_mask(Unit::Hour, false)
                        | field_mask(Unit::Minute, false)
                        | field_mask(Unit::Second, true),
                )?;
                iv.usecs = iv.usecs.checked_add(time_field(t)?)?;
                i += 1;
            }
            Tok::Word(w) if w == "ago" && i + 1 == toks.len() => {
                ago = true;
                i += 1;
            }
            Tok::Word(_) => return None,
        }
    }
    if ago {
        iv.months = iv.months.checked_neg()?;
        iv.days = iv.days.checked_neg()?;
        iv.usecs = iv.usecs.checked_neg()?;
    }
    Some(iv)
}

impl Interval {
    /// PostgreSQL's `IntervalStyle = postgres` output.
    fn encode(&self) -> String {
        let years = self.months / 12;
        let mons = self.months % 12;
        let mut out = String::new();
        let mut is_zero = true;
        let mut is_before = false;
        for (value, unit) in [(years, "year"), (mons, "mon"), (self.days, "day")] {
            if value == 0 {
                continue;
            }
            if !is_zero {
                out.push(' ');
            }
            if is_before && value > 0 {
                out.push('+');
            }
            out.push_str(&value.to_string());
            out.push(' ');
            out.push_str(unit);
            if value != 1 {
                out.push('s');
            }
            is_before = value < 0;
            is_zero = false;
        }
        if is_zero || self.usecs != 0 {
            let minus = self.usecs < 0;
            let abs = self.usecs.unsigned_abs();
            let hours = abs / USECS_PER_HOUR as u64;
            let rest = abs % USECS_PER_HOUR as u64;
            let minutes = rest / USECS_PER_MINUTE as u64;
            let rest = rest % USECS_PER_MINUTE as u64;
            let secs = rest / USECS_PER_SEC as u64;
            let frac = rest % USECS_PER_SEC as u64;
            if !is_zero {
                out.push(' ');
            }
            if minus {
                out.push('-');
            } else if is_before {
                out.push('+');
            }
            out.push_str(&format!("{hours:02}:{minutes:02}:{secs:02}"));
            if frac != 0 {
                let digits = format!("{frac:06}");
                out.push('.');
                out.push_str(digits.trim_end_matches('0'));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::interval_literal;

    /// Input → output pairs read from PostgreSQL 15 (`SELECT '<in>'::interval`).
    const SERVER: &[(&str, &str)] = &[
        ("1 month", "1 mon"),
        ("1 mon", "1 mon"),
        ("30 days", "30 days"),
        ("1 year 2 mons", "1 year 2 mons"),
        ("1 year 2 months", "1 year 2 mons"),
        ("01:00:00", "01:00:00"),
        ("1 hour", "01:00:00"),
        ("1 day", "1 day"),
        ("7 days", "7 days"),
        ("1 week", "7 days"),
        ("2 weeks", "14 days"),
        ("1.5 weeks", "10 days 12:00:00"),
        ("1.5 months", "1 mon 15 days"),
        ("1.5 years", "1 year 6 mons"),
        ("1.5 days", "1 day 12:00:00"),
        ("1.5 hours", "01:30:00"),
        ("90 minutes", "01:30:00"),
        ("3600 seconds", "01:00:00"),
        ("36 hours", "36:00:00"),
        ("1 day 2 hours 3 minutes 4 seconds", "1 day 02:03:04"),
        ("-1 day", "-1 days"),
        ("-1 hour", "-01:00:00"),
        ("1 day -1 hour", "1 day -01:00:00"),
        ("-1 day +1 hour", "-1 days +01:00:00"),
        ("1 day ago", "-1 days"),
        ("1 year ago", "-1 years"),
        ("0", "00:00:00"),
        ("00:00:00", "00:00:00"),
        ("5", "00:00:05"),
        ("1:30", "01:30:00"),
        ("1:30:15.5", "01:30:15.5"),
        ("10 min", "00:10:00"),
        ("1h", "01:00:00"),
        ("1 hr", "01:00:00"),
        ("2 hrs", "02:00:00"),
        ("1 d", "1 day"),
        ("1 y", "1 year"),
        ("1 yr", "1 year"),
        ("3 mons 1 day", "3 mons 1 day"),
        ("1 millisecond", "00:00:00.001"),
        ("1 microsecond", "00:00:00.000001"),
        ("500 ms", "00:00:00.5"),
        ("1.25 seconds", "00:00:01.25"),
        ("1 decade", "10 years"),
        ("1 century", "100 years"),
        ("1 millennium", "1000 years"),
        ("@ 1 day", "1 day"),
        ("1day", "1 day"),
        ("10mins", "00:10:00"),
        ("-1 year -2 mons", "-1 years -2 mons"),
        ("1 year -1 mon", "11 mons"),
        ("-01:00:00", "-01:00:00"),
        ("1 day 01:00:00", "1 day 01:00:00"),
        ("1 12:00:00", "1 day 12:00:00"),
        ("+1 day", "1 day"),
        ("0.5 minutes", "00:00:30"),
        ("100 years", "100 years"),
        ("12 months", "1 year"),
        ("13 months", "1 year 1 mon"),
        ("25 hours", "25:00:00"),
        ("-0", "00:00:00"),
        ("0 days", "00:00:00"),
        ("1 week 1 day", "8 days"),
        ("1.1 seconds", "00:00:01.1"),
        ("0.000001 seconds", "00:00:00.000001"),
        ("0.0000001 seconds", "00:00:00"),
        ("1 DAY", "1 day"),
        ("1 Days", "1 day"),
        ("2 MONTHS", "2 mons"),
        ("1 mon 00:00:01", "1 mon 00:00:01"),
        ("-1 mon 1 day", "-1 mons +1 day"),
        ("1 mon -1 day", "1 mon -1 days"),
    ];

    #[test]
    fn matches_postgresql_output() {
        for (input, expected) in SERVER {
            assert_eq!(
                interval_literal(input).as_deref(),
                Some(*expected),
                "interval {input:?}"
            );
        }
    }

    #[test]
    fn output_is_a_fixed_point() {
        for (_, expected) in SERVER {
            assert_eq!(interval_literal(expected).as_deref(), Some(*expected));
        }
    }

    #[test]
    fn accepts_quoted_text() {
        assert_eq!(interval_literal("'1 month'").as_deref(), Some("1 mon"));
        assert_eq!(interval_literal(" '30 days' ").as_deref(), Some("30 days"));
    }

    #[test]
    fn refuses_what_it_does_not_understand() {
        for bad in [
            "",
            "''",
            "P1Y2M",
            "1 fortnight",
            "abc",
            "1 2",
            "1:99",
            "1 day ago ago",
            // A field given twice (PostgreSQL 15: invalid input syntax).
            "1 day 1 day",
            "1 week 1 week",
            "1 year 1 year",
            "1 hour 10:00",
            "1 h 1 hour",
            "1.5 sec 1 ms",
            "1 mon 2 months",
            // A word running into a number.
            "186 months46 ms",
            "1 min0",
            "5 ago",
            "177.week",
            "5. days",
            "-.5 hour",
            "1 day 5.5 ago",
            "1 day-1 hour",
            "'it's'",
            "99999999999999999999 days",
            "9223372036854775807 years",
            "1e400 days",
            "--1 day",
            "1..5 days",
            ":",
            "-",
            ".",
        ] {
            assert_eq!(interval_literal(bad), None, "{bad:?}");
        }
    }
}
