//! strata.toml and flags, turned into one config per command.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use strata_core::check::CheckInput;
use strata_core::replay::Role;
use strata_core::source::{parse_spec, ReplayOptions, SourceSpec};
use strata_core::Error;

/// The file at the repository root.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub schema: Option<String>,
    pub migrations: Option<String>,
    /// Name of the environment variable holding the database URL.
    pub database_url_env: Option<String>,
    /// The role the migrations run as (`--role`).
    pub role: Option<String>,
}

/// strata.toml, read, with the folder it was found in.
#[derive(Debug, Default)]
pub struct Found {
    pub dir: Option<PathBuf>,
    pub file: FileConfig,
}

pub fn find(explicit: Option<&Path>) -> Result<Found, Error> {
    let path = match explicit {
        Some(p) => Some(p.to_path_buf()),
        None => {
            let mut dir = std::env::current_dir().ok();
            let mut found = None;
            while let Some(d) = dir {
                let candidate = d.join("strata.toml");
                if candidate.is_file() {
                    found = Some(candidate);
                    break;
                }
                dir = d.parent().map(Path::to_path_buf);
            }
            found
        }
    };
    let Some(path) = path else {
        return Ok(Found::default());
    };
    let text = std::fs::read_to_string(&path).map_err(|e| {
        Error::source(
            path.display().to_string(),
            format!("cannot read: {e}"),
            "check the path",
        )
    })?;
    let file: FileConfig = toml::from_str(&text).map_err(|e| {
        let (line, col) = e
            .span()
            .map(|s| strata_core::error::line_column(&text, s.start))
            .unwrap_or((1, 1));
        Error::source(
            format!("{}:{line}:{col}", path.display()),
            format!("invalid strata.toml: {}", e.message()),
            "strata.toml takes `schema`, `migrations`, `database_url_env` and `role`",
        )
    })?;
    Ok(Found {
        dir: path.parent().map(Path::to_path_buf),
        file,
    })
}

/// Paths in strata.toml are relative to its folder; shown relative to the
/// current directory when possible.
fn resolve(dir: &Option<PathBuf>, p: &str) -> String {
    let Some(d) = dir else { return p.to_string() };
    let full = d.join(p);
    if let Ok(cwd) = std::env::current_dir() {
        if let Ok(rel) = full.strip_prefix(&cwd) {
            let s = rel.display().to_string();
            return if s.is_empty() { ".".to_string() } else { s };
        }
    }
    full.display().to_string()
}

pub struct CheckConfig {
    pub input: CheckInput,
    pub schema_label: String,
    pub migrations_label: String,
}

pub fn check_config(
    explicit: Option<&Path>,
    schema: Option<String>,
    migrations: Option<String>,
    role: Option<String>,
) -> Result<CheckConfig, Error> {
    let found = find(explicit)?;
    let replay = replay_options(&found, role)?;
    let schema = match schema {
        Some(s) => s,
        None => match &found.file.schema {
            Some(s) => format!("schema:{}", resolve(&found.dir, s)),
            None => {
                return Err(Error::source(
                    "strata.toml",
                    "no declared schema given",
                    "pass --schema PATH, or add `schema = \"schema/sql\"` to strata.toml",
                ))
            }
        },
    };
    let migrations =
        match migrations {
            Some(s) => s,
            None => match &found.file.migrations {
                Some(s) => format!("migrations:{}", resolve(&found.dir, s)),
                None => return Err(Error::source(
                    "strata.toml",
                    "no migration history given",
                    "pass --migrations PATH, or add `migrations = \"migrations\"` to strata.toml",
                )),
            },
        };
    let schema_spec = parse_spec(&schema);
    // A folder given as the history is read as one even when its naming is
    // not recognised (that is an error naming the folder), never silently as
    // declared SQL; `schema:PATH` still forces the other reading.
    let migrations_spec = match parse_spec(&migrations) {
        SourceSpec::Schema(p) if p.is_dir() && !migrations.starts_with("schema:") => {
            SourceSpec::Migrations(p)
        }
        other => other,
    };
    let label = |s: &SourceSpec| match s {
        SourceSpec::Migrations(p) | SourceSpec::Schema(p) => p.display().to_string(),
        SourceSpec::Url(_) => "<database>".to_string(),
    };
    Ok(CheckConfig {
        schema_label: label(&schema_spec),
        migrations_label: label(&migrations_spec),
        input: CheckInput {
            schema: schema_spec,
            migrations: migrations_spec,
            replay,
            owners: false,
        },
    })
}

/// How offline sources are replayed: the role the migrations run as, from
/// `--role`, else `role` in strata.toml. Without either, `"$user"` in the
/// search path matches no schema and every grantee is a role other than the
/// owner.
pub fn replay_options(found: &Found, flag: Option<String>) -> Result<ReplayOptions, Error> {
    let role = match flag.or_else(|| found.file.role.clone()) {
        None => Role::default(),
        Some(r) if r.trim().is_empty() || r.contains('\0') => {
            return Err(Error::source(
                "--role",
                "the role name is empty or holds a NUL byte",
                "pass the name of the role that runs the migrations, e.g. --role app",
            ))
        }
        Some(r) => Role::Named(r),
    };
    Ok(ReplayOptions {
        role,
        ..ReplayOptions::default()
    })
}

/// The database URL: the flag, else the variable strata.toml names
/// (`database_url_env`, default `DATABASE_URL`).
pub fn database_url(found: &Found, flag: Option<String>) -> Result<String, Error> {
    if let Some(u) = flag {
        return Ok(u);
    }
    let var = found
        .file
        .database_url_env
        .clone()
        .unwrap_or_else(|| "DATABASE_URL".to_string());
    match std::env::var(&var) {
        Ok(u) if !u.trim().is_empty() => Ok(u),
        _ => Err(Error::source(
            "database URL",
            format!("no database given: --database-url is not set and neither is ${var}"),
            format!("pass --database-url postgres://user@host/db, or set {var}"),
        )),
    }
}

/// The configured path of `key` (`schema` or `migrations`), resolved
/// against strata.toml's folder.
pub fn configured_path(found: &Found, key: &str) -> Option<String> {
    let v = match key {
        "schema" => found.file.schema.as_ref(),
        "migrations" => found.file.migrations.as_ref(),
        _ => None,
    }?;
    Some(resolve(&found.dir, v))
}
