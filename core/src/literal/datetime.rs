//! Dates and times: `date_in`, `time_in`, `timetz_in`, `timestamp_in`,
//! `timestamptz_in` (the forms people write: ISO `2020-01-01 10:00:00`,
//! `T` separators, `MM/DD/YYYY` under `DateStyle = MDY`, month names,
//! `YYYYMMDD`, `BC`, numeric offsets and `UTC`/`GMT`/`Z`, `epoch`,
//! `infinity`), precision typmods, and the ISO output. `interval` reuses
//! [`crate::normalize::interval_literal`].
//!
//! Anything time-dependent (`now`, `today`, …), any named time zone, a
//! `timestamptz` or `timetz` without an explicit zone (it depends on the
//! session's `TimeZone`), and every form not listed is `Unknown`.

use super::{invalid, Literal};
use crate::normalize::interval_literal;

const USECS_PER_SEC: i64 = 1_000_000;
const USECS_PER_DAY: i64 = 86_400 * USECS_PER_SEC;

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Date,
    Time,
    TimeTz,
    Timestamp,
    TimestampTz,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Date => "date",
            Kind::Time => "time without time zone",
            Kind::TimeTz => "time with time zone",
            Kind::Timestamp => "timestamp without time zone",
            Kind::TimestampTz => "timestamp with time zone",
        }
    }
}

/// Fields read from a date/time literal.
#[derive(Default, Debug)]
struct Fields {
    /// Astronomical year, month, day.
    date: Option<(i64, i64, i64)>,
    /// Hour, minute, second, microseconds.
    time: Option<(i64, i64, i64, i64)>,
    /// Offset east of UTC, in seconds.
    zone: Option<i64>,
}

enum Fail {
    Unknown(String),
    /// `date/time field value out of range`.
    Range,
    /// `time zone displacement out of range`.
    ZoneRange,
}

fn unknown<T>(why: &str) -> Result<T, Fail> {
    Err(Fail::Unknown(why.to_string()))
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const MONTH_NAMES: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];
const DAYS: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const DAY_NAMES: [&str; 7] = [
    "sunday",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
];

fn month_of(word: &str) -> Option<i64> {
    MONTHS
        .iter()
        .position(|m| *m == word)
        .or_else(|| MONTH_NAMES.iter().position(|m| *m == word))
        .or_else(|| (word == "sept").then_some(8))
        .map(|i| i as i64 + 1)
}

fn is_day_name(word: &str) -> bool {
    DAYS.contains(&word)
        || DAY_NAMES.contains(&word)
        || matches!(word, "tues" | "wednes" | "thur" | "thurs")
}

fn digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn num(s: &str) -> Result<i64, Fail> {
    if !digits(s) || s.len() > 9 {
        return unknown("a number in an unusual form");
    }
    Ok(s.parse().expect("digits"))
}

/// `HH:MM[:SS[.frac]]`.
fn parse_time(s: &str) -> Result<(i64, i64, i64, i64), Fail> {
    let parts: Vec<&str> = s.split(':').collect();
    if parts.len() < 2 || parts.len() > 3 {
        return unknown("a time field in an unusual form");
    }
    let h = num(parts[0])?;
    let (m_text, sec_text) = if parts.len() == 3 {
        (parts[1], Some(parts[2]))
    } else {
        (parts[1], None)
    };
    if parts[0].len() > 2 || m_text.len() != 2 {
        return unknown("a time field in an unusual form");
    }
    let m = num(m_text)?;
    let (sec, usec) = match sec_text {
        None => (0, 0),
        Some(t) => {
            let (whole, frac) = match t.split_once('.') {
                Some((w, f)) => (w, Some(f)),
                None => (t, None),
            };
            if whole.len() != 2 {
                return unknown("a seconds field in an unusual form");
            }
            let sec = num(whole)?;
            let usec = match frac {
                None => 0,
                Some(f) => {
                    if !digits(f) {
                        return unknown("fractional seconds in an unusual form");
                    }
                    let v: f64 = format!("0.{f}").parse().expect("a decimal");
                    (v * 1_000_000.0).round_ties_even() as i64
                }
            };
            (sec, usec)
        }
    };
    if m > 59 || sec > 60 {
        return Err(Fail::Range);
    }
    Ok((h, m, sec, usec))
}

/// `+HH`, `+HHMM`, `+HH:MM`, `+HH:MM:SS` (with `-`): seconds east of UTC.
fn parse_offset(s: &str) -> Result<i64, Fail> {
    let (neg, body) = match s.as_bytes()[0] {
        b'+' => (false, &s[1..]),
        b'-' => (true, &s[1..]),
        _ => return unknown("a zone in an unusual form"),
    };
    let parts: Vec<&str> = body.split(':').collect();
    let (h, m, sec) = match parts.as_slice() {
        [p] if p.len() <= 2 => (num(p)?, 0, 0),
        [p] if p.len() == 4 => (num(&p[..2])?, num(&p[2..])?, 0),
        [h, m] if h.len() <= 2 && m.len() == 2 => (num(h)?, num(m)?, 0),
        [h, m, s] if h.len() <= 2 && m.len() == 2 && s.len() == 2 => (num(h)?, num(m)?, num(s)?),
        _ => return unknown("a zone offset in an unusual form"),
    };
    if h > 15 || m > 59 || sec > 59 {
        return Err(Fail::ZoneRange);
    }
    let total = h * 3600 + m * 60 + sec;
    Ok(if neg { -total } else { total })
}

fn split_time_zone(tok: &str) -> (&str, Option<&str>) {
    if let Some(i) = tok.find(['+', '-']) {
        return (&tok[..i], Some(&tok[i..]));
    }
    if let Some(t) = tok.strip_suffix('z') {
        return (t, Some("z"));
    }
    (tok, None)
}

/// `time_overflows`: past 24:00:00.
fn hour_overflows((h, m, s, us): (i64, i64, i64, i64)) -> bool {
    h > 24 || (h == 24 && (m > 0 || s > 0 || us > 0))
}

/// Reads the fields. `time_only` is `DecodeTimeOnly` (time, timetz), which
/// checks the hour after every field; `DecodeDateTime` checks it at the
/// time field, before the fields that follow.
fn parse_fields(input: &str, time_only: bool) -> Result<Fields, Fail> {
    let lower = input.to_ascii_lowercase();
    // ParseDateTime treats ',' as a delimiter; `T` between date and time.
    let cleaned = lower.replace(',', " ");
    let mut tokens: Vec<String> = Vec::new();
    for raw in cleaned.split(|c: char| super::is_space(c)) {
        if raw.is_empty() {
            continue;
        }
        // 2020-01-01t10:00:00
        if let Some(i) = raw.find('t') {
            let (a, b) = (&raw[..i], &raw[i + 1..]);
            if a.as_bytes().first().is_some_and(u8::is_ascii_digit)
                && b.as_bytes().first().is_some_and(u8::is_ascii_digit)
                && b.contains(':')
            {
                tokens.push(a.to_string());
                tokens.push(b.to_string());
                continue;
            }
        }
        tokens.push(raw.to_string());
    }
    if tokens.is_empty() {
        return unknown("an empty date/time literal");
    }
    let mut f = Fields::default();
    let mut bc = false;
    let mut month_name: Option<i64> = None;
    let mut numbers: Vec<String> = Vec::new();
    // PostgreSQL stops at the first bad field; a field this reader does
    // not know may come before it, so a range error is only reported when
    // every field was understood.
    let mut first_err: Option<Fail> = None;
    for tok in &tokens {
        let step = (|| -> Result<(), Fail> {
            let t = tok.as_str();
            let first = t.as_bytes()[0];
            if t.contains(':') && first.is_ascii_digit() {
                if f.time.is_some() {
                    return unknown("two time fields");
                }
                let (time, zone) = split_time_zone(t);
                // Both halves are read before any range error is reported:
                // a zone this reader does not know makes the whole literal
                // Unknown (PostgreSQL may refuse its syntax first).
                let parsed = parse_time(time);
                let zone = match zone {
                    Some("z") => Ok(Some(0)),
                    Some(z) => parse_offset(z).map(Some),
                    None => Ok(None),
                };
                if let Err(Fail::Unknown(why)) = &zone {
                    return unknown(why);
                }
                let t = parsed?;
                if !time_only && hour_overflows(t) {
                    return Err(Fail::Range);
                }
                f.time = Some(t);
                if let Some(z) = zone? {
                    if f.zone.is_some() {
                        return unknown("two zones");
                    }
                    f.zone = Some(z);
                }
            } else if first == b'+' || first == b'-' {
                set_zone(&mut f, t)?;
            } else if first.is_ascii_digit() {
                if t.contains('-') || t.contains('/') || t.contains('.') {
                    if f.date.is_some() {
                        return unknown("two date fields");
                    }
                    f.date = Some(parse_date_token(t)?);
                } else if t.len() == 8 && digits(t) && f.date.is_none() && numbers.is_empty() {
                    f.date = Some((num(&t[..4])?, num(&t[4..6])?, num(&t[6..])?));
                } else if digits(t) {
                    numbers.push(t.to_string());
                } else {
                    return unknown("a field in an unusual form");
                }
            } else if let Some(m) = month_of(t) {
                if month_name.is_some() {
                    return unknown("two month names");
                }
                month_name = Some(m);
            } else if is_day_name(t) {
                // Day-of-week names are read and ignored.
            } else if t == "bc" {
                bc = true;
            } else if t == "ad" {
            } else if matches!(t, "utc" | "gmt" | "z") {
                set_zone(&mut f, "+00")?;
            } else {
                return unknown("a word that is a named zone or not read offline");
            }
            Ok(())
        })();
        match step {
            Ok(()) => {}
            Err(Fail::Unknown(why)) => return Err(Fail::Unknown(why)),
            Err(e) => {
                if first_err.is_none() {
                    first_err = Some(e);
                }
            }
        }
    }
    if let Some(m) = month_name {
        if f.date.is_some() || numbers.len() != 2 {
            return unknown("a month name in an unusual form");
        }
        let (a, b) = (&numbers[0], &numbers[1]);
        let (day, year) = if a.len() == 4 && b.len() <= 2 {
            (b, a)
        } else if b.len() == 4 && a.len() <= 2 {
            (a, b)
        } else {
            return unknown("a month name with ambiguous numbers");
        };
        f.date = Some((num(year)?, m, num(day)?));
        numbers.clear();
    }
    if !numbers.is_empty() {
        return unknown("bare numbers in a date/time literal");
    }
    if let Some((y, _, _)) = f.date {
        if !(1..=9999).contains(&y) {
            return unknown("a year outside 1..9999");
        }
        if bc && y > 4713 {
            return unknown("a year before 4713 BC");
        }
    } else if bc {
        return unknown("BC without a date");
    }
    if let Some(e) = first_err {
        return Err(e);
    }
    if let Some((y, m, d)) = f.date {
        let y = if bc { 1 - y } else { y };
        if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
            return Err(Fail::Range);
        }
        f.date = Some((y, m, d));
    }
    if f.time.is_some_and(hour_overflows) {
        return Err(Fail::Range);
    }
    Ok(f)
}

fn set_zone(f: &mut Fields, z: &str) -> Result<(), Fail> {
    if f.zone.is_some() {
        return unknown("two zones");
    }
    f.zone = Some(if z == "z" { 0 } else { parse_offset(z)? });
    Ok(())
}

/// `YYYY-MM-DD` (ISO) or `MM/DD/YYYY` (MDY).
fn parse_date_token(t: &str) -> Result<(i64, i64, i64), Fail> {
    let dash: Vec<&str> = t.split('-').collect();
    if dash.len() == 3 && dash[0].len() == 4 && dash[1].len() <= 2 && dash[2].len() <= 2 {
        return Ok((num(dash[0])?, num(dash[1])?, num(dash[2])?));
    }
    let slash: Vec<&str> = t.split('/').collect();
    if slash.len() == 3 && slash[0].len() <= 2 && slash[1].len() <= 2 && slash[2].len() == 4 {
        return Ok((num(slash[2])?, num(slash[0])?, num(slash[1])?));
    }
    unknown("a date in an unusual form")
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Julian day number (PostgreSQL's `date2j`).
fn date2j(y: i64, m: i64, d: i64) -> i64 {
    let (mut y, mut m) = (y, m);
    if m > 2 {
        m += 1;
        y += 4800;
    } else {
        m += 13;
        y += 4799;
    }
    let century = y.div_euclid(100);
    let mut julian = y * 365 - 32167;
    julian += y.div_euclid(4) - century + century.div_euclid(4);
    julian += 7834 * m / 256 + d;
    julian
}

/// PostgreSQL's `j2date`.
fn j2date(jd: i64) -> (i64, i64, i64) {
    let mut julian = jd + 32044;
    let mut quad = julian.div_euclid(146097);
    let extra = (julian - quad * 146097) * 4 + 3;
    julian += 60 + quad * 3 + extra.div_euclid(146097);
    quad = julian.div_euclid(1461);
    julian -= quad * 1461;
    let mut y = julian * 4 / 1461;
    julian = if y != 0 {
        (julian + 305) % 365
    } else {
        (julian + 306) % 366
    } + 123;
    y += quad * 4;
    let year = y - 4800;
    let q = julian * 2141 / 65536;
    let day = julian - 7834 * q / 256;
    let month = (q + 10) % 12 + 1;
    (year, month, day)
}

const POSTGRES_EPOCH_JDATE: i64 = 2_451_545;

fn fmt_date(jd: i64) -> String {
    let (y, m, d) = j2date(jd);
    if y <= 0 {
        format!("{:04}-{m:02}-{d:02} BC", 1 - y)
    } else {
        format!("{y:04}-{m:02}-{d:02}")
    }
}

fn fmt_time(usecs: i64) -> String {
    let h = usecs / (3600 * USECS_PER_SEC);
    let m = usecs / (60 * USECS_PER_SEC) % 60;
    let s = usecs / USECS_PER_SEC % 60;
    let frac = usecs % USECS_PER_SEC;
    let mut out = format!("{h:02}:{m:02}:{s:02}");
    if frac != 0 {
        let digits = format!("{frac:06}");
        out.push('.');
        out.push_str(digits.trim_end_matches('0'));
    }
    out
}

fn fmt_offset(east: i64) -> String {
    let sign = if east < 0 { '-' } else { '+' };
    let a = east.abs();
    let (h, m, s) = (a / 3600, a / 60 % 60, a % 60);
    if s != 0 {
        format!("{sign}{h:02}:{m:02}:{s:02}")
    } else if m != 0 {
        format!("{sign}{h:02}:{m:02}")
    } else {
        format!("{sign}{h:02}")
    }
}

/// Rounds microseconds to `typmod` fractional digits, half away from zero
/// (`AdjustTimestampForTypmod` / `AdjustTimeForTypmod`).
fn round_typmod(v: i64, typmod: i32) -> i64 {
    if !(0..6).contains(&typmod) {
        return v;
    }
    let scale = 10i64.pow(6 - typmod as u32);
    let offset = scale / 2;
    if v >= 0 {
        (v + offset) / scale * scale
    } else {
        -((-v + offset) / scale * scale)
    }
}

fn special(input: &str, kind: Kind) -> Option<Literal> {
    let t = super::trim_space(input).to_ascii_lowercase();
    let v = |s: &str| Some(Literal::Value(s.to_string()));
    match t.as_str() {
        "now" | "today" | "tomorrow" | "yesterday" => Some(Literal::Unknown(format!(
            "'{t}' depends on when the statement ran"
        ))),
        "epoch" => match kind {
            Kind::Date => v("1970-01-01"),
            Kind::Timestamp => v("1970-01-01 00:00:00"),
            Kind::TimestampTz => v("1970-01-01 00:00:00+00"),
            _ => Some(Literal::Unknown("'epoch' as a time".to_string())),
        },
        "infinity" | "+infinity" | "-infinity" => match kind {
            Kind::Date | Kind::Timestamp | Kind::TimestampTz => v(if t.starts_with('-') {
                "-infinity"
            } else {
                "infinity"
            }),
            _ => Some(Literal::Unknown("'infinity' as a time".to_string())),
        },
        "allballs" => match kind {
            Kind::Time => v("00:00:00"),
            Kind::TimeTz => v("00:00:00+00"),
            _ => Some(Literal::Unknown("'allballs' outside a time".to_string())),
        },
        _ => None,
    }
}

fn fail(kind: Kind, input: &str, e: Fail) -> Literal {
    let _ = kind;
    match e {
        Fail::Unknown(why) => Literal::Unknown(format!(
            "{} literal {input:?}: {why} is not read offline",
            kind.name()
        )),
        Fail::Range => invalid(
            "22008",
            format!("date/time field value out of range: \"{input}\""),
        ),
        Fail::ZoneRange => invalid(
            "22009",
            format!("time zone displacement out of range: \"{input}\""),
        ),
    }
}

fn time_usecs(t: (i64, i64, i64, i64)) -> i64 {
    ((t.0 * 60 + t.1) * 60 + t.2) * USECS_PER_SEC + t.3
}

pub(super) fn date_in(input: &str) -> Literal {
    if let Some(l) = special(input, Kind::Date) {
        return l;
    }
    match parse_fields(input, false) {
        Ok(Fields {
            date: Some((y, m, d)),
            ..
        }) => Literal::Value(fmt_date(date2j(y, m, d))),
        Ok(_) => Literal::Unknown(format!("date literal {input:?} without a date")),
        Err(e) => fail(Kind::Date, input, e),
    }
}

pub(super) fn time_in(input: &str, typmod: i32) -> Literal {
    time_common(input, typmod, Kind::Time)
}

pub(super) fn timetz_in(input: &str, typmod: i32) -> Literal {
    time_common(input, typmod, Kind::TimeTz)
}

fn time_common(input: &str, typmod: i32, kind: Kind) -> Literal {
    if let Some(l) = special(input, kind) {
        return l;
    }
    let f = match parse_fields(input, true) {
        Ok(f) => f,
        Err(e) => return fail(kind, input, e),
    };
    let Some(t) = f.time else {
        return Literal::Unknown(format!("time literal {input:?} without a time field"));
    };
    if f.date.is_some() {
        return Literal::Unknown(format!("time literal {input:?} with a date"));
    }
    let usecs = round_typmod(time_usecs(t), typmod);
    match kind {
        Kind::Time => Literal::Value(fmt_time(usecs)),
        _ => match f.zone {
            Some(z) => Literal::Value(format!("{}{}", fmt_time(usecs), fmt_offset(z))),
            None => Literal::Unknown(format!(
                "timetz literal {input:?} without a zone takes the session's TimeZone"
            )),
        },
    }
}

pub(super) fn timestamp_in(input: &str, typmod: i32, with_tz: bool) -> Literal {
    let kind = if with_tz {
        Kind::TimestampTz
    } else {
        Kind::Timestamp
    };
    if let Some(l) = special(input, kind) {
        return l;
    }
    let f = match parse_fields(input, false) {
        Ok(f) => f,
        Err(e) => return fail(kind, input, e),
    };
    let Some((y, m, d)) = f.date else {
        return Literal::Unknown(format!("timestamp literal {input:?} without a date"));
    };
    let mut value =
        (date2j(y, m, d) - POSTGRES_EPOCH_JDATE) * USECS_PER_DAY + f.time.map_or(0, time_usecs);
    if with_tz {
        let Some(z) = f.zone else {
            return Literal::Unknown(format!(
                "timestamptz literal {input:?} without a zone takes the session's TimeZone"
            ));
        };
        value -= z * USECS_PER_SEC;
    }
    let value = round_typmod(value, typmod);
    let days = value.div_euclid(USECS_PER_DAY);
    let time = value.rem_euclid(USECS_PER_DAY);
    let jd = days + POSTGRES_EPOCH_JDATE;
    let (year, _, _) = j2date(jd);
    let date_text = fmt_date(jd);
    let (date_part, bc) = match date_text.strip_suffix(" BC") {
        Some(d) => (d.to_string(), true),
        None => (date_text, false),
    };
    let _ = year;
    let mut out = format!("{date_part} {}", fmt_time(time));
    if with_tz {
        out.push_str("+00");
    }
    if bc {
        out.push_str(" BC");
    }
    Literal::Value(out)
}

pub(super) fn interval_in(input: &str, typmod: i32) -> Literal {
    if typmod >= 0 {
        return Literal::Unknown("interval literals with a typmod are not read offline".into());
    }
    if input.contains('\'') {
        return Literal::Unknown(format!("interval literal {input:?} is not read offline"));
    }
    match interval_literal(input) {
        Some(v) => Literal::Value(v),
        None => Literal::Unknown(format!("interval literal {input:?} is not read offline")),
    }
}
