//! strata-macros: thin proc-macro shims over strata-core.
//!
//! Everything the macros do lives in [`strata_core::codegen`], where it is
//! unit tested without a compiler in the loop; this crate only converts
//! token streams and turns diagnostics into `compile_error!`s.

use proc_macro::TokenStream;

/// Typed models and query builders of a declared schema, proven at build
/// time to equal what the migration history builds.
///
/// ```ignore
/// strata::schema! {
///     schema: "sql",                  // a .sql file or a folder of them
///     migrations: "../migrations",    // optional: the history it must equal
///     types: { "citext" => String },  // optional: SQL type → Rust type
/// }
/// ```
///
/// Paths are relative to the crate's `Cargo.toml`. See the README's
/// "Typed models" section for what is generated.
#[proc_macro]
pub fn schema(input: TokenStream) -> TokenStream {
    match strata_core::codegen::expand(input.into()) {
        Ok(tokens) => tokens.into(),
        Err(diagnostics) => strata_core::codegen::compile_errors(&diagnostics).into(),
    }
}

/// What the `query!` / `query_as!` macros a `schema!` generates call:
/// the SQL typed against that schema (see the README's "Checked SQL").
#[doc(hidden)]
#[proc_macro]
pub fn __query(input: TokenStream) -> TokenStream {
    match strata_core::codegen::query::expand(input.into()) {
        Ok(tokens) => tokens.into(),
        Err(diagnostics) => strata_core::codegen::compile_errors_expr(&diagnostics).into(),
    }
}

/// The migration folder, read at build time (any format strata reads),
/// embedded as a `strata::migrate::EmbeddedMigrations`:
///
/// ```ignore
/// static MIGRATIONS: strata::migrate::EmbeddedMigrations =
///     strata::embed_migrations!("../migrations");
/// ```
///
/// The path is relative to the crate's `Cargo.toml`. Editing a file
/// rebuilds the crate; for cargo to notice a *new* file, the crate's
/// `build.rs` prints `cargo:rerun-if-changed=../migrations`.
#[proc_macro]
pub fn embed_migrations(input: TokenStream) -> TokenStream {
    match strata_core::codegen::embed::expand(input.into()) {
        Ok(tokens) => tokens.into(),
        Err(diagnostics) => strata_core::codegen::compile_errors(&diagnostics).into(),
    }
}

/// `#[derive(strata::FromRow)]`: reads a projection into a struct with
/// named fields, one per projected column in order
/// (`select().columns((agent_run::id, agent_run::status)).into::<Run>()`).
/// A field whose type is not the column's does not compile; the names are
/// checked against the projected columns' before the statement runs.
#[proc_macro_derive(FromRow)]
pub fn derive_from_row(input: TokenStream) -> TokenStream {
    strata_core::codegen::derive::derive_from_row(input.into()).into()
}
