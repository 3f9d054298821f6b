//! The input of `strata::schema!`:
//!
//! ```text
//! strata::schema! {
//!     schema: "sql",                      // declared schema: a .sql file or folder
//!     migrations: "../migrations",        // optional: the history it must equal
//!     types: { "citext" => String },      // optional: SQL type → Rust type
//! }
//! ```
//!
//! Paths are relative to the crate's `CARGO_MANIFEST_DIR`.

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::parse::{Parse, ParseStream};
use syn::{braced, Ident, LitStr, Token};

/// A string of the input and where it is (errors point at it).
#[derive(Debug, Clone)]
pub struct Spanned {
    pub value: String,
    pub span: Span,
}

/// One `"sql type" => RustType` of `types: { … }`.
#[derive(Debug, Clone)]
pub struct TypeOverride {
    /// The SQL type as written.
    pub sql: Spanned,
    /// The Rust type's tokens.
    pub rust: TokenStream,
}

/// The parsed input.
#[derive(Debug, Clone)]
pub struct MacroInput {
    pub schema: Spanned,
    pub migrations: Option<Spanned>,
    pub types: Vec<TypeOverride>,
}

impl Parse for MacroInput {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut schema = None;
        let mut migrations = None;
        let mut types: Option<Vec<TypeOverride>> = None;
        while !input.is_empty() {
            let key: Ident = input.parse()?;
            input.parse::<Token![:]>()?;
            let name = key.to_string();
            let duplicate = || syn::Error::new(key.span(), format!("`{name}` is given twice"));
            match name.as_str() {
                "schema" => {
                    if schema.is_some() {
                        return Err(duplicate());
                    }
                    schema = Some(spanned(input.parse()?));
                }
                "migrations" => {
                    if migrations.is_some() {
                        return Err(duplicate());
                    }
                    migrations = Some(spanned(input.parse()?));
                }
                "types" => {
                    if types.is_some() {
                        return Err(duplicate());
                    }
                    let content;
                    braced!(content in input);
                    let mut list = Vec::new();
                    while !content.is_empty() {
                        let sql: LitStr = content.parse()?;
                        content.parse::<Token![=>]>()?;
                        let rust: syn::Type = content.parse()?;
                        list.push(TypeOverride {
                            sql: spanned(sql),
                            rust: rust.into_token_stream(),
                        });
                        if content.is_empty() {
                            break;
                        }
                        content.parse::<Token![,]>()?;
                    }
                    types = Some(list);
                }
                _ => {
                    return Err(syn::Error::new(
                        key.span(),
                        format!(
                            "unknown key `{name}`: strata::schema! takes `schema: \"path\"`, `migrations: \"path\"` and `types: {{ \"sql type\" => RustType }}`"
                        ),
                    ))
                }
            }
            if input.is_empty() {
                break;
            }
            input.parse::<Token![,]>()?;
        }
        let Some(schema) = schema else {
            return Err(syn::Error::new(
                Span::call_site(),
                "strata::schema! needs `schema: \"path\"`: the declared schema (a .sql file or a folder of them), relative to the crate's Cargo.toml",
            ));
        };
        Ok(MacroInput {
            schema,
            migrations,
            types: types.unwrap_or_default(),
        })
    }
}

fn spanned(lit: LitStr) -> Spanned {
    Spanned {
        value: lit.value(),
        span: lit.span(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_keys_with_trailing_commas() {
        let input: MacroInput = syn::parse_str(
            r#"schema: "sql", migrations: "../migrations", types: { "citext" => String, "ltree" => crate::Ltree, },"#,
        )
        .map_err(|e| e.to_string())
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(input.schema.value, "sql");
        assert_eq!(
            input.migrations.map(|m| m.value).as_deref(),
            Some("../migrations")
        );
        assert_eq!(input.types.len(), 2);
        assert_eq!(input.types[1].rust.to_string(), "crate :: Ltree");
    }

    #[test]
    fn unknown_and_missing_keys_are_errors() {
        let e = syn::parse_str::<MacroInput>(r#"schema: "sql", migration: "m""#)
            .err()
            .map(|e| e.to_string());
        assert!(e.is_some_and(|e| e.starts_with("unknown key `migration`")));
        let e = syn::parse_str::<MacroInput>(r#"migrations: "m""#)
            .err()
            .map(|e| e.to_string());
        assert!(e.is_some_and(|e| e.contains("needs `schema")));
    }
}
