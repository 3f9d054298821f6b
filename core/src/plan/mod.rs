//! Migration plans: from two models to ordered DDL steps, each with its
//! hazards.
//!
//! [`plan`] compares a source schema (what a database has, or what the
//! history builds) with a target (what is declared) and returns the steps
//! that take one to the other:
//!
//! - **Ordered by dependency.** Every step says which objects it creates,
//!   which it needs, which it drops and which it stops using; the steps are
//!   sorted so that an object exists before anything uses it and is no
//!   longer used when it is dropped (extensions, schemas, enums and
//!   sequences before the tables that use them, tables before their foreign
//!   keys and indexes, foreign keys dropped before the keys they reference,
//!   drops in reverse order). Among steps free to go, a fixed phase order
//!   and the model's sorted order decide, so the same input always gives the
//!   same bytes.
//! - **Hazards named.** Each step lists what it may do to a live database
//!   ([`Hazard`]). Steps that delete data are refused unless the caller
//!   allows that hazard ([`PlanOptions::allow`]); the refusal names each
//!   step and why.
//! - **Renames from hints**, never guessed: `-- strata:renamed-from OLD`
//!   collected by replay ([`crate::replay::RenameHint`]) gives `ALTER …
//!   RENAME`. A dropped and an added column (or table) that look like a
//!   rename without a hint stop the plan with an error suggesting the hint.
//!   A hint the source already applied is reported as stale.
//! - **Online mode** ([`PlanOptions::online`]): indexes built and dropped
//!   `CONCURRENTLY` in their own no-transaction unit, `NOT NULL` through a
//!   validated `CHECK`, foreign keys and checks added `NOT VALID` then
//!   validated, unique and primary keys attached `USING INDEX` built
//!   concurrently, a changed index replaced without a gap.
//! - **Generated columns**: an expression change is `SET EXPRESSION` on
//!   PostgreSQL 17 and later, else the column is dropped and added again
//!   with the indexes and constraints that use it rebuilt; generated to
//!   plain is `DROP EXPRESSION`, plain to generated a drop and an add.
//! - **Enums**: values added in place (`ADD VALUE … BEFORE/AFTER`), renamed
//!   from hints (`RENAME VALUE`), and removed or reordered by swapping the
//!   type (the old one renamed, the new one created, every column converted
//!   through `text`, defaults restored, the old one dropped), preceded by a
//!   guard that stops with the number of rows still holding a removed value.
//!
//! - **Hierarchies**: a parent's column added or dropped once, children
//!   planned from what the server's propagation leaves of them; a changed
//!   partition key recreates the table and its partitions (deletes data).
//!
//! What the plan does not write yet is refused by name ([`PlanError`]):
//! objects strata keeps by name only (foreign tables, …), changes the server would
//! propagate inside a hierarchy other than a parent's columns added or
//! dropped, and a partition key change of a table that is referenced,
//! inherits or is inherited.
//!
//! The DDL text itself comes from [`crate::ddl`] (columns, constraints,
//! indexes, sequences, whole tables): the plan decides what and when, the
//! DDL writer how. [`verify`] replays a plan offline on the source and
//! checks that it arrives at the target.

mod build;
pub(crate) mod hazard;
mod order;
#[cfg(test)]
mod tests;

use std::collections::BTreeSet;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use serde::Serialize;

use crate::diff::{diff, DiffOptions, Difference};
use crate::model::{ObjectPath, Schema};
use crate::replay::{RenameHint, Replayer};

pub use hazard::Hazard;

/// What to plan, and how.
#[derive(Debug, Clone)]
pub struct PlanOptions {
    /// Build and drop indexes concurrently, add constraints `NOT VALID` and
    /// validate them apart, set `NOT NULL` through a validated check.
    pub online: bool,
    /// Hazards the caller accepts. Steps with a hazard that is refused by
    /// default ([`Hazard::refused_by_default`]) are refused unless it is
    /// here.
    pub allow: BTreeSet<Hazard>,
    /// `server_version_num` of the PostgreSQL the plan is for (`150000`
    /// for 15.0): `SET EXPRESSION` needs 170000.
    pub server_version_num: u32,
    /// Rename hints, as the target's replay collected them.
    pub renames: Vec<RenameHint>,
    /// `--owners`: plan owners too, with the role that runs the plan when
    /// known (an object owned by it is owned by `CURRENT_USER`).
    pub owners: Option<Option<String>>,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions {
            online: false,
            allow: BTreeSet::new(),
            server_version_num: 150000,
            renames: Vec::new(),
            owners: None,
        }
    }
}

/// One hazard of a step, with the reason in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HazardNote {
    pub hazard: Hazard,
    pub why: String,
}

/// One step of a plan: one change to one object, as one or more
/// statements (without their final `;`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    /// The object changed.
    pub object: ObjectPath,
    /// What is done to it: `add column`, `drop index`, `swap enum`, …
    pub action: String,
    pub statements: Vec<String>,
    pub hazards: Vec<HazardNote>,
    /// Must run outside a transaction block (`CREATE INDEX CONCURRENTLY`).
    pub no_transaction: bool,
}

impl Step {
    pub fn has(&self, h: Hazard) -> bool {
        self.hazards.iter().any(|n| n.hazard == h)
    }
}

/// Steps that run together: in one transaction, or (for `CONCURRENTLY`
/// builds) one statement at a time outside any. A unit is one migration
/// file for `strata new`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unit {
    pub transactional: bool,
    pub steps: Vec<Step>,
}

/// The plan: units in order, and what is worth saying about it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub units: Vec<Unit>,
    /// Hints the source already applied (or that name nothing in it).
    pub stale_hints: Vec<StaleHint>,
    /// Notes that do not stop the plan.
    pub warnings: Vec<String>,
}

/// A rename hint that had nothing to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaleHint {
    pub hint: RenameHint,
    pub reason: String,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.units.iter().all(|u| u.steps.is_empty())
    }

    pub fn steps(&self) -> impl Iterator<Item = &Step> {
        self.units.iter().flat_map(|u| u.steps.iter())
    }

    pub fn step_count(&self) -> usize {
        self.units.iter().map(|u| u.steps.len()).sum()
    }

    /// Every hazard of the plan, once each, in order.
    pub fn hazards(&self) -> BTreeSet<Hazard> {
        self.steps()
            .flat_map(|s| s.hazards.iter().map(|h| h.hazard))
            .collect()
    }

    /// One unit as a SQL file: a `-- strata:no-transaction` first line when
    /// it must run outside a transaction, then each step as a comment
    /// (number, action, object, hazards) and its statements. `first` is the
    /// number of the unit's first step in the whole plan.
    pub fn unit_sql(unit: &Unit, first: usize) -> String {
        let mut out = String::new();
        if !unit.transactional {
            out.push_str("-- strata:no-transaction\n");
            push_comment(
                &mut out,
                "runs outside a transaction: each statement commits on its own",
            );
        }
        for (i, step) in unit.steps.iter().enumerate() {
            if !out.is_empty() {
                out.push('\n');
            }
            push_comment(
                &mut out,
                &format!(
                    "step {}: {} {}",
                    first + i,
                    step.action,
                    step.object.sql_name()
                ),
            );
            for h in &step.hazards {
                push_comment(&mut out, &format!("  hazard {}: {}", h.hazard, h.why));
            }
            for s in &step.statements {
                out.push_str(s);
                out.push_str(";\n");
            }
        }
        out
    }

    /// The whole plan as one SQL script: units one after the other, each
    /// headed by a comment saying how it must run.
    pub fn sql(&self) -> String {
        let mut out = String::new();
        let mut first = 1;
        let many = self.units.len() > 1;
        for (n, unit) in self.units.iter().enumerate() {
            if many {
                if !out.is_empty() {
                    out.push('\n');
                }
                push_comment(
                    &mut out,
                    &format!(
                        "---- unit {} of {}: {}",
                        n + 1,
                        self.units.len(),
                        if unit.transactional {
                            "in one transaction"
                        } else {
                            "outside a transaction (one statement at a time)"
                        }
                    ),
                );
            }
            let mut body = Plan::unit_sql(unit, first);
            if many && !unit.transactional {
                // The directive means something only on a file's first line.
                body = body.replacen("-- strata:no-transaction\n", "", 1);
            }
            out.push_str(&body);
            first += unit.steps.len();
        }
        out
    }
}

/// A `--` comment line; control characters (a quoted name may hold a line
/// break) are escaped so the comment cannot end early.
pub(crate) fn push_comment(out: &mut String, text: &str) {
    out.push_str("-- ");
    for ch in text.chars() {
        if ch.is_control() {
            out.extend(ch.escape_default());
        } else {
            out.push(ch);
        }
    }
    out.push('\n');
}

/// Why no plan was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanError {
    pub kind: PlanErrorKind,
    pub message: String,
    /// One line per object or step concerned.
    pub details: Vec<String>,
    pub help: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanErrorKind {
    /// The schemas differ in something strata cannot write.
    Unsupported,
    /// Steps with hazards the caller did not allow.
    Refused,
    /// A drop and an add that may be a rename, without a hint.
    PossibleRename,
    /// A rename hint that cannot be applied.
    BadHint,
    /// The steps depend on each other in a cycle.
    Cycle,
    /// Replayed offline, the plan does not arrive at the target.
    Unverified,
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)?;
        for d in &self.details {
            write!(f, "\n  {d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for PlanError {}

/// The plan from `from` to `to`.
///
/// An expression strata cannot prove equal on both sides (see
/// [`crate::model::Expression`]) is treated as changed: the step writes the
/// target's definition again, which is right whether or not the server
/// would have stored the same, and a warning names it.
pub fn plan(from: &Schema, to: &Schema, opts: &PlanOptions) -> Result<Plan, PlanError> {
    let mut p = build::build(from, to, opts)?;
    for d in diff(from, to, DiffOptions::default()) {
        if let crate::diff::Change::Unproven { field, reason, .. } = &d.change {
            p.warnings.push(format!(
                "{}: cannot prove the {field} equal ({reason}); the plan writes the target's \
                 definition again",
                d.path
            ));
        }
    }
    Ok(p)
}

/// Replays `plan` offline on `from` (written as DDL, then the plan's
/// statements) and compares the result with `to`: the differences that
/// remain (none when the plan is right), or the replay error.
pub fn verify(from: &Schema, to: &Schema, plan: &Plan) -> Result<Vec<Difference>, String> {
    let base = replay_source(from, None)?.ok_or("the source's replay was given up")?;
    verify_on(base, from, to, plan)
}

/// `from` written as DDL and replayed: where [`verify`] applies the plan.
/// It does not depend on the plan, so [`plan_verified`] runs it while it
/// plans, and gives it up (`Ok(None)`) through `stop` when there is
/// nothing to verify.
fn replay_source(from: &Schema, stop: Option<&AtomicBool>) -> Result<Option<Replayer>, String> {
    let mut r = Replayer::new();
    // Only the model is compared: no locations.
    r.keep_locations(false, false);
    // With its owners: the privileges it writes name them.
    let base: Arc<str> = Arc::from(crate::ddl::schema_sql_with(
        from,
        crate::ddl::DdlOptions { owners: true },
    ));
    let done = r
        .apply_file_unless("<source schema>", &base, stop)
        .map_err(|e| format!("the source schema does not replay: {e}"))?;
    if !done {
        return Ok(None);
    }
    r.restore_user_mapping_options(from);
    Ok(Some(r))
}

/// [`verify`] on the source as [`replay_source`] replayed it.
fn verify_on(
    mut r: Replayer,
    from: &Schema,
    to: &Schema,
    plan: &Plan,
) -> Result<Vec<Difference>, String> {
    for (i, unit) in plan.units.iter().enumerate() {
        let text: Arc<str> = Arc::from(Plan::unit_sql(unit, 1));
        r.apply_file(&format!("<plan unit {}>", i + 1), &text)
            .map_err(|e| format!("the plan does not replay: {e}"))?;
    }
    let mut got = r.finish().schema;
    got.unmanaged = from.unmanaged.clone();
    got.unmanaged_definitions = from.unmanaged_definitions.clone();
    // Routines the plan leaves alone (but for their privileges, which are
    // planned) are the source's with the privileges the plan gave them:
    // what replaying their written definition again derives is not the
    // point. Those it creates or replaces are what replaying made of them.
    for (ns, n) in &from.namespaces {
        if let Some(g) = got.namespaces.get_mut(ns) {
            let target = to.namespaces.get(ns).map(|t| &t.routines);
            for (sig, r) in &n.routines {
                let kept = target.and_then(|t| t.get(sig)).is_some_and(|t| {
                    let mut x = t.clone();
                    x.acl.clone_from(&r.acl);
                    x == *r
                });
                if let (true, Some(replayed)) = (kept, g.routines.get(sig)) {
                    let mut r = r.clone();
                    r.acl.clone_from(&replayed.acl);
                    g.routines.insert(sig.clone(), r);
                }
            }
            // Views the plan leaves alone are the source's: what replaying
            // them again derives is not the point.
            let target = to.namespaces.get(ns).map(|t| &t.views);
            for (name, v) in &n.views {
                let kept = target.and_then(|t| t.get(name)).is_some_and(|t| t == v);
                if kept && g.views.contains_key(name) {
                    g.views.insert(name.clone(), v.clone());
                }
            }
        }
    }
    let want = build::normalized_public(to);
    let want = &*want;
    // A trigger's WHEN condition is not analysed offline: where the plan
    // (or the source's DDL) wrote the target's condition text on the same
    // table, the server stores what the target stores.
    for (ns, n) in got.namespaces.iter_mut() {
        for (t, tt) in n.tables.iter_mut() {
            for (g, trig) in tt.triggers.iter_mut() {
                let Some(w) = want.table(ns, t).and_then(|x| x.triggers.get(g)) else {
                    continue;
                };
                if let (Some(gw), Some(ww)) = (&trig.when, &w.when) {
                    if gw.unproven().is_some() && gw.sql.trim() == ww.sql.trim() {
                        trig.when = Some(ww.clone());
                    }
                }
            }
        }
    }
    // A view the plan creates is written with the target's own text: it is
    // the target's view by construction, whatever replay derives for it.
    for (ns, n) in &want.namespaces {
        let Some(g) = got.namespaces.get_mut(ns) else {
            continue;
        };
        for (name, v) in &n.views {
            if let Some(gv) = g.views.get_mut(name) {
                if gv.query.sql == v.query.sql {
                    gv.query = v.query.clone();
                    for (gc, c) in gv.columns.iter_mut().zip(&v.columns) {
                        if gc.data_type.is_none() {
                            gc.data_type = c.data_type.clone();
                        }
                    }
                }
            }
        }
    }
    // A rule's condition and actions are written with the target's own
    // text (or the source's, kept): where the text is the same on the same
    // relation, the server stores what that side stores.
    for (ns, n) in got.namespaces.iter_mut() {
        let tables = n.tables.iter_mut().map(|(t, x)| (t.clone(), &mut x.rules));
        let views = n.views.iter_mut().map(|(v, x)| (v.clone(), &mut x.rules));
        for (rel, rules) in tables.chain(views) {
            for (name, r) in rules.iter_mut() {
                let known = [want, from].into_iter().find_map(|s| {
                    let x = s.namespaces.get(ns)?;
                    x.tables
                        .get(&rel)
                        .map(|t| &t.rules)
                        .or_else(|| x.views.get(&rel).map(|v| &v.rules))?
                        .get(name)
                        .filter(|w| {
                            w.actions.sql.trim() == r.actions.sql.trim()
                                && w.condition.as_ref().map(|c| c.sql.trim())
                                    == r.condition.as_ref().map(|c| c.sql.trim())
                        })
                        .cloned()
                });
                if let Some(w) = known {
                    r.actions = w.actions;
                    r.condition = w.condition;
                }
            }
        }
    }
    build::normalize_public(&mut got);
    Ok(diff(want, &got, DiffOptions::default()))
}

/// [`plan`], then [`verify`]: a plan that does not arrive at the target
/// offline is an error ([`PlanErrorKind::Unverified`]), never returned.
///
/// The source's replay, which does not depend on the plan, runs on a second
/// thread while the plan is built.
pub fn plan_verified(from: &Schema, to: &Schema, opts: &PlanOptions) -> Result<Plan, PlanError> {
    let stop = AtomicBool::new(false);
    std::thread::scope(|s| {
        let source = std::thread::Builder::new()
            .name("strata-verify".into())
            .spawn_scoped(s, || replay_source(from, Some(&stop)));
        let planned = plan(from, to, opts);
        if !matches!(&planned, Ok(p) if !p.is_empty()) {
            stop.store(true, Ordering::Relaxed);
        }
        let source = || match source {
            Ok(h) => h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)),
            // No second thread to be had: one after the other.
            Err(_) => replay_source(from, None),
        };
        check_plan(planned?, from, to, opts, source)
    })
}

/// The rest of [`plan_verified`]: `p` checked against `source()`, the
/// source's replay.
fn check_plan(
    p: Plan,
    from: &Schema,
    to: &Schema,
    opts: &PlanOptions,
    source: impl FnOnce() -> Result<Option<Replayer>, String>,
) -> Result<Plan, PlanError> {
    if p.is_empty() {
        return Ok(p);
    }
    let unverified = |details: Vec<String>| PlanError {
        kind: PlanErrorKind::Unverified,
        message: "strata cannot plan this change correctly: replayed offline, the plan does not \
                  arrive at the target"
            .to_string(),
        details,
        help: "this is a limit of strata's planner; please report it with the two schemas, and \
               write this migration by hand"
            .to_string(),
    };
    // Offline replay follows PostgreSQL 15, which has no `SET EXPRESSION`:
    // a plan that uses it is checked through its PostgreSQL 15 twin, which
    // differs only there (a drop and an add of the column).
    let uses_17 = p.steps().any(|s| {
        s.statements
            .iter()
            .any(|x| x.contains(" SET EXPRESSION AS "))
    });
    let twin;
    let checked = if uses_17 {
        let mut o15 = opts.clone();
        o15.server_version_num = 150000;
        twin = plan(from, to, &o15)?;
        &twin
    } else {
        &p
    };
    let verified = source()
        .and_then(|r| r.ok_or_else(|| "the source's replay was given up".to_string()))
        .and_then(|r| verify_on(r, from, to, checked));
    match verified {
        Ok(d) if d.is_empty() => Ok(p),
        Ok(d) => Err(unverified(
            d.iter()
                .take(20)
                .map(|d| format!("still differs: {d}"))
                .collect(),
        )),
        Err(e) => Err(unverified(vec![e])),
    }
}
