//! The expressions of the tables: analysing the new ones once a statement
//! is applied, and rewriting every one (a renamed type, sequence or label).

use crate::model::{ConstraintKind, IndexKeyExpr};

use super::Replayer;

impl Replayer {
    /// Works out what the server stores for every expression of the tables
    /// the last statement touched that is not analysed yet: defaults and
    /// generated columns over their column's type, checks, index keys and
    /// predicates over the table's columns.
    pub(super) fn analyze_touched(&mut self) {
        use crate::analyze::Role;
        use crate::expression::{pending, resolve};
        let touched = std::mem::take(&mut self.touched);
        for (ns, tn) in touched {
            let Some(t) = self.schema.table(&ns, &tn) else {
                continue;
            };
            let needs = t
                .columns
                .iter()
                .any(|c| c.default.iter().chain(&c.generated).any(pending))
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
                    .any(|p| p.using.iter().chain(&p.with_check).any(pending));
            if !needs {
                continue;
            }
            let mut t = t.clone();
            let columns = t.columns.clone();
            let schema = &self.schema;
            for c in t.columns.iter_mut() {
                let column_type = c.data_type.clone();
                if let Some(d) = c.default.as_mut().filter(|d| pending(d)) {
                    *d = resolve(
                        d,
                        &columns,
                        schema,
                        Role::Default {
                            column_type: &column_type,
                        },
                    );
                    // The server keeps no default that is a null constant
                    // (`DEFAULT NULL`, `DEFAULT NULL::text`).
                    if crate::expression::is_null_constant(d, &column_type) {
                        c.default = None;
                    }
                }
                if let Some(g) = c.generated.as_mut().filter(|g| pending(g)) {
                    *g = resolve(
                        g,
                        &columns,
                        schema,
                        Role::Generated {
                            column_type: &column_type,
                        },
                    );
                }
            }
            for k in t.constraints.values_mut() {
                if let ConstraintKind::Check { expression, .. } = &mut k.kind {
                    if pending(expression) {
                        *expression = resolve(expression, &columns, schema, Role::Check);
                    }
                }
            }
            for i in t.indexes.values_mut() {
                for k in i.keys.iter_mut() {
                    if let IndexKeyExpr::Expression(e) = &mut k.key {
                        if pending(e) {
                            *e = resolve(e, &columns, schema, Role::IndexKey);
                        }
                    }
                }
                if let Some(p) = i.predicate.as_mut().filter(|p| pending(p)) {
                    *p = resolve(p, &columns, schema, Role::Predicate);
                }
            }
            for p in t.policies.values_mut() {
                for e in p.using.iter_mut().chain(p.with_check.iter_mut()) {
                    if pending(e) {
                        *e = resolve(e, &columns, schema, Role::Policy);
                    }
                }
            }
            *self.table_mut(&ns, &tn) = t;
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
                        .chain(c.generated.iter_mut())
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
