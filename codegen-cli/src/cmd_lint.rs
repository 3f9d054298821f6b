//! `strata lint`: hand-written migrations checked against the model of the
//! schema at their point of the history.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use strata_core::lint::{lint, TxMode};
use strata_core::source::{decode_sql, detect_format, load_history, History, SqlFile};
use strata_core::Error;

use crate::config;
use crate::render::lint::{self as out, LintFormat};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Migration files (or migration folders) to lint as the next migrations
    /// after the configured history. Default: the configured history itself.
    files: Vec<PathBuf>,
    /// The history the files follow: a migration folder. Default:
    /// `migrations` in strata.toml; without one, the files are linted alone.
    #[arg(long)]
    migrations: Option<String>,
    /// Output format: `sarif` is SARIF 2.1.0 for GitHub code scanning.
    #[arg(long, value_enum, default_value_t = LintFormat::Text)]
    format: LintFormat,
}

pub fn run(args: Args, config_path: Option<&Path>) -> ExitCode {
    match prepare(&args, config_path) {
        Ok((history, files, tx)) => {
            let format_of = |f: &SqlFile| TxMode::of(tx(f), &f.text);
            match lint(&history, &files, format_of) {
                Ok(report) => out::report(&report, args.format),
                Err(e) => out::error(&e, args.format),
            }
        }
        Err(e) => out::error(&e, args.format),
    }
}

type Prepared = (
    Vec<SqlFile>,
    Vec<SqlFile>,
    Box<dyn Fn(&SqlFile) -> Option<strata_core::source::HistoryFormat>>,
);

/// The history to replay first, the files to lint, and the tool that runs
/// each linted file.
fn prepare(args: &Args, config_path: Option<&Path>) -> Result<Prepared, Error> {
    let found = config::find(config_path)?;
    let history_dir = match &args.migrations {
        Some(m) => Some(m.strip_prefix("migrations:").unwrap_or(m).to_string()),
        None => config::configured_path(&found, "migrations"),
    };
    let history: Option<History> = match &history_dir {
        Some(d) => Some(load_history(Path::new(d))?),
        None => None,
    };
    let files_of =
        |h: &History| -> Vec<SqlFile> { h.migrations.iter().map(|m| m.file.clone()).collect() };
    if args.files.is_empty() {
        let Some(h) = history else {
            return Err(Error::source(
                "strata.toml",
                "nothing to lint",
                "pass migration files, --migrations PATH, or set `migrations` in strata.toml",
            ));
        };
        let format = h.format;
        return Ok((Vec::new(), files_of(&h), Box::new(move |_| Some(format))));
    }
    let mut files = Vec::new();
    let mut tools = Vec::new();
    for p in &args.files {
        if p.is_dir() {
            let h = load_history(p)?;
            for f in files_of(&h) {
                tools.push((f.path.clone(), Some(h.format)));
                files.push(f);
            }
            continue;
        }
        let bytes = std::fs::read(p).map_err(|e| {
            Error::source(
                p.display().to_string(),
                format!("cannot read file: {e}"),
                "check the path and its permissions",
            )
        })?;
        let f = decode_sql(p.display().to_string(), bytes)?;
        // A file inside a migration folder is run by that folder's tool;
        // otherwise by the configured history's.
        let tool = p
            .parent()
            .and_then(|d| detect_format(d).or_else(|| d.parent().and_then(detect_format)))
            .or(history.as_ref().map(|h| h.format));
        tools.push((f.path.clone(), tool));
        files.push(f);
    }
    // A linted file that is part of the history is linted after the
    // migrations before it, not after itself.
    let mut history_files = history.as_ref().map(files_of).unwrap_or_default();
    let canonical = |p: &str| std::fs::canonicalize(p).ok();
    let linted: Vec<PathBuf> = files.iter().filter_map(|f| canonical(&f.path)).collect();
    if let Some(first) = history_files
        .iter()
        .position(|h| canonical(&h.path).is_some_and(|c| linted.contains(&c)))
    {
        history_files.truncate(first);
    }
    Ok((
        history_files,
        files,
        Box::new(move |f| {
            tools
                .iter()
                .find(|(p, _)| *p == f.path)
                .and_then(|(_, t)| *t)
        }),
    ))
}
