//! `strata migrate` and `strata status`: the runner on the history table of
//! the folder's tool, and where each migration stands.
//!
//! Exit codes: `migrate` 0 when it applied what was pending (or nothing was),
//! 2 on any error (a refusal included). `status` 0 whenever it could read the
//! folder and the database — edited and missing migrations are listed, not
//! failed — and 2 on error.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use strata::migrate::{self, MigrateEvent, MigrateOptions};
use strata_core::source::{load_history, History};
use strata_core::Error;

use crate::config;
use crate::render::migrate as render;
use crate::Format;

#[derive(clap::Args, Debug)]
pub struct MigrateArgs {
    /// Database URL (never printed). Default: the variable strata.toml's
    /// `database_url_env` names, else DATABASE_URL.
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
    /// The migration folder, of any format strata reads (refinery, sqlx,
    /// drizzle-kit, Prisma, Diesel, golang-migrate, dbmate); each is recorded
    /// in its tool's own history table. Default: `migrations` in strata.toml.
    #[arg(long, value_name = "DIR")]
    pub migrations: Option<String>,
    /// Apply pending migrations up to this version (the file's leading
    /// number; drizzle-kit: the NNNN prefix), then stop.
    #[arg(long, value_name = "N")]
    pub target: Option<i64>,
    /// List what would run; apply nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Fail a statement that waits longer than this for a lock (SET
    /// lock_timeout), e.g. 5s, 500ms, 1m; and fail, running nothing, when
    /// another strata migrate holds the migration lock longer than this
    /// (without it, strata waits for that runner as long as it takes).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub lock_timeout: Option<Duration>,
    /// Fail a statement that runs longer than this (SET statement_timeout),
    /// e.g. 1m, 30s.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub statement_timeout: Option<Duration>,
    /// Adopt a database whose schema these migrations already built (e.g.
    /// the V1__baseline.sql `strata init --from` writes): record the
    /// migrations up to version N as applied without running them, then
    /// stop. Refused unless the database's schema is what they build, and
    /// when its history table already records a migration.
    #[arg(long, value_name = "N", conflicts_with = "target")]
    pub baseline: Option<i64>,
}

#[derive(clap::Args, Debug)]
pub struct StatusArgs {
    /// Database URL (never printed). Default: the variable strata.toml's
    /// `database_url_env` names, else DATABASE_URL.
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
    /// The migration folder (any format strata reads). Default:
    /// `migrations` in strata.toml.
    #[arg(long, value_name = "DIR")]
    pub migrations: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// `5s`, `500ms`, `1m`, `1h`, `1min`, `2.5s`; a bare number is seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num
        .parse()
        .map_err(|_| format!("`{s}` is not a duration; use e.g. 5s, 500ms, 1m"))?;
    let secs = match unit.trim().to_ascii_lowercase().as_str() {
        "ms" => n / 1000.0,
        "" | "s" | "sec" | "secs" => n,
        "m" | "min" | "mins" => n * 60.0,
        "h" => n * 3600.0,
        other => {
            return Err(format!(
                "unknown unit `{other}` in `{s}`; use ms, s, m or h"
            ))
        }
    };
    if !secs.is_finite() || !(0.0..=2_000_000.0).contains(&secs) {
        return Err(format!("`{s}` is out of range"));
    }
    Ok(Duration::from_secs_f64(secs))
}

struct Inputs {
    url: String,
    history: History,
    label: String,
}

fn inputs(
    config_path: Option<&Path>,
    database_url: Option<String>,
    migrations: Option<String>,
) -> Result<Inputs, Error> {
    let found = config::find(config_path)?;
    let dir = match migrations {
        Some(m) => m.strip_prefix("migrations:").unwrap_or(&m).to_string(),
        None => config::configured_path(&found, "migrations").ok_or_else(|| {
            Error::source(
                "strata.toml",
                "no migration folder given",
                "pass --migrations DIR, or add `migrations = \"migrations\"` to strata.toml",
            )
        })?,
    };
    let history = load_history(&PathBuf::from(&dir))?;
    let url = config::database_url(&found, database_url)?;
    Ok(Inputs {
        url,
        history,
        label: dir,
    })
}

fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            Error::source(
                "strata",
                format!("cannot start the async runtime: {e}"),
                "this is a system problem (threads or file descriptors exhausted)",
            )
        })
}

pub fn run_migrate(args: MigrateArgs, config_path: Option<&Path>) -> ExitCode {
    let inputs = match inputs(config_path, args.database_url, args.migrations) {
        Ok(i) => i,
        Err(e) => return crate::render::error(&e, Format::Text),
    };
    let rt = match runtime() {
        Ok(r) => r,
        Err(e) => return crate::render::error(&e, Format::Text),
    };
    let opts = MigrateOptions {
        target: args.target,
        dry_run: args.dry_run,
        lock_timeout: args.lock_timeout,
        statement_timeout: args.statement_timeout,
        baseline: args.baseline,
    };
    render::migrate_header(&inputs.history, &inputs.label, &opts);
    if let Some(version) = args.baseline {
        let named = |m: &strata_core::source::Migration| {
            m.version.replace('-', "").parse::<i64>().ok() == Some(version)
        };
        if !inputs.history.migrations.iter().any(named) {
            return render::migrate_error(&migrate::MigrateError::BaselineVersion {
                root: inputs.label.clone(),
                version,
            });
        }
        match rt.block_on(baseline_differences(&inputs, version)) {
            Ok(differences) if differences.is_empty() => {}
            Ok(differences) => return render::baseline_refused(&differences, version),
            Err(code) => return code,
        }
    }
    let mut progress = |event: MigrateEvent<'_>| render::migrate_event(&event);
    let result = rt.block_on(migrate::migrate_with_progress(
        &inputs.url,
        &inputs.history,
        &opts,
        &mut progress,
    ));
    match result {
        Ok(report) => render::migrate_report(&report),
        Err(e) => render::migrate_error(&e),
    }
}

/// What differs between the database and what the migrations up to
/// `version` build (history tables left out): a baseline is recorded only
/// when nothing does.
async fn baseline_differences(
    inputs: &Inputs,
    version: i64,
) -> Result<Vec<strata_core::diff::Difference>, ExitCode> {
    let mut upto = inputs.history.clone();
    // The migrations up to and including the one with this version, in
    // apply order (as the runner records them).
    if let Some(at) = upto
        .migrations
        .iter()
        .position(|m| m.version.replace('-', "").parse::<i64>().ok() == Some(version))
    {
        upto.migrations.truncate(at + 1);
    }
    let expected = strata_core::source::replay_history(&upto)
        .map_err(|e| crate::render::error(&e, Format::Text))?
        .schema;
    let mut live =
        strata::inspect::inspect_url(&inputs.url, &strata::inspect::InspectOptions::default())
            .await
            .map_err(|e| crate::render::inspect::error(&e))?;
    strata::drift::remove_history_objects(&mut live);
    Ok(strata_core::diff::diff(
        &expected,
        &live,
        strata_core::diff::DiffOptions::default(),
    ))
}

pub fn run_status(args: StatusArgs, config_path: Option<&Path>) -> ExitCode {
    let format = args.format;
    let inputs = match inputs(config_path, args.database_url, args.migrations) {
        Ok(i) => i,
        Err(e) => return crate::render::error(&e, format),
    };
    let rt = match runtime() {
        Ok(r) => r,
        Err(e) => return crate::render::error(&e, format),
    };
    match rt.block_on(migrate::status(&inputs.url, &inputs.history)) {
        Ok(report) => render::status(&report, &inputs.history, &inputs.label, format),
        Err(e) => render::status_error(&e, format),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("5s"), Ok(Duration::from_secs(5)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("1m"), Ok(Duration::from_secs(60)));
        assert_eq!(parse_duration("2"), Ok(Duration::from_secs(2)));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("5 parsecs").is_err());
        assert!(parse_duration("").is_err());
        assert!(parse_duration("1e400s").is_err());
    }
}
