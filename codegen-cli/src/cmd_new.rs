//! `strata new NAME`: the next migration of the configured folder, in the
//! folder's own naming, holding the plan from the history to the declared
//! schema (hazards as comments, `-- strata:no-transaction` where a unit
//! must run outside a transaction). A plan of several units is written as
//! several migrations, in order. `--empty` writes a blank migration.
//!
//! Exit 0 when written (or nothing to do), 2 on error.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use strata_core::plan::{plan_verified, Plan};
use strata_core::source::{load_history, History, HistoryFormat, SourceSpec};
use strata_core::Error;

use crate::cmd_diff::{load_sides, plan_options};
use crate::config;
use crate::render;
use crate::Format;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The migration's name (letters, digits and `_`; other characters
    /// become `_`).
    name: String,
    /// Write a blank migration instead of the plan.
    #[arg(long)]
    empty: bool,
    /// The migration folder. Default: `migrations` in strata.toml.
    #[arg(long, value_name = "DIR")]
    migrations: Option<PathBuf>,
    /// The declared schema. Default: `schema` in strata.toml.
    #[arg(long, value_name = "PATH")]
    schema: Option<String>,
    /// Plan for a live database (see `strata diff --online`).
    #[arg(long)]
    online: bool,
    /// Hazards to accept, comma-separated (see `strata diff`).
    #[arg(long, value_name = "HAZARDS", value_delimiter = ',')]
    allow_hazards: Vec<String>,
    /// PostgreSQL version the migration is for (default 15).
    #[arg(long, value_name = "VERSION")]
    pg_version: Option<String>,
    /// The role that runs the migrations (see `strata check --role`).
    #[arg(long, value_name = "NAME")]
    role: Option<String>,
    /// Plan owners too (`ALTER … OWNER TO`); an object the SQL gives no
    /// owner belongs to the role that runs the migrations (`--role`).
    #[arg(long)]
    owners: bool,
}

pub fn run(args: Args, config_path: Option<&Path>) -> ExitCode {
    match write(args, config_path) {
        Ok(code) => code,
        Err(Failure::Source(e)) => render::error(&e, Format::Text),
        Err(Failure::Plan(e)) => render::plan::error(&e, false),
    }
}

enum Failure {
    Source(Error),
    Plan(strata_core::plan::PlanError),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Source(e)
    }
}

fn write(args: Args, config_path: Option<&Path>) -> Result<ExitCode, Failure> {
    let found = config::find(config_path)?;
    let folder = match args.migrations.clone() {
        Some(p) => p,
        None => PathBuf::from(
            config::configured_path(&found, "migrations").ok_or_else(|| {
                Error::source(
                    "strata.toml",
                    "no migration folder given",
                    "pass --migrations DIR, or set `migrations` in strata.toml",
                )
            })?,
        ),
    };
    let history = load_history(&folder)?;
    if history.format == HistoryFormat::Drizzle {
        return Err(Error::source(
            folder.display().to_string(),
            "strata new does not write drizzle-kit migrations: their journal and snapshots belong to drizzle-kit",
            "print the plan with `strata diff --format sql` and add it with drizzle-kit",
        )
        .into());
    }
    let name = clean_name(&args.name);
    if name.is_empty() {
        return Err(Error::source(
            "strata new",
            "the migration needs a name",
            "pass a name such as add_invites",
        )
        .into());
    }
    if args.empty {
        let path = write_files(&history, &name, &[String::new()])?;
        eprintln!("strata new: wrote {} (empty)", show(&path[0]));
        return Ok(ExitCode::SUCCESS);
    }
    let schema = match args.schema.clone() {
        Some(s) => s,
        None => config::configured_path(&found, "schema")
            .map(|p| format!("schema:{p}"))
            .ok_or_else(|| {
                Error::source(
                    "strata.toml",
                    "no declared schema given",
                    "pass --schema PATH, or set `schema` in strata.toml",
                )
            })?,
    };
    let mut opts = plan_options(args.online, &args.allow_hazards, args.pg_version.as_deref())?;
    // Checked before anything is read: a URL here is never connected to.
    if matches!(strata_core::source::parse_spec(&schema), SourceSpec::Url(_)) {
        return Err(Error::source(
            "--schema",
            "the declared schema must be SQL files, not a database",
            "pass a .sql file or folder",
        )
        .into());
    }
    let replay = config::replay_options(&found, args.role.clone())?;
    let (from, to) = load_sides(
        &format!("migrations:{}", folder.display()),
        &schema,
        &replay,
    );
    let (from, to) = (from?, to?);
    opts.renames = to.renames.clone();
    if args.owners {
        opts.owners = Some(match &replay.role {
            strata_core::replay::Role::Named(r) => Some(r.clone()),
            _ => None,
        });
    }
    let plan = plan_verified(&from.schema, &to.schema, &opts).map_err(Failure::Plan)?;
    for s in &plan.stale_hints {
        eprintln!(
            "warning: stale rename hint at {} (`-- strata:renamed-from {}`): {}",
            s.hint.location, s.hint.from, s.reason
        );
    }
    for w in &plan.warnings {
        eprintln!("warning: {w}");
    }
    if plan.is_empty() {
        eprintln!(
            "strata new: nothing to write: the history ({}) already builds the declared schema ({})",
            from.label, to.label
        );
        return Ok(ExitCode::SUCCESS);
    }
    let mut bodies = Vec::new();
    let mut first = 1;
    for u in &plan.units {
        let mut body = Plan::unit_sql(u, first);
        let header = format!(
            "-- Written by `strata new`: from the history ({}) to the declared schema ({}), for PostgreSQL {}.\n-- Hazards: {}.\n\n",
            // A line break in a path would end the comment: the rest
            // would be SQL in the migration.
            render::plan::one_line(&from.label),
            render::plan::one_line(&to.label),
            opts.server_version_num / 10000,
            {
                let h: Vec<&str> = u
                    .steps
                    .iter()
                    .flat_map(|s| s.hazards.iter().map(|h| h.hazard.name()))
                    .collect::<std::collections::BTreeSet<_>>()
                    .into_iter()
                    .collect();
                if h.is_empty() {
                    "none".to_string()
                } else {
                    h.join(", ")
                }
            }
        );
        // The directive stays on the first line.
        if let Some(rest) = body.strip_prefix("-- strata:no-transaction\n") {
            body = format!("-- strata:no-transaction\n{header}{rest}");
        } else {
            body = format!("{header}{body}");
        }
        first += u.steps.len();
        bodies.push(body);
    }
    let paths = write_files(&history, &name, &bodies)?;
    eprintln!(
        "strata new: {} step{} from {} to {}",
        plan.step_count(),
        if plan.step_count() == 1 { "" } else { "s" },
        from.label,
        to.label
    );
    for (p, u) in paths.iter().zip(&plan.units) {
        eprintln!(
            "  wrote {}{}",
            show(p),
            if u.transactional {
                ""
            } else {
                " (no transaction)"
            }
        );
    }
    let hazards: Vec<&str> = plan.hazards().into_iter().map(|h| h.name()).collect();
    if !hazards.is_empty() {
        eprintln!(
            "  hazards: {} (see the comments in the file)",
            hazards.join(", ")
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn show(p: &Path) -> String {
    p.display().to_string()
}

/// Letters, digits and `_`, lower-case; anything else `_`.
fn clean_name(name: &str) -> String {
    let s: String = name
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    s.trim_matches('_').to_string()
}

/// Writes one migration per body, numbered after the folder's last one;
/// returns the paths of the SQL files written.
fn write_files(history: &History, name: &str, bodies: &[String]) -> Result<Vec<PathBuf>, Error> {
    let root = &history.root;
    let mut out = Vec::new();
    let mut next = next_version(history);
    for (i, body) in bodies.iter().enumerate() {
        let title = if i == 0 {
            name.to_string()
        } else {
            format!("{name}_{}", i + 1)
        };
        let version = next.text();
        next.bump();
        let reversible = history
            .migrations
            .iter()
            .any(|m| m.file.path.ends_with(".up.sql"));
        let mut files: Vec<(PathBuf, String)> = Vec::new();
        match history.format {
            HistoryFormat::Refinery => {
                files.push((root.join(format!("V{version}__{title}.sql")), body.clone()))
            }
            HistoryFormat::Sqlx if !reversible => {
                files.push((root.join(format!("{version}_{title}.sql")), body.clone()))
            }
            HistoryFormat::Sqlx | HistoryFormat::GolangMigrate => {
                files.push((root.join(format!("{version}_{title}.up.sql")), body.clone()));
                files.push((
                    root.join(format!("{version}_{title}.down.sql")),
                    "-- Written by `strata new`: write the reverse migration here.\n".to_string(),
                ));
            }
            HistoryFormat::Dbmate => {
                let (directive, rest) = match body.strip_prefix("-- strata:no-transaction\n") {
                    Some(rest) => (" transaction:false\n-- strata:no-transaction", rest),
                    None => ("", body.as_str()),
                };
                files.push((
                    root.join(format!("{version}_{title}.sql")),
                    format!("-- migrate:up{directive}\n{rest}\n-- migrate:down\n"),
                ));
            }
            HistoryFormat::Prisma => {
                files.push((
                    root.join(format!("{version}_{title}"))
                        .join("migration.sql"),
                    body.clone(),
                ));
            }
            HistoryFormat::Diesel => {
                let dir = root.join(format!("{version}_{title}"));
                files.push((dir.join("up.sql"), body.clone()));
                files.push((
                    dir.join("down.sql"),
                    "-- Written by `strata new`: write the reverse migration here.\n".to_string(),
                ));
            }
            HistoryFormat::Drizzle => {
                return Err(Error::source(
                    root.display().to_string(),
                    "strata new does not write drizzle-kit migrations",
                    "use `strata diff --format sql`",
                ))
            }
        }
        for (k, (path, text)) in files.iter().enumerate() {
            if path.exists() {
                return Err(Error::source(
                    path.display().to_string(),
                    "a migration with this name exists already",
                    "choose another name",
                ));
            }
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|e| io_error(parent, e))?;
            }
            std::fs::write(path, text).map_err(|e| io_error(path, e))?;
            if k == 0 {
                out.push(path.clone());
            }
        }
    }
    Ok(out)
}

fn io_error(p: &Path, e: std::io::Error) -> Error {
    Error::source(
        p.display().to_string(),
        format!("cannot write: {e}"),
        "check that the folder exists and is writable",
    )
}

/// The next version in the folder's style.
enum Next {
    /// A number, zero-padded to `width`.
    Number { n: u128, width: usize },
    /// Diesel's `YYYY-MM-DD-HHMMSS`.
    Dashed(String, u32),
}

impl Next {
    fn text(&self) -> String {
        match self {
            Next::Number { n, width } => format!("{n:0width$}"),
            Next::Dashed(base, 0) => base.clone(),
            Next::Dashed(base, k) => format!("{base}{k}"),
        }
    }

    fn bump(&mut self) {
        match self {
            Next::Number { n, .. } => *n += 1,
            Next::Dashed(_, k) => *k += 1,
        }
    }
}

fn next_version(h: &History) -> Next {
    let now = utc_timestamp();
    match h.format {
        HistoryFormat::Refinery => {
            let max = h
                .migrations
                .iter()
                .filter_map(|m| m.version.split(['.', '_']).next()?.parse::<u128>().ok())
                .max()
                .unwrap_or(0);
            Next::Number {
                n: max + 1,
                width: 0,
            }
        }
        HistoryFormat::Diesel => {
            let stamp = format!(
                "{}-{}-{}-{}",
                &now[0..4],
                &now[4..6],
                &now[6..8],
                &now[8..14]
            );
            Next::Dashed(stamp, 0)
        }
        _ => {
            let versions: Vec<&str> = h.migrations.iter().map(|m| m.version.as_str()).collect();
            let max = versions
                .iter()
                .filter_map(|v| v.parse::<u128>().ok())
                .max()
                .unwrap_or(0);
            let width = versions.iter().map(|v| v.len()).max().unwrap_or(0);
            let timestamps = versions.is_empty()
                || versions.iter().all(|v| v.len() >= 14)
                || h.format == HistoryFormat::Prisma;
            if timestamps {
                let n = now.parse::<u128>().unwrap_or(0).max(max + 1);
                Next::Number { n, width: 14 }
            } else {
                Next::Number { n: max + 1, width }
            }
        }
    }
}

/// `YYYYMMDDHHMMSS` in UTC.
fn utc_timestamp() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = (secs / 86400) as i64;
    let rem = secs % 86400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}{m:02}{d:02}{:02}{:02}{:02}",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60
    )
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }

    #[test]
    fn names_are_cleaned() {
        assert_eq!(clean_name(" Add invites! "), "add_invites");
        assert_eq!(clean_name("--"), "");
    }
}
