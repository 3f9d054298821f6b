//! `strata lint` reports: text, JSON, GitHub annotations and SARIF 2.1.0.

use std::process::ExitCode;

use strata_core::lint::{LintReport, RULES};
use strata_core::Error;

use super::drift::{escape_data, escape_property};
use super::Style;
use crate::Format;

/// How `strata lint` prints its report.
#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LintFormat {
    /// One block per finding: location, rule, message, help, link.
    Text,
    /// One JSON document (shape documented in README.md).
    Json,
    /// GitHub Actions annotations, one per finding.
    Github,
    /// SARIF 2.1.0, for GitHub code scanning (`upload-sarif`).
    Sarif,
}

/// Prints the report; exit 1 when there are findings, 0 when none.
pub fn report(r: &LintReport, format: LintFormat) -> ExitCode {
    match format {
        LintFormat::Text => print!("{}", text(r, &Style::stdout())),
        LintFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&json(r)).unwrap_or_default()
        ),
        LintFormat::Github => {
            print!("{}", github(r));
            println!("{}", summary(r));
        }
        LintFormat::Sarif => println!(
            "{}",
            serde_json::to_string_pretty(&sarif(r)).unwrap_or_default()
        ),
    }
    ExitCode::from(if r.findings.is_empty() { 0 } else { 1 })
}

/// Bad input: nothing was linted (exit 2).
pub fn error(e: &Error, format: LintFormat) -> ExitCode {
    match format {
        LintFormat::Json => super::error(e, Format::Json),
        LintFormat::Text | LintFormat::Sarif => super::error(e, Format::Text),
        LintFormat::Github => {
            let (props, message) = match e {
                Error::Sql(s) => (
                    format!(
                        "file={},line={},col={},",
                        escape_property(&s.location.file),
                        s.location.line,
                        s.location.column
                    ),
                    s.message.clone(),
                ),
                Error::Source { path, message, .. } => {
                    (String::new(), format!("{path}: {message}"))
                }
            };
            println!(
                "::error {props}title={}::{}",
                escape_property("strata lint"),
                escape_data(&message)
            );
            ExitCode::from(2)
        }
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// One line: how many findings, by rule; allowed; notes.
pub fn summary(r: &LintReport) -> String {
    let mut s = format!(
        "{} in {} ({})",
        plural(r.findings.len(), "finding", "findings"),
        plural(r.files, "file", "files"),
        plural(r.statements, "statement", "statements"),
    );
    let counts = r.counts();
    if !counts.is_empty() {
        let parts: Vec<String> = counts.iter().map(|(k, v)| format!("{k} {v}")).collect();
        s.push_str(&format!(": {}", parts.join(" · ")));
    }
    let allowed: usize = r.allowed.values().sum();
    if allowed > 0 {
        s.push_str(&format!("; {allowed} allowed by -- strata:allow"));
    }
    if !r.notes.is_empty() {
        s.push_str(&format!(
            "; {} the model could not follow",
            plural(r.notes.len(), "statement", "statements")
        ));
    }
    s
}

fn text(r: &LintReport, st: &Style) -> String {
    let mut out = String::new();
    for f in &r.findings {
        let level = match f.level {
            strata_core::lint::Level::Error => st.red("error"),
            strata_core::lint::Level::Warning => st.paint("33", "warning"),
        };
        out.push_str(&format!(
            "{}: {level}[{}] {}\n  {} {}\n  {} {}\n",
            st.bold(&f.location.to_string()),
            f.rule,
            f.message,
            st.dim("help:"),
            f.help,
            st.dim("see:"),
            f.url
        ));
    }
    for n in &r.notes {
        out.push_str(&format!(
            "{}: {} replay could not apply this statement to the model ({}); later findings use what it knows\n",
            st.bold(&n.location.to_string()),
            st.dim("note:"),
            n.message
        ));
    }
    let line = summary(r);
    out.push_str(&if r.findings.is_empty() {
        st.green(&line)
    } else {
        line
    });
    out.push('\n');
    out
}

fn json(r: &LintReport) -> serde_json::Value {
    serde_json::json!({
        "status": if r.findings.is_empty() { "clean" } else { "findings" },
        "files": r.files,
        "statements": r.statements,
        "counts": r.counts(),
        "allowed": r.allowed,
        "findings": r.findings,
        "notes": r.notes,
    })
}

fn github(r: &LintReport) -> String {
    let mut out = String::new();
    for f in &r.findings {
        out.push_str(&format!(
            "::{} file={},line={},col={},title={}::{}\n",
            f.level.name(),
            escape_property(&f.location.file),
            f.location.line,
            f.location.column,
            escape_property(&format!("strata lint: {}", f.rule)),
            escape_data(&format!("{}\nhelp: {}\nsee: {}", f.message, f.help, f.url))
        ));
    }
    for n in &r.notes {
        out.push_str(&format!(
            "::notice file={},line={},col={},title={}::{}\n",
            escape_property(&n.location.file),
            n.location.line,
            n.location.column,
            escape_property("strata lint: model not updated"),
            escape_data(&n.message)
        ));
    }
    out
}

/// A path as a SARIF `artifactLocation.uri`: relative paths stay relative
/// (with `/`), absolute ones become `file://` URIs; characters outside the
/// unreserved set and `/` are percent-encoded.
fn uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let mut enc = String::new();
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            enc.push(b as char);
        } else {
            enc.push_str(&format!("%{b:02X}"));
        }
    }
    let enc = enc.strip_prefix("./").map(str::to_string).unwrap_or(enc);
    if path.starts_with('/') {
        format!("file://{enc}")
    } else {
        enc
    }
}

/// SARIF 2.1.0: one run, every rule in the driver, one result per finding;
/// notes as tool execution notifications.
pub fn sarif(r: &LintReport) -> serde_json::Value {
    let rules: Vec<serde_json::Value> = RULES
        .iter()
        .map(|rule| {
            serde_json::json!({
                "id": rule.name,
                "name": rule.name,
                "shortDescription": { "text": rule.summary },
                "fullDescription": { "text": format!("{} — {}", rule.summary, rule.help) },
                "help": { "text": rule.help },
                "helpUri": rule.url(),
                "defaultConfiguration": { "level": rule.level.name() },
            })
        })
        .collect();
    let results: Vec<serde_json::Value> = r
        .findings
        .iter()
        .map(|f| {
            serde_json::json!({
                "ruleId": f.rule,
                "ruleIndex": RULES.iter().position(|x| x.name == f.rule).unwrap_or(0),
                "level": f.level.name(),
                "message": { "text": format!("{} ({})", f.message, f.help) },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri(&f.location.file) },
                        "region": {
                            "startLine": f.location.line,
                            "startColumn": f.location.column,
                        }
                    }
                }],
            })
        })
        .collect();
    let notifications: Vec<serde_json::Value> = r
        .notes
        .iter()
        .map(|n| {
            serde_json::json!({
                "level": "note",
                "message": { "text": format!("replay could not apply this statement to the model: {}", n.message) },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri(&n.location.file) },
                        "region": { "startLine": n.location.line, "startColumn": n.location.column }
                    }
                }],
            })
        })
        .collect();
    serde_json::json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "strata",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": strata_core::lint::rules::DOCS_URL,
                    "rules": rules,
                }
            },
            "invocations": [{
                "executionSuccessful": true,
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
        }]
    })
}

#[cfg(test)]
mod tests {
    use super::uri;

    #[test]
    fn sarif_uris() {
        assert_eq!(uri("migrations/V1__a b.sql"), "migrations/V1__a%20b.sql");
        assert_eq!(uri("./x.sql"), "x.sql");
        assert_eq!(uri("/abs/x.sql"), "file:///abs/x.sql");
    }
}
