//! Enum types: create, drop, comment, new values added, and a new type
//! swapped in for removed or reordered labels.

use std::collections::BTreeSet;

use super::{
    base_type, column_path, fresh_name, hz, k_col, k_ns, k_old_type, k_rel, k_type, key, step,
    Builder, P_ALTER, P_COMMENT, P_DROP, P_DROP_DEPENDENT, P_TYPE,
};
use crate::ddl::{column_sql, comment_on_sql};
use crate::diff::render_enum;
use crate::model::{
    qualified_sql, quote_ident, quote_literal, Column, EnumType, ObjectKind, ObjectPath,
};
use crate::plan::hazard::Hazard;
use crate::plan::order::Draft;

impl<'a> Builder<'a> {
    pub(super) fn enums(&mut self) {
        let mut names: BTreeSet<(String, String)> = BTreeSet::new();
        for s in [&self.a, self.b] {
            for (ns, n) in &s.namespaces {
                for e in n.enums.keys() {
                    names.insert((ns.clone(), e.clone()));
                }
            }
        }
        for (ns, name) in names {
            let ea = self
                .a
                .namespaces
                .get(&ns)
                .and_then(|n| n.enums.get(&name))
                .cloned();
            let eb = self
                .b
                .namespaces
                .get(&ns)
                .and_then(|n| n.enums.get(&name))
                .cloned();
            let path = ObjectPath::new(ObjectKind::Enum, &ns, &name);
            let q = qualified_sql(&ns, &name);
            match (ea, eb) {
                (None, Some(eb)) => {
                    let mut stmts = vec![render_enum(&ns, &name, &eb)];
                    stmts.extend(comment_on_sql("TYPE", &q, eb.comment.as_deref(), false));
                    let mut d = Draft::new(step(path, "create enum", stmts), P_TYPE);
                    d.requires.push(k_ns(&ns));
                    d.provides.push(k_type(&ns, &name));
                    d.provides.push(k_rel(&ns, &name));
                    self.push(d);
                }
                (Some(_), None) => {
                    let mut d = Draft::new(
                        step(path, "drop enum", vec![format!("DROP TYPE {q}")]),
                        P_DROP,
                    );
                    d.drops.push(k_type(&ns, &name));
                    d.drops.push(k_old_type(&ns, &name));
                    d.drops.push(k_rel(&ns, &name));
                    d.releases.push(k_ns(&ns));
                    self.push(d);
                }
                (Some(ea), Some(eb)) => {
                    if ea.values != eb.values {
                        self.enum_values(&ns, &name, &ea, &eb);
                    }
                    if ea.comment != eb.comment {
                        let stmts: Vec<String> =
                            comment_on_sql("TYPE", &q, eb.comment.as_deref(), true)
                                .into_iter()
                                .collect();
                        let mut d = Draft::new(step(path, "comment on enum", stmts), P_COMMENT);
                        d.requires.push(k_type(&ns, &name));
                        self.push(d);
                    }
                }
                (None, None) => {}
            }
        }
    }

    fn enum_values(&mut self, ns: &str, name: &str, ea: &EnumType, eb: &EnumType) {
        let removed: Vec<&String> = ea
            .values
            .iter()
            .filter(|v| !eb.values.contains(v))
            .collect();
        let kept_in_b: Vec<&String> = eb.values.iter().filter(|v| ea.values.contains(v)).collect();
        let kept_in_a: Vec<&String> = ea.values.iter().filter(|v| eb.values.contains(v)).collect();
        let q = qualified_sql(ns, name);
        let path = ObjectPath::new(ObjectKind::Enum, ns, name);
        if removed.is_empty() && kept_in_a == kept_in_b {
            // Added in place, in declared order.
            let mut present: Vec<&String> = Vec::new();
            for (i, v) in eb.values.iter().enumerate() {
                if ea.values.contains(v) {
                    present.push(v);
                    continue;
                }
                let next = eb.values[i + 1..].iter().find(|x| ea.values.contains(x));
                let sql = match (next, present.last()) {
                    (Some(n), _) => format!(
                        "ALTER TYPE {q} ADD VALUE {} BEFORE {}",
                        quote_literal(v),
                        quote_literal(n)
                    ),
                    (None, Some(p)) => format!(
                        "ALTER TYPE {q} ADD VALUE {} AFTER {}",
                        quote_literal(v),
                        quote_literal(p)
                    ),
                    (None, None) => format!("ALTER TYPE {q} ADD VALUE {}", quote_literal(v)),
                };
                present.push(v);
                let mut d = Draft::new(step(path.clone(), "add enum value", vec![sql]), P_TYPE);
                d.provides.push(k_type(ns, name));
                d.adds_labels.push(quote_literal(v));
                self.push(d);
            }
            return;
        }
        self.swap_enum(ns, name, ea, eb, &removed);
        let _ = q;
    }

    /// Removed or reordered labels: a new type replaces the old one.
    fn swap_enum(
        &mut self,
        ns: &str,
        name: &str,
        ea: &EnumType,
        eb: &EnumType,
        removed: &[&String],
    ) {
        self.swapped.insert((ns.to_string(), name.to_string()));
        let q = qualified_sql(ns, name);
        let path = ObjectPath::new(ObjectKind::Enum, ns, name);
        let a_ns = self.a.namespaces.get(ns);
        let b_ns = self.b.namespaces.get(ns);
        let taken = |n: &str| {
            [a_ns, b_ns].iter().flatten().any(|x| {
                x.enums.contains_key(n)
                    || x.tables.contains_key(n)
                    || x.sequences.contains_key(n)
                    || x.tables.values().any(|t| t.indexes.contains_key(n))
            })
        };
        let old = fresh_name(name, "__strata_old", &taken);
        // Columns that keep the type: converted to the new one.
        let mut conversions: Vec<(String, String, Column, Column)> = Vec::new();
        for (tns, na) in &self.a.namespaces {
            for (t, ta) in &na.tables {
                let Some(tb) = self.b.table(tns, t) else {
                    continue;
                };
                for ca in &ta.columns {
                    if self.enums.get(base_type(&ca.data_type).0)
                        != Some(&(ns.to_string(), name.to_string()))
                    {
                        continue;
                    }
                    if let Some(cb) = tb.column(&ca.name) {
                        if cb.data_type == ca.data_type {
                            conversions.push((tns.clone(), t.clone(), ca.clone(), cb.clone()));
                        }
                    }
                }
            }
        }
        let guard_key = key("g", &[ns, name]);
        if !removed.is_empty() && !conversions.is_empty() {
            let labels: Vec<String> = removed.iter().map(|v| quote_literal(v)).collect();
            let list = labels.join(", ");
            let mut body = String::from("\nDECLARE\n    n bigint := 0;\nBEGIN\n");
            for (tns, t, ca, _) in &conversions {
                let cond = if base_type(&ca.data_type).1 {
                    format!("{}::text[] && ARRAY[{list}]", quote_ident(&ca.name))
                } else {
                    format!("{}::text IN ({list})", quote_ident(&ca.name))
                };
                body.push_str(&format!(
                    "    n := n + (SELECT count(*) FROM {} WHERE {cond});\n",
                    qualified_sql(tns, t)
                ));
            }
            body.push_str(&format!(
                "    IF n > 0 THEN\n        RAISE EXCEPTION 'strata: % row(s) still hold a value removed from enum %: %', n, {}, {};\n    END IF;\nEND\n",
                quote_literal(&q),
                quote_literal(&removed.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", "))
            ));
            // The dollar-quote tag must not occur in the body: a label or
            // a name may hold `$strata$`.
            let mut tag = "$strata$".to_string();
            let mut n = 0;
            while body.contains(&tag) {
                n += 1;
                tag = format!("$strata{n}$");
            }
            let body = format!("DO {tag}{body}{tag}");
            let mut s = step(
                path.clone(),
                "check no row holds a removed enum value",
                vec![body],
            );
            s.hazards.push(hz(
                Hazard::MayFail,
                format!(
                    "stops the migration with the number of rows still holding {list}: update those rows first"
                ),
            ));
            let mut d = Draft::new(s, P_DROP_DEPENDENT);
            d.provides.push(guard_key.clone());
            self.push(d);
        }
        let mut stmts = vec![
            format!("ALTER TYPE {q} RENAME TO {}", quote_ident(&old)),
            render_enum(ns, name, eb),
        ];
        stmts.extend(comment_on_sql("TYPE", &q, eb.comment.as_deref(), false));
        let mut d = Draft::new(step(path.clone(), "swap enum (new type)", stmts), P_TYPE);
        d.requires.push(guard_key);
        d.provides.push(k_type(ns, name));
        self.push(d);
        for (tns, t, ca, cb) in conversions {
            let tq = qualified_sql(&tns, &t);
            let c = quote_ident(&ca.name);
            let mut stmts = Vec::new();
            if ca.default.is_some() {
                stmts.push(format!("ALTER TABLE {tq} ALTER COLUMN {c} DROP DEFAULT"));
            }
            let via = if base_type(&ca.data_type).1 {
                "text[]"
            } else {
                "text"
            };
            stmts.push(format!(
                "ALTER TABLE {tq} ALTER COLUMN {c} TYPE {} USING {c}::{via}::{}",
                cb.data_type, cb.data_type
            ));
            if let Some(def) = &column_sql(&cb).default {
                stmts.push(format!(
                    "ALTER TABLE {tq} ALTER COLUMN {c} SET DEFAULT {def}"
                ));
            }
            let mut s = step(
                column_path(&tns, &t, &ca.name),
                "convert column to the new enum",
                stmts,
            );
            s.hazards.push(hz(
                Hazard::RewritesTable,
                "every row is rewritten with the new type",
            ));
            s.hazards.push(hz(
                Hazard::LocksTable,
                "reads and writes wait while the table is rewritten",
            ));
            let mut d = Draft::new(s, P_ALTER);
            d.requires.push(k_type(ns, name));
            d.releases.push(k_old_type(ns, name));
            d.provides.push(k_col(&tns, &t, &ca.name));
            d.requires.push(key("pre", &[&tns, &t, &ca.name]));
            self.push(d);
            self.converted.insert((tns, t, ca.name.clone()));
        }
        let mut d = Draft::new(
            step(
                path,
                "drop the enum's old type",
                vec![format!("DROP TYPE {}", qualified_sql(ns, &old))],
            ),
            P_DROP,
        );
        d.drops.push(k_old_type(ns, name));
        self.push(d);
        let _ = ea;
    }
}
