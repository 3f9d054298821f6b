//! The type mapping: a column's canonical SQL type → its Rust type.
//!
//! | SQL | Rust |
//! |---|---|
//! | `text`, `character varying(n)`, `character(n)`, `name` | `String` |
//! | `smallint` / `integer` / `bigint` | `i16` / `i32` / `i64` |
//! | `real` / `double precision` | `f32` / `f64` |
//! | `boolean` | `bool` |
//! | `numeric(p,s)` | `rust_decimal::Decimal` |
//! | `timestamp` / `timestamptz` | `chrono::NaiveDateTime` / `chrono::DateTime<Utc>` |
//! | `date` / `time` | `chrono::NaiveDate` / `chrono::NaiveTime` |
//! | `json`, `jsonb` | `serde_json::Value` |
//! | `uuid` | `uuid::Uuid` |
//! | `bytea` | `Vec<u8>` |
//! | `inet` | `std::net::IpAddr` |
//! | `T[]` | `Vec<T>` |
//! | an enum | the generated enum |
//! | a domain over a mapped type | the generated newtype over that type's Rust type |
//! | a composite type whose attributes map | the generated struct, an `Option` per attribute |
//!
//! Overrides (`types: { "citext" => String }`) come first.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::quote;

use crate::model::Schema;

/// Where an enum lives: its namespace and name, as PostgreSQL stores them.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct EnumRef {
    pub namespace: String,
    pub name: String,
}

/// A column's Rust type, before `Option`.
#[derive(Debug, Clone)]
pub enum RustType {
    /// A mapped built-in type (tokens of an absolute path).
    Builtin(TokenStream),
    /// A type the macro input maps the SQL type to.
    Override(TokenStream),
    /// A generated enum.
    Enum(EnumRef),
    /// The generated newtype of a domain (over its base type's Rust type:
    /// reads and writes convert through the base type's own `ToSql` /
    /// `FromSql`).
    Domain(EnumRef),
    /// The generated struct of a composite type (one `Option` field per
    /// attribute).
    Composite(EnumRef),
    /// `Vec<…>` of an array's element type.
    Array(Box<RustType>),
}

/// Reads `name`, `ns.name`, `"Quoted"`, `ns."Quoted"` (a user type as
/// `format_type` prints it) into its namespace and name; `None` for
/// anything else.
pub fn parse_qualified(text: &str) -> Option<EnumRef> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted_part = false;
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                quoted_part = true;
                loop {
                    match chars.next() {
                        Some('"') if chars.peek() == Some(&'"') => {
                            chars.next();
                            current.push('"');
                        }
                        Some('"') => break,
                        Some(c) => current.push(c),
                        None => return None,
                    }
                }
            }
            '.' => {
                if current.is_empty() {
                    return None;
                }
                parts.push(std::mem::take(&mut current));
                quoted_part = false;
            }
            c if c.is_alphanumeric() || c == '_' || c == '$' => {
                if quoted_part {
                    return None;
                }
                current.push(c);
            }
            _ => return None,
        }
    }
    if current.is_empty() {
        return None;
    }
    parts.push(current);
    match parts.as_slice() {
        [name] => Some(EnumRef {
            namespace: "public".to_string(),
            name: name.clone(),
        }),
        [ns, name] => Some(EnumRef {
            namespace: ns.clone(),
            name: name.clone(),
        }),
        _ => None,
    }
}

fn builtin(element: &str) -> Option<TokenStream> {
    let with_precision = |prefix: &str, suffix: &str| {
        element.strip_prefix(prefix).is_some_and(|rest| {
            let rest = rest.strip_suffix(suffix).unwrap_or("\u{0}");
            rest.is_empty()
                || (rest.starts_with('(')
                    && rest.ends_with(')')
                    && rest[1..rest.len() - 1].bytes().all(|b| b.is_ascii_digit()))
        })
    };
    let t = match element {
        "text" | "character varying" | "character" | "bpchar" | "name" => {
            quote!(::std::string::String)
        }
        _ if with_precision("character varying", "") || with_precision("character", "") => {
            quote!(::std::string::String)
        }
        "smallint" => quote!(i16),
        "integer" => quote!(i32),
        "bigint" => quote!(i64),
        "real" => quote!(f32),
        "double precision" => quote!(f64),
        "boolean" => quote!(bool),
        "numeric" => quote!(::strata::runtime::rust_decimal::Decimal),
        _ if element.starts_with("numeric(") && element.ends_with(')') => {
            quote!(::strata::runtime::rust_decimal::Decimal)
        }
        _ if with_precision("timestamp", " without time zone") => {
            quote!(::strata::runtime::chrono::NaiveDateTime)
        }
        _ if with_precision("timestamp", " with time zone") => {
            quote!(::strata::runtime::chrono::DateTime<::strata::runtime::chrono::Utc>)
        }
        "date" => quote!(::strata::runtime::chrono::NaiveDate),
        _ if with_precision("time", " without time zone") => {
            quote!(::strata::runtime::chrono::NaiveTime)
        }
        "json" | "jsonb" => quote!(::strata::runtime::serde_json::Value),
        "uuid" => quote!(::strata::runtime::uuid::Uuid),
        "bytea" => quote!(::std::vec::Vec<u8>),
        "inet" => quote!(::std::net::IpAddr),
        _ if element == "interval"
            || element.starts_with("interval(")
            || element.starts_with("interval ") =>
        {
            quote!(::strata::runtime::Interval)
        }
        _ => return None,
    };
    Some(t)
}

/// The SQL types (canonical, as `format_type` prints them, modifiers
/// aside) whose values a standard Rust type reads and writes, as
/// tokio-postgres's `FromSql`/`ToSql` accept them; `None` for a type not
/// listed (its impls are not known here).
fn std_type_accepts(rust: &str) -> Option<&'static [&'static str]> {
    let text: &[&str] = &[
        "text",
        "character varying",
        "character",
        "bpchar",
        "name",
        "citext",
        "ltree",
        "lquery",
        "ltxtquery",
    ];
    Some(match rust.trim_start_matches("::") {
        "String" | "std::string::String" | "alloc::string::String" => text,
        "bool" => &["boolean"],
        "i8" => &["\"char\""],
        "i16" => &["smallint"],
        "i32" => &["integer"],
        "i64" => &["bigint"],
        "u32" => &["oid"],
        "f32" => &["real"],
        "f64" => &["double precision"],
        _ => return None,
    })
}

/// An override that cannot work: a standard Rust type (`String`, `i32`, …)
/// that tokio-postgres converts from and to other SQL types than the
/// column's built-in one (`interval => String` fails on every read and
/// write). What to say, or `None` when it may work (or is not known).
pub fn override_mismatch(data_type: &str, rust: &TokenStream) -> Option<String> {
    let rust_text: String = rust
        .to_string()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let accepted = std_type_accepts(&rust_text)?;
    let element = data_type.trim_end_matches("[]");
    // Modifiers aside: `character varying(20)` is `character varying`.
    let base = element.split('(').next().unwrap_or(element).trim();
    // Only built-in types are judged: a user type may be a domain over one
    // of the accepted types (its values then convert), or an extension's.
    crate::catalog::Catalog::pg15().type_named(base)?;
    if accepted.contains(&base) {
        return None;
    }
    let suggestion = if base.starts_with("interval") {
        " (strata maps interval to strata::runtime::Interval by itself: drop the override)"
    } else {
        ""
    };
    Some(format!(
        "`types: {{ \"{element}\" => {rust_text} }}` cannot work: tokio-postgres converts {rust_text} from and to {} only, not {base}, so every read and write of such a column would fail at run time{suggestion}",
        accepted.join(", ")
    ))
}

/// The Rust type of a column of canonical type `data_type`, or `None` when
/// nothing maps it.
pub fn map(
    data_type: &str,
    schema: &Schema,
    overrides: &BTreeMap<String, TokenStream>,
) -> Option<RustType> {
    if let Some(t) = overrides.get(data_type) {
        return Some(RustType::Override(t.clone()));
    }
    if let Some(element) = data_type.strip_suffix("[]") {
        return map(element, schema, overrides).map(|t| RustType::Array(Box::new(t)));
    }
    if let Some(t) = builtin(data_type) {
        return Some(RustType::Builtin(t));
    }
    let r = parse_qualified(data_type)?;
    let is_enum = schema
        .namespaces
        .get(&r.namespace)
        .is_some_and(|ns| ns.enums.contains_key(&r.name));
    if is_enum {
        return Some(RustType::Enum(r));
    }
    // A composite type maps when each of its attributes' types does.
    if let Some(c) = schema
        .namespaces
        .get(&r.namespace)
        .and_then(|ns| ns.composites.get(&r.name))
    {
        return c
            .attributes
            .iter()
            .all(|a| map(&a.data_type, schema, overrides).is_some())
            .then_some(RustType::Composite(r));
    }
    // A domain maps when its base type does (a domain over a domain too).
    let base = schema
        .namespaces
        .get(&r.namespace)
        .and_then(|ns| ns.domains.get(&r.name))
        .map(|d| d.base_type.clone())?;
    map(&base, schema, overrides)?;
    Some(RustType::Domain(r))
}

/// The Rust type a domain's newtype wraps: its base type's.
pub fn domain_base(
    r: &EnumRef,
    schema: &Schema,
    overrides: &BTreeMap<String, TokenStream>,
) -> Option<RustType> {
    let base = schema
        .namespaces
        .get(&r.namespace)?
        .domains
        .get(&r.name)?
        .base_type
        .clone();
    map(&base, schema, overrides)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(t: &str) -> Option<String> {
        map(t, &Schema::default(), &BTreeMap::new()).map(|r| match r {
            RustType::Builtin(t) => t.to_string(),
            RustType::Array(inner) => match *inner {
                RustType::Builtin(t) => format!("Vec<{t}>"),
                other => format!("{other:?}"),
            },
            other => format!("{other:?}"),
        })
    }

    #[test]
    fn canonical_types_map_with_and_without_modifiers() {
        assert_eq!(shown("text").as_deref(), Some(":: std :: string :: String"));
        assert_eq!(
            shown("character varying(255)").as_deref(),
            Some(":: std :: string :: String")
        );
        assert_eq!(
            shown("character(3)").as_deref(),
            Some(":: std :: string :: String")
        );
        assert!(shown("numeric(100,20)").is_some_and(|s| s.ends_with("Decimal")));
        assert!(shown("timestamp(3) with time zone").is_some_and(|s| s.contains("DateTime")));
        assert!(shown("timestamp without time zone").is_some_and(|s| s.ends_with("NaiveDateTime")));
        assert!(shown("time(6) without time zone").is_some_and(|s| s.ends_with("NaiveTime")));
        assert!(shown("text[]").is_some_and(|s| s.starts_with("Vec<")));
        assert!(shown("interval").is_some_and(|s| s.ends_with("Interval")));
        assert_eq!(shown("citext"), None);
        assert_eq!(shown("timestamp with time zoneX"), None);
    }

    #[test]
    fn user_type_names_are_read_with_their_namespace() {
        let r = parse_qualified("billing.\"Plan \"\"Kind\"\"\"");
        assert_eq!(
            r,
            Some(EnumRef {
                namespace: "billing".into(),
                name: "Plan \"Kind\"".into()
            })
        );
        assert_eq!(
            parse_qualified("agent_run_status"),
            Some(EnumRef {
                namespace: "public".into(),
                name: "agent_run_status".into()
            })
        );
        assert_eq!(parse_qualified("numeric(10,2)"), None);
    }
}
