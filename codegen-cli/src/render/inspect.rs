//! What `strata inspect` says on stderr: the summary, warnings and errors.
//! The schema itself goes to stdout or to files, never mixed with these.

use std::io::IsTerminal;
use std::process::ExitCode;

use strata::InspectError;
use strata_core::model::Counts;

/// Where the SQL went.
pub enum Written {
    Stdout,
    File(String),
    Folder { path: String, files: usize },
}

/// One line for the reader (on stderr, so stdout stays pure SQL), then a
/// warning when objects could not be written.
pub fn summary(target: &str, counts: &Counts, written: &Written, stale: &[String]) {
    let to = match written {
        Written::Stdout => "stdout".to_string(),
        Written::File(p) => p.clone(),
        Written::Folder { path, files } => {
            format!(
                "{path} ({files} file{})",
                if *files == 1 { "" } else { "s" }
            )
        }
    };
    eprintln!("strata inspect: {target} → {to}");
    eprintln!("  {}", super::schema_counts(counts, true));
    if counts.unmanaged > 0 {
        eprintln!(
            "warning: {} unmanaged object{} (foreign tables, range types, …) not written: \
             strata keeps them by name only; they are listed at the top of the output",
            counts.unmanaged,
            if counts.unmanaged == 1 { "" } else { "s" }
        );
    }
    for f in stale {
        eprintln!(
            "warning: {f} was not written by this run but is in the output folder; \
             remove it, or it will be applied with the rest"
        );
    }
}

/// An inspection error, rendered like every other diagnostic; exit 2.
pub fn error(e: &InspectError) -> ExitCode {
    diagnostic(e)
}

/// Any diagnostic on stderr with miette (colour only on a terminal, and
/// never with NO_COLOR); exit 2.
pub fn diagnostic(e: &dyn miette::Diagnostic) -> ExitCode {
    let theme = if std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none() {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    };
    let handler = miette::GraphicalReportHandler::new_themed(theme);
    let mut s = String::new();
    if handler.render_report(&mut s, e).is_err() {
        s = e.to_string();
    }
    eprint!("error: {s}");
    ExitCode::from(2)
}
