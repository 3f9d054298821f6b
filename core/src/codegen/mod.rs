//! Typed models from a declared schema: what `strata::schema!` expands to
//! and what `strata codegen` writes.
//!
//! One path serves both (so the two can never disagree):
//!
//! 1. [`load`]: read and replay the declared schema and, when given, the
//!    migration history — the same code as `strata check` — and refuse when
//!    they differ, naming each difference and its files.
//! 2. [`generate`]: the model → Rust tokens (pure): per table a module with
//!    the row struct, the `New…` insert struct, typed columns, conflict
//!    targets and the query entry points; per enum a Rust enum. The code
//!    refers to `::strata::runtime` for everything it builds on.
//! 3. The macro returns the tokens (with an `include_bytes!` per SQL file,
//!    so the crate rebuilds when one changes); the CLI pretty-prints them
//!    ([`pretty`]).
//!
//! Errors are [`Diagnostic`]s with a span into the macro input; the macro
//! turns them into `compile_error!`s, the CLI prints them.

pub mod derive;
pub mod embed;
mod emit;
pub mod input;
mod naming;
pub mod query;
pub mod relations;
pub mod types;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};

use crate::check::{compare, CheckStatus};
use crate::diff::Change;
use crate::error::Error;
use crate::model::Schema;
use crate::source::{self, Loaded};

pub use input::MacroInput;

/// What went wrong, for the compiler or the terminal.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub kind: DiagnosticKind,
    pub message: String,
    /// Where in the macro input (the call site when nothing closer fits).
    pub span: Span,
}

/// What kind of problem a [`Diagnostic`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiagnosticKind {
    /// The macro input or the command's arguments.
    Input,
    /// A file or statement of the schema or the history (with
    /// file:line:column).
    Source,
    /// The declared schema and the history differ.
    Difference,
    /// A column type nothing maps to Rust.
    UnmappedType,
    /// Two SQL names that become the same Rust name.
    Name,
}

impl Diagnostic {
    pub fn new(kind: DiagnosticKind, message: impl Into<String>, span: Span) -> Diagnostic {
        Diagnostic {
            kind,
            message: message.into(),
            span,
        }
    }

    /// `compile_error!("…")` at the diagnostic's span.
    pub fn to_compile_error(&self) -> TokenStream {
        let message = &self.message;
        quote_spanned!(self.span=> ::core::compile_error!(#message);)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Every diagnostic as a `compile_error!`.
pub fn compile_errors(diagnostics: &[Diagnostic]) -> TokenStream {
    diagnostics
        .iter()
        .map(Diagnostic::to_compile_error)
        .collect()
}

/// Where the sources are and how types map.
#[derive(Debug, Clone)]
pub struct Request {
    /// The declared schema: a `.sql` file or a folder of them.
    pub schema: PathBuf,
    /// The history the schema must equal, when given.
    pub migrations: Option<PathBuf>,
    /// Paths in messages are shown relative to this folder (the crate's, for
    /// the macro).
    pub display_root: Option<PathBuf>,
    /// SQL type (as written) → Rust type tokens.
    pub types: Vec<(String, TokenStream)>,
    /// Span of the `schema:` path in the macro input.
    pub schema_span: Span,
    /// Span of the `migrations:` path in the macro input.
    pub migrations_span: Span,
}

impl Request {
    /// A request without spans (the CLI's).
    pub fn new(schema: impl Into<PathBuf>, migrations: Option<PathBuf>) -> Request {
        Request {
            schema: schema.into(),
            migrations,
            display_root: None,
            types: Vec::new(),
            schema_span: Span::call_site(),
            migrations_span: Span::call_site(),
        }
    }

    /// Maps SQL type `sql` to the Rust type written `rust` (`String`,
    /// `crate::Citext`): the CLI's `--type sql=rust`.
    pub fn add_type(&mut self, sql: &str, rust: &str) -> Result<(), Diagnostic> {
        let ty: syn::Type = syn::parse_str(rust).map_err(|e| {
            Diagnostic::new(
                DiagnosticKind::Input,
                format!("--type {sql}={rust}: {rust:?} is not a Rust type: {e}"),
                Span::call_site(),
            )
        })?;
        self.types
            .push((sql.to_string(), quote::ToTokens::into_token_stream(ty)));
        Ok(())
    }
}

/// The declared schema, replayed (and proven equal to the history), with
/// every file read.
#[derive(Debug, Clone)]
pub struct LoadedSchema {
    pub schema: Schema,
    /// Every SQL file read, as opened.
    pub files: Vec<PathBuf>,
}

/// Options of [`generate`].
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Canonical SQL type → Rust type tokens.
    pub types: BTreeMap<String, TokenStream>,
    /// Files to `include_bytes!` so the crate rebuilds when they change.
    pub track: Vec<PathBuf>,
}

/// Every diagnostic as one expression (`query!` expands to one): the
/// errors in a block, the last without `;`, so nothing else is reported.
pub fn compile_errors_expr(diagnostics: &[Diagnostic]) -> TokenStream {
    let n = diagnostics.len();
    let errors = diagnostics.iter().enumerate().map(|(i, d)| {
        let message = &d.message;
        if i + 1 == n {
            quote_spanned!(d.span=> ::core::compile_error!(#message))
        } else {
            quote_spanned!(d.span=> ::core::compile_error!(#message);)
        }
    });
    quote!({ #(#errors)* })
}

/// The macro: parse the input, load the sources relative to
/// `CARGO_MANIFEST_DIR`, generate.
pub fn expand(input: TokenStream) -> Result<TokenStream, Vec<Diagnostic>> {
    let root = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_default();
    expand_in(input, &root)
}

/// [`expand`] with the crate folder given.
pub fn expand_in(input: TokenStream, root: &Path) -> Result<TokenStream, Vec<Diagnostic>> {
    let input: MacroInput = syn::parse2(input).map_err(|e| {
        e.into_iter()
            .map(|e| Diagnostic::new(DiagnosticKind::Input, e.to_string(), e.span()))
            .collect::<Vec<_>>()
    })?;
    let request = Request {
        schema: root.join(&input.schema.value),
        migrations: input.migrations.as_ref().map(|m| root.join(&m.value)),
        display_root: Some(root.to_path_buf()),
        types: input
            .types
            .iter()
            .map(|t| (t.sql.value.clone(), t.rust.clone()))
            .collect(),
        schema_span: input.schema.span,
        migrations_span: input
            .migrations
            .as_ref()
            .map_or(Span::call_site(), |m| m.span),
    };
    let spans: BTreeMap<String, Span> = input
        .types
        .iter()
        .map(|t| (t.sql.value.clone(), t.sql.span))
        .collect();
    let loaded = load(&request)?;
    let mut options = options(&request, &spans)?;
    options.track = loaded.files.clone();
    // What generation refuses comes from the declared schema: point there.
    let models = generate(&loaded.schema, &options).map_err(|diagnostics| {
        diagnostics
            .into_iter()
            .map(|mut d| {
                d.span = request.schema_span;
                d
            })
            .collect::<Vec<_>>()
    })?;
    let checked = query::macro_rules(&request.schema, &input.types);
    Ok(quote! {
        #models
        #checked
    })
}

/// The CLI: the same code as the macro (without file tracking),
/// pretty-printed, with a header saying where it comes from.
pub fn generate_file(request: &Request) -> Result<String, Vec<Diagnostic>> {
    let loaded = load(request)?;
    let options = options(request, &BTreeMap::new())?;
    let tokens = generate(&loaded.schema, &options)?;
    let body = pretty(tokens).map_err(|d| vec![d])?;
    Ok(format!("{HEADER}{body}"))
}

/// The first lines of a file `strata codegen` writes.
pub const HEADER: &str = "\
// @generated by `strata codegen`: typed models of the declared schema,
// checked against its migration history. Do not edit; change the schema
// (and add a migration), then run `strata codegen --out <this file>`.
// `strata::schema!` expands to the same code.

";

fn options(request: &Request, spans: &BTreeMap<String, Span>) -> Result<Options, Vec<Diagnostic>> {
    let mut types = BTreeMap::new();
    let mut errors = Vec::new();
    for (sql, rust) in &request.types {
        let span = spans.get(sql).copied().unwrap_or_else(Span::call_site);
        match crate::normalize::type_text(sql) {
            Ok(canonical) => {
                types.insert(canonical, rust.clone());
            }
            Err(e) => errors.push(Diagnostic::new(
                DiagnosticKind::Input,
                format!("types: {sql:?} is not a SQL type: {e}"),
                span,
            )),
        }
    }
    if errors.is_empty() {
        Ok(Options {
            types,
            track: Vec::new(),
        })
    } else {
        Err(errors)
    }
}

/// Shows `path` relative to the display root (`sql/10_users.sql`,
/// `../migrations/V1__init.sql`).
fn shown(request: &Request, path: &str) -> String {
    let Some(root) = &request.display_root else {
        return path.to_string();
    };
    let root = root.to_string_lossy();
    let root = root.trim_end_matches('/');
    if root.is_empty() {
        return path.to_string();
    }
    match path.strip_prefix(root) {
        Some(rest) if rest.starts_with('/') => rest[1..].to_string(),
        _ => path.to_string(),
    }
}

/// Replaces every occurrence of the display root in a message.
fn shown_in(request: &Request, text: &str) -> String {
    let Some(root) = &request.display_root else {
        return text.to_string();
    };
    let root = root.to_string_lossy();
    let root = root.trim_end_matches('/');
    if root.is_empty() {
        return text.to_string();
    }
    text.replace(&format!("{root}/"), "")
}

fn source_error(request: &Request, e: &Error, span: Span, what: &str) -> Diagnostic {
    let message = match e {
        Error::Sql(s) => {
            let mut m = format!(
                "{what}: {}:{}:{}: {}",
                shown(request, &s.location.file),
                s.location.line,
                s.location.column,
                s.message
            );
            if let Some(h) = &s.help {
                m.push_str(&format!("\n  help: {h}"));
            }
            m
        }
        Error::Source {
            path,
            message,
            help,
        } => format!(
            "{what}: {}: {message}\n  help: {help}",
            shown(request, path)
        ),
    };
    Diagnostic::new(DiagnosticKind::Source, shown_in(request, &message), span)
}

/// Reads and replays the declared schema and (when given) the history, and
/// refuses when they differ.
pub fn load(request: &Request) -> Result<LoadedSchema, Vec<Diagnostic>> {
    let declared_files = source::load_declared(&request.schema).map_err(|e| {
        vec![source_error(
            request,
            &e,
            request.schema_span,
            "declared schema",
        )]
    })?;
    let declared = source::replay_declared(&declared_files).map_err(|e| {
        vec![source_error(
            request,
            &e,
            request.schema_span,
            "declared schema",
        )]
    })?;
    let mut files: Vec<PathBuf> = declared_files
        .iter()
        .map(|f| PathBuf::from(&f.path))
        .collect();
    let declared = Loaded {
        replayed: declared,
        history: None,
        files: declared_files.len(),
    };
    let Some(migrations) = &request.migrations else {
        return Ok(LoadedSchema {
            schema: declared.replayed.schema,
            files,
        });
    };
    let span = request.migrations_span;
    let history = source::load_history(migrations)
        .map_err(|e| vec![source_error(request, &e, span, "migration history")])?;
    let replayed = source::replay_history(&history)
        .map_err(|e| vec![source_error(request, &e, span, "migration history")])?;
    files.extend(
        history
            .migrations
            .iter()
            .map(|m| PathBuf::from(&m.file.path)),
    );
    let history = Loaded {
        files: history.migrations.len(),
        replayed,
        history: Some(history),
    };
    let report = compare(&declared, &history, None);
    if report.status == CheckStatus::InStep {
        return Ok(LoadedSchema {
            schema: declared.replayed.schema,
            files,
        });
    }
    let schema_label = shown(request, &request.schema.to_string_lossy());
    let history_label = shown(request, &migrations.to_string_lossy());
    let n = report.differences.len();
    let mut errors: Vec<Diagnostic> = report
        .differences
        .iter()
        .map(|d| {
            let mut m = format!(
                "the declared schema ({schema_label}) and what the migration history ({history_label}) builds differ: {}\n",
                d.difference.path
            );
            match &d.difference.change {
                Change::Missing { expected } => {
                    m.push_str("  declared, but no migration creates it\n");
                    m.push_str(&format!("  declared:   {expected}\n"));
                }
                Change::Unexpected { found } => {
                    m.push_str("  created by the migrations, but not declared\n");
                    m.push_str(&format!("  migrations: {found}\n"));
                }
                c @ (Change::Changed { .. } | Change::Unproven { .. }) => {
                    let (what, expected, found) = c.property().unwrap_or_default();
                    m.push_str(&format!("  {what}\n"));
                    m.push_str(&format!("  declared:   {expected}\n"));
                    m.push_str(&format!("  migrations: {found}\n"));
                }
            }
            if let Some(l) = &d.declared_at {
                m.push_str(&format!(
                    "  declared in {}:{}:{}\n",
                    shown(request, &l.file),
                    l.line,
                    l.column
                ));
            }
            if let Some(l) = &d.last_touched {
                m.push_str(&format!(
                    "  last touched by {}:{}:{}\n",
                    shown(request, &l.file),
                    l.line,
                    l.column
                ));
            }
            Diagnostic::new(DiagnosticKind::Difference, m.trim_end(), span)
        })
        .collect();
    errors.push(Diagnostic::new(
        DiagnosticKind::Difference,
        format!(
            "{n} difference{} between the declared schema and the migration history: write a migration that brings the history to the declared schema (or change the declaration); `strata check` shows the same report",
            if n == 1 { "" } else { "s" }
        ),
        span,
    ));
    Err(errors)
}

/// The model → Rust tokens (pure).
pub fn generate(schema: &Schema, options: &Options) -> Result<TokenStream, Vec<Diagnostic>> {
    let body = emit::emit(schema, &options.types)?;
    let tracked = options.track.iter().map(|p| {
        let p = p.to_string_lossy();
        quote!(
            const _: &[u8] = ::core::include_bytes!(#p);
        )
    });
    Ok(quote! {
        #(#tracked)*
        #body
    })
}

/// Tokens → formatted Rust source (prettyplease).
pub fn pretty(tokens: TokenStream) -> Result<String, Diagnostic> {
    let file: syn::File = syn::parse2(tokens).map_err(|e| {
        Diagnostic::new(
            DiagnosticKind::Input,
            format!("generated code does not parse (a bug in strata): {e}"),
            Span::call_site(),
        )
    })?;
    Ok(prettyplease::unparse(&file))
}
