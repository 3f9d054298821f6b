//! `strata docs`: a Markdown page with a Mermaid ER diagram for any source.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use strata_core::docs::{render, DocsInfo};
use strata_core::source::{load_history, load_offline, parse_spec, SourceSpec};

use crate::{config, render as out, Format};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// What to document: declared SQL, a migration folder, or a postgres:// URL.
    /// Default: the declared schema of strata.toml.
    #[arg(long)]
    source: Option<String>,
    /// Write the page here instead of stdout.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Page title.
    #[arg(long, default_value = "Database")]
    title: String,
}

pub fn run(args: Args, config_path: Option<&Path>) -> ExitCode {
    let found = match config::find(config_path) {
        Ok(f) => f,
        Err(e) => return out::error(&e, Format::Text),
    };
    let source = match args
        .source
        .clone()
        .or_else(|| config::configured_path(&found, "schema").map(|p| format!("schema:{p}")))
    {
        Some(s) => s,
        None => {
            let e = strata_core::Error::source(
                "strata.toml",
                "nothing to document",
                "pass --source, or set `schema` in strata.toml",
            );
            return out::error(&e, Format::Text);
        }
    };
    let spec = parse_spec(&source);
    // The history summary comes from the source itself or strata.toml's folder.
    let history_dir = match &spec {
        SourceSpec::Migrations(p) => Some(p.clone()),
        _ => config::configured_path(&found, "migrations").map(PathBuf::from),
    };
    let history = history_dir.and_then(|d| load_history(&d).ok()).map(|h| {
        (
            h.format.label().to_string(),
            h.migrations
                .iter()
                .map(|m| (m.version.clone(), m.name.clone()))
                .collect::<Vec<_>>(),
        )
    });
    let (schema, label) = match &spec {
        SourceSpec::Url(url) => {
            let rt = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => {
                    eprintln!("error: cannot start the async runtime: {e}");
                    return ExitCode::from(2);
                }
            };
            match rt.block_on(strata::inspect_url(url, &strata::InspectOptions::default())) {
                Ok(s) => (s, strata::conn::describe_url(url)),
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::from(2);
                }
            }
        }
        other => match load_offline(other) {
            Ok(l) => {
                let label = match other {
                    SourceSpec::Migrations(p) | SourceSpec::Schema(p) => {
                        format!("{} ({} files)", p.display(), l.files)
                    }
                    SourceSpec::Url(_) => String::new(),
                };
                (l.replayed.schema, label)
            }
            Err(e) => return out::error(&e, Format::Text),
        },
    };
    let page = render(
        &schema,
        &DocsInfo {
            title: args.title,
            source: label,
            history,
        },
    );
    match args.out {
        Some(p) => {
            if let Err(e) = std::fs::write(&p, page) {
                eprintln!("error: cannot write {}: {e}", p.display());
                return ExitCode::from(2);
            }
        }
        None => print!("{page}"),
    }
    ExitCode::SUCCESS
}
