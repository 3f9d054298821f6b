//! `strata migrate` and `strata status` (being implemented).

use std::path::Path;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct MigrateArgs {}

#[derive(clap::Args, Debug)]
pub struct StatusArgs {}

pub fn run_migrate(_args: MigrateArgs, _config: Option<&Path>) -> ExitCode {
    eprintln!("strata migrate: not implemented yet");
    ExitCode::from(2)
}

pub fn run_status(_args: StatusArgs, _config: Option<&Path>) -> ExitCode {
    eprintln!("strata status: not implemented yet");
    ExitCode::from(2)
}
