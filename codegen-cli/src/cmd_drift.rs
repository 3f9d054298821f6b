//! `strata drift` (being implemented).

use std::path::Path;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_args: Args, _config: Option<&Path>) -> ExitCode {
    eprintln!("strata drift: not implemented yet");
    ExitCode::from(2)
}
