//! `strata check`: does the history build exactly the declared schema?
//!
//! Exit 0 when in step, 1 when they differ, 2 on error.

use std::path::Path;
use std::process::ExitCode;

use strata::shadow::{self, ShadowFile};
use strata_core::check::{compare, compare_built, CheckReport};
use strata_core::source::{load_declared, load_history, load_offline_with, SourceSpec};
use strata_core::Error;

use crate::config::{self, CheckConfig};
use crate::render;
use crate::Format;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The declared schema: a .sql file or folder (pg_dump output accepted);
    /// `schema:PATH` forces the kind. Default: `schema` in strata.toml.
    #[arg(long)]
    schema: Option<String>,
    /// The migration history: a folder (refinery, sqlx, drizzle-kit, Prisma,
    /// Diesel, golang-migrate, dbmate); `migrations:PATH` forces the kind.
    /// Default: `migrations` in strata.toml.
    #[arg(long)]
    migrations: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// When to exit 1: on any difference, or only on one that concerns
    /// security (policies, row level security, SECURITY DEFINER and such
    /// a function's configuration).
    #[arg(long, value_enum, default_value_t = render::FailOn::Any, value_name = "any|security")]
    fail_on: render::FailOn,
    /// The role that runs the migrations (default: `role` in
    /// strata.toml). A grant to it by name is a grant to the owner, and
    /// `"$user"` in the search path is its schema.
    #[arg(long, value_name = "NAME")]
    role: Option<String>,
    /// Let a PostgreSQL server judge: both sides are built there, each in a
    /// scratch database strata creates and drops (the role needs CREATEDB),
    /// and compared as the server stored them. Default: offline.
    #[arg(long, value_name = "URL")]
    shadow_database: Option<String>,
    /// Compare owners too. An object the SQL gives no owner (no `OWNER
    /// TO`, `AUTHORIZATION` or `SET ROLE`) belongs to the role running the
    /// migrations: `--role`, when given.
    #[arg(long)]
    owners: bool,
}

pub fn run(args: Args, config_path: Option<&Path>) -> ExitCode {
    let mut cfg = match config::check_config(config_path, args.schema, args.migrations, args.role) {
        Ok(c) => c,
        Err(e) => return render::error(&e, args.format),
    };
    cfg.input.owners = args.owners;
    let report = match &args.shadow_database {
        None => match strata_core::check::check_keeping(&cfg.input) {
            Ok((report, declared, history)) => {
                // The process exits next and frees them at once: dropping
                // two models of 10,000 tables (millions of small
                // allocations) would only add time.
                std::mem::forget((declared, history));
                Ok(report)
            }
            Err(e) => Err(e),
        },
        Some(url) => judged_by_server(&cfg, url),
    };
    match report {
        Ok(report) => render::check(&report, &cfg, args.format, args.fail_on),
        Err(e) => render::error(&e, args.format),
    }
}

/// Both sides read offline (for their locations and counts, and so bad
/// input is reported as offline), then built on the shadow server and
/// compared as it stored them.
fn judged_by_server(cfg: &CheckConfig, url: &str) -> Result<CheckReport, Error> {
    let declared = load_offline_with(&cfg.input.schema, &cfg.input.replay)?;
    let history = load_offline_with(&cfg.input.migrations, &cfg.input.replay)?;
    let declared_files = files(&cfg.input.schema)?;
    let history_files = files(&cfg.input.migrations)?;
    let target = strata::conn::describe_url(url);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| {
            Error::source(
                "strata check",
                format!("cannot start the async runtime: {e}"),
                "this is unexpected; please report it",
            )
        })?;
    let (expected, found) = runtime.block_on(async {
        tokio::join!(
            shadow::build(url, "declared", &declared_files),
            shadow::build(url, "history", &history_files)
        )
    });
    let shadow_error = |e: shadow::ShadowError| {
        let help = miette::Diagnostic::help(&e)
            .map(|h| h.to_string())
            .unwrap_or_default();
        match e {
            // Located in the user's file, as every diagnostic about one.
            shadow::ShadowError::Statement { location, reason } => Error::source(
                location,
                format!("the shadow server {target} refused this statement: {reason}"),
                help,
            ),
            e => Error::source(format!("shadow database {target}"), e.to_string(), help),
        }
    };
    let (expected, found) = (
        expected.map_err(shadow_error)?,
        found.map_err(shadow_error)?,
    );
    let owners = cfg.input.owners.then_some(match &cfg.input.replay.role {
        strata_core::replay::Role::Named(role) => Some(role.as_str()),
        _ => None,
    });
    let mut report = compare_built(&declared, &history, &expected, &found, owners);
    let offline = compare(&declared, &history, owners);
    if offline.differences.len() != report.differences.len() {
        report.warnings.push(format!(
            "strata's offline reading finds {} difference{} where the server finds {}: \
             the server's verdict is reported",
            offline.differences.len(),
            if offline.differences.len() == 1 {
                ""
            } else {
                "s"
            },
            report.differences.len()
        ));
    }
    report.judged_by = Some(target);
    Ok(report)
}

/// A side's SQL files in the order they run.
fn files(spec: &SourceSpec) -> Result<Vec<ShadowFile>, Error> {
    Ok(match spec {
        SourceSpec::Migrations(p) => load_history(p)?
            .migrations
            .iter()
            .map(|m| ShadowFile {
                path: m.file.path.clone(),
                text: m.file.text.clone(),
            })
            .collect(),
        SourceSpec::Schema(p) => load_declared(p)?
            .iter()
            .map(|f| ShadowFile {
                path: f.path.clone(),
                text: f.text.clone(),
            })
            .collect(),
        SourceSpec::Url(_) => {
            return Err(Error::source(
                "<database url>",
                "a database URL is not an offline source",
                "use a migration folder or declared SQL here",
            ))
        }
    })
}
