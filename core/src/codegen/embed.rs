//! What `strata::embed_migrations!("../migrations")` expands to: the
//! migration folder read at build time with [`crate::source::load_history`]
//! (any format strata reads), embedded as a
//! `strata::migrate::EmbeddedMigrations` value — versions, names, file
//! names, SQL text, the no-transaction mark and the refinery checksum —
//! with an `include_bytes!` per file so that editing one rebuilds the crate.
//!
//! A file *added* to the folder is noticed by cargo only when something
//! tells it to look at the folder: a `build.rs` printing
//! `cargo:rerun-if-changed=<folder>` (stable Rust has no way for a proc
//! macro to track a directory).

use std::path::{Path, PathBuf};

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::LitStr;

use super::{Diagnostic, DiagnosticKind};
use crate::source::{self, HistoryFormat};

/// Expands the macro input (a string literal: the folder, relative to
/// `CARGO_MANIFEST_DIR`).
pub fn expand(input: TokenStream) -> Result<TokenStream, Vec<Diagnostic>> {
    let root = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_default();
    expand_in(input, &root)
}

/// [`expand`] with the crate folder given.
pub fn expand_in(input: TokenStream, crate_dir: &Path) -> Result<TokenStream, Vec<Diagnostic>> {
    let lit: LitStr = syn::parse2(input).map_err(|e| {
        vec![Diagnostic::new(
            DiagnosticKind::Input,
            format!(
                "{e}; expected the migration folder, e.g. embed_migrations!(\"../migrations\")"
            ),
            e.span(),
        )]
    })?;
    let given = lit.value();
    let dir = crate_dir.join(&given);
    let history = source::load_history(&dir).map_err(|e| {
        vec![Diagnostic::new(
            DiagnosticKind::Source,
            e.to_string(),
            lit.span(),
        )]
    })?;
    let format = format_ident!("{}", variant(history.format));
    let mut entries = Vec::with_capacity(history.migrations.len());
    for m in &history.migrations {
        let absolute = PathBuf::from(&m.file.path);
        let relative = absolute
            .strip_prefix(&dir)
            .map(|p| Path::new(&given).join(p))
            .unwrap_or_else(|_| absolute.clone());
        let file = relative.to_string_lossy().replace('\\', "/");
        let tracked = absolute.to_string_lossy().into_owned();
        let version = &m.version;
        let name = &m.name;
        let sql: &str = &m.file.text;
        let no_transaction = m.no_transaction;
        let journal_when = match m.journal_when {
            Some(w) => quote!(::core::option::Option::Some(#w)),
            None => quote!(::core::option::Option::None),
        };
        let checksum = match m.version.parse::<i32>() {
            Ok(v) => {
                let c = source::refinery_checksum(&m.name, v, &m.file.text);
                quote!(::core::option::Option::Some(#c))
            }
            Err(_) => quote!(::core::option::Option::None),
        };
        entries.push(quote! {
            ::strata::migrate::EmbeddedMigration {
                version: #version,
                name: #name,
                file: #file,
                sql: {
                    const _: &[u8] = ::core::include_bytes!(#tracked);
                    #sql
                },
                no_transaction: #no_transaction,
                refinery_checksum: #checksum,
                journal_when: #journal_when,
            }
        });
    }
    let warnings = &history.warnings;
    let span = Span::call_site();
    Ok(quote::quote_spanned! {span=>
        ::strata::migrate::EmbeddedMigrations {
            format: ::strata::core::source::HistoryFormat::#format,
            root: #given,
            migrations: &[#(#entries),*],
            warnings: &[#(#warnings),*],
        }
    })
}

fn variant(f: HistoryFormat) -> &'static str {
    match f {
        HistoryFormat::Refinery => "Refinery",
        HistoryFormat::Sqlx => "Sqlx",
        HistoryFormat::Drizzle => "Drizzle",
        HistoryFormat::Prisma => "Prisma",
        HistoryFormat::Diesel => "Diesel",
        HistoryFormat::GolangMigrate => "GolangMigrate",
        HistoryFormat::Dbmate => "Dbmate",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema")
    }

    #[test]
    fn the_reference_history_is_embedded_with_checksums_and_tracked_files() {
        let tokens = match expand_in(quote!("../migrations"), &repo()) {
            Ok(t) => t.to_string(),
            Err(d) => panic!("{}", d[0]),
        };
        assert_eq!(tokens.matches("EmbeddedMigration {").count(), 85);
        assert_eq!(tokens.matches("include_bytes").count(), 85);
        assert!(tokens.contains("HistoryFormat :: Refinery"));
        assert!(tokens.contains("\"../migrations/V1__"));
        assert_eq!(tokens.matches("Option :: Some").count(), 85);
    }

    #[test]
    fn a_missing_folder_or_a_non_literal_is_a_diagnostic() {
        let e = match expand_in(quote!("../no_such_folder"), &repo()) {
            Ok(_) => panic!("expanded a missing folder"),
            Err(e) => e,
        };
        assert!(
            e[0].message.contains("migration folder not found"),
            "{}",
            e[0]
        );
        let e = match expand_in(quote!(migrations), &repo()) {
            Ok(_) => panic!("expanded an identifier"),
            Err(e) => e,
        };
        assert!(
            e[0].message.contains("expected the migration folder"),
            "{}",
            e[0]
        );
    }
}
