//! Ordering steps by dependency, then cutting them into units.
//!
//! Each draft step names keys (objects, by kind and name) it provides,
//! requires, drops and releases (stops using). The edges:
//!
//! - a step that provides K runs before every step that requires K;
//! - a step that drops K runs before every step that provides K again (a
//!   replaced index, a column dropped and added);
//! - a step that releases K runs before every step that drops K (a foreign
//!   key dropped before the key it references, a column's type changed
//!   before its old enum is dropped).
//!
//! Kahn's algorithm picks, among the steps whose predecessors are done, the
//! one with the lowest (phase, sequence): the phases give the familiar
//! order where dependencies leave a choice, the sequence is the order the
//! model's sorted maps produced the steps in. Linear in steps and edges
//! (times a log for the heap).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use super::{PlanError, PlanErrorKind, Step, Unit};

pub(crate) type Key = String;

/// A step with what it depends on.
#[derive(Debug, Clone)]
pub(crate) struct Draft {
    pub step: Step,
    pub phase: u8,
    pub provides: Vec<Key>,
    pub requires: Vec<Key>,
    pub drops: Vec<Key>,
    pub releases: Vec<Key>,
    /// Enum labels this step adds (`ADD VALUE`): a later step of the same
    /// transaction must not use them.
    pub adds_labels: Vec<String>,
}

impl Draft {
    pub fn new(step: Step, phase: u8) -> Draft {
        Draft {
            step,
            phase,
            provides: Vec::new(),
            requires: Vec::new(),
            drops: Vec::new(),
            releases: Vec::new(),
            adds_labels: Vec::new(),
        }
    }
}

/// The drafts in dependency order.
pub(crate) fn sort(drafts: Vec<Draft>) -> Result<Vec<Draft>, PlanError> {
    let n = drafts.len();
    let mut providers: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut droppers: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, d) in drafts.iter().enumerate() {
        for k in &d.provides {
            providers.entry(k.as_str()).or_default().push(i);
        }
        for k in &d.drops {
            droppers.entry(k.as_str()).or_default().push(i);
        }
    }
    let mut succ: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut indegree = vec![0usize; n];
    let mut edge = |a: usize, b: usize, succ: &mut Vec<Vec<usize>>| {
        if a != b {
            succ[a].push(b);
            indegree[b] += 1;
        }
    };
    for (i, d) in drafts.iter().enumerate() {
        for k in &d.requires {
            for &p in providers.get(k.as_str()).map(Vec::as_slice).unwrap_or(&[]) {
                edge(p, i, &mut succ);
            }
        }
        for k in &d.releases {
            for &q in droppers.get(k.as_str()).map(Vec::as_slice).unwrap_or(&[]) {
                edge(i, q, &mut succ);
            }
        }
        for k in &d.provides {
            for &q in droppers.get(k.as_str()).map(Vec::as_slice).unwrap_or(&[]) {
                edge(q, i, &mut succ);
            }
        }
    }
    let mut heap: BinaryHeap<Reverse<(u8, usize)>> = BinaryHeap::new();
    for (i, d) in drafts.iter().enumerate() {
        if indegree[i] == 0 {
            heap.push(Reverse((d.phase, i)));
        }
    }
    let mut order = Vec::with_capacity(n);
    while let Some(Reverse((_, i))) = heap.pop() {
        order.push(i);
        for &s in &succ[i] {
            indegree[s] -= 1;
            if indegree[s] == 0 {
                heap.push(Reverse((drafts[s].phase, s)));
            }
        }
    }
    if order.len() < n {
        let mut done = vec![false; n];
        for &i in &order {
            done[i] = true;
        }
        let details = drafts
            .iter()
            .enumerate()
            .filter(|(i, _)| !done[*i])
            .take(20)
            .map(|(_, d)| format!("{} {}", d.step.action, d.step.object))
            .collect();
        return Err(PlanError {
            kind: PlanErrorKind::Cycle,
            message:
                "the steps of this plan depend on each other in a cycle; strata cannot order them"
                    .to_string(),
            details,
            help: "split the change in two: migrate part of it, then plan the rest".to_string(),
        });
    }
    let mut slots: Vec<Option<Draft>> = drafts.into_iter().map(Some).collect();
    Ok(order
        .into_iter()
        .filter_map(|i| slots.get_mut(i).and_then(Option::take))
        .collect())
}

/// Cuts ordered steps into units: a new unit where the need for a
/// transaction changes, and where a step uses an enum label an earlier step
/// of the same transaction added (PostgreSQL refuses to use a label added
/// in the same transaction).
pub(crate) fn units(drafts: Vec<Draft>) -> Vec<Unit> {
    let mut units: Vec<Unit> = Vec::new();
    let mut added: Vec<String> = Vec::new();
    for d in drafts {
        let transactional = !d.step.no_transaction;
        let uses_added = transactional
            && !added.is_empty()
            && d.step
                .statements
                .iter()
                .any(|s| added.iter().any(|l| s.contains(l.as_str())));
        let new_unit = match units.last() {
            None => true,
            Some(u) => u.transactional != transactional || uses_added,
        };
        if new_unit {
            units.push(Unit {
                transactional,
                steps: Vec::new(),
            });
            added.clear();
        }
        if transactional {
            added.extend(d.adds_labels.iter().cloned());
        }
        if let Some(u) = units.last_mut() {
            u.steps.push(d.step);
        }
    }
    units
}
