//! `boolin`: `t`/`true`/`yes`/`on`/`1` and their prefixes, case-insensitive,
//! surrounding whitespace ignored.

use super::{syntax, trim_space, Literal};

pub(super) fn bool_in(input: &str) -> Literal {
    match parse_bool(trim_space(input)) {
        Some(true) => Literal::Value("true".to_string()),
        Some(false) => Literal::Value("false".to_string()),
        None => syntax("boolean", input),
    }
}

/// `parse_bool_with_len`: a non-empty prefix of `true`, `false`, `yes`,
/// `no`; `on`, or at least `of` of `off`; `1`, `0`.
fn parse_bool(s: &str) -> Option<bool> {
    let lower = s.to_ascii_lowercase();
    let prefix_of = |word: &str, min: usize| lower.len() >= min && word.starts_with(&*lower);
    if lower.is_empty() {
        return None;
    }
    if prefix_of("true", 1) || prefix_of("yes", 1) {
        return Some(true);
    }
    if prefix_of("false", 1) || prefix_of("no", 1) {
        return Some(false);
    }
    if prefix_of("on", 2) {
        return Some(true);
    }
    if prefix_of("off", 2) {
        return Some(false);
    }
    match lower.as_str() {
        "1" => Some(true),
        "0" => Some(false),
        _ => None,
    }
}
