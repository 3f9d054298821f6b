//! The expressions of the tables: analysing the new ones once a statement
//! is applied, and rewriting every one (a renamed type, sequence or label).

use crate::model::{ConstraintKind, IndexKeyExpr};

use super::Replayer;

/// What a statement touched of a table, when not the whole table: the
/// objects whose new expressions it analyses (see
/// [`Replayer::analyze_touched`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TouchedKind {
    Index,
    Constraint,
    Policy,
}

/// The objects of a table a statement touched, by kind and name.
pub(super) type TouchedObjects = Vec<(TouchedKind, String)>;

impl Replayer {
    /// Works out what the server stores for every expression of the tables
    /// the last statement touched that is not analysed yet: defaults and
    /// generated columns over their column's type, checks, index keys and
    /// predicates over the table's columns.
    pub(super) fn analyze_touched(&mut self) {
        let touched = std::mem::take(&mut self.touched);
        for ((ns, tn), only) in touched {
            self.analyze_table(&ns, &tn, only.as_deref());
        }
    }

    /// Analyses whatever expression is still pending in any table: after
    /// the last statement, so that nothing is left unanalysed whatever a
    /// statement reported touching.
    pub(super) fn analyze_all_pending(&mut self) {
        let tables: Vec<(String, String)> = self
            .schema
            .namespaces
            .iter()
            .flat_map(|(ns, n)| n.tables.keys().map(move |t| (ns.clone(), t.clone())))
            .collect();
        for (ns, tn) in tables {
            self.analyze_table(&ns, &tn, None);
        }
    }

    /// The pending expressions of one table: all of them (`only` None), or
    /// those of the named indexes, constraints and policies only (a
    /// statement that touched nothing else of the table: N such
    /// statements on a table of N objects stay linear).
    fn analyze_table(&mut self, ns: &str, tn: &str, only: Option<&[(TouchedKind, String)]>) {
        use crate::analyze::Role;
        use crate::expression::{pending, resolve};
        let wanted = |kind: TouchedKind, name: &str| {
            only.is_none_or(|o| o.iter().any(|(k, n)| *k == kind && n == name))
        };
        {
            let Some(t) = self.schema.table(ns, tn) else {
                return;
            };
            let needs = match only {
                None => {
                    t.columns
                        .iter()
                        .any(|c| c.default.iter().chain(c.generated.as_deref()).any(pending))
                        || t.constraints.values().any(
                            |k| matches!(&k.kind, ConstraintKind::Check { expression, .. } if pending(expression)),
                        )
                        || t.indexes.values().any(|i| {
                            i.predicate.iter().any(pending)
                                || i.keys.iter().any(
                                    |k| matches!(&k.key, IndexKeyExpr::Expression(e) if pending(e)),
                                )
                        })
                        || t.policies
                            .values()
                            .any(|p| p.using.iter().chain(&p.with_check).any(pending))
                }
                Some(o) => !o.is_empty(),
            };
            if !needs {
                return;
            }
        }
        let Some(t) = self.schema.table(ns, tn) else {
            return;
        };
        // Worked out against the table as it is, then written in: only
        // the new expressions cost anything, not a copy of the table
        // (a table with thousands of checks or indexes stays linear).
        let columns = &t.columns;
        let schema = &self.schema;
        let mut defaults = Vec::new();
        let mut generated = Vec::new();
        let every_column = if only.is_none() { t.columns.len() } else { 0 };
        for (at, c) in t.columns.iter().enumerate().take(every_column) {
            let column_type = &c.data_type;
            if let Some(d) = c.default.as_ref().filter(|d| pending(d)) {
                let d = resolve(d, columns, schema, Role::Default { column_type });
                // The server keeps no default that is a null constant
                // (`DEFAULT NULL`, `DEFAULT NULL::text`).
                let keep = !crate::expression::is_null_constant(&d, column_type);
                defaults.push((at, keep.then_some(d)));
            }
            if let Some(g) = c.generated.as_ref().filter(|g| pending(g)) {
                generated.push((
                    at,
                    resolve(g, columns, schema, Role::Generated { column_type }),
                ));
            }
        }
        let mut checks = Vec::new();
        let constraints: Vec<(&String, &crate::model::Constraint)> = match only {
            None => t.constraints.iter().map(|(n, c)| (n, &**c)).collect(),
            Some(o) => o
                .iter()
                .filter(|(k, _)| *k == TouchedKind::Constraint)
                .filter_map(|(_, n)| t.constraints.get_key_value(n))
                .map(|(n, c)| (n, &**c))
                .collect(),
        };
        for (name, k) in constraints {
            if let ConstraintKind::Check { expression, .. } = &k.kind {
                if pending(expression) {
                    checks.push((
                        name.clone(),
                        resolve(expression, columns, schema, Role::Check),
                    ));
                }
            }
        }
        let mut keys = Vec::new();
        let mut predicates = Vec::new();
        let indexes: Vec<(&String, &crate::model::Index)> = match only {
            None => t.indexes.iter().map(|(n, i)| (n, &**i)).collect(),
            Some(o) => o
                .iter()
                .filter(|(k, _)| *k == TouchedKind::Index)
                .filter_map(|(_, n)| t.indexes.get_key_value(n))
                .map(|(n, i)| (n, &**i))
                .collect(),
        };
        for (name, i) in indexes {
            for (at, k) in i.keys.iter().enumerate() {
                if let IndexKeyExpr::Expression(e) = &k.key {
                    if pending(e) {
                        keys.push((
                            name.clone(),
                            at,
                            resolve(e, columns, schema, Role::IndexKey),
                        ));
                    }
                }
            }
            if let Some(p) = i.predicate.as_ref().filter(|p| pending(p)) {
                predicates.push((name.clone(), resolve(p, columns, schema, Role::Predicate)));
            }
        }
        let mut policies = Vec::new();
        for (name, p) in t
            .policies
            .iter()
            .filter(|(n, _)| wanted(TouchedKind::Policy, n))
        {
            let using = p.using.as_ref().filter(|e| pending(e));
            let check = p.with_check.as_ref().filter(|e| pending(e));
            if using.is_some() || check.is_some() {
                policies.push((
                    name.clone(),
                    using.map(|e| resolve(e, columns, schema, Role::Policy)),
                    check.map(|e| resolve(e, columns, schema, Role::Policy)),
                ));
            }
        }
        // Expressions only: no name the registry keeps changes.
        let t = self.table_mut_quiet(ns, tn);
        for (at, d) in defaults {
            t.columns[at].default = d;
        }
        for (at, g) in generated {
            t.columns[at].generated = Some(Box::new(g));
        }
        for (name, e) in checks {
            if let Some(ConstraintKind::Check { expression, .. }) =
                t.constraints.get_mut(&name).map(|k| &mut k.kind)
            {
                *expression = e;
            }
        }
        for (name, at, e) in keys {
            if let Some(k) = t.indexes.get_mut(&name).and_then(|i| i.keys.get_mut(at)) {
                k.key = IndexKeyExpr::Expression(e);
            }
        }
        for (name, e) in predicates {
            if let Some(i) = t.indexes.get_mut(&name) {
                i.predicate = Some(e);
            }
        }
        for (name, using, check) in policies {
            if let Some(p) = t.policies.get_mut(&name) {
                if let Some(e) = using {
                    p.using = Some(e);
                }
                if let Some(e) = check {
                    p.with_check = Some(e);
                }
            }
        }
    }

    /// Applies `f` to every expression of every table.
    pub(super) fn each_expression(&mut self, mut f: impl FnMut(&mut crate::model::Expression)) {
        for n in self.schema.namespaces.values_mut() {
            for d in n.domains.values_mut() {
                d.default.iter_mut().for_each(&mut f);
                for c in d.checks.values_mut() {
                    f(&mut c.expression);
                }
            }
            for r in n.routines.values_mut() {
                for a in r.args.iter_mut() {
                    a.default.iter_mut().for_each(&mut f);
                }
            }
            for t in n.tables.values_mut() {
                for c in t.columns.iter_mut() {
                    c.default
                        .iter_mut()
                        .chain(c.generated.as_deref_mut())
                        .for_each(&mut f);
                }
                for k in t.constraints.values_mut() {
                    if let ConstraintKind::Check { expression, .. } = &mut k.kind {
                        f(expression);
                    }
                }
                for i in t.indexes.values_mut() {
                    for k in i.keys.iter_mut() {
                        if let IndexKeyExpr::Expression(e) = &mut k.key {
                            f(e);
                        }
                    }
                    i.predicate.iter_mut().for_each(&mut f);
                }
                for p in t.policies.values_mut() {
                    p.using
                        .iter_mut()
                        .chain(p.with_check.iter_mut())
                        .for_each(&mut f);
                }
            }
        }
    }
}
