//! The `strata` command: flags → one config → a library call → one renderer.
//!
//! Exit codes: 0 success / in step, 1 differences found, 2 error.

mod cmd_check;
mod cmd_codegen;
mod cmd_diff;
mod cmd_docs;
mod cmd_drift;
mod cmd_init;
mod cmd_inspect;
mod cmd_lint;
mod cmd_migrate;
mod cmd_new;
mod config;
mod render;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use mimalloc::MiMalloc;

/// A model of tens of thousands of tables is hundreds of thousands of
/// small allocations freed in a different order than they were made:
/// glibc's allocator spent a quarter of a 10,000-table diff consolidating
/// and unlinking free chunks (BENCHMARKS.md, session 16).
#[global_allocator]
static GLOBAL: MiMalloc = MiMalloc;

#[derive(Parser, Debug)]
#[command(
    name = "strata",
    version,
    about = "PostgreSQL schema toolkit: declared schema, migration history and live databases kept in step"
)]
struct Cli {
    /// Path to strata.toml (default: found in the current directory or a parent).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Set up a project (strata.toml, schema/, migrations/, a crate's
    /// build.rs), or adopt an existing database with --from URL: its schema
    /// becomes the declared schema and migrations/V1__baseline.sql.
    Init(cmd_init::Args),
    /// Prove offline that the migration history builds exactly the declared schema.
    ///
    /// Exit 0 when in step, 1 when they differ, 2 on error.
    Check(cmd_check::Args),
    /// Read a live database and write its schema as declarative SQL.
    Inspect(cmd_inspect::Args),
    /// Apply pending migrations, recorded in the history table of the folder's tool (refinery, sqlx, drizzle-kit, Prisma, Diesel, golang-migrate, dbmate).
    Migrate(cmd_migrate::MigrateArgs),
    /// List applied, pending, edited and missing migrations.
    Status(cmd_migrate::StatusArgs),
    /// Compare live databases with the declared schema or the history.
    Drift(cmd_drift::Args),
    /// Write a Markdown page (with a Mermaid ER diagram) for a schema.
    Docs(cmd_docs::Args),
    /// Write the typed Rust models `strata::schema!` generates, pretty-printed.
    Codegen(cmd_codegen::Args),
    /// Plan the migration from one source to another (default: the history to
    /// the declared schema), ordered by dependency, hazards as comments.
    ///
    /// Exit 0 when there is nothing to do, 1 when there is a plan, 2 on error.
    Diff(cmd_diff::Args),
    /// Write the next migration: the plan from the history to the declared schema.
    New(cmd_new::Args),
    /// Lint hand-written migrations against the schema at their point of the
    /// history (locks, rewrites, unsafe changes; rules in docs/lint.md).
    ///
    /// Exit 0 when there is no finding, 1 when there are findings, 2 on bad input.
    Lint(cmd_lint::Args),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    ///
    /// bash: `strata completions bash > ~/.local/share/bash-completion/completions/strata`.
    Completions {
        /// The shell to complete for.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), for `man -l -` or a man directory.
    Man,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

fn main() -> ExitCode {
    // Like other Unix tools, stop quietly when the reader of stdout goes away
    // (`strata check --format json | head`) instead of panicking on EPIPE.
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of SIGPIPE before any thread
    // starts; no handler is installed.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    install_panic_hook();
    // clap's errors quote the offending argument: a misplaced database URL
    // (`strata inspect postgres://u:pw@h/db`) would be printed with its
    // password. Errors are rendered here with such arguments masked.
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                e.exit();
            }
            let args: Vec<String> = std::env::args_os()
                .map(|a| a.to_string_lossy().into_owned())
                .collect();
            eprint!("{}", mask_secrets(&e.render().to_string(), &args));
            return ExitCode::from(2);
        }
    };
    let config_path = cli.config.clone();
    match cli.command {
        Command::Init(args) => cmd_init::run(args),
        Command::Inspect(args) => cmd_inspect::run(args, config_path.as_deref()),
        Command::Migrate(args) => cmd_migrate::run_migrate(args, config_path.as_deref()),
        Command::Status(args) => cmd_migrate::run_status(args, config_path.as_deref()),
        Command::Drift(args) => cmd_drift::run(args, config_path.as_deref()),
        Command::Docs(args) => cmd_docs::run(args, config_path.as_deref()),
        Command::Codegen(args) => cmd_codegen::run(args, config_path.as_deref()),
        Command::Diff(args) => cmd_diff::run(args, config_path.as_deref()),
        Command::New(args) => cmd_new::run(args, config_path.as_deref()),
        Command::Lint(args) => cmd_lint::run(args, config_path.as_deref()),
        Command::Check(args) => cmd_check::run(args, config_path.as_deref()),
        Command::Completions { shell } => {
            use clap::CommandFactory;
            let mut cmd = Cli::command();
            clap_complete::generate(shell, &mut cmd, "strata", &mut std::io::stdout());
            ExitCode::SUCCESS
        }
        Command::Man => {
            use clap::CommandFactory;
            match clap_mangen::Man::new(Cli::command()).render(&mut std::io::stdout()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: cannot write the man page: {e}");
                    ExitCode::from(2)
                }
            }
        }
    }
}

/// Does this argument (or the value of `--flag=value`) look like it holds a
/// credential: a URL with a scheme, or a `password=` parameter?
fn secret_parts(arg: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let looks_secret = |s: &str| s.contains("://") || s.to_ascii_lowercase().contains("password");
    if looks_secret(arg) {
        parts.push(arg);
        if let Some((flag, value)) = arg.split_once('=') {
            if flag.starts_with('-') && !value.is_empty() {
                parts.push(value);
            }
        }
    }
    parts
}

/// `text` with every argument that may hold a credential (see
/// [`secret_parts`]) replaced by `<database URL>`, longest first.
fn mask_secrets(text: &str, args: &[String]) -> String {
    let mut parts: Vec<&str> = args.iter().flat_map(|a| secret_parts(a)).collect();
    parts.sort_by_key(|p| std::cmp::Reverse(p.len()));
    let mut out = text.to_string();
    for p in parts {
        out = out.replace(p, "<database URL>");
    }
    out
}

/// A panic is a bug, but its message must not carry a credential either:
/// the message is printed with the command line's URLs and the values of
/// `PGPASSWORD` and of every variable holding a URL masked. The backtrace
/// (function names only) follows when `RUST_BACKTRACE` asks for it.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let args: Vec<String> = std::env::args_os()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "(no message)".to_string());
        let mut masked = mask_secrets(&message, &args);
        for (k, v) in std::env::vars_os() {
            let k = k.to_string_lossy().to_ascii_uppercase();
            let v = v.to_string_lossy();
            if !v.is_empty() && (k == "PGPASSWORD" || v.contains("://")) {
                masked = masked.replace(v.as_ref(), "<secret>");
            }
        }
        let location = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!("strata panicked{location}: {masked}\nthis is a bug in strata; please report it");
        if std::env::var_os("RUST_BACKTRACE").is_some_and(|v| v != "0") {
            eprintln!("{}", std::backtrace::Backtrace::force_capture());
        }
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clap_errors_and_panics_never_show_a_url_argument() {
        let args: Vec<String> = [
            "strata",
            "inspect",
            "postgres://u:s3cret@h/db",
            "--database-url=postgresql://v:0ther@h/db",
            "--schemas",
            "public",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let text = "error: unexpected argument 'postgres://u:s3cret@h/db' found; \
                    also 'postgresql://v:0ther@h/db' and --schemas public";
        let masked = mask_secrets(text, &args);
        assert!(
            !masked.contains("s3cret") && !masked.contains("0ther"),
            "{masked}"
        );
        assert!(masked.contains("--schemas public"), "{masked}");
    }
}
