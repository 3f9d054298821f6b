//! `strata init`: start a project — `strata.toml`, the schema and migration
//! folders, and the build script a crate needs — or adopt an existing
//! database (`--from URL`): its schema becomes the declared schema and a
//! baseline migration, which `strata migrate --baseline 1` then records as
//! applied on that database without running it.
//!
//! Exit 0 written, 2 error. Nothing that exists is overwritten: an existing
//! `strata.toml`, or SQL files already in the folders, stop the command
//! before it writes anything. The database URL is never printed or written.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use strata::inspect::{inspect_url, InspectOptions};
use strata_core::ddl;
use strata_core::Error;

use crate::render;
use crate::Format;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The project folder (created when missing). Default: the current one.
    #[arg(value_name = "DIR", default_value = ".")]
    dir: PathBuf,
    /// Adopt this database: write its schema (the history tables of
    /// migration tools left out) as the declared schema, one file per
    /// schema, and as `migrations/V1__baseline.sql`. Never printed.
    #[arg(long, value_name = "URL")]
    from: Option<String>,
    /// With --from: the schemas (namespaces) to read, comma-separated.
    /// Default: every non-system schema.
    #[arg(long, value_name = "A,B", value_delimiter = ',', requires = "from")]
    schemas: Option<Vec<String>>,
}

/// The folders strata.toml names, relative to it.
const SCHEMA_DIR: &str = "schema";
const MIGRATIONS_DIR: &str = "migrations";
const BASELINE: &str = "V1__baseline.sql";

const CONFIG: &str = "\
# strata's configuration: where the declared schema, the migration history
# and the database URL are. Paths are relative to this file.
schema = \"schema\"
migrations = \"migrations\"
database_url_env = \"DATABASE_URL\"
";

const STARTER: &str = "\
-- The declared schema: what the database should have, as plain SQL
-- (CREATE TABLE, CREATE INDEX, CREATE TYPE, …). Split it over as many files
-- as you like; they are read in name order. After a change,
-- `strata new <name>` writes the migration that gets the history there, and
-- `strata check` proves the two agree.
";

const BUILD_RS: &str = "\
//! Rebuilds the crate when a SQL file is added to or removed from the
//! declared schema or the history (`strata::schema!` tracks edits of the
//! files it read by itself).

fn main() {
    println!(\"cargo:rerun-if-changed=schema\");
    println!(\"cargo:rerun-if-changed=migrations\");
}
";

/// One file this run writes, and what it is.
struct Planned {
    path: PathBuf,
    text: String,
}

pub fn run(args: Args) -> ExitCode {
    match init(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Input(e)) => render::error(&e, Format::Text),
        Err(Failure::Inspect(e)) => render::inspect::error(&e),
    }
}

enum Failure {
    Input(Error),
    Inspect(strata::inspect::InspectError),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Input(e)
    }
}

fn init(args: Args) -> Result<(), Failure> {
    let dir = args.dir;
    let config = dir.join("strata.toml");
    if config.exists() {
        return Err(Error::source(
            config.display().to_string(),
            "strata.toml already exists: this folder is set up",
            "edit strata.toml, or run `strata init` in another folder",
        )
        .into());
    }
    for sub in [SCHEMA_DIR, MIGRATIONS_DIR] {
        if let Some(found) = first_sql_file(&dir.join(sub))? {
            return Err(Error::source(
                found.display().to_string(),
                format!("{sub}/ already holds SQL files; strata init writes nothing over them"),
                "point strata.toml at the folders you have (schema = …, migrations = …) instead of running init",
            )
            .into());
        }
    }

    let mut files = vec![Planned {
        path: config,
        text: CONFIG.to_string(),
    }];
    let mut adopted = None;
    match &args.from {
        None => files.push(Planned {
            path: dir.join(SCHEMA_DIR).join("schema.sql"),
            text: STARTER.to_string(),
        }),
        Some(url) => {
            let schema = read_database(url, args.schemas)?;
            for (name, sql) in ddl::schema_files(&schema) {
                files.push(Planned {
                    path: dir.join(SCHEMA_DIR).join(name),
                    text: sql,
                });
            }
            files.push(Planned {
                path: dir.join(MIGRATIONS_DIR).join(BASELINE),
                text: baseline_text(&ddl::schema_sql(&schema)),
            });
            adopted = Some((strata::conn::describe_url(url), schema.counts()));
        }
    }
    let cargo = dir.join("Cargo.toml").is_file();
    let build_rs = dir.join("build.rs");
    let build_note = if !cargo {
        None
    } else if build_rs.exists() {
        let text = std::fs::read_to_string(&build_rs).unwrap_or_default();
        let has = |d: &str| text.contains(&format!("rerun-if-changed={d}"));
        (!(has(SCHEMA_DIR) && has(MIGRATIONS_DIR))).then(|| {
            format!(
                "{} exists: add these lines to its main() so that `cargo build` notices a new SQL file:\n      println!(\"cargo:rerun-if-changed=schema\");\n      println!(\"cargo:rerun-if-changed=migrations\");",
                build_rs.display()
            )
        })
    } else {
        files.push(Planned {
            path: build_rs,
            text: BUILD_RS.to_string(),
        });
        None
    };

    for sub in [SCHEMA_DIR, MIGRATIONS_DIR] {
        let p = dir.join(sub);
        std::fs::create_dir_all(&p).map_err(|e| io_error(&p, "create the folder", e))?;
    }
    for f in &files {
        std::fs::write(&f.path, &f.text).map_err(|e| io_error(&f.path, "write", e))?;
    }

    let mut out = String::new();
    match &adopted {
        Some((target, counts)) => out.push_str(&format!(
            "strata init: adopted {target} in {}\n  {}\n",
            dir.display(),
            render::schema_counts(counts, true)
        )),
        None => out.push_str(&format!("strata init: set up {}\n", dir.display())),
    }
    for f in &files {
        out.push_str(&format!("  wrote {}\n", f.path.display()));
    }
    if !dir.join(MIGRATIONS_DIR).join(BASELINE).exists() {
        out.push_str(&format!(
            "  made {}/ (empty: a refinery-format history, V1__name.sql, V2__name.sql, …)\n",
            dir.join(MIGRATIONS_DIR).display()
        ));
    }
    if let Some((_, counts)) = &adopted {
        if counts.unmanaged > 0 {
            out.push_str(&format!(
                "  warning: {} object{} kept by name only (foreign tables, range types, …) not written: \
                 they are listed at the top of each schema file; add their definitions to the baseline and \
                 the declared schema by hand, or `strata migrate --baseline` will refuse the difference\n",
                counts.unmanaged,
                if counts.unmanaged == 1 { "" } else { "s" }
            ));
        }
    }
    if let Some(note) = build_note {
        out.push_str(&format!("  note: {note}\n"));
    }
    out.push_str("\nnext:\n");
    if adopted.is_some() {
        out.push_str(
            "  strata check                  # the declared schema and the baseline migration agree\n\
             \x20 strata migrate --baseline 1   # on that database (URL in DATABASE_URL): record V1 as applied, run nothing\n\
             \x20 strata drift                  # that database has exactly the declared schema\n\
             \x20 then change schema/*.sql and run `strata new <name>` for each next migration\n",
        );
    } else {
        out.push_str(
            "  write tables in schema/schema.sql\n\
             \x20 strata new <name>             # writes migrations/V1__<name>.sql from the declared schema\n\
             \x20 strata check                  # the history builds exactly the declared schema\n\
             \x20 strata migrate                # applies it to the database in DATABASE_URL\n",
        );
    }
    if cargo {
        out.push_str(&format!(
            "\nin Cargo.toml:\n  [dependencies]\n  {}\n\nin src/lib.rs:\n  strata::schema! {{\n      schema: \"schema\",\n      migrations: \"migrations\",\n  }}\n",
            dependency_line()
        ));
    }
    print!("{out}");
    Ok(())
}

/// The database's schema, the migration tools' history tables left out.
fn read_database(
    url: &str,
    schemas: Option<Vec<String>>,
) -> Result<strata_core::model::Schema, Failure> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            Error::source(
                "strata init",
                format!("cannot start the async runtime: {e}"),
                "this is a system problem (threads or file descriptors exhausted)",
            )
        })?;
    let namespaces = schemas.map(|l| {
        l.into_iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
    });
    let opts = InspectOptions { namespaces };
    let mut schema = runtime
        .block_on(inspect_url(url, &opts))
        .map_err(Failure::Inspect)?;
    strata::drift::remove_history_objects(&mut schema);
    Ok(schema)
}

fn baseline_text(sql: &str) -> String {
    format!(
        "-- Baseline: the schema of the database `strata init --from` adopted.\n\
         -- `strata migrate --baseline 1` records it as applied there without\n\
         -- running it; on a new database `strata migrate` runs it.\n\n{sql}"
    )
}

/// The dependency line for Cargo.toml: the path of the `strata` crate this
/// binary was built from when it is still there (an install from a clone),
/// else the crate by name.
fn dependency_line() -> String {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(|p| p.join("strata"));
    match here {
        Some(p) if p.join("Cargo.toml").is_file() => format!(
            "strata = {{ package = \"pgstrata\", path = {:?} }}",
            p.display().to_string()
        ),
        _ => format!(
            "strata = {{ package = \"pgstrata\", version = \"{}\" }}",
            env!("CARGO_PKG_VERSION")
        ),
    }
}

fn first_sql_file(dir: &Path) -> Result<Option<PathBuf>, Error> {
    if !dir.is_dir() {
        return Ok(None);
    }
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| io_error(&d, "read the folder", e))?;
        for entry in entries.flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "sql") {
                return Ok(Some(p));
            }
        }
    }
    Ok(None)
}

fn io_error(p: &Path, what: &str, e: std::io::Error) -> Error {
    Error::source(
        p.display().to_string(),
        format!("cannot {what}: {e}"),
        "check the path and its permissions",
    )
}
