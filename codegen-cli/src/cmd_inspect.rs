//! `strata inspect`: read a live database and write its schema as
//! declarative SQL (one file, or a folder applied in name order).
//!
//! Exit 0 written, 2 error. The SQL goes to stdout or to `--out`; the
//! summary and warnings to stderr. The database URL is never printed: only
//! `host:port/dbname`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use strata::inspect::{inspect_url_with, InspectOptions, DEFAULT_CONNECTIONS};
use strata_core::ddl;
use strata_core::Error;

use crate::config;
use crate::render;
use crate::render::inspect::Written;
use crate::Format;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Database to read (default: the variable strata.toml names in
    /// `database_url_env`, else DATABASE_URL).
    #[arg(long, value_name = "URL")]
    database_url: Option<String>,
    /// Where to write: a file, or a folder (a path ending in `/`, or an
    /// existing folder) to get one file per schema. Default: stdout.
    #[arg(long, value_name = "FILE|DIR")]
    out: Option<PathBuf>,
    /// Schemas (namespaces) to read, comma-separated. Default: every
    /// non-system schema.
    #[arg(long, value_name = "A,B", value_delimiter = ',')]
    schemas: Option<Vec<String>>,
    /// Connections reading the database at once, sharing one snapshot
    /// (each deparses its share of the tables on the server).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_CONNECTIONS as u16,
          value_parser = clap::value_parser!(u16).range(1..=16))]
    connections: u16,
    /// Write every object's owner too (`ALTER … OWNER TO role`, last, as
    /// pg_dump does); the roles must exist where the output is applied.
    #[arg(long)]
    owners: bool,
}

pub fn run(args: Args, config_path: Option<&Path>) -> ExitCode {
    let found = match config::find(config_path) {
        Ok(f) => f,
        Err(e) => return render::error(&e, Format::Text),
    };
    let url = match config::database_url(&found, args.database_url) {
        Ok(u) => u,
        Err(e) => return render::error(&e, Format::Text),
    };
    let namespaces = match args.schemas {
        None => None,
        Some(list) => {
            let list: Vec<String> = list
                .iter()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect();
            if list.is_empty() {
                let e = Error::source(
                    "--schemas",
                    "no schema named",
                    "pass schema names separated by commas, e.g. --schemas public,billing",
                );
                return render::error(&e, Format::Text);
            }
            Some(list)
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            let e = Error::source(
                "strata inspect",
                format!("cannot start the async runtime: {e}"),
                "this is unexpected; please report it",
            );
            return render::error(&e, Format::Text);
        }
    };
    let opts = InspectOptions { namespaces };
    let schema =
        match runtime.block_on(inspect_url_with(&url, &opts, usize::from(args.connections))) {
            Ok(s) => s,
            Err(e) => return render::inspect::error(&e),
        };
    let target = strata::conn::describe_url(&url);
    let ddl_opts = ddl::DdlOptions {
        owners: args.owners,
    };

    let (written, stale) = match &args.out {
        None => {
            use std::io::Write;
            let sql = ddl::schema_sql_with(&schema, ddl_opts);
            let mut stdout = std::io::stdout().lock();
            if let Err(e) = stdout
                .write_all(sql.as_bytes())
                .and_then(|()| stdout.flush())
            {
                let e = Error::source("stdout", format!("cannot write: {e}"), "check the pipe");
                return render::error(&e, Format::Text);
            }
            (Written::Stdout, Vec::new())
        }
        Some(out) if is_folder(out) => {
            match write_folder(out, &ddl::schema_files_with(&schema, ddl_opts)) {
                Ok(r) => r,
                Err(e) => return render::error(&e, Format::Text),
            }
        }
        Some(out) => {
            if let Err(e) = std::fs::write(out, ddl::schema_sql_with(&schema, ddl_opts)) {
                let e = Error::source(
                    out.display().to_string(),
                    format!("cannot write: {e}"),
                    "check that the folder exists and is writable",
                );
                return render::error(&e, Format::Text);
            }
            (Written::File(out.display().to_string()), Vec::new())
        }
    };
    render::inspect::summary(&target, &schema.counts(), &written, &stale);
    // The process ends here: freeing the model piece by piece would take
    // longer than reading some of it (90 ms at 10,000 tables).
    std::mem::forget(schema);
    ExitCode::SUCCESS
}

/// A folder when it exists as one, or when the path ends with a separator.
fn is_folder(p: &Path) -> bool {
    if p.is_dir() {
        return true;
    }
    let s = p.as_os_str().to_string_lossy();
    s.ends_with('/') || s.ends_with(std::path::MAIN_SEPARATOR)
}

/// Writes the files (creating the folder); returns what was written and the
/// `.sql` files already there that this run did not write.
fn write_folder(dir: &Path, files: &[(String, String)]) -> Result<(Written, Vec<String>), Error> {
    let io_error = |p: &Path, what: &str, e: std::io::Error| {
        Error::source(
            p.display().to_string(),
            format!("cannot {what}: {e}"),
            "check the path and its permissions",
        )
    };
    std::fs::create_dir_all(dir).map_err(|e| io_error(dir, "create the folder", e))?;
    for (name, sql) in files {
        let path = dir.join(name);
        std::fs::write(&path, sql).map_err(|e| io_error(&path, "write", e))?;
    }
    let mut stale = Vec::new();
    let entries = std::fs::read_dir(dir).map_err(|e| io_error(dir, "read the folder", e))?;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".sql") && !files.iter().any(|(n, _)| *n == name) {
            stale.push(dir.join(&name).display().to_string());
        }
    }
    stale.sort();
    let written = Written::Folder {
        path: dir.display().to_string(),
        files: files.len(),
    };
    Ok((written, stale))
}
