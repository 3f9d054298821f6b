//! `strata diff` and `strata new` reports: the plan as SQL, as text for
//! people, as JSON for machines; plan errors.

use std::process::ExitCode;

use strata_core::plan::{Plan, PlanError, Unit};

/// How `strata diff` prints a plan.
#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum PlanFormat {
    /// The migration SQL, each step's hazards as comments.
    Sql,
    /// A summary and the steps, for people.
    Text,
    /// One JSON document.
    Json,
}

/// The two sides, as reports name them.
pub struct Sides {
    pub from: String,
    pub to: String,
    pub server_version_num: u32,
}

/// Prints a plan; exit 0 when there is nothing to do, 1 when there is a
/// plan.
pub fn plan(p: &Plan, sides: &Sides, format: PlanFormat) -> ExitCode {
    match format {
        PlanFormat::Json => println!("{}", json(p, sides)),
        PlanFormat::Sql => {
            notes_to_stderr(p);
            print!("{}", sql(p, sides));
        }
        PlanFormat::Text => {
            notes_to_stderr(p);
            print!("{}", text(p, sides));
        }
    }
    if p.is_empty() {
        ExitCode::from(0)
    } else {
        ExitCode::from(1)
    }
}

fn notes_to_stderr(p: &Plan) {
    for s in &p.stale_hints {
        eprintln!(
            "warning: stale rename hint at {} (`-- strata:renamed-from {}` on {}): {}",
            s.hint.location, s.hint.from, s.hint.name, s.reason
        );
    }
    for w in &p.warnings {
        eprintln!("warning: {w}");
    }
}

/// The plan as one SQL script, with a header naming both sides.
pub fn sql(p: &Plan, sides: &Sides) -> String {
    let mut out = format!(
        "-- strata diff: {} → {} (PostgreSQL {})\n",
        one_line(&sides.from),
        one_line(&sides.to),
        version_label(sides.server_version_num)
    );
    if p.is_empty() {
        out.push_str("-- nothing to do: the two schemas are the same\n");
        return out;
    }
    out.push_str(&format!(
        "-- {}{}\n\n",
        super::counted(&[
            (p.step_count(), "step in", "steps in"),
            (p.units.len(), "unit", "units"),
        ])
        .replace(" · ", " "),
        hazard_summary(p)
    ));
    out.push_str(&p.sql());
    out
}

fn hazard_summary(p: &Plan) -> String {
    let h: Vec<&str> = p.hazards().into_iter().map(|h| h.name()).collect();
    if h.is_empty() {
        "; no hazards".to_string()
    } else {
        format!("; hazards: {}", h.join(", "))
    }
}

fn version_label(v: u32) -> String {
    format!("{}.{}", v / 10000, v % 10000)
}

pub(crate) fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

fn text(p: &Plan, sides: &Sides) -> String {
    let mut out = format!(
        "strata diff: {} → {}\n",
        one_line(&sides.from),
        one_line(&sides.to)
    );
    if p.is_empty() {
        out.push_str("✓ nothing to do: the two schemas are the same\n");
        return out;
    }
    out.push_str(&format!(
        "  {}{}\n",
        super::counted(&[
            (p.step_count(), "step in", "steps in"),
            (p.units.len(), "unit", "units"),
        ])
        .replace(" · ", " "),
        hazard_summary(p)
    ));
    let mut n = 1;
    for (i, u) in p.units.iter().enumerate() {
        out.push_str(&format!(
            "\nunit {} ({}):\n",
            i + 1,
            if u.transactional {
                "one transaction"
            } else {
                "no transaction"
            }
        ));
        for s in &u.steps {
            out.push_str(&format!(
                "  {n:>3}. {} {}\n",
                s.action,
                one_line(&s.object.sql_name())
            ));
            for h in &s.hazards {
                out.push_str(&format!("       {}: {}\n", h.hazard, h.why));
            }
            n += 1;
        }
    }
    out.push_str("\nrun with --format sql for the statements\n");
    out
}

fn unit_json(u: &Unit, first: usize) -> serde_json::Value {
    serde_json::json!({
        "transactional": u.transactional,
        "sql": Plan::unit_sql(u, first),
        "steps": u.steps.iter().enumerate().map(|(i, s)| serde_json::json!({
            "number": first + i,
            "action": s.action,
            "object": s.object.to_string(),
            "kind": s.object.kind,
            "namespace": s.object.namespace,
            "table": s.object.table,
            "name": s.object.name,
            "statements": s.statements,
            "no_transaction": s.no_transaction,
            "hazards": s.hazards,
        })).collect::<Vec<_>>(),
    })
}

fn json(p: &Plan, sides: &Sides) -> String {
    let mut first = 1;
    let mut units = Vec::new();
    for u in &p.units {
        units.push(unit_json(u, first));
        first += u.steps.len();
    }
    let v = serde_json::json!({
        "status": if p.is_empty() { "no_changes" } else { "plan" },
        "from": sides.from,
        "to": sides.to,
        "server_version_num": sides.server_version_num,
        "steps": p.step_count(),
        "hazards": p.hazards(),
        "units": units,
        "stale_hints": p.stale_hints.iter().map(|s| serde_json::json!({
            "location": s.hint.location.to_string(),
            "kind": s.hint.kind,
            "namespace": s.hint.namespace,
            "parent": s.hint.parent,
            "name": s.hint.name,
            "from": s.hint.from,
            "reason": s.reason,
        })).collect::<Vec<_>>(),
        "warnings": p.warnings,
    });
    serde_json::to_string_pretty(&v).unwrap_or_default()
}

/// A plan that could not be made: exit 2.
pub fn error(e: &PlanError, json: bool) -> ExitCode {
    if json {
        let v = serde_json::json!({
            "status": "error",
            "error": {
                "kind": e.kind,
                "message": e.message,
                "details": e.details,
                "help": e.help,
            }
        });
        println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
    } else {
        let mut s = format!("error: {}\n", one_line(&e.message));
        for d in &e.details {
            s.push_str(&format!("  {}\n", one_line(d)));
        }
        s.push_str(&format!("help: {}\n", one_line(&e.help)));
        eprint!("{s}");
    }
    ExitCode::from(2)
}
