//! `strata drift` reports: text grouped by table, JSON, GitHub annotations,
//! and one summary line per database.

use std::collections::BTreeMap;
use std::process::ExitCode;

use strata::drift::{Against, Attribution, DriftDifference, DriftReport, Expected};
use strata_core::diff::Change;
use strata_core::{Error, Location};

use super::{FailOn, Style, SECURITY_TAG};
use crate::Format;

/// How `strata drift` prints its report.
#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum DriftFormat {
    /// Grouped by table, with attribution labels (colour on a terminal).
    Text,
    /// One JSON document (shape documented in README.md).
    Json,
    /// GitHub Actions annotations, one per difference.
    Github,
}

/// One database checked: its name (from the targets file), `host:port/db`,
/// and the report or the (already redacted) error.
pub struct Checked {
    pub name: Option<String>,
    pub target: String,
    pub outcome: Result<DriftReport, String>,
}

impl Checked {
    /// 0 no drift, 1 drift, 2 error.
    fn code(&self) -> u8 {
        self.code_failing_on(FailOn::Any)
    }

    /// The exit code with `--fail-on`: 0 when no difference fails it.
    fn code_failing_on(&self, fail_on: FailOn) -> u8 {
        match &self.outcome {
            Ok(r) if fail_on.fails(r.drifted(), r.security_drift()) => 1,
            Ok(_) => 0,
            Err(_) => 2,
        }
    }

    fn status(&self) -> &'static str {
        match self.code() {
            0 => "no_drift",
            1 => "drift",
            _ => "error",
        }
    }

    /// `name (host:port/db)` or `host:port/db`.
    fn title(&self) -> String {
        match &self.name {
            Some(n) => format!("{n} ({})", self.target),
            None => self.target.clone(),
        }
    }
}

/// Prints the report in `format` and returns the worst exit code.
pub fn report(
    results: &[Checked],
    expected: &Expected,
    format: DriftFormat,
    fail_on: FailOn,
) -> ExitCode {
    let st = Style::stdout();
    match format {
        DriftFormat::Text => {
            print!("{}", text(results, expected, &st));
            print!("{}", summary(results, &st));
        }
        DriftFormat::Json => {
            let v = json(results, expected);
            println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
            eprint!("{}", summary(results, &Style { on: false }));
        }
        DriftFormat::Github => {
            print!("{}", github(results, expected));
            print!("{}", summary(results, &Style { on: false }));
        }
    }
    let code = results
        .iter()
        .map(|c| c.code_failing_on(fail_on))
        .max()
        .unwrap_or(0);
    let drifted = results.iter().any(|c| c.code() == 1);
    if fail_on == FailOn::Security && drifted && code == 0 {
        let note = "no difference concerns security: exit 0 (--fail-on security)\n";
        if format == DriftFormat::Json {
            eprint!("{note}");
        } else {
            print!("{note}");
        }
    }
    ExitCode::from(code)
}

/// Bad input (config, sources, targets): nothing was checked.
pub fn input_error(e: &Error, format: DriftFormat) -> ExitCode {
    match format {
        DriftFormat::Text => super::error(e, Format::Text),
        DriftFormat::Json => super::error(e, Format::Json),
        DriftFormat::Github => {
            let (file, line, message) = match e {
                Error::Sql(s) => (
                    Some(s.location.file.clone()),
                    Some(s.location.line),
                    s.message.clone(),
                ),
                Error::Source { path, message, .. } => (None, None, format!("{path}: {message}")),
            };
            println!(
                "{}",
                annotation("error", file.as_deref(), line, "strata drift", &message)
            );
            ExitCode::from(2)
        }
    }
}

fn paint_attribution(st: &Style, a: Attribution) -> String {
    let label = format!("[{}]", a.label());
    match a {
        Attribution::Pending => st.paint("33", &label),
        Attribution::EditedMigration | Attribution::OutOfBand => st.red(&label),
        Attribution::DeclaredNotMigrated => st.paint("35", &label),
        Attribution::NotAttributed => st.dim(&label),
    }
}

fn against_kind(e: &Expected) -> &'static str {
    match e.against {
        Against::Declared => "the declared schema",
        Against::Migrations => "the migration history",
        Against::Source => "the source",
    }
}

/// The detail of every database that drifted, grouped by table.
fn text(results: &[Checked], expected: &Expected, st: &Style) -> String {
    let mut out = String::new();
    for c in results {
        let Ok(r) = &c.outcome else { continue };
        if !r.drifted() {
            continue;
        }
        out.push_str(&format!(
            "{} {} against {} ({})\n",
            st.bold("strata drift:"),
            c.title(),
            expected.label,
            against_kind(expected)
        ));
        if let Some(h) = &r.history {
            out.push_str(&format!(
                "  history: {} · {} applied · {} pending · {} edited\n",
                h.tool,
                h.applied,
                h.pending.len(),
                h.edited.len()
            ));
        }
        if let Some(n) = &r.note {
            out.push_str(&format!("  note: {n}\n"));
        }
        for w in &r.warnings {
            out.push_str(&format!("  warning: {w}\n"));
        }
        let n = r.differences.len();
        out.push_str(&format!(
            "{} {n} difference{}\n",
            st.red("✗"),
            if n == 1 { "" } else { "s" }
        ));
        let mut groups: BTreeMap<(u8, String), Vec<&DriftDifference>> = BTreeMap::new();
        for d in &r.differences {
            let key = match d.difference.path.table_path() {
                Some(t) => (0, t.to_string()),
                None => (1, "other objects".to_string()),
            };
            groups.entry(key).or_default().push(d);
        }
        for ((_, group), diffs) in &groups {
            out.push('\n');
            out.push_str(&format!("  {}\n", st.bold(group)));
            for d in diffs {
                out.push_str(&difference_text(d, st));
            }
        }
        out.push('\n');
    }
    out
}

fn difference_text(d: &DriftDifference, st: &Style) -> String {
    let mut out = String::new();
    let what = match &d.difference.change {
        Change::Missing { .. } => "missing from the database".to_string(),
        Change::Unexpected { .. } => "in the database, not expected".to_string(),
        Change::Changed { field, .. } => strata_core::diff::differs(field),
        Change::Unproven { field, .. } => format!("cannot prove the {field} equal"),
    };
    let tag = if d.difference.security {
        format!(" {}", st.red(SECURITY_TAG))
    } else {
        String::new()
    };
    out.push_str(&format!(
        "    {}{tag} {}: {what}\n",
        paint_attribution(st, d.attribution),
        d.difference.path
    ));
    match &d.difference.change {
        Change::Missing { expected } => out.push_str(&format!("      expected: {expected}\n")),
        Change::Unexpected { found } => out.push_str(&format!("      found:    {found}\n")),
        Change::Changed {
            expected, found, ..
        } => {
            out.push_str(&format!("      expected: {expected}\n"));
            out.push_str(&format!("      found:    {found}\n"));
        }
        Change::Unproven {
            expected,
            found,
            reason,
            ..
        } => {
            out.push_str(&format!("      expected: {expected}\n"));
            out.push_str(&format!("      found:    {found}\n"));
            out.push_str(&format!("      why:      {reason}\n"));
        }
    }
    let why = match d.attribution {
        Attribution::Pending => format!("pending: {}", d.migrations.join(", ")),
        Attribution::EditedMigration => {
            format!("edited after it was applied: {}", d.migrations.join(", "))
        }
        other => other.explanation().to_string(),
    };
    out.push_str(&st.dim(&format!("      {why}\n")));
    if let Some(l) = &d.declared_at {
        out.push_str(&st.dim(&format!("      declared in {l}\n")));
    }
    out
}

/// One line per database, in the order given.
fn summary(results: &[Checked], st: &Style) -> String {
    let mut out = String::new();
    for c in results {
        match &c.outcome {
            Ok(r) if r.drifted() => {
                let counts: Vec<String> = r
                    .counts()
                    .iter()
                    .map(|(a, n)| format!("{n} {}", a.label()))
                    .collect();
                let n = r.differences.len();
                let mut counts = counts;
                let security = r
                    .differences
                    .iter()
                    .filter(|d| d.difference.security)
                    .count();
                if security > 0 {
                    counts.push(format!("{security} security"));
                }
                out.push_str(&format!(
                    "{} {}: drift, {n} difference{} ({})\n",
                    st.red("✗"),
                    c.title(),
                    if n == 1 { "" } else { "s" },
                    counts.join(", ")
                ));
            }
            Ok(r) => {
                let mut line = format!("{} {}: no drift", st.green("✓"), c.title());
                if let Some(h) = &r.history {
                    line.push_str(&format!(" ({} · {} applied)", h.tool, h.applied));
                } else if let Some(n) = &r.note {
                    line.push_str(&format!(" ({n})"));
                }
                out.push_str(&line);
                out.push('\n');
            }
            Err(e) => {
                out.push_str(&format!("{} {}: error: {e}\n", st.red("!"), c.title()));
            }
        }
    }
    out
}

fn json(results: &[Checked], expected: &Expected) -> serde_json::Value {
    let worst = results.iter().map(Checked::code).max().unwrap_or(0);
    let status = match worst {
        0 => "no_drift",
        1 => "drift",
        _ => "error",
    };
    serde_json::json!({
        "status": status,
        "against": expected.label,
        "against_kind": expected.against,
        "databases": results.iter().map(database_json).collect::<Vec<_>>(),
    })
}

fn database_json(c: &Checked) -> serde_json::Value {
    let mut o = serde_json::json!({
        "target": c.target,
        "name": c.name,
        "status": c.status(),
        "error": null,
        "note": null,
        "warnings": [],
        "history": null,
        "differences": [],
    });
    match &c.outcome {
        Err(e) => o["error"] = e.clone().into(),
        Ok(r) => {
            o["note"] = serde_json::json!(r.note);
            o["warnings"] = serde_json::json!(r.warnings);
            o["history"] = serde_json::json!(r.history);
            o["differences"] = r.differences.iter().map(difference_json).collect();
        }
    }
    o
}

fn difference_json(d: &DriftDifference) -> serde_json::Value {
    let p = &d.difference.path;
    let (change, field, expected, found) = match &d.difference.change {
        Change::Missing { expected } => ("missing", None, Some(expected), None),
        Change::Unexpected { found } => ("unexpected", None, None, Some(found)),
        Change::Changed {
            field,
            expected,
            found,
        } => ("changed", Some(field), Some(expected), Some(found)),
        Change::Unproven {
            field,
            expected,
            found,
            ..
        } => ("unproven", Some(field), Some(expected), Some(found)),
    };
    serde_json::json!({
        "object": p.to_string(),
        "kind": p.kind,
        "namespace": p.namespace,
        "table": p.table,
        "name": p.name,
        "change": change,
        "field": field,
        "expected": expected,
        "found": found,
        "reason": match &d.difference.change {
            Change::Unproven { reason, .. } => Some(reason),
            _ => None,
        },
        "attribution": d.attribution,
        "security": d.difference.security,
        "migration": d.migrations.first(),
        "migrations": d.migrations,
        "declared_at": d.declared_at.as_ref().map(Location::to_string),
        "last_touched": d.last_touched.as_ref().map(Location::to_string),
    })
}

/// `%`, CR and LF escaped as GitHub's workflow commands require; in
/// properties also `:` and `,`.
pub(crate) fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

pub(crate) fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn annotation(
    level: &str,
    file: Option<&str>,
    line: Option<u32>,
    title: &str,
    message: &str,
) -> String {
    let mut props = Vec::new();
    if let Some(f) = file {
        props.push(format!("file={}", escape_property(f)));
        if let Some(l) = line {
            props.push(format!("line={l}"));
        }
    }
    props.push(format!("title={}", escape_property(title)));
    format!("::{level} {}::{}", props.join(","), escape_data(message))
}

fn github(results: &[Checked], expected: &Expected) -> String {
    let mut out = String::new();
    for c in results {
        match &c.outcome {
            Err(e) => {
                out.push_str(&annotation(
                    "error",
                    None,
                    None,
                    "strata drift: cannot check a database",
                    &format!("{}: {e}", c.title()),
                ));
                out.push('\n');
            }
            Ok(r) => {
                for d in &r.differences {
                    out.push_str(&difference_annotation(c, d, expected));
                    out.push('\n');
                }
            }
        }
    }
    out
}

fn difference_annotation(c: &Checked, d: &DriftDifference, expected: &Expected) -> String {
    // A security difference is an error even while its migration is pending.
    let level = if d.attribution == Attribution::Pending && !d.difference.security {
        "warning"
    } else {
        "error"
    };
    // The declared file:line when known; else the migration that explains
    // it; else where the history last touched the object.
    let (file, line) = match (&d.declared_at, d.migrations.first(), &d.last_touched) {
        (Some(l), _, _) => (Some(l.file.to_string()), Some(l.line)),
        (None, Some(m), _) => (Some(m.clone()), Some(1)),
        (None, None, Some(l)) if expected.against == Against::Migrations => {
            (Some(l.file.to_string()), Some(l.line))
        }
        _ => (None, None),
    };
    let what = match &d.difference.change {
        Change::Missing { expected } => format!("missing from the database (expected {expected})"),
        Change::Unexpected { found } => format!("in the database, not expected ({found})"),
        Change::Changed {
            field,
            expected,
            found,
        } => format!(
            "{} (expected {expected}, found {found})",
            strata_core::diff::differs(field)
        ),
        Change::Unproven {
            field,
            expected,
            found,
            reason,
        } => {
            format!("cannot prove the {field} equal (expected {expected}, found {found}): {reason}")
        }
    };
    let why = match d.attribution {
        Attribution::Pending => format!("pending migration {}", d.migrations.join(", ")),
        Attribution::EditedMigration => {
            format!("edited migration {}", d.migrations.join(", "))
        }
        other => other.explanation().to_string(),
    };
    annotation(
        level,
        file.as_deref(),
        line,
        &format!(
            "drift ({}){}: {}",
            d.attribution.label(),
            if d.difference.security {
                ", security"
            } else {
                ""
            },
            d.difference.path
        ),
        &format!("{}: {} {what}; {why}", c.title(), d.difference.path),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotations_escape_as_github_requires() {
        let a = annotation(
            "error",
            Some("schema/a,b.sql"),
            Some(3),
            "drift: x",
            "50% off\nnext",
        );
        assert_eq!(
            a,
            "::error file=schema/a%2Cb.sql,line=3,title=drift%3A x::50%25 off%0Anext"
        );
    }
}
