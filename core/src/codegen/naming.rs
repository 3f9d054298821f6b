//! SQL names → Rust identifiers: `agent_run` → `AgentRun` (types) and
//! `agent_run` (modules, fields); `"emailVerified"` → `email_verified`;
//! `"user"` → `user`, `type` → `r#type`.

use proc_macro2::{Ident, Span};

/// The words of a SQL name: split at anything not a letter or digit, at a
/// lower-case → upper-case step (`emailVerified`), and before the last
/// capital of a run followed by a lower-case letter (`HTTPServer`).
fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        if let Some(&prev) = current.chars().last().as_ref() {
            let next = chars.get(i + 1).copied();
            let step_up = prev.is_lowercase() && c.is_uppercase();
            let acronym_end =
                prev.is_uppercase() && c.is_uppercase() && next.is_some_and(|n| n.is_lowercase());
            let digit_to_upper = prev.is_ascii_digit() && c.is_uppercase();
            if step_up || acronym_end || digit_to_upper {
                words.push(std::mem::take(&mut current));
            }
        }
        current.push(c);
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// `snake_case` text (may start with a digit; see [`ident`]).
pub fn snake(name: &str) -> String {
    words(name)
        .iter()
        .map(|w| w.to_lowercase())
        .collect::<Vec<_>>()
        .join("_")
}

/// `UpperCamelCase` text.
pub fn camel(name: &str) -> String {
    words(name)
        .iter()
        .map(|w| {
            let mut cs = w.chars();
            match cs.next() {
                Some(first) => {
                    first.to_uppercase().collect::<String>() + &cs.as_str().to_lowercase()
                }
                None => String::new(),
            }
        })
        .collect()
}

/// Names that cannot be raw identifiers.
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate", "_"];

/// An identifier for converted text: `r#type` for a keyword, `self_` for
/// the keywords that cannot be raw, `_2fa` for text starting with a digit.
/// `None` when the text is empty (a name with no letter or digit).
pub fn ident(text: &str) -> Option<Ident> {
    if text.is_empty() {
        return None;
    }
    let text = if text.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{text}")
    } else {
        text.to_string()
    };
    if NOT_RAW.contains(&text.as_str()) {
        return Some(Ident::new(&format!("{text}_"), Span::call_site()));
    }
    if syn::parse_str::<Ident>(&text).is_ok() {
        Some(Ident::new(&text, Span::call_site()))
    } else {
        Some(Ident::new_raw(&text, Span::call_site()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_splits_camel_case_and_acronyms() {
        assert_eq!(snake("emailVerified"), "email_verified");
        assert_eq!(snake("providerAccountId"), "provider_account_id");
        assert_eq!(snake("HTTPServer"), "http_server");
        assert_eq!(snake("agent_run"), "agent_run");
        assert_eq!(snake("Some Name-2"), "some_name_2");
        assert_eq!(snake("__row"), "row");
        assert_eq!(snake("v2Name"), "v2_name");
    }

    #[test]
    fn camel_case_of_tables_and_labels() {
        assert_eq!(camel("agent_run"), "AgentRun");
        assert_eq!(camel("user"), "User");
        assert_eq!(camel("past_due"), "PastDue");
        assert_eq!(camel("in-progress"), "InProgress");
        assert_eq!(camel("HTTPServer"), "HttpServer");
    }

    #[test]
    fn keywords_become_raw_or_suffixed() {
        let show = |s: &str| ident(s).map(|i| i.to_string());
        assert_eq!(show("user").as_deref(), Some("user"));
        assert_eq!(show("type").as_deref(), Some("r#type"));
        assert_eq!(show("self").as_deref(), Some("self_"));
        assert_eq!(show("Self").as_deref(), Some("Self_"));
        assert_eq!(show("2fa").as_deref(), Some("_2fa"));
        assert_eq!(show(""), None);
    }
}
