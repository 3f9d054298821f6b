//! `strata codegen`: the typed models `strata::schema!` generates, written
//! as a formatted Rust file (to commit, review and diff).
//!
//! Exit codes: 0 written (or up to date with `--check`), 1 the declared
//! schema and the history differ or the file is out of date, 2 error.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use strata_core::codegen::{self, Diagnostic, DiagnosticKind, Request};

use crate::config;

/// Flags of `strata codegen`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The declared schema: a .sql file or a folder of them.
    /// Default: `schema` in strata.toml.
    #[arg(long)]
    pub schema: Option<PathBuf>,
    /// The migration history the declared schema must equal (as
    /// `strata check` proves). Default: `migrations` in strata.toml.
    #[arg(long)]
    pub migrations: Option<PathBuf>,
    /// Generate from the declared schema alone, without the history check.
    #[arg(long, conflicts_with = "migrations")]
    pub no_migrations: bool,
    /// Map a SQL type to a Rust type, like the macro's `types: { … }`:
    /// `--type citext=String`. Repeatable.
    #[arg(long = "type", value_name = "SQL=RUST")]
    pub types: Vec<String>,
    /// Write the code to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Write nothing; exit 1 when FILE (`--out`) differs from what would be
    /// written (for CI).
    #[arg(long, requires = "out")]
    pub check: bool,
}

fn print(diagnostics: &[Diagnostic]) -> ExitCode {
    for d in diagnostics {
        eprintln!("error: {}", d.message);
    }
    if diagnostics
        .iter()
        .all(|d| d.kind == DiagnosticKind::Difference)
    {
        ExitCode::from(1)
    } else {
        ExitCode::from(2)
    }
}

fn usage(message: String) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}

pub fn run(args: Args, config_path: Option<&Path>) -> ExitCode {
    let found = match config::find(config_path) {
        Ok(f) => f,
        Err(e) => return crate::render::error(&e, crate::Format::Text),
    };
    let schema = match args
        .schema
        .or_else(|| config::configured_path(&found, "schema").map(PathBuf::from))
    {
        Some(s) => s,
        None => {
            return usage(
                "no declared schema given: pass --schema PATH, or add `schema = \"schema/sql\"` to strata.toml"
                    .to_string(),
            )
        }
    };
    let migrations = if args.no_migrations {
        None
    } else {
        args.migrations
            .or_else(|| config::configured_path(&found, "migrations").map(PathBuf::from))
    };
    // A database URL here would be echoed as a missing path, password and
    // all: refused without repeating it.
    for (flag, p) in [
        ("--schema", Some(&schema)),
        ("--migrations", migrations.as_ref()),
    ] {
        let text = p.map(|p| p.to_string_lossy()).unwrap_or_default();
        if matches!(
            strata_core::source::parse_spec(&text),
            strata_core::source::SourceSpec::Url(_)
        ) {
            return usage(format!(
                "{flag}: codegen reads SQL files, not a database (the URL is not shown)"
            ));
        }
    }
    let mut request = Request::new(schema, migrations);
    for t in &args.types {
        let Some((sql, rust)) = t.split_once('=') else {
            return usage(format!(
                "--type {t}: expected SQL=RUST, e.g. --type citext=String"
            ));
        };
        if let Err(d) = request.add_type(sql.trim(), rust.trim()) {
            return print(&[d]);
        }
    }
    let code = match codegen::generate_file(&request) {
        Ok(c) => c,
        Err(d) => return print(&d),
    };
    let Some(out) = args.out else {
        print!("{code}");
        return ExitCode::SUCCESS;
    };
    if args.check {
        let current = std::fs::read_to_string(&out).unwrap_or_default();
        if current == code {
            return ExitCode::SUCCESS;
        }
        eprintln!(
            "{} is out of date: run `strata codegen --out {}` and commit the result",
            out.display(),
            out.display()
        );
        return ExitCode::from(1);
    }
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        if let Err(e) = std::fs::create_dir_all(parent) {
            return usage(format!("cannot create {}: {e}", parent.display()));
        }
    }
    match std::fs::write(&out, code) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => usage(format!("cannot write {}: {e}", out.display())),
    }
}
