//! The `strata` command: flags → one config → a library call → one renderer.
//!
//! Exit codes: 0 success / in step, 1 differences found, 2 error.

mod cmd_codegen;
mod cmd_diff;
mod cmd_docs;
mod cmd_drift;
mod cmd_inspect;
mod cmd_migrate;
mod cmd_new;
mod config;
mod render;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

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
    /// Prove offline that the migration history builds exactly the declared schema.
    ///
    /// Exit 0 when in step, 1 when they differ, 2 on error.
    Check {
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
    },
    /// Read a live database and write its schema as declarative SQL.
    Inspect(cmd_inspect::Args),
    /// Apply pending migrations (refinery-compatible history table).
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
    let cli = Cli::parse();
    let config_path = cli.config.clone();
    match cli.command {
        Command::Inspect(args) => cmd_inspect::run(args, config_path.as_deref()),
        Command::Migrate(args) => cmd_migrate::run_migrate(args, config_path.as_deref()),
        Command::Status(args) => cmd_migrate::run_status(args, config_path.as_deref()),
        Command::Drift(args) => cmd_drift::run(args, config_path.as_deref()),
        Command::Docs(args) => cmd_docs::run(args, config_path.as_deref()),
        Command::Codegen(args) => cmd_codegen::run(args, config_path.as_deref()),
        Command::Diff(args) => cmd_diff::run(args, config_path.as_deref()),
        Command::New(args) => cmd_new::run(args, config_path.as_deref()),
        Command::Check {
            schema,
            migrations,
            format,
        } => {
            let cfg = match config::check_config(cli.config.as_deref(), schema, migrations) {
                Ok(c) => c,
                Err(e) => return render::error(&e, format),
            };
            match strata_core::check::check(&cfg.input) {
                Ok(report) => render::check(&report, &cfg, format),
                Err(e) => render::error(&e, format),
            }
        }
    }
}
