//! `strata drift`: live databases compared with the declared schema, the
//! history, or another source; every difference attributed to its cause.
//!
//! Exit 0 when no database drifted, 1 when one did, 2 when one could not be
//! checked (or the input is bad): the worst over all databases. With
//! `--fail-on security`, a database drifted (1) only when a difference
//! concerns security.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use strata::drift::{Against, Expected, HistorySource};
use strata_core::replay::Replayed;
use strata_core::source::{
    load_declared, load_history, parse_spec, replay_declared_with, replay_history_with,
    ReplayOptions, SourceSpec,
};
use strata_core::Error;

use crate::config::{self, Found};
use crate::render::drift::{self as render, Checked, DriftFormat};
use crate::render::FailOn;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A database to check (repeat the flag for several). Without it and
    /// without --targets: the variable strata.toml's `database_url_env` names
    /// (default DATABASE_URL).
    #[arg(long = "database-url", value_name = "URL")]
    pub database_url: Vec<String>,
    /// A file listing databases: one URL per line, or `name=URL`; `#` starts a
    /// comment; blank lines are skipped.
    #[arg(long, value_name = "FILE")]
    pub targets: Option<PathBuf>,
    /// What the databases should have: `schema` (the declared schema),
    /// `migrations` (the whole history), or a source: a .sql file or folder,
    /// a migration folder (`schema:PATH` / `migrations:PATH` force the kind).
    #[arg(long, default_value = "schema", value_name = "schema|migrations|SRC")]
    pub against: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DriftFormat::Text)]
    pub format: DriftFormat,
    /// When to exit 1: on any drift, or only on a difference that concerns
    /// security (policies, row level security, SECURITY DEFINER and such a
    /// function's configuration). Every difference is printed either way.
    #[arg(long, value_enum, default_value_t = FailOn::Any, value_name = "any|security")]
    pub fail_on: FailOn,
    /// Compare only these namespaces (comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "A,B")]
    pub schemas: Vec<String>,
    /// How many databases are checked at once.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: u16,
    /// Seconds one database may take (connecting and reading) before it is
    /// reported as an error.
    #[arg(long, default_value_t = 60, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout: u64,
    /// Connections reading each database at once, sharing one snapshot.
    /// Default: 2 for one database; 1 each for several (they are read in
    /// parallel already, see --jobs).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=16))]
    pub connections: Option<u16>,
    /// The role that ran the migrations (see `strata check --role`): the
    /// expected side is replayed as it, so a grant to it by name is the
    /// owner's. Default: `role` in strata.toml.
    #[arg(long, value_name = "NAME")]
    pub role: Option<String>,
    /// Compare owners too (a security difference). An object the expected
    /// SQL gives no owner belongs to the role that ran the migrations:
    /// `--role`, else the role strata connects to each database as.
    #[arg(long)]
    pub owners: bool,
}

/// A database to check. The URL never leaves this module.
struct Target {
    name: Option<String>,
    url: String,
}

pub fn run(args: Args, config_path: Option<&Path>) -> ExitCode {
    let format = args.format;
    let (found, namespaces, targets) = match prepare(&args, config_path) {
        Ok(p) => p,
        Err(e) => return render::input_error(&e, format),
    };
    let replay = match config::replay_options(&found, args.role.clone()) {
        Ok(r) => r,
        Err(e) => return render::input_error(&e, format),
    };
    one_malloc_arena();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            let e = Error::source(
                "strata drift",
                format!("cannot start the async runtime: {e}"),
                "this is a system problem (threads or file descriptors exhausted)",
            );
            return render::input_error(&e, format);
        }
    };
    let jobs = usize::from(args.jobs);
    let owners = args.owners;
    let timeout = std::time::Duration::from_secs(args.timeout);
    let against = args.against.clone();
    let connections = match args.connections {
        Some(n) => usize::from(n),
        None if targets.len() == 1 => strata::inspect::DEFAULT_CONNECTIONS,
        None => 1,
    };
    let options = strata::inspect::InspectOptions {
        namespaces: namespaces.clone(),
    };
    // The expected side (CPU: split, parse, replay) is made on a blocking
    // thread while the databases are read (IO on the runtime); each read
    // then waits for it, and it is made once for the whole fleet.
    let outcome = runtime.block_on(async move {
        let (tx, rx) = tokio::sync::watch::channel(None);
        let reads = tokio::spawn(check_all(rx, options, targets, jobs, connections, timeout));
        let owners = owners.then(|| match &replay.role {
            strata_core::replay::Role::Named(r) => Some(r.clone()),
            _ => None,
        });
        let loaded = tokio::task::spawn_blocking(move || {
            load_expected(&found, &against, namespaces, &replay).map(|mut e| {
                if let Some(role) = owners {
                    e.compare_owners(role);
                }
                Arc::new(e)
            })
        })
        .await
        .unwrap_or_else(|e| {
            Err(Error::source(
                "strata drift",
                format!("loading the expected schema stopped unexpectedly: {e}"),
                "this is a bug in strata: please report it",
            ))
        });
        match loaded {
            Ok(expected) => {
                // Nobody waiting (every read failed) is not an error.
                let _ = tx.send(Some(Arc::clone(&expected)));
                match reads.await {
                    Ok(results) => Ok((expected, results)),
                    Err(e) => Err(Error::source(
                        "strata drift",
                        format!("reading the databases stopped unexpectedly: {e}"),
                        "this is a bug in strata: please report it",
                    )),
                }
            }
            Err(e) => {
                reads.abort();
                Err(e)
            }
        }
    });
    // The models are freed by the process's exit: dropping them (a
    // million small allocations at 10,000 tables) would only add time.
    match outcome {
        Ok((expected, results)) => {
            let code = render::report(&results, &expected, format, args.fail_on);
            std::mem::forget(results);
            std::mem::forget(expected);
            std::mem::forget(runtime);
            code
        }
        Err(e) => render::input_error(&e, format),
    }
}

/// glibc gives each thread that allocates its own arena, and memory freed
/// in one (the replay thread's parse trees, the readers' row buffers) is not
/// reused by another: at 10,000 tables the peak RSS was ~1.5× the live heap.
/// One arena for the process (before any thread starts) keeps it nearer the
/// heap; `MALLOC_ARENA_MAX` in the environment, when set, is left to decide.
fn one_malloc_arena() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: mallopt only sets an allocator parameter; it is called
        // before the runtime's threads exist.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 1);
        }
    }
}

type Prepared = (Found, Option<Vec<String>>, Vec<Target>);

fn prepare(args: &Args, config_path: Option<&Path>) -> Result<Prepared, Error> {
    let found = config::find(config_path)?;
    let namespaces = if args.schemas.is_empty() {
        None
    } else {
        Some(
            args.schemas
                .iter()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
        )
    };
    let targets = targets(args, &found)?;
    Ok((found, namespaces, targets))
}

fn load_history_source(path: &Path, replay: &ReplayOptions) -> Result<HistorySource, Error> {
    let history = load_history(path)?;
    // Drift attributes differences by the history's provenance only.
    let replay = ReplayOptions {
        skip_defined: true,
        ..replay.clone()
    };
    let replayed = replay_history_with(&history, &replay)?;
    Ok(HistorySource { history, replayed })
}

/// The declared side, its files' text freed once replayed (before the
/// model is compared). Its provenance map is never built; where each
/// object is defined only when `defined` (drift replays it again for that
/// when a difference is reported: see [`locate_declared_later`]).
fn replay_declared_source(
    path: &Path,
    replay: &ReplayOptions,
    defined: bool,
) -> Result<Replayed, Error> {
    let files = load_declared(path)?;
    let replay = ReplayOptions {
        skip_provenance: true,
        skip_defined: !defined,
        ..replay.clone()
    };
    let declared = replay_declared_with(&files, &replay)?;
    drop(files);
    Ok(declared)
}

/// Where each object of the declared side at `path` is defined, replayed
/// again (only when a difference is reported).
fn locate_declared_later(expected: &mut Expected, path: &Path, replay: &ReplayOptions) {
    let path = path.to_path_buf();
    let replay = replay.clone();
    expected.locate_declared_later(move || {
        replay_declared_source(&path, &replay, true)
            .ok()
            .map(|r| r.defined)
    });
}

fn load_expected(
    found: &Found,
    against: &str,
    namespaces: Option<Vec<String>>,
    replay: &ReplayOptions,
) -> Result<Expected, Error> {
    let configured_history = || -> Result<Option<HistorySource>, Error> {
        match config::configured_path(found, "migrations") {
            Some(p) => load_history_source(Path::new(&p), replay).map(Some),
            None => Ok(None),
        }
    };
    let mut declared_path = None;
    let (kind, label, declared, history) = match against {
        "schema" => {
            let Some(p) = config::configured_path(found, "schema") else {
                return Err(Error::source(
                    "strata.toml",
                    "no declared schema configured",
                    "add `schema = \"schema/sql\"` to strata.toml, or pass --against PATH",
                ));
            };
            let declared = replay_declared_source(Path::new(&p), replay, false)?;
            declared_path = Some(PathBuf::from(&p));
            (Against::Declared, p, Some(declared), configured_history()?)
        }
        "migrations" => {
            let Some(p) = config::configured_path(found, "migrations") else {
                return Err(Error::source(
                    "strata.toml",
                    "no migration history configured",
                    "add `migrations = \"migrations\"` to strata.toml, or pass --against migrations:PATH",
                ));
            };
            let h = load_history_source(Path::new(&p), replay)?;
            (Against::Migrations, p, None, Some(h))
        }
        src => match parse_spec(src) {
            SourceSpec::Url(_) => return Err(Error::source(
                "--against",
                "a database URL cannot be the expected schema",
                "compare with `schema`, `migrations`, a SQL file or folder, or a migration folder",
            )),
            SourceSpec::Migrations(p) => {
                let h = load_history_source(&p, replay)?;
                (Against::Migrations, p.display().to_string(), None, Some(h))
            }
            SourceSpec::Schema(p) => {
                let declared = replay_declared_source(&p, replay, false)?;
                declared_path = Some(p.clone());
                (
                    Against::Source,
                    p.display().to_string(),
                    Some(declared),
                    configured_history()?,
                )
            }
        },
    };
    let mut expected =
        Expected::new(kind, label, declared, history, namespaces).ok_or_else(|| {
            Error::source(
                "--against",
                "nothing to compare with",
                "pass --against schema, migrations, or a source path",
            )
        })?;
    if let Some(path) = declared_path {
        locate_declared_later(&mut expected, &path, replay);
    }
    Ok(expected)
}

/// The databases: every --database-url, then the --targets file; without
/// either, the configured environment variable.
fn targets(args: &Args, found: &Found) -> Result<Vec<Target>, Error> {
    let mut v: Vec<Target> = args
        .database_url
        .iter()
        .map(|u| Target {
            name: None,
            url: u.clone(),
        })
        .collect();
    if let Some(file) = &args.targets {
        let text = std::fs::read_to_string(file).map_err(|e| {
            Error::source(
                file.display().to_string(),
                format!("cannot read the targets file: {e}"),
                "pass a file with one database URL (or name=URL) per line",
            )
        })?;
        let before = v.len();
        v.extend(parse_targets(&text));
        if v.len() == before {
            return Err(Error::source(
                file.display().to_string(),
                "the targets file lists no database",
                "write one database URL (or name=URL) per line; `#` starts a comment",
            ));
        }
    }
    if v.is_empty() {
        let url = config::database_url(found, None)?;
        v.push(Target { name: None, url });
    }
    Ok(v)
}

/// `URL` or `name=URL` per line; `#` comments (whole lines, or after
/// whitespace) and blank lines skipped.
fn parse_targets(text: &str) -> Vec<Target> {
    let mut v = Vec::new();
    for line in text.lines() {
        let line = match line.find(" #").or_else(|| line.find("\t#")) {
            Some(i) => &line[..i],
            None => line,
        };
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let is_url = line.starts_with("postgres://") || line.starts_with("postgresql://");
        let (name, url) = match line.split_once('=') {
            Some((n, u)) if !is_url => (Some(n.trim().to_string()), u.trim().to_string()),
            _ => (None, line.to_string()),
        };
        v.push(Target { name, url });
    }
    v
}

/// Reads every target (at most `jobs` at once, each within `timeout`),
/// then compares each with the expected schema once `expected` has it.
async fn check_all(
    expected: tokio::sync::watch::Receiver<Option<Arc<Expected>>>,
    options: strata::inspect::InspectOptions,
    targets: Vec<Target>,
    jobs: usize,
    connections: usize,
    timeout: std::time::Duration,
) -> Vec<Checked> {
    let bar = if std::io::stderr().is_terminal() {
        let bar =
            ProgressBar::with_draw_target(Some(targets.len() as u64), ProgressDrawTarget::stderr());
        if let Ok(style) =
            ProgressStyle::with_template("{spinner} checking databases {pos}/{len} {bar:30} {msg}")
        {
            bar.set_style(style);
        }
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        bar
    } else {
        ProgressBar::hidden()
    };
    let permits = Arc::new(tokio::sync::Semaphore::new(jobs.max(1)));
    let options = Arc::new(options);
    let mut tasks = Vec::with_capacity(targets.len());
    for t in targets {
        let mut expected = expected.clone();
        let options = Arc::clone(&options);
        let permits = Arc::clone(&permits);
        let bar = bar.clone();
        let label = strata::conn::describe_url(&t.url);
        let shown = t.name.clone().unwrap_or_else(|| label.clone());
        let name = t.name.clone();
        let handle = tokio::spawn(async move {
            let read = match permits.acquire_owned().await {
                Ok(_permit) => tokio::time::timeout(
                    timeout,
                    strata::drift::read_live_url(&t.url, &options, connections),
                )
                    .await
                    .unwrap_or_else(|_| {
                        Err(format!(
                            "no answer within {} s (connecting and reading); raise --timeout if the database is slow",
                            timeout.as_secs()
                        ))
                    }),
                Err(_) => Err("the worker pool was closed".to_string()),
            };
            let outcome = match read {
                Ok(read) => {
                    let ready = expected
                        .wait_for(Option::is_some)
                        .await
                        .ok()
                        .and_then(|e| e.clone());
                    match ready {
                        // Comparing is CPU work: off the runtime's workers.
                        Some(e) => tokio::task::spawn_blocking(move || e.compare_read(read))
                            .await
                            .map_err(|e| format!("the comparison stopped unexpectedly: {e}")),
                        None => Err("the expected schema could not be made".to_string()),
                    }
                }
                Err(e) => Err(e),
            };
            bar.inc(1);
            bar.set_message(shown);
            outcome
        });
        tasks.push((name, label, handle));
    }
    let mut results = Vec::with_capacity(tasks.len());
    for (name, target, handle) in tasks {
        let outcome = match handle.await {
            Ok(o) => o,
            Err(e) => Err(format!("the check stopped unexpectedly: {e}")),
        };
        results.push(Checked {
            name,
            target,
            outcome,
        });
    }
    bar.finish_and_clear();
    results
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_files_take_urls_names_and_comments() {
        let t = parse_targets(
            "# fleet\n\nprod=postgres://u@h/db\npostgres://u@h/x?sslmode=disable # staging\n  \n",
        );
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].name.as_deref(), Some("prod"));
        assert_eq!(t[0].url, "postgres://u@h/db");
        assert_eq!(t[1].name, None);
        assert_eq!(t[1].url, "postgres://u@h/x?sslmode=disable");
    }
}
