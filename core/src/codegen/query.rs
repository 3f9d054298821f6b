//! `query!` / `query_as!`: SQL typed at build time against the schema a
//! `strata::schema!` proves, with no database.
//!
//! `schema!` (the macro, not `strata codegen`) also generates two
//! `macro_rules!` in its crate, `query!` and `query_as!` ([`macro_rules`]),
//! which forward the schema's absolute path, the type overrides and
//! `$crate` (where the generated enums live) to the hidden proc macro
//! `strata::__query!` ([`expand`]). That one reads the declared schema
//! (replayed once per compiler process and cached by the files' sizes and
//! modification times, [`cached_schema`]), types the statement with
//! [`crate::analyze::query`], maps every type with the same mapping as the
//! row structs ([`super::types::map`]) and expands to a
//! `strata::runtime::CheckedQuery`: a row struct, the function that reads
//! one, and each argument checked against its parameter's Rust type.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use proc_macro2::{Ident, Span, TokenStream, TokenTree};
use quote::{format_ident, quote, quote_spanned};
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{braced, bracketed, parenthesized, Expr, LitStr, Token};

use super::input::TypeOverride;
use super::types::{map, RustType};
use super::{Diagnostic, DiagnosticKind, Request};
use crate::model::Schema;

/// The `query!` and `query_as!` a `schema!` at `schema` (absolute) with
/// these overrides generates in its crate.
pub fn macro_rules(schema: &Path, types: &[TypeOverride]) -> TokenStream {
    let schema = schema.to_string_lossy().to_string();
    let sql = types.iter().map(|t| &t.sql.value);
    let rust = types.iter().map(|t| &t.rust);
    let config = quote! {
        schema: #schema,
        types: { #( #sql => #rust ),* },
        krate: $crate,
    };
    quote! {
        /// SQL checked at build time against this crate's schema: the
        /// parameters' and result columns' types (and nullability) as
        /// PostgreSQL infers them, no database needed. Expands to a
        /// `strata::runtime::CheckedQuery` with `fetch_all`, `fetch_one`,
        /// `fetch_optional` and `execute`; each row is a struct with one
        /// field per result column.
        ///
        /// ```ignore
        /// let runs = my_schema::query!("SELECT id, status FROM agent_run WHERE depth > $1", 2)
        ///     .fetch_all(&client)
        ///     .await?;
        /// ```
        #[macro_export]
        macro_rules! query {
            ($sql:literal $(, $arg:expr)* $(,)?) => {
                ::strata::__query! { #config row: (), sql: $sql, args: [$($arg),*] }
            };
        }

        /// [`query!`] into a struct of your own: one field per result
        /// column, by name, of the column's type.
        #[macro_export]
        macro_rules! query_as {
            ($row:path, $sql:literal $(, $arg:expr)* $(,)?) => {
                ::strata::__query! { #config row: ($row), sql: $sql, args: [$($arg),*] }
            };
        }
    }
}

/// The input of `strata::__query!`.
struct QueryInput {
    schema: String,
    types: Vec<TypeOverride>,
    krate: TokenStream,
    row: Option<syn::Path>,
    sql: LitStr,
    args: Vec<Expr>,
}

fn key(input: ParseStream, name: &str) -> syn::Result<()> {
    let k: Ident = input.parse()?;
    if k != name {
        return Err(syn::Error::new(k.span(), format!("expected `{name}:`")));
    }
    input.parse::<Token![:]>()?;
    Ok(())
}

impl Parse for QueryInput {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        key(input, "schema")?;
        let schema: LitStr = input.parse()?;
        input.parse::<Token![,]>()?;
        key(input, "types")?;
        let content;
        braced!(content in input);
        let mut types = Vec::new();
        while !content.is_empty() {
            let sql: LitStr = content.parse()?;
            content.parse::<Token![=>]>()?;
            let ty: syn::Type = content.parse()?;
            types.push(TypeOverride {
                sql: super::input::Spanned {
                    value: sql.value(),
                    span: sql.span(),
                },
                rust: quote::ToTokens::into_token_stream(ty),
            });
            if !content.is_empty() {
                content.parse::<Token![,]>()?;
            }
        }
        input.parse::<Token![,]>()?;
        key(input, "krate")?;
        let mut krate = TokenStream::new();
        while !input.peek(Token![,]) {
            let tt: TokenTree = input.parse()?;
            krate.extend([tt]);
        }
        input.parse::<Token![,]>()?;
        key(input, "row")?;
        let content;
        parenthesized!(content in input);
        let row = if content.is_empty() {
            None
        } else {
            Some(content.parse()?)
        };
        input.parse::<Token![,]>()?;
        key(input, "sql")?;
        let sql: LitStr = input.parse()?;
        input.parse::<Token![,]>()?;
        key(input, "args")?;
        let content;
        bracketed!(content in input);
        let args: Punctuated<Expr, Token![,]> = Punctuated::parse_terminated(&content)?;
        Ok(QueryInput {
            schema: schema.value(),
            types,
            krate,
            row,
            sql,
            args: args.into_iter().collect(),
        })
    }
}

/// (path, size, modification time) of every file under the schema path.
type Fingerprint = Vec<(PathBuf, u64, Option<SystemTime>)>;

fn fingerprint(path: &Path) -> Fingerprint {
    let mut out = Vec::new();
    let mut stack = vec![path.to_path_buf()];
    while let Some(p) = stack.pop() {
        let Ok(meta) = std::fs::metadata(&p) else {
            out.push((p, 0, None));
            continue;
        };
        if meta.is_dir() {
            if let Ok(entries) = std::fs::read_dir(&p) {
                stack.extend(entries.filter_map(|e| e.ok()).map(|e| e.path()));
            }
        } else {
            out.push((p, meta.len(), meta.modified().ok()));
        }
    }
    out.sort();
    out
}

type Cache = HashMap<PathBuf, (Fingerprint, Arc<(Schema, Vec<PathBuf>)>)>;

static CACHE: Mutex<Option<Cache>> = Mutex::new(None);

/// The declared schema at `path`, replayed once per compiler process (and
/// again only when a file under it changes): fifty `query!` calls in a
/// crate replay it once. The files read are returned for tracking.
pub fn cached_schema(path: &Path) -> Result<Arc<(Schema, Vec<PathBuf>)>, Vec<Diagnostic>> {
    let print = fingerprint(path);
    if let Ok(guard) = CACHE.lock() {
        if let Some((p, loaded)) = guard.as_ref().and_then(|c| c.get(path)) {
            if *p == print {
                return Ok(loaded.clone());
            }
        }
    }
    let loaded = super::load(&Request::new(path, None))?;
    let entry = Arc::new((loaded.schema, loaded.files));
    if let Ok(mut guard) = CACHE.lock() {
        guard
            .get_or_insert_with(HashMap::new)
            .insert(path.to_path_buf(), (print, entry.clone()));
    }
    Ok(entry)
}

fn type_tokens(
    t: &RustType,
    krate: &TokenStream,
    enums: &BTreeMap<super::types::EnumRef, TokenStream>,
) -> TokenStream {
    match t {
        RustType::Builtin(t) | RustType::Override(t) => t.clone(),
        RustType::Array(inner) => {
            let inner = type_tokens(inner, krate, enums);
            quote!(::std::vec::Vec<#inner>)
        }
        RustType::Enum(r) | RustType::Domain(r) | RustType::Composite(r) => match enums.get(r) {
            Some(path) => quote!(#krate::#path),
            None => quote!(::core::compile_error!("a type strata did not generate")),
        },
    }
}

/// The span of the first token, inside the invisible groups `macro_rules!`
/// wraps a fragment in: where an argument starts.
fn first_span(tokens: TokenStream) -> Option<Span> {
    match tokens.into_iter().next()? {
        TokenTree::Group(g) if g.delimiter() == proc_macro2::Delimiter::None => {
            first_span(g.stream())
        }
        tt => Some(tt.span()),
    }
}

/// A result column's name as a field name, or why it cannot be one.
fn field(name: &str) -> Result<Ident, String> {
    let alias = "give it a name with AS (`… AS some_name`)";
    if name == "?column?" {
        return Err(format!(
            "a result column has no name (PostgreSQL calls it ?column?): {alias}"
        ));
    }
    let ok = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name != "_";
    if !ok {
        return Err(format!(
            "result column \"{name}\" is not a Rust field name: {alias}"
        ));
    }
    if syn::parse_str::<Ident>(name).is_ok() {
        return Ok(format_ident!("{}", name));
    }
    if matches!(name, "self" | "Self" | "super" | "crate") {
        return Err(format!(
            "result column \"{name}\" cannot be a Rust field name: {alias}"
        ));
    }
    Ok(Ident::new_raw(name, Span::call_site()))
}

/// `strata::__query!`.
pub fn expand(input: TokenStream) -> Result<TokenStream, Vec<Diagnostic>> {
    let input: QueryInput = syn::parse2(input).map_err(|e| {
        e.into_iter()
            .map(|e| Diagnostic::new(DiagnosticKind::Input, e.to_string(), e.span()))
            .collect::<Vec<_>>()
    })?;
    let span = input.sql.span();
    let err = |m: String| vec![Diagnostic::new(DiagnosticKind::Input, m, span)];
    let loaded = cached_schema(Path::new(&input.schema)).map_err(|ds| {
        ds.into_iter()
            .map(|mut d| {
                d.span = span;
                d
            })
            .collect::<Vec<_>>()
    })?;
    let (schema, files) = (&loaded.0, &loaded.1);
    let request = Request {
        types: input
            .types
            .iter()
            .map(|t| (t.sql.value.clone(), t.rust.clone()))
            .collect(),
        ..Request::new(&input.schema, None)
    };
    let overrides = super::options(&request, &BTreeMap::new())?.types;
    let sql = input.sql.value();
    let analysis = crate::analyze::query::analyze(&sql, schema).map_err(|e| err(e.to_string()))?;
    let enums = super::emit::enum_paths(schema);
    let krate = &input.krate;
    let rust = |type_name: &str, what: &str| -> Result<TokenStream, Vec<Diagnostic>> {
        let t = map(type_name, schema, &overrides).ok_or_else(|| {
            err(format!(
                "{what} has type {type_name}, which strata maps to no Rust type: cast it in the SQL (e.g. ::text) or map the type with `types: {{ \"{type_name}\" => … }}` in schema!"
            ))
        })?;
        Ok(type_tokens(&t, krate, &enums))
    };
    let n = analysis.params.len();
    if input.args.len() != n {
        let list: Vec<String> = analysis
            .params
            .iter()
            .enumerate()
            .map(|(i, p)| format!("${} {}", i + 1, p.type_name))
            .collect();
        return Err(err(format!(
            "the query takes {n} parameter{} ({}) but {} argument{} given",
            if n == 1 { "" } else { "s" },
            if list.is_empty() {
                "none".to_string()
            } else {
                list.join(", ")
            },
            input.args.len(),
            if input.args.len() == 1 {
                " is"
            } else {
                "s are"
            },
        )));
    }
    let mut args = Vec::new();
    for (i, (p, a)) in analysis.params.iter().zip(&input.args).enumerate() {
        let t = rust(&p.type_name, &format!("parameter ${}", i + 1))?;
        let at = first_span(quote::ToTokens::to_token_stream(a)).unwrap_or_else(|| a.span());
        args.push(quote_spanned!(at=> ::strata::runtime::check_arg::<#t, _>(&(#a))));
    }
    let mut fields = Vec::new();
    let mut types = Vec::new();
    let mut seen: BTreeMap<String, ()> = BTreeMap::new();
    for c in &analysis.columns {
        let f = field(&c.name).map_err(err)?;
        if seen.insert(c.name.clone(), ()).is_some() {
            return Err(err(format!(
                "two result columns are named \"{}\": give one a name with AS",
                c.name
            )));
        }
        let t = rust(&c.type_name, &format!("result column \"{}\"", c.name))?;
        types.push(if c.nullable {
            quote!(::core::option::Option<#t>)
        } else {
            t
        });
        fields.push(f);
    }
    let index = 0..fields.len();
    let (def, row_ty) = match &input.row {
        Some(path) => (TokenStream::new(), quote!(#path)),
        None => (
            quote! {
                /// One row of the query: a field per result column.
                #[derive(Debug, Clone)]
                #[allow(non_snake_case, non_camel_case_types)]
                struct QueryRow {
                    #( pub #fields: #types, )*
                }
            },
            quote!(QueryRow),
        ),
    };
    let tracked = files.iter().map(|p| {
        let p = p.to_string_lossy();
        quote!(
            const _: &[u8] = ::core::include_bytes!(#p);
        )
    });
    Ok(quote! {
        ::strata::runtime::CheckedQuery::new(
            #sql,
            {
                #(#tracked)*
                #def
                fn __strata_read(
                    row: &::strata::runtime::Row,
                ) -> ::strata::runtime::CheckedRead<#row_ty> {
                    ::core::result::Result::Ok(#row_ty {
                        #( #fields: {
                            let value: #types = row.try_get(#index)?;
                            value
                        }, )*
                    })
                }
                __strata_read
            },
            [ #(#args),* ],
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(sql: &str, args: TokenStream) -> TokenStream {
        let schema = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../schema/sql")
            .to_string_lossy()
            .to_string();
        quote!(schema: #schema, types: {}, krate: $crate, row: (), sql: #sql, args: [#args])
    }

    #[test]
    fn expands_to_a_checked_query_with_typed_fields_and_arguments() {
        let sql = "SELECT r.id, u.email FROM agent_run r LEFT JOIN \"user\" u ON u.id = r.user_id WHERE r.depth > $1";
        let tokens = match expand(input(sql, quote!(2))) {
            Ok(t) => t.to_string(),
            Err(d) => panic!("{d:?}"),
        };
        assert!(tokens.contains("CheckedQuery :: new"), "{tokens}");
        assert!(
            tokens.contains("pub id : :: std :: string :: String"),
            "{tokens}"
        );
        assert!(
            tokens
                .contains("pub email : :: core :: option :: Option < :: std :: string :: String >"),
            "{tokens}"
        );
        assert!(tokens.contains("check_arg :: < i32 , _ >"), "{tokens}");
        assert_eq!(
            tokens.matches("include_bytes").count(),
            5,
            "every schema file"
        );
    }

    #[test]
    fn refuses_with_the_reason_and_counts_arguments() {
        let m = |sql: &str, args: TokenStream| match expand(input(sql, args)) {
            Ok(_) => panic!("{sql} expanded"),
            Err(d) => d[0].message.clone(),
        };
        assert_eq!(
            m("SELECT id FROM agent_run WHERE depth > $1", quote!()),
            "the query takes 1 parameter ($1 integer) but 0 arguments are given"
        );
        assert!(m("SELECT id, id FROM agent_run", quote!())
            .contains("two result columns are named \"id\""));
        assert!(m("SELECT 1 AS self", quote!()).contains("cannot be a Rust field name"));
        assert!(m("WITH x AS (SELECT 1) SELECT * FROM x", quote!())
            .starts_with("strata cannot type WITH"));
    }

    /// The schema is replayed once per process: later expansions reuse
    /// it (the figures are printed with `--nocapture`).
    #[test]
    fn the_schema_is_replayed_once_per_process() {
        let sql = "SELECT id, status FROM agent_run WHERE user_id = $1";
        let first = std::time::Instant::now();
        let _ = expand(input(sql, quote!("u1")));
        let first = first.elapsed();
        let rest = std::time::Instant::now();
        for _ in 0..50 {
            if let Err(d) = expand(input(sql, quote!("u1"))) {
                panic!("{d:?}");
            }
        }
        let rest = rest.elapsed();
        println!("first expansion {first:?}, 50 more {rest:?}");
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema/sql");
        let a = cached_schema(&path).map_err(|d| format!("{d:?}"));
        let b = cached_schema(&path).map_err(|d| format!("{d:?}"));
        match (a, b) {
            (Ok(a), Ok(b)) => assert!(Arc::ptr_eq(&a, &b), "one replay, shared"),
            other => panic!("{other:?}"),
        }
    }
}
