//! Range types: created (after their subtype, collation and functions,
//! before the tables that use them), dropped (after those), commented in
//! place. There is no ALTER for a range's definition: a changed one is
//! dropped and created again, which [`unsupported_ranges`] refuses by name
//! while anything kept uses the type or its multirange. A range with a
//! canonical function is created as pg_dump creates it (the shell type,
//! the function over it, then the range) and dropped with its function
//! (`DROP TYPE … CASCADE`: each depends on the other).

use std::collections::BTreeSet;

use super::routine::k_routine;
use super::{k_coll, k_ns, k_old_type, k_rel, k_type, step, Builder, P_COMMENT, P_DROP, P_TYPE};
use crate::ddl::{comment_on_sql, range_sql};
use crate::model::{
    qualified, qualified_sql, ObjectKind, ObjectPath, ObjectRef, RangeType, Routine, Schema,
};
use crate::plan::order::Draft;

/// A range's definition without what changes in place (comment, ACL).
fn definition(r: &RangeType) -> RangeType {
    RangeType {
        comment: None,
        acl: None,
        ..r.clone()
    }
}

/// The qualified names of a range and its multirange (as types are
/// written in the model).
fn type_names(ns: &str, name: &str, r: &RangeType) -> [String; 2] {
    [
        qualified(ns, name),
        qualified(&r.multirange.schema, &r.multirange.name),
    ]
}

fn strip(t: &str) -> &str {
    let t = t.strip_prefix("SETOF ").unwrap_or(t);
    super::base_type(t).0
}

/// What in `s` uses one of `types` (a column, a domain, a composite
/// attribute, a routine's argument or result, another range's subtype),
/// named for a message.
fn users(s: &Schema, types: &[String]) -> BTreeSet<String> {
    let uses = |t: &str| types.iter().any(|x| x == strip(t));
    let mut out = BTreeSet::new();
    for (ns, n) in &s.namespaces {
        for (tn, t) in &n.tables {
            for c in &t.columns {
                if uses(&c.data_type) {
                    out.insert(format!(
                        "column {}.{}",
                        qualified_sql(ns, tn),
                        crate::model::quote_ident(&c.name)
                    ));
                }
            }
        }
        for (dn, d) in &n.domains {
            if uses(&d.base_type) {
                out.insert(format!("domain {}", qualified_sql(ns, dn)));
            }
        }
        for (cn, c) in &n.composites {
            if c.attributes.iter().any(|a| uses(&a.data_type)) {
                out.insert(format!("type {}", qualified_sql(ns, cn)));
            }
        }
        for (sig, r) in &n.routines {
            if r.args.iter().any(|a| uses(&a.data_type)) || r.returns.as_deref().is_some_and(uses) {
                out.insert(format!("function {}", crate::ddl::routine_target(ns, sig)));
            }
        }
        for (rn, r) in &n.ranges {
            if uses(&r.subtype) {
                out.insert(format!("range type {}", qualified_sql(ns, rn)));
            }
        }
    }
    out
}

/// Range types the plan cannot write: a definition that changes while
/// something kept uses the type, and any range with a canonical function
/// to create or drop.
pub(super) fn unsupported_ranges(a: &Schema, b: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    let names: BTreeSet<(&String, &String)> = a
        .namespaces
        .iter()
        .chain(b.namespaces.iter())
        .flat_map(|(ns, n)| n.ranges.keys().map(move |r| (ns, r)))
        .collect();
    for (ns, name) in names {
        let ra = a.namespaces.get(ns).and_then(|n| n.ranges.get(name));
        let rb = b.namespaces.get(ns).and_then(|n| n.ranges.get(name));
        let target = qualified_sql(ns, name);
        let changed = match (ra, rb) {
            (Some(x), Some(y)) => definition(x) != definition(y),
            _ => true,
        };
        if !changed {
            continue;
        }
        for (s, r) in [(a, ra), (b, rb)] {
            if let Some(r) = r.filter(|r| r.canonical.is_some()) {
                if canonical_routine(s, ns, name, r).is_none() {
                    out.push(format!(
                        "range type {target}: its canonical function is not a function of the \
                         schema taking the range: strata cannot write it over the shell type"
                    ));
                }
            }
        }
        if let (Some(x), Some(y)) = (ra, rb) {
            // Its canonical function goes and comes back with it.
            let own: Vec<String> = [(a, x), (b, y)]
                .into_iter()
                .filter_map(|(s, r)| canonical_routine(s, ns, name, r))
                .map(|(fns, sig, _)| format!("function {}", crate::ddl::routine_target(&fns, &sig)))
                .collect();
            let kept: Vec<String> = users(a, &type_names(ns, name, x))
                .intersection(&users(b, &type_names(ns, name, y)))
                .filter(|u| !own.contains(u))
                .cloned()
                .collect();
            if let Some(first) = kept.first() {
                out.push(format!(
                    "range type {target}: its definition changes ({} → {}), which no ALTER TYPE \
                     can do: it must be dropped and created again, but {first} uses it in both \
                     schemas; create a new range type and move what uses it",
                    range_sql(&target, x)[0].replace('\n', " "),
                    range_sql(&target, y)[0].replace('\n', " ")
                ));
            }
        }
    }
    out
}

/// The canonical function of range `ns.name` as the schema defines it:
/// its namespace, its signature (over the range) and the routine.
fn canonical_routine<'s>(
    s: &'s Schema,
    ns: &str,
    name: &str,
    r: &RangeType,
) -> Option<(String, String, &'s Routine)> {
    let f = r.canonical.as_ref()?;
    let sig = format!("{}({})", f.name, qualified(ns, name));
    let routine = s.namespaces.get(&f.schema)?.routines.get(&sig)?;
    Some((f.schema.clone(), sig, routine))
}

/// The canonical functions the range steps write or drop themselves,
/// (namespace, signature): those of ranges created, dropped or created
/// again. A canonical function takes its range as a shell type before the
/// range exists, and goes with it (`DROP TYPE … CASCADE`), so the routine
/// steps leave them alone.
pub(super) fn canonicals_with_their_range(a: &Schema, b: &Schema) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (s, o) in [(a, b), (b, a)] {
        for (ns, n) in &s.namespaces {
            for (name, r) in &n.ranges {
                let other = o.namespaces.get(ns).and_then(|n| n.ranges.get(name));
                if other.is_some_and(|x| definition(x) == definition(r)) {
                    continue;
                }
                if let Some((fns, sig, _)) = canonical_routine(s, ns, name, r) {
                    out.insert((fns, sig));
                }
            }
        }
    }
    out
}

fn k_shell(ns: &str, name: &str) -> String {
    format!("shell type {ns}.{name}")
}

impl Builder<'_> {
    pub(super) fn ranges(&mut self) {
        let mut names: BTreeSet<(String, String)> = BTreeSet::new();
        for s in [&self.a, self.b] {
            for (ns, n) in &s.namespaces {
                for r in n.ranges.keys() {
                    names.insert((ns.clone(), r.clone()));
                }
            }
        }
        for (ns, name) in names {
            let get = |s: &Schema| {
                s.namespaces
                    .get(&ns)
                    .and_then(|n| n.ranges.get(&name))
                    .cloned()
            };
            match (get(&self.a), get(self.b)) {
                (None, Some(rb)) => self.create_range(&ns, &name, &rb),
                (Some(ra), None) => self.drop_range(&ns, &name, &ra),
                (Some(ra), Some(rb)) => {
                    if definition(&ra) != definition(&rb) {
                        self.drop_range(&ns, &name, &ra);
                        self.create_range(&ns, &name, &rb);
                    } else if ra.comment != rb.comment {
                        let q = qualified_sql(&ns, &name);
                        let stmts: Vec<String> =
                            comment_on_sql("TYPE", &q, rb.comment.as_deref(), true)
                                .into_iter()
                                .collect();
                        let mut d = Draft::new(
                            step(
                                ObjectPath::new(ObjectKind::Range, &ns, &name),
                                "comment on range type",
                                stmts,
                            ),
                            P_COMMENT,
                        );
                        d.requires.push(k_type(&ns, &name));
                        self.push(d);
                    }
                }
                (None, None) => {}
            }
        }
    }

    /// The routine a range names, as a key, when the schema defines it.
    fn range_function_key(&self, f: &ObjectRef, args: &[String], old: bool) -> Option<String> {
        let s = if old { &self.a } else { self.b };
        let sig = format!("{}({})", f.name, args.join(", "));
        s.namespaces
            .get(&f.schema)
            .is_some_and(|n| n.routines.contains_key(&sig))
            .then(|| k_routine(&f.schema, &sig))
    }

    fn range_keys(&self, r: &RangeType, old: bool) -> Vec<String> {
        let mut out = self_type_keys(self, &r.subtype, old);
        if let Some(c) = &r.collation {
            if self.collations.contains_key(&qualified(&c.schema, &c.name)) {
                out.push(k_coll(&c.schema, &c.name));
            }
        }
        if let Some(f) = &r.subtype_diff {
            out.extend(self.range_function_key(f, &[r.subtype.clone(), r.subtype.clone()], old));
        }
        out
    }

    fn create_range(&mut self, ns: &str, name: &str, r: &RangeType) {
        let q = qualified_sql(ns, name);
        let path = ObjectPath::new(ObjectKind::Range, ns, name);
        let mut draft = Draft::new(
            step(path.clone(), "create range type", range_sql(&q, r)),
            P_TYPE,
        );
        draft.requires.push(k_ns(ns));
        if let Some((fns, sig, f)) = canonical_routine(self.b, ns, name, r) {
            // As pg_dump writes it: the shell type, the function over it,
            // then the range that fills the shell.
            let mut shell = Draft::new(
                step(path, "create shell type", vec![format!("CREATE TYPE {q}")]),
                P_TYPE,
            );
            shell.requires.push(k_ns(ns));
            shell.provides.push(k_shell(ns, name));
            // The name taken: after the old range is dropped.
            shell.provides.push(k_rel(ns, name));
            self.push(shell);
            let mut func = self.routine_draft(&fns, &sig, f);
            func.requires.retain(|k| *k != k_type(ns, name));
            func.requires.push(k_shell(ns, name));
            self.push(func);
            draft.requires.push(k_shell(ns, name));
            draft.requires.push(k_routine(&fns, &sig));
        }
        if r.multirange.schema != ns {
            draft.requires.push(k_ns(&r.multirange.schema));
        }
        draft.requires.extend(self.range_keys(r, false));
        draft.provides.push(k_type(ns, name));
        draft.provides.push(k_rel(ns, name));
        draft
            .provides
            .push(k_rel(&r.multirange.schema, &r.multirange.name));
        self.push(draft);
    }

    fn drop_range(&mut self, ns: &str, name: &str, r: &RangeType) {
        let q = qualified_sql(ns, name);
        let path = ObjectPath::new(ObjectKind::Range, ns, name);
        // Its canonical function and the range depend on each other: the
        // function goes with the range.
        let canonical = canonical_routine(&self.a, ns, name, r).map(|(f, s, _)| (f, s));
        let sql = match &canonical {
            Some(_) => format!("DROP TYPE {q} CASCADE"),
            None => format!("DROP TYPE {q}"),
        };
        let mut draft = Draft::new(step(path, "drop range type", vec![sql]), P_DROP);
        if let Some((fns, sig)) = &canonical {
            draft.drops.push(k_routine(fns, sig));
        }
        draft.drops.push(k_type(ns, name));
        draft.drops.push(k_old_type(ns, name));
        draft.drops.push(k_rel(ns, name));
        draft
            .drops
            .push(k_rel(&r.multirange.schema, &r.multirange.name));
        draft.releases.push(k_ns(ns));
        if r.multirange.schema != ns {
            draft.releases.push(k_ns(&r.multirange.schema));
        }
        draft.releases.extend(self.range_keys(r, true));
        self.push(draft);
    }
}

fn self_type_keys(b: &Builder<'_>, text: &str, old: bool) -> Vec<String> {
    let mut out = Vec::new();
    b.expr_keys(text, &mut out, old);
    out
}
