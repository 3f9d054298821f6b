//! `strata diff`: the migration plan from one source to another.
//!
//! Exit 0 when there is nothing to do, 1 when there is a plan, 2 on error
//! (a refused or unsupported change included).

use std::path::Path;
use std::process::ExitCode;

use strata_core::model::Schema;
use strata_core::plan::{plan_verified, Hazard, PlanOptions};
use strata_core::replay::RenameHint;
use strata_core::source::{load_offline_with, parse_spec, ReplayOptions, SourceSpec};
use strata_core::Error;

use crate::config;
use crate::render;
use crate::render::plan::{PlanFormat, Sides};
use crate::Format;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Where the database is now: a migration folder, declared SQL, or a
    /// postgres:// URL (`migrations:PATH` / `schema:PATH` force the kind).
    /// Default: the history (`migrations` in strata.toml).
    #[arg(long, value_name = "SRC")]
    from: Option<String>,
    /// Where it should be. Default: the declared schema (`schema` in
    /// strata.toml).
    #[arg(long, value_name = "SRC")]
    to: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = PlanFormat::Sql)]
    format: PlanFormat,
    /// Plan for a live database: indexes built and dropped concurrently,
    /// constraints added NOT VALID and validated apart, NOT NULL through a
    /// validated check.
    #[arg(long)]
    online: bool,
    /// Hazards to accept, comma-separated: deletes-data, rewrites-table,
    /// locks-table, blocks-writes, may-fail, changes-generated-values.
    /// Steps that delete data are refused unless allowed.
    #[arg(long, value_name = "HAZARDS", value_delimiter = ',')]
    allow_hazards: Vec<String>,
    /// PostgreSQL version the plan is for (15, 17, 16.4 or 170000).
    /// Default: the live side's server, else 15.
    #[arg(long, value_name = "VERSION")]
    pg_version: Option<String>,
    /// The role that runs the migrations (see `strata check --role`):
    /// offline sources are replayed as it.
    #[arg(long, value_name = "NAME")]
    role: Option<String>,
    /// Plan owners too (`ALTER … OWNER TO`). An object the SQL gives no
    /// owner belongs to the role that runs the migrations: `--role`, else
    /// the role strata connects to a live side as.
    #[arg(long)]
    owners: bool,
}

/// A side of the plan, loaded.
pub(crate) struct Side {
    pub schema: Schema,
    pub renames: Vec<RenameHint>,
    pub label: String,
    pub server_version_num: Option<u32>,
    /// The role a live side was read as (`current_user`).
    pub current_user: Option<String>,
}

pub fn run(args: Args, config_path: Option<&Path>) -> ExitCode {
    let json = args.format == PlanFormat::Json;
    let fmt = if json { Format::Json } else { Format::Text };
    let found = match config::find(config_path) {
        Ok(f) => f,
        Err(e) => return render::error(&e, fmt),
    };
    let from = match args.from.or_else(|| {
        config::configured_path(&found, "migrations").map(|p| format!("migrations:{p}"))
    }) {
        Some(s) => s,
        None => {
            let e = Error::source(
                "strata.toml",
                "no source to plan from",
                "pass --from SRC, or set `migrations` in strata.toml",
            );
            return render::error(&e, fmt);
        }
    };
    let to = match args
        .to
        .or_else(|| config::configured_path(&found, "schema").map(|p| format!("schema:{p}")))
    {
        Some(s) => s,
        None => {
            let e = Error::source(
                "strata.toml",
                "no target to plan to",
                "pass --to SRC, or set `schema` in strata.toml",
            );
            return render::error(&e, fmt);
        }
    };
    let mut opts = match plan_options(args.online, &args.allow_hazards, args.pg_version.as_deref())
    {
        Ok(o) => o,
        Err(e) => return render::error(&e, fmt),
    };
    let replay = match config::replay_options(&found, args.role) {
        Ok(r) => r,
        Err(e) => return render::error(&e, fmt),
    };
    let (a, b) = load_sides(&from, &to, &replay);
    let a = match a {
        Ok(s) => s,
        Err(e) => return render::error(&e, fmt),
    };
    let b = match b {
        Ok(s) => s,
        Err(e) => return render::error(&e, fmt),
    };
    if args.pg_version.is_none() {
        if let Some(v) = a.server_version_num.or(b.server_version_num) {
            opts.server_version_num = v;
        }
    }
    opts.renames = b.renames.clone();
    if args.owners {
        opts.owners = Some(match &replay.role {
            strata_core::replay::Role::Named(r) => Some(r.clone()),
            _ => a.current_user.clone().or_else(|| b.current_user.clone()),
        });
    }
    let sides = Sides {
        from: a.label.clone(),
        to: b.label.clone(),
        server_version_num: opts.server_version_num,
    };
    match plan_verified(&a.schema, &b.schema, &opts) {
        Ok(p) => render::plan::plan(&p, &sides, args.format),
        Err(e) => render::plan::error(&e, json),
    }
}

/// Options from the flags shared by `strata diff` and `strata new`.
pub(crate) fn plan_options(
    online: bool,
    allow: &[String],
    pg_version: Option<&str>,
) -> Result<PlanOptions, Error> {
    let mut opts = PlanOptions {
        online,
        ..PlanOptions::default()
    };
    for h in allow.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        match Hazard::parse(h) {
            Some(h) => {
                opts.allow.insert(h);
            }
            None => {
                let names: Vec<&str> = Hazard::ALL.iter().map(|h| h.name()).collect();
                return Err(Error::source(
                    "--allow-hazards",
                    format!("unknown hazard `{h}`"),
                    format!("hazards are: {}", names.join(", ")),
                ));
            }
        }
    }
    if let Some(v) = pg_version {
        opts.server_version_num = parse_pg_version(v).ok_or_else(|| {
            Error::source(
                "--pg-version",
                format!("cannot read the PostgreSQL version `{v}`"),
                "write a major version (15, 17), major.minor (16.4) or a server_version_num (170002)",
            )
        })?;
    }
    Ok(opts)
}

/// `15` → 150000, `16.4` → 160004, `170002` → 170002.
fn parse_pg_version(v: &str) -> Option<u32> {
    let v = v.trim();
    if let Some((major, minor)) = v.split_once('.') {
        let major: u32 = major.parse().ok()?;
        let minor: u32 = minor.parse().ok()?;
        return (major >= 10 && minor < 10000).then_some(major * 10000 + minor);
    }
    let n: u32 = v.parse().ok()?;
    match n {
        10..=99 => Some(n * 10000),
        100000..=999999 => Some(n),
        _ => None,
    }
}

/// Loads both sources at once, `from` on a second thread (each is a whole
/// replay or a catalog read, independent of the other). An error on `from`
/// is still the one reported first.
pub(crate) fn load_sides(
    from: &str,
    to: &str,
    replay: &ReplayOptions,
) -> (Result<Side, Error>, Result<Side, Error>) {
    std::thread::scope(|s| {
        let first = std::thread::Builder::new()
            .name("strata-from".into())
            .spawn_scoped(s, || load_side(from, replay));
        let b = load_side(to, replay);
        let a = match first {
            Ok(h) => h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)),
            // No second thread to be had: one after the other.
            Err(_) => load_side(from, replay),
        };
        (a, b)
    })
}

/// Loads a source: replayed offline, or read from a live database (with
/// its server version).
pub(crate) fn load_side(spec: &str, replay: &ReplayOptions) -> Result<Side, Error> {
    let parsed = parse_spec(spec);
    match &parsed {
        SourceSpec::Url(url) => {
            let label = strata::conn::describe_url(url);
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| {
                    Error::source(
                        "strata diff",
                        format!("cannot start the async runtime: {e}"),
                        "this is unexpected; please report it",
                    )
                })?;
            let (schema, version, current_user) = runtime.block_on(read_live(url, &label))?;
            Ok(Side {
                schema,
                renames: Vec::new(),
                label,
                server_version_num: version,
                current_user,
            })
        }
        SourceSpec::Migrations(p) | SourceSpec::Schema(p) => {
            let loaded = load_offline_with(&parsed, replay)?;
            // As on the live side: a dump (a Rails structure.sql) carries
            // the migration tools' tables, which are never planned.
            let mut schema = loaded.replayed.schema;
            strata::drift::remove_history_objects(&mut schema);
            Ok(Side {
                schema,
                renames: loaded.replayed.renames,
                label: p.display().to_string(),
                server_version_num: None,
                current_user: None,
            })
        }
    }
}

async fn read_live(url: &str, label: &str) -> Result<(Schema, Option<u32>, Option<String>), Error> {
    let session = strata::conn::connect(url).await.map_err(|e| {
        Error::source(
            label,
            e.to_string(),
            "check the URL and that the server runs",
        )
    })?;
    let row = session
        .client
        .query_one(
            "SELECT current_setting('server_version_num'), current_user::text",
            &[],
        )
        .await
        .ok();
    let version = row
        .as_ref()
        .and_then(|row| row.try_get::<_, String>(0).ok())
        .and_then(|s| s.trim().parse::<u32>().ok());
    let current_user = row.and_then(|row| row.try_get::<_, String>(1).ok());
    let schema =
        strata::inspect::inspect(&session.client, &strata::inspect::InspectOptions::default())
            .await
            .map_err(|e| {
                Error::source(
                    label,
                    session.redact(&e.to_string()),
                    "check that the role can read the catalog",
                )
            })?;
    session.close().await;
    // The migration tools' own tables are never planned.
    let mut schema = schema;
    strata::drift::remove_history_objects(&mut schema);
    Ok((schema, version, current_user))
}

#[cfg(test)]
mod tests {
    use super::parse_pg_version;

    #[test]
    fn versions_parse() {
        assert_eq!(parse_pg_version("15"), Some(150000));
        assert_eq!(parse_pg_version("16.4"), Some(160004));
        assert_eq!(parse_pg_version("170002"), Some(170002));
        assert_eq!(parse_pg_version("x"), None);
        assert_eq!(parse_pg_version("9"), None);
    }
}
