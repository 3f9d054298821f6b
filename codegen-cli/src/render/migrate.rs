//! `strata migrate` progress and reports, `strata status` (text and JSON).
//! Nothing here ever sees the database URL: reports carry `host:port/db`.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use strata::migrate::{
    MigrateError, MigrateEvent, MigrateOptions, MigrateReport, MigrationState, StatusReport,
};
use strata_core::source::History;

use super::Style;
use crate::Format;

/// Writes to stdout; a closed pipe (`strata status | head`) is not an error.
fn out(s: &str) {
    let mut o = std::io::stdout().lock();
    let _ = o.write_all(s.as_bytes());
    let _ = o.flush();
}

/// Writes to stderr, never panicking.
fn err(s: &str) {
    let _ = std::io::stderr().lock().write_all(s.as_bytes());
}

/// A progress line (`  V3__x … `) is open on stdout, waiting for its `ok`.
static LINE_OPEN: AtomicBool = AtomicBool::new(false);

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

pub fn migrate_header(history: &History, label: &str, opts: &MigrateOptions) {
    let st = Style::stdout();
    let mut extra = Vec::new();
    if opts.dry_run {
        extra.push("dry run".to_string());
    }
    let v = if history.format == strata_core::source::HistoryFormat::Refinery {
        "V"
    } else {
        ""
    };
    if let Some(t) = opts.target {
        extra.push(format!("target {v}{t}"));
    }
    if let Some(b) = opts.baseline {
        extra.push(format!("baseline {v}{b}"));
    }
    let extra = if extra.is_empty() {
        String::new()
    } else {
        format!(" [{}]", extra.join(", "))
    };
    out(&format!(
        "{} {label} ({}, {}){extra}\n",
        st.bold("strata migrate:"),
        history.format.label(),
        plural(history.migrations.len(), "migration", "migrations")
    ));
}

pub fn migrate_event(event: &MigrateEvent<'_>) {
    let st = Style::stdout();
    let mut out = std::io::stdout().lock();
    let _ = match event {
        MigrateEvent::WaitingForLock { holder, limit } => writeln!(
            out,
            "  {}",
            st.dim(&format!(
                "another strata migrate holds the migration lock on this database: {holder}; waiting for it{}",
                limit.map_or(String::new(), |l| format!(
                    ", at most --lock-timeout {}",
                    strata::migrate::human(l)
                ))
            ))
        ),
        MigrateEvent::LockTaken { waited } => writeln!(
            out,
            "  {}",
            st.dim(&format!("lock taken after {:.1}s", waited.as_secs_f64()))
        ),
        MigrateEvent::Applying(m) => {
            LINE_OPEN.store(true, Ordering::SeqCst);
            let mode = if m.no_transaction {
                " (no transaction)"
            } else {
                ""
            };
            write!(out, "  {}{mode} … ", m.label)
        }
        MigrateEvent::Applied(m) => {
            LINE_OPEN.store(false, Ordering::SeqCst);
            writeln!(out, "{} ({} ms)", st.green("ok"), m.duration_ms)
        }
    };
    let _ = out.flush();
}

pub fn migrate_report(report: &MigrateReport) -> ExitCode {
    let st = Style::stdout();
    let mut text = String::new();
    for n in &report.notes {
        text.push_str(&format!("  note: {n}\n"));
    }
    if !report.baselined.is_empty() {
        let verb = if report.dry_run {
            "dry run: would record"
        } else {
            "✓ baseline: recorded"
        };
        text.push_str(&format!(
            "{} {} as applied on {} without running {} ({} table {}):\n",
            st.green(verb),
            plural(report.baselined.len(), "migration", "migrations"),
            report.database,
            if report.baselined.len() == 1 {
                "it"
            } else {
                "them"
            },
            if report.created_table {
                "created the"
            } else {
                "in the"
            },
            report.table
        ));
        for m in &report.baselined {
            text.push_str(&format!("  {}\n", m.label));
        }
        if report.pending_after_target > 0 {
            text.push_str(&format!(
                "  {} pending after the baseline: `strata migrate` applies {}\n",
                plural(report.pending_after_target, "migration", "migrations"),
                if report.pending_after_target == 1 {
                    "it"
                } else {
                    "them"
                }
            ));
        }
        out(&text);
        return ExitCode::SUCCESS;
    }
    if report.dry_run {
        if report.would_apply.is_empty() {
            text.push_str(&format!(
                "{} nothing to apply on {} ({} already applied)\n",
                st.green("✓ dry run:"),
                report.database,
                report.already_applied
            ));
        } else {
            text.push_str(&format!(
                "dry run: would apply {} to {} ({} already applied):\n",
                plural(report.would_apply.len(), "migration", "migrations"),
                report.database,
                report.already_applied
            ));
            for m in &report.would_apply {
                let mode = if m.no_transaction {
                    ", no transaction"
                } else {
                    ""
                };
                text.push_str(&format!(
                    "  {}  {} ({}{mode})\n",
                    m.label,
                    m.file,
                    plural(m.statements, "statement", "statements")
                ));
            }
            text.push_str("nothing was applied\n");
        }
    } else if report.applied.is_empty() {
        text.push_str(&format!(
            "{} {} is up to date: {} applied, nothing to apply\n",
            st.green("✓"),
            report.database,
            report.already_applied
        ));
    } else {
        let total_ms: u64 = report.applied.iter().map(|m| m.duration_ms).sum();
        text.push_str(&format!(
            "{} applied {} to {} in {} ms ({} applied in all)\n",
            st.green("✓"),
            plural(report.applied.len(), "migration", "migrations"),
            report.database,
            total_ms,
            report.already_applied + report.applied.len()
        ));
    }
    if report.created_table {
        text.push_str(&st.dim(&format!("  created {}\n", report.table)));
    }
    if let Some(t) = report.target {
        if report.pending_after_target > 0 {
            text.push_str(&format!(
                "  stopped at --target {t}: {} after it\n",
                plural(
                    report.pending_after_target,
                    "migration is pending",
                    "migrations are pending"
                )
            ));
        }
    }
    out(&text);
    ExitCode::from(0)
}

fn graphical(e: &dyn miette::Diagnostic) -> String {
    let terminal = std::io::stderr().is_terminal();
    let handler = miette::GraphicalReportHandler::new_themed(
        if terminal && std::env::var_os("NO_COLOR").is_none() {
            miette::GraphicalTheme::unicode()
        } else {
            miette::GraphicalTheme::unicode_nocolor()
        },
    )
    // Piped into a log or CI, a message stays on its lines (greppable).
    .with_wrap_lines(terminal);
    let mut s = String::new();
    if handler.render_report(&mut s, e).is_err() {
        s = e.to_string();
    }
    s
}

/// `--baseline` refused: the database is not what the migrations build.
pub fn baseline_refused(differences: &[strata_core::diff::Difference], version: i64) -> ExitCode {
    use strata_core::diff::Change;
    let mut text = format!(
        "error: the database differs from what the migrations up to V{version} build ({}); nothing was recorded\n",
        plural(differences.len(), "difference", "differences")
    );
    for d in differences {
        let what = match &d.change {
            Change::Missing { expected } => {
                format!("the migrations build it, the database lacks it: {expected}")
            }
            Change::Unexpected { found } => {
                format!("the database has it, the migrations do not build it: {found}")
            }
            c => {
                let (what, expected, found) = c.property().unwrap_or_default();
                format!("{what} (migrations: {expected}; database: {found})")
            }
        };
        text.push_str(&format!("  {}: {}\n", d.path, super::plan::one_line(&what)));
    }
    text.push_str(
        "  help: a baseline says the database already has what those migrations build; make them describe it \
         (`strata init --from` writes one from the database), or apply them to a new database with `strata migrate`\n",
    );
    err(&text);
    ExitCode::from(2)
}

pub fn migrate_error(e: &MigrateError) -> ExitCode {
    if LINE_OPEN.swap(false, Ordering::SeqCst) {
        let st = Style::stdout();
        out(&format!("{}\n", st.red("failed")));
    }
    if let MigrateError::Statement(s) = e {
        if !s.applied_before.is_empty() {
            let n = s.applied_before.len();
            err(&if n == 1 {
                "1 migration applied before the failure stays applied\n".to_string()
            } else {
                format!("{n} migrations applied before the failure stay applied\n")
            });
        }
    }
    err(&format!("error: {}", graphical(e)));
    ExitCode::from(2)
}

fn error_json(e: &MigrateError) -> serde_json::Value {
    let help = miette::Diagnostic::help(e).map(|h| h.to_string());
    let mut error = serde_json::json!({
        "message": e.to_string(),
        "help": help,
        "location": serde_json::Value::Null,
    });
    match e {
        MigrateError::Statement(s) => {
            error["location"] = s.location.to_string().into();
            error["message"] = s.message.clone().into();
            error["sqlstate"] = s.sqlstate.clone().into();
            error["detail"] = s.detail.clone().into();
            error["error_at"] = s.error_at.as_ref().map(|l| l.to_string()).into();
        }
        MigrateError::Preflight(s) => {
            error["location"] = s.location.to_string().into();
            error["message"] = s.message.clone().into();
        }
        MigrateError::BadVersion { file, .. } => {
            error["location"] = format!("{file}:1:1").into();
        }
        MigrateError::Refused(r) => {
            error["problems"] = serde_json::to_value(&r.problems).unwrap_or_default();
        }
        _ => {}
    }
    serde_json::json!({ "status": "error", "error": error })
}

pub fn status_error(e: &MigrateError, format: Format) -> ExitCode {
    match format {
        Format::Json => {
            out(&format!(
                "{}\n",
                serde_json::to_string_pretty(&error_json(e)).unwrap_or_default()
            ));
        }
        Format::Text => err(&format!("error: {}", graphical(e))),
    }
    ExitCode::from(2)
}

pub fn status(report: &StatusReport, history: &History, label: &str, format: Format) -> ExitCode {
    match format {
        Format::Json => {
            let v = serde_json::json!({
                "status": "ok",
                "database": report.database,
                "migrations_folder": label,
                "format": history.format,
                "table": report.table,
                "table_exists": report.table_exists,
                "counts": {
                    "applied": report.count(MigrationState::Applied),
                    "pending": report.count(MigrationState::Pending),
                    "edited": report.count(MigrationState::Edited),
                    "missing": report.count(MigrationState::Missing),
                },
                "migrations": report.migrations.iter().map(|m| serde_json::json!({
                    "version": m.version,
                    "label": m.label,
                    "name": m.name,
                    "state": m.state,
                    "file": m.file,
                    "applied_on": m.applied_on,
                    "stored_checksum": m.stored_checksum,
                    "checksum": m.checksum,
                    "no_transaction": m.no_transaction,
                    "out_of_order": m.out_of_order,
                    "note": m.note,
                })).collect::<Vec<_>>(),
            });
            out(&format!(
                "{}\n",
                serde_json::to_string_pretty(&v).unwrap_or_default()
            ));
        }
        Format::Text => out(&status_text(report, history, label, &Style::stdout())),
    }
    ExitCode::from(0)
}

fn status_text(report: &StatusReport, history: &History, label: &str, st: &Style) -> String {
    let mut out = format!(
        "{} {label} ({}, {}) on {}\n",
        st.bold("strata status:"),
        history.format.label(),
        plural(history.migrations.len(), "migration", "migrations"),
        report.database
    );
    if !report.table_exists {
        out.push_str(&st.dim(&format!(
            "  {} does not exist yet: nothing applied\n",
            report.table
        )));
    }
    let vw = report
        .migrations
        .iter()
        .map(|m| m.version.to_string().len() + 1)
        .max()
        .unwrap_or(2);
    let nw = report
        .migrations
        .iter()
        .map(|m| m.name.chars().count())
        .max()
        .unwrap_or(0)
        .min(48);
    for m in &report.migrations {
        let state = format!("{:<8}", m.state.label());
        let state = match m.state {
            MigrationState::Applied => st.green(&state),
            MigrationState::Pending => state,
            MigrationState::Edited | MigrationState::Missing => st.red(&state),
        };
        let detail = match m.state {
            MigrationState::Applied => m.applied_on.clone().unwrap_or_default(),
            MigrationState::Pending => {
                let mut d = Vec::new();
                if m.no_transaction {
                    d.push("no transaction".to_string());
                }
                if m.out_of_order {
                    d.push("out of order: an applied migration comes after it".to_string());
                }
                d.join("; ")
            }
            MigrationState::Edited => format!(
                "{}: checksum recorded {}, file now {}",
                m.file.as_deref().unwrap_or_default(),
                m.stored_checksum.as_deref().unwrap_or("(none)"),
                m.checksum.as_deref().unwrap_or_default()
            ),
            MigrationState::Missing => format!(
                "applied{}, but no file has this version",
                m.applied_on
                    .as_deref()
                    .map(|a| format!(" {a}"))
                    .unwrap_or_default()
            ),
        };
        let line = format!(
            "  {:<vw$}  {state}  {:<nw$}  {detail}",
            if history.format == strata_core::source::HistoryFormat::Refinery {
                format!("V{}", m.version)
            } else {
                m.version.to_string()
            },
            m.name
        );
        out.push_str(line.trim_end());
        out.push('\n');
        if let Some(note) = &m.note {
            for l in note.lines() {
                out.push_str(&st.dim(&format!("        {l}\n")));
            }
        }
    }
    out.push_str(&format!(
        "{} applied · {} pending · {} edited · {} missing\n",
        report.count(MigrationState::Applied),
        report.count(MigrationState::Pending),
        report.count(MigrationState::Edited),
        report.count(MigrationState::Missing)
    ));
    out
}
