//! The one place reports are rendered: text for people, JSON for machines.

pub mod drift;
pub mod inspect;
pub mod lint;
pub mod migrate;
pub mod plan;

use std::io::IsTerminal;
use std::process::ExitCode;

use strata_core::check::{CheckReport, CheckStatus};
use strata_core::diff::Change;
use strata_core::Error;

use crate::config::CheckConfig;
use crate::Format;

/// When `strata check` and `strata drift` exit 1.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// On any difference (the default).
    #[default]
    Any,
    /// Only on a difference marked security (a policy, row level security,
    /// SECURITY DEFINER or such a function's configuration); the others are
    /// still printed.
    Security,
}

impl FailOn {
    /// Whether differences (`any`), of which `security` concern security,
    /// fail the command.
    pub fn fails(self, any: bool, security: bool) -> bool {
        match self {
            FailOn::Any => any,
            FailOn::Security => security,
        }
    }
}

/// The tag a security difference carries in text output.
pub(crate) const SECURITY_TAG: &str = "[security]";

struct Style {
    on: bool,
}

impl Style {
    fn stdout() -> Style {
        Style {
            on: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        }
    }
    fn paint(&self, code: &str, s: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn bold(&self, s: &str) -> String {
        self.paint("1", s)
    }
    fn green(&self, s: &str) -> String {
        self.paint("32", s)
    }
    fn red(&self, s: &str) -> String {
        self.paint("31", s)
    }
    fn dim(&self, s: &str) -> String {
        self.paint("2", s)
    }
}

pub fn check(report: &CheckReport, cfg: &CheckConfig, format: Format, fail_on: FailOn) -> ExitCode {
    let security = report.differences.iter().any(|d| d.difference.security);
    match format {
        Format::Json => {
            let v = serde_json::json!({
                "status": report.status,
                "security_differences": report.differences.iter().filter(|d| d.difference.security).count(),
                "schema": cfg.schema_label,
                "migrations": cfg.migrations_label,
                "format": report.format,
                "counts": report.counts,
                "differences": report.differences.iter().map(|d| {
                    let mut o = serde_json::json!({
                        "object": d.difference.path.to_string(),
                        "kind": d.difference.path.kind,
                        "namespace": d.difference.path.namespace,
                        "table": d.difference.path.table,
                        "name": d.difference.path.name,
                        "last_touched": d.last_touched.as_ref().map(|l| l.to_string()),
                        "declared_at": d.declared_at.as_ref().map(|l| l.to_string()),
                        "security": d.difference.security,
                    });
                    match &d.difference.change {
                        Change::Missing { expected } => {
                            o["change"] = "not_migrated".into();
                            o["declared"] = expected.clone().into();
                        }
                        Change::Unexpected { found } => {
                            o["change"] = "not_declared".into();
                            o["migrations"] = found.clone().into();
                        }
                        Change::Changed { field, expected, found } => {
                            o["change"] = "changed".into();
                            o["field"] = field.clone().into();
                            o["declared"] = expected.clone().into();
                            o["migrations"] = found.clone().into();
                        }
                        Change::Unproven { field, expected, found, reason } => {
                            o["change"] = "unproven".into();
                            o["field"] = field.clone().into();
                            o["declared"] = expected.clone().into();
                            o["migrations"] = found.clone().into();
                            o["reason"] = reason.clone().into();
                        }
                    }
                    o
                }).collect::<Vec<_>>(),
                "warnings": report.warnings,
                "ignored": report.ignored.iter().map(|l| l.to_string()).collect::<Vec<_>>(),
                "judged_by": report.judged_by,
            });
            println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        }
        Format::Text => {
            print!("{}", check_text(report, cfg, &Style::stdout()));
            if fail_on == FailOn::Security && !report.differences.is_empty() && !security {
                println!("no difference concerns security: exit 0 (--fail-on security)");
            }
        }
    }
    let any = report.status == CheckStatus::Differs;
    ExitCode::from(u8::from(fail_on.fails(any, security)))
}

fn check_text(report: &CheckReport, cfg: &CheckConfig, st: &Style) -> String {
    let mut out = String::new();
    let c = &report.counts;
    let fmt = report
        .format
        .map(|f| format!("{}, ", f.label()))
        .unwrap_or_default();
    out.push_str(&format!(
        "{} {} ({}) against {} ({}{})\n",
        st.bold("strata check:"),
        cfg.schema_label,
        counted(&[(c.schema_files, "file", "files")]),
        cfg.migrations_label,
        fmt,
        counted(&[(c.migrations, "migration", "migrations")])
    ));
    out.push_str(&format!(
        "  {}\n",
        [
            schema_counts(&c.schema, false),
            counted(&[
                (c.schema.unmanaged, "unmanaged object", "unmanaged objects"),
                (
                    c.ignored_statements,
                    "ignored statement",
                    "ignored statements"
                ),
            ])
        ]
        .join(" · ")
    ));
    if let Some(server) = &report.judged_by {
        out.push_str(&format!(
            "  judged by the server: both sides built on the shadow database server {server}\n"
        ));
    }
    for w in &report.warnings {
        out.push_str(&format!("  warning: {w}\n"));
    }
    for l in &report.ignored {
        out.push_str(&st.dim(&format!("  ignored (-- strata:ignore): {l}\n")));
    }
    if report.differences.is_empty() {
        out.push_str(&format!(
            "{} the history builds exactly the declared schema\n",
            st.green("✓ in step:")
        ));
        return out;
    }
    let n = report.differences.len();
    out.push_str(&format!(
        "{} {n} difference{} between the declared schema and what the history builds\n",
        st.red("✗"),
        if n == 1 { "" } else { "s" }
    ));
    for d in &report.differences {
        out.push('\n');
        let tag = if d.difference.security {
            format!(" {}", st.red(SECURITY_TAG))
        } else {
            String::new()
        };
        out.push_str(&format!(
            "  {}{tag}\n",
            st.bold(&d.difference.path.to_string())
        ));
        match &d.difference.change {
            Change::Missing { expected } => {
                out.push_str("    declared, but no migration creates it\n");
                out.push_str(&format!("    declared:   {expected}\n"));
            }
            Change::Unexpected { found } => {
                out.push_str("    created by the migrations, but not declared\n");
                out.push_str(&format!("    migrations: {found}\n"));
            }
            c @ (Change::Changed { .. } | Change::Unproven { .. }) => {
                let (what, expected, found) = c.property().unwrap_or_default();
                out.push_str(&format!("    {what}\n"));
                out.push_str(&format!("    declared:   {expected}\n"));
                out.push_str(&format!("    migrations: {found}\n"));
            }
        }
        if let Some(l) = &d.declared_at {
            out.push_str(&st.dim(&format!("    declared in {l}\n")));
        }
        if let Some(l) = &d.last_touched {
            out.push_str(&st.dim(&format!("    last touched by {l}\n")));
        }
    }
    out.push_str(
        "\nto fix: `strata new <name>` writes the migration that brings the history to the declared schema (or change the declaration), then run `strata check` again\n",
    );
    out
}

pub fn error(e: &Error, format: Format) -> ExitCode {
    match format {
        Format::Json => {
            let (location, message, help) = match e {
                Error::Sql(s) => (
                    Some(s.location.to_string()),
                    s.message.clone(),
                    s.help.clone(),
                ),
                Error::Source {
                    path,
                    message,
                    help,
                } => (Some(path.clone()), message.clone(), Some(help.clone())),
            };
            let v = serde_json::json!({
                "status": "error",
                "error": { "location": location, "message": message, "help": help },
            });
            println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        }
        Format::Text => {
            let handler = miette::GraphicalReportHandler::new_themed(
                if std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none() {
                    miette::GraphicalTheme::unicode()
                } else {
                    miette::GraphicalTheme::unicode_nocolor()
                },
            );
            let mut s = String::new();
            if handler.render_report(&mut s, e).is_err() {
                s = e.to_string();
            }
            eprint!("error: {s}");
        }
    }
    ExitCode::from(2)
}

/// `1 table · 2 columns · 0 enums`: each count with its noun in the right
/// number.
/// What a schema holds, as reports lead with it: tables, columns,
/// constraints, indexes, enums, sequences and extensions always (with the
/// schema count when `namespaces`), the other kinds only when present.
pub(crate) fn schema_counts(c: &strata_core::model::Counts, namespaces: bool) -> String {
    let mut items = Vec::new();
    if namespaces {
        items.push((c.namespaces, "schema", "schemas"));
    }
    items.extend([
        (c.tables, "table", "tables"),
        (c.columns, "column", "columns"),
        (c.constraints, "constraint", "constraints"),
        (c.indexes, "index", "indexes"),
        (c.enums, "enum", "enums"),
        (c.sequences, "sequence", "sequences"),
        (c.extensions, "extension", "extensions"),
    ]);
    let optional = [
        (c.views, "view", "views"),
        (
            c.materialized_views,
            "materialized view",
            "materialized views",
        ),
        (c.routines, "function", "functions"),
        (c.triggers, "trigger", "triggers"),
        (c.policies, "policy", "policies"),
        (c.rules, "rule", "rules"),
        (c.publications, "publication", "publications"),
        (c.domains, "domain", "domains"),
        (c.composite_types, "composite type", "composite types"),
        (c.range_types, "range type", "range types"),
        (c.collations, "collation", "collations"),
    ];
    items.extend(optional.into_iter().filter(|(n, _, _)| *n > 0));
    counted(&items)
}

pub(crate) fn counted(items: &[(usize, &str, &str)]) -> String {
    items
        .iter()
        .map(|(n, one, many)| format!("{n} {}", if *n == 1 { one } else { many }))
        .collect::<Vec<_>>()
        .join(" · ")
}
