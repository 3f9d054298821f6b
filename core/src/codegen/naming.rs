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

/// A row's name from its table's: the last word of a plural English table
/// name made singular (`users` → `user`, `blog_posts` → `blog_post`,
/// `categories` → `category`, `addresses` → `address`, `boxes` → `box`);
/// anything not recognizably plural is kept (`status`, `news`, `series`,
/// `data`, `agent_run`). Only the row and insert structs use it: the table
/// struct and the module keep the table's name (`users::User`,
/// `users::NewUser`, `users::UsersTable`).
pub fn singular(name: &str) -> String {
    // The last word as `words` splits it, found back in the name.
    let Some(last) = words(name).pop() else {
        return name.to_string();
    };
    let Some(at) = name.to_lowercase().rfind(&last.to_lowercase()) else {
        return name.to_string();
    };
    if at + last.len() != name.len() {
        return name.to_string();
    }
    let (head, word) = name.split_at(at);
    let lower = word.to_lowercase();
    const IRREGULAR: &[(&str, &str)] = &[
        ("people", "person"),
        ("children", "child"),
        ("men", "man"),
        ("women", "woman"),
        ("statuses", "status"),
        ("aliases", "alias"),
        ("indices", "index"),
        ("matrices", "matrix"),
        ("analyses", "analysis"),
        ("criteria", "criterion"),
    ];
    const UNCHANGED: &[&str] = &[
        "news", "series", "species", "status", "data", "analysis", "axis", "alias", "bus",
        "campus", "corpus", "bonus", "virus", "census", "canvas", "gas", "plus", "minus", "chaos",
        "kudos", "always", "access", "process", "success", "address", "class", "glass", "pass",
    ];
    let keep_case = |s: &str| -> String {
        // The replacement in the word's case (`Users` → `User`, `USERS` → `USER`).
        if word.chars().all(|c| !c.is_lowercase()) {
            s.to_uppercase()
        } else if word.chars().next().is_some_and(char::is_uppercase) {
            let mut cs = s.chars();
            cs.next()
                .map(|f| f.to_uppercase().collect::<String>() + cs.as_str())
                .unwrap_or_default()
        } else {
            s.to_string()
        }
    };
    if let Some((_, one)) = IRREGULAR.iter().find(|(many, _)| *many == lower) {
        return format!("{head}{}", keep_case(one));
    }
    if UNCHANGED.contains(&lower.as_str()) || lower.len() < 4 || !lower.ends_with('s') {
        return name.to_string();
    }
    let cut = |n: usize| format!("{head}{}", &word[..word.len() - n]);
    if lower.ends_with("ies") && lower.len() > 4 {
        return format!(
            "{head}{}",
            keep_case(&format!("{}y", &lower[..lower.len() - 3]))
        );
    }
    for es in ["sses", "xes", "ches", "shes", "zzes"] {
        if lower.ends_with(es) {
            return cut(2);
        }
    }
    if lower.ends_with("ss") || lower.ends_with("us") || lower.ends_with("is") {
        return name.to_string();
    }
    cut(1)
}

/// Names that cannot be raw identifiers.
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate", "_"];

/// An identifier for converted text: `r#type` for a keyword, `self_` for
/// the keywords that cannot be raw, `_2fa` for text starting with a digit.
/// `None` when the text is empty (a name with no letter or digit) or is no
/// Rust identifier even raw (a character Rust does not accept in names).
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
    if let Ok(i) = syn::parse_str::<Ident>(&text) {
        return Some(i);
    }
    syn::parse_str::<Ident>(&format!("r#{text}")).ok()
}

/// The SQL name spelled exactly, as identifier text, for a name whose
/// converted form is taken or empty: ASCII letters and digits kept (case
/// too: `Foo` stays `Foo`), `_` doubled, any other character `_u{hex}_`
/// (`🦀` → `_u1f980_`), and `_empty` for the empty name. Distinct names
/// give distinct texts, and none is a converted (snake or camel) text of
/// another name unless it is that name itself.
pub fn exact(name: &str) -> String {
    if name.is_empty() {
        return "_empty".to_string();
    }
    let mut s = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            s.push(c);
        } else if c == '_' {
            s.push_str("__");
        } else {
            s.push_str(&format!("_u{:x}_", u32::from(c)));
        }
    }
    s
}

/// Identifiers for the names of one Rust scope (the columns of a table,
/// the labels of an enum, the modules and types at one level), one per
/// entry, all distinct and distinct from `reserved`.
///
/// Each entry is `(SQL name, converted text)`. A name takes its converted
/// text when no other name of the scope converts to the same identifier;
/// among names that do, the one that *is* its converted text (`foo` among
/// `foo`, `Foo` and `FOO`) keeps it (none does when none is: `UPPER` and
/// `upper` both become `Upper` as labels, so neither is). The others, and names with nothing to convert (`🦀`, `_`, `''`), take their
/// [`exact`] spelling (`Foo`, `FOO`, `_u1f980_`), `_`-suffixed while taken.
pub fn assign(entries: &[(String, String)], reserved: &[String]) -> Vec<Ident> {
    use std::collections::{BTreeMap, BTreeSet};
    let candidates: Vec<Option<Ident>> = entries.iter().map(|(_, text)| ident(text)).collect();
    // Identifier text → the entries that convert to it.
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, c) in candidates.iter().enumerate() {
        if let Some(c) = c {
            groups.entry(c.to_string()).or_default().push(i);
        }
    }
    let mut taken: BTreeSet<String> = reserved.iter().cloned().collect();
    let mut out: Vec<Option<Ident>> = vec![None; entries.len()];
    for (key, members) in &groups {
        if taken.contains(key) {
            continue;
        }
        let winner = if members.len() == 1 {
            Some(members[0])
        } else {
            members
                .iter()
                .copied()
                .find(|&i| entries[i].0 == entries[i].1)
        };
        if let Some(w) = winner {
            out[w] = candidates[w].clone();
            taken.insert(key.clone());
        }
    }
    for (i, (name, _)) in entries.iter().enumerate() {
        if out[i].is_some() {
            continue;
        }
        let mut text = exact(name);
        loop {
            // `exact` is ASCII letters, digits and `_`: always an identifier.
            let id = ident(&text).unwrap_or_else(|| Ident::new("__unnamed", Span::call_site()));
            let key = id.to_string();
            if !taken.contains(&key) {
                taken.insert(key);
                out[i] = Some(id);
                break;
            }
            text.push('_');
        }
    }
    out.into_iter()
        .map(|i| i.unwrap_or_else(|| Ident::new("__unnamed", Span::call_site())))
        .collect()
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
    fn plural_table_names_give_singular_row_names() {
        for (table, row) in [
            ("users", "user"),
            ("blog_posts", "blog_post"),
            ("BlogPosts", "BlogPost"),
            ("USERS", "USER"),
            ("categories", "category"),
            ("addresses", "address"),
            ("boxes", "box"),
            ("matches", "match"),
            ("people", "person"),
            ("order_statuses", "order_status"),
            ("status", "status"),
            ("news", "news"),
            ("series", "series"),
            ("agent_run", "agent_run"),
            ("user", "user"),
            ("access", "access"),
            ("bus", "bus"),
            ("data", "data"),
            ("ids", "ids"),
        ] {
            assert_eq!(singular(table), row, "{table}");
        }
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
        assert_eq!(show("²"), None);
    }

    #[test]
    fn exact_spellings_are_distinct_identifiers() {
        assert_eq!(exact("Foo"), "Foo");
        assert_eq!(exact("foo_bar"), "foo__bar");
        assert_eq!(exact("🦀"), "_u1f980_");
        assert_eq!(exact(""), "_empty");
        assert_eq!(exact(" "), "_u20_");
        assert_eq!(exact("_"), "__");
    }

    #[test]
    fn colliding_names_keep_one_converted_name_and_spell_the_others_exactly() {
        let entries = |names: &[&str], f: fn(&str) -> String| -> Vec<(String, String)> {
            names.iter().map(|n| (n.to_string(), f(n))).collect()
        };
        let show = |ids: Vec<Ident>| ids.iter().map(|i| i.to_string()).collect::<Vec<_>>();
        assert_eq!(
            show(assign(
                &entries(&["Foo", "foo", "fooBar", "foo_bar"], snake),
                &[]
            )),
            ["Foo", "foo", "fooBar", "foo_bar"]
        );
        assert_eq!(
            show(assign(
                &entries(&["self", "Self", "_", "🦀", "1st", "type"], snake),
                &[]
            )),
            ["self_", "Self_", "__", "_u1f980_", "_1st", "r#type"]
        );
        assert_eq!(
            show(assign(
                &entries(&["UPPER", "upper", "", " ", "x"], camel),
                &[]
            )),
            ["UPPER", "upper", "_empty", "_u20_", "X"]
        );
        // A reserved identifier (the table's unit struct) is never reused.
        assert_eq!(
            show(assign(
                &entries(&["UserTable", "user_table"], snake),
                &["UserTable".to_string()]
            )),
            ["UserTable_", "user_table"]
        );
    }
}
