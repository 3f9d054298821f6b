//! Columns of a kept table: add, drop, alter, or drop and add again.

use super::{
    base_type, column_path, fresh_name, hz, identity_sql, k_col, k_no_pk, k_old_type, k_table,
    k_type, key, mentioned, step, Builder, K_EXTENSIONS, K_EXTENSIONS_DROPPED, P_ALTER, P_COMMENT,
    P_DROP_COLUMN, P_ONLINE, P_TABLE, SEP,
};
use crate::ddl::{column_sql, comment_on_sql, statistics_sql};
use crate::diff::render_column;
use crate::model::{qualified_sql, quote_ident, Column, Table};
use crate::plan::hazard::{type_change, Hazard};
use crate::plan::order::{Draft, Key};
use crate::plan::{HazardNote, Step};

/// Whether a default is computed per row when a column is added (the table
/// is then rewritten).
fn volatile_default(e: &str) -> bool {
    [
        "nextval(",
        "random(",
        "gen_random_uuid(",
        "uuid_generate",
        "clock_timestamp(",
        "timeofday(",
    ]
    .iter()
    .any(|f| e.contains(f))
}

fn compatible_types(a: &str, b: &str) -> bool {
    let family = |t: &str| -> &'static str {
        let (base, array) = base_type(t);
        if array {
            return "array";
        }
        let base = base.split('(').next().unwrap_or(base).trim();
        match base {
            "text" | "character varying" | "character" | "citext" => "string",
            "smallint" | "integer" | "bigint" | "numeric" | "real" | "double precision" => "number",
            _ => "",
        }
    };
    a == b || (!family(a).is_empty() && family(a) == family(b))
}

impl<'a> Builder<'a> {
    pub(super) fn columns(&mut self, ns: &str, t: &str, ta: &Table, tb: &Table) {
        let dropped: Vec<&Column> = ta
            .columns
            .iter()
            .filter(|c| tb.column(&c.name).is_none())
            .collect();
        let added: Vec<&Column> = tb
            .columns
            .iter()
            .filter(|c| ta.column(&c.name).is_none())
            .collect();
        for d in &dropped {
            for n in &added {
                if compatible_types(&d.data_type, &n.data_type) {
                    self.possible_renames.push(format!(
                        "column {} is dropped and {} added with a compatible type ({} → {}): if it was renamed, write `-- strata:renamed-from {}` on the line before {} in the CREATE TABLE of {}",
                        column_path(ns, t, &d.name).sql_name(),
                        quote_ident(&n.name),
                        d.data_type,
                        n.data_type,
                        quote_ident(&d.name),
                        quote_ident(&n.name),
                        qualified_sql(ns, t)
                    ));
                }
            }
        }
        for cb in &tb.columns {
            match ta.column(&cb.name) {
                None => self.add_column(ns, t, tb, cb, &[]),
                Some(ca) => {
                    if self.rebuilt_columns.contains(&(
                        ns.to_string(),
                        t.to_string(),
                        ca.name.clone(),
                    )) {
                        self.rebuild_column(ns, t, ta, tb, ca, cb);
                    } else {
                        self.alter_column(ns, t, ta, tb, ca, cb);
                    }
                }
            }
        }
        for ca in dropped {
            let mut s = step(
                column_path(ns, t, &ca.name),
                "drop column",
                vec![format!(
                    "ALTER TABLE {} DROP COLUMN {}",
                    qualified_sql(ns, t),
                    quote_ident(&ca.name)
                )],
            );
            s.hazards.push(hz(
                Hazard::DeletesData,
                "the column and its values are dropped",
            ));
            let mut d = Draft::new(s, P_DROP_COLUMN);
            self.drop_column_keys(ns, t, ta, ca, &mut d);
            self.push(d);
        }
    }

    fn drop_column_keys(&self, ns: &str, t: &str, ta: &Table, ca: &Column, d: &mut Draft) {
        d.drops.push(k_col(ns, t, &ca.name));
        d.releases.extend(self.column_keys(ca, true));
        d.releases.push(K_EXTENSIONS_DROPPED.to_string());
        if let Some(g) = &ca.generated {
            for c in mentioned(ta, g) {
                if c != ca.name {
                    d.releases.push(k_col(ns, t, &c));
                }
            }
        }
    }

    fn add_column(&mut self, ns: &str, t: &str, tb: &Table, cb: &Column, extra: &[HazardNote]) {
        let tq = qualified_sql(ns, t);
        let mut stmts = vec![format!(
            "ALTER TABLE {tq} ADD COLUMN {}",
            render_column(&column_sql(cb))
        )];
        stmts.extend(comment_on_sql(
            "COLUMN",
            &format!("{tq}.{}", quote_ident(&cb.name)),
            cb.comment.as_deref(),
            false,
        ));
        if cb.statistics.is_some() {
            stmts.push(statistics_sql(&tq, &cb.name, cb.statistics));
        }
        let mut s = step(column_path(ns, t, &cb.name), "add column", stmts);
        s.hazards.extend(extra.iter().cloned());
        let computed = if cb.generated.is_some() {
            Some("the generated value is computed for every row")
        } else if cb.identity.is_some() {
            Some("an identity value is assigned to every row")
        } else if cb.default.as_deref().is_some_and(volatile_default) {
            Some("the volatile default is computed for every row")
        } else {
            None
        };
        if let Some(why) = computed {
            if !s.has(Hazard::RewritesTable) {
                s.hazards.push(hz(Hazard::RewritesTable, why));
                s.hazards.push(hz(
                    Hazard::LocksTable,
                    "reads and writes wait while the table is rewritten",
                ));
            }
        }
        if cb.not_null && cb.default.is_none() && cb.generated.is_none() && cb.identity.is_none() {
            s.hazards.push(hz(
                Hazard::MayFail,
                "fails if the table has rows: the column is NOT NULL without a default",
            ));
        }
        let mut d = Draft::new(s, P_TABLE);
        d.provides.push(k_col(ns, t, &cb.name));
        d.requires.push(k_table(ns, t));
        d.requires.push(K_EXTENSIONS.to_string());
        d.requires.extend(self.column_keys(cb, false));
        if let Some(g) = &cb.generated {
            for c in mentioned(tb, g) {
                if c != cb.name {
                    d.requires.push(k_col(ns, t, &c));
                }
            }
        }
        self.push(d);
    }

    fn rebuild_column(
        &mut self,
        ns: &str,
        t: &str,
        ta: &Table,
        tb: &Table,
        ca: &Column,
        cb: &Column,
    ) {
        let mut s = step(
            column_path(ns, t, &ca.name),
            "drop column (to add it again)",
            vec![format!(
                "ALTER TABLE {} DROP COLUMN {}",
                qualified_sql(ns, t),
                quote_ident(&ca.name)
            )],
        );
        let extra = if ca.generated.is_some() {
            s.hazards.push(hz(
                Hazard::ChangesGeneratedValues,
                "the generated column is dropped and added with its new expression (SET EXPRESSION needs PostgreSQL 17)",
            ));
            vec![hz(
                Hazard::ChangesGeneratedValues,
                "every row's value is computed with the new expression",
            )]
        } else {
            s.hazards.push(hz(
                Hazard::DeletesData,
                "the column's values are replaced by the generated ones",
            ));
            vec![hz(
                Hazard::ChangesGeneratedValues,
                "every row's value is computed from the expression",
            )]
        };
        let mut d = Draft::new(s, P_TABLE);
        self.drop_column_keys(ns, t, ta, ca, &mut d);
        self.push(d);
        self.add_column(ns, t, tb, cb, &extra);
    }

    fn alter_column(
        &mut self,
        ns: &str,
        t: &str,
        ta: &Table,
        tb: &Table,
        ca: &Column,
        cb: &Column,
    ) {
        let tq = qualified_sql(ns, t);
        let c = quote_ident(&ca.name);
        let path = column_path(ns, t, &ca.name);
        let converted = self
            .converted
            .contains(&(ns.to_string(), t.to_string(), ca.name.clone()));
        let type_changes =
            !converted && (ca.data_type != cb.data_type || ca.collation != cb.collation);
        let alter = |action: &str, sql: String| step(path.clone(), action, vec![sql]);
        let mut steps: Vec<(Step, Vec<Key>, Vec<Key>)> = Vec::new(); // step, requires, releases

        // Generated expression.
        match (&ca.generated, &cb.generated) {
            (Some(_), None) => steps.push((
                alter(
                    "drop generation expression",
                    format!("ALTER TABLE {tq} ALTER COLUMN {c} DROP EXPRESSION"),
                ),
                Vec::new(),
                Vec::new(),
            )),
            (Some(ga), Some(gb)) if ga != gb => {
                // PostgreSQL 17 and later (else the column was rebuilt).
                let mut s = alter(
                    "set generation expression",
                    format!(
                        "ALTER TABLE {tq} ALTER COLUMN {c} SET EXPRESSION AS ({})",
                        gb.sql
                    ),
                );
                s.hazards.push(hz(
                    Hazard::ChangesGeneratedValues,
                    "every row's value is computed with the new expression",
                ));
                s.hazards
                    .push(hz(Hazard::RewritesTable, "the table is rewritten"));
                s.hazards.push(hz(
                    Hazard::LocksTable,
                    "reads and writes wait while the table is rewritten",
                ));
                let req = mentioned(tb, gb)
                    .into_iter()
                    .filter(|x| *x != cb.name)
                    .map(|x| k_col(ns, t, &x))
                    .collect();
                steps.push((s, req, Vec::new()));
            }
            _ => {}
        }
        // Identity dropped.
        if ca.identity.is_some() && cb.identity.is_none() {
            steps.push((
                alter(
                    "drop identity",
                    format!("ALTER TABLE {tq} ALTER COLUMN {c} DROP IDENTITY"),
                ),
                Vec::new(),
                Vec::new(),
            ));
        }
        // Default dropped (before a type change, which may not cast it).
        let default_changes = !converted && ca.default != cb.default;
        let drop_default = !converted
            && ca.default.is_some()
            && (type_changes || (default_changes && cb.default.is_none()));
        if drop_default {
            let mut rel = Vec::new();
            if let Some(dflt) = &ca.default {
                self.expr_keys(dflt, &mut rel, true);
            }
            steps.push((
                alter(
                    "drop default",
                    format!("ALTER TABLE {tq} ALTER COLUMN {c} DROP DEFAULT"),
                ),
                Vec::new(),
                rel,
            ));
        }
        // Type and collation.
        if type_changes {
            let old_enum = self.enum_of(&ca.data_type).is_some();
            let new_enum = self.enum_of(&cb.data_type).is_some();
            let mut tc = type_change(&ca.data_type, &cb.data_type, old_enum, new_enum);
            if ca.data_type == cb.data_type {
                // Only the collation changes.
                tc = Default::default();
            }
            let mut sql = format!("ALTER TABLE {tq} ALTER COLUMN {c} TYPE {}", cb.data_type);
            match &cb.collation {
                Some(coll) => sql.push_str(&format!(" COLLATE {coll}")),
                None if ca.collation.is_some() => sql.push_str(" COLLATE \"default\""),
                None => {}
            }
            if tc.using {
                let via = match tc.via {
                    Some(t) if base_type(&ca.data_type).1 => format!("::{t}[]"),
                    Some(t) => format!("::{t}"),
                    None => String::new(),
                };
                sql.push_str(&format!(" USING {c}{via}::{}", cb.data_type));
            }
            let mut s = alter("change column type", sql);
            if tc.deletes {
                s.hazards.push(hz(
                    Hazard::DeletesData,
                    format!(
                        "values are narrowed or rounded from {} to {}",
                        ca.data_type, cb.data_type
                    ),
                ));
            }
            if tc.rewrite {
                s.hazards
                    .push(hz(Hazard::RewritesTable, "every row is rewritten"));
                s.hazards.push(hz(
                    Hazard::LocksTable,
                    "reads and writes wait while the table is rewritten",
                ));
            } else if ca.collation != cb.collation {
                s.hazards.push(hz(
                    Hazard::LocksTable,
                    "indexes on the column are rebuilt while reads and writes wait",
                ));
            }
            if tc.may_fail {
                s.hazards.push(hz(
                    Hazard::MayFail,
                    format!("fails if a value does not convert to {}", cb.data_type),
                ));
            }
            let mut req = Vec::new();
            if let Some((ens, e)) = self.enum_of(&cb.data_type) {
                req.push(k_type(ens, e));
            }
            if let Some((tns, t)) = self.user_type_of(&cb.data_type) {
                req.push(k_type(tns, t));
            }
            if let Some((lns, l)) = cb.collation.as_deref().and_then(|x| self.collations.get(x)) {
                req.push(super::k_coll(lns, l));
            }
            req.push(K_EXTENSIONS.to_string());
            let mut rel = Vec::new();
            if let Some((ens, e)) = self.enum_of(&ca.data_type) {
                rel.push(k_type(ens, e));
                rel.push(k_old_type(ens, e));
            }
            if let Some((tns, t)) = self.user_type_of(&ca.data_type) {
                rel.push(k_type(tns, t));
                rel.push(k_old_type(tns, t));
            }
            if let Some((lns, l)) = ca.collation.as_deref().and_then(|x| self.collations.get(x)) {
                rel.push(super::k_coll(lns, l));
            }
            rel.push(K_EXTENSIONS_DROPPED.to_string());
            steps.push((s, req, rel));
        }
        // NOT NULL.
        let mut online_not_null: Option<String> = None;
        if !ca.not_null && cb.not_null {
            if self.opts.online && ta.partition_by.is_none() && cb.identity.is_none() {
                let taken =
                    |n: &str| ta.constraints.contains_key(n) || tb.constraints.contains_key(n);
                let tmp = fresh_name(&format!("{t}_{}", ca.name), "_not_null", &taken);
                let mut s = alter(
                    "add NOT NULL check (not valid)",
                    format!(
                        "ALTER TABLE {tq} ADD CONSTRAINT {} CHECK ({c} IS NOT NULL) NOT VALID",
                        quote_ident(&tmp)
                    ),
                );
                s.action = "add NOT NULL check (not valid)".to_string();
                steps.push((s, Vec::new(), Vec::new()));
                online_not_null = Some(tmp);
            } else {
                let mut s = alter(
                    "set not null",
                    format!("ALTER TABLE {tq} ALTER COLUMN {c} SET NOT NULL"),
                );
                s.hazards
                    .push(hz(Hazard::MayFail, "fails if a row holds NULL"));
                s.hazards.push(hz(
                    Hazard::LocksTable,
                    "the table is scanned while reads and writes wait",
                ));
                steps.push((s, Vec::new(), Vec::new()));
            }
        } else if ca.not_null && !cb.not_null {
            let s = alter(
                "drop not null",
                format!("ALTER TABLE {tq} ALTER COLUMN {c} DROP NOT NULL"),
            );
            steps.push((s, vec![k_no_pk(ns, t)], Vec::new()));
        }
        // Identity added or changed.
        match (ca.identity, cb.identity) {
            (None, Some(k)) => {
                let mut s = alter(
                    "add identity",
                    format!(
                        "ALTER TABLE {tq} ALTER COLUMN {c} ADD GENERATED {} AS IDENTITY{}",
                        identity_sql(k),
                        cb.identity_options
                            .as_deref()
                            .map(|o| format!(" ({})", o.sql()))
                            .unwrap_or_default()
                    ),
                );
                s.hazards.push(hz(
                    Hazard::MayFail,
                    "the identity starts at 1: inserts fail while it yields values the column already holds (restart it past them)",
                ));
                steps.push((s, Vec::new(), Vec::new()));
            }
            (Some(x), Some(y)) if x != y => steps.push((
                alter(
                    "set identity kind",
                    format!(
                        "ALTER TABLE {tq} ALTER COLUMN {c} SET GENERATED {}",
                        identity_sql(y)
                    ),
                ),
                Vec::new(),
                Vec::new(),
            )),
            _ => {}
        }
        // Identity options changed (the whole set, so that the checks
        // PostgreSQL makes between them see the final values).
        if ca.identity.is_some()
            && cb.identity.is_some()
            && (ca.identity_options != cb.identity_options || ca.data_type != cb.data_type)
        {
            let target = crate::model::IdentityOptions::sequence(
                cb.identity_options.as_deref(),
                &cb.data_type,
            );
            let current = crate::model::IdentityOptions::sequence(
                ca.identity_options.as_deref(),
                &ca.data_type,
            );
            let differs = (
                target.start,
                target.increment,
                target.min_value,
                target.max_value,
                target.cache,
                target.cycle,
            ) != (
                current.start,
                current.increment,
                current.min_value,
                current.max_value,
                current.cache,
                current.cycle,
            );
            if differs {
                steps.push((
                    alter(
                        "set identity options",
                        format!(
                            "ALTER TABLE {tq} ALTER COLUMN {c} SET START WITH {} SET INCREMENT BY {} \
                             SET MINVALUE {} SET MAXVALUE {} SET CACHE {} SET {}",
                            target.start,
                            target.increment,
                            target.min_value,
                            target.max_value,
                            target.cache,
                            if target.cycle { "CYCLE" } else { "NO CYCLE" }
                        ),
                    ),
                    Vec::new(),
                    Vec::new(),
                ));
            }
        }
        // Default set.
        if !converted && cb.default.is_some() && (default_changes || type_changes) {
            let def = cb
                .default
                .as_ref()
                .map(|d| d.sql.clone())
                .unwrap_or_default();
            let mut req = Vec::new();
            if let Some(dflt) = &cb.default {
                self.expr_keys(dflt, &mut req, false);
            }
            let mut rel = Vec::new();
            if !drop_default {
                if let Some(dflt) = &ca.default {
                    self.expr_keys(dflt, &mut rel, true);
                }
            }
            steps.push((
                alter(
                    "set default",
                    format!("ALTER TABLE {tq} ALTER COLUMN {c} SET DEFAULT {def}"),
                ),
                req,
                rel,
            ));
        }
        if ca.statistics != cb.statistics {
            steps.push((
                alter(
                    "set statistics target",
                    statistics_sql(&tq, &ca.name, cb.statistics),
                ),
                Vec::new(),
                Vec::new(),
            ));
        }
        // Comment.
        if ca.comment != cb.comment {
            let stmts: Vec<String> =
                comment_on_sql("COLUMN", &format!("{tq}.{c}"), cb.comment.as_deref(), true)
                    .into_iter()
                    .collect();
            let mut d = Draft::new(step(path.clone(), "comment on column", stmts), P_COMMENT);
            d.requires.push(k_col(ns, t, &ca.name));
            self.push(d);
        }
        let chain = key("chain", &[ns, t, &ca.name]);
        // A parent's ALTER COLUMN reaches this column too (what it leaves
        // is `partition::simulate`'s): this table's own steps come after.
        let above: Vec<Key> = super::partition::ancestors(self.b, ns, t)
            .iter()
            .map(|(pns, pt)| key("colstep", &[pns, pt, &ca.name]))
            .collect();
        let mut link = 0usize;
        for (s, req, rel) in steps {
            let mut d = Draft::new(s, P_ALTER);
            d.provides.push(k_col(ns, t, &ca.name));
            d.provides.push(key("colstep", &[ns, t, &ca.name]));
            d.requires.extend(above.iter().cloned());
            d.requires.push(k_table(ns, t));
            d.requires.extend(req);
            d.releases.extend(rel);
            // Keep the column's steps in the order written.
            if link > 0 {
                d.requires.push(format!("{chain}{SEP}{link}"));
            }
            link += 1;
            d.provides.push(format!("{chain}{SEP}{link}"));
            self.push(d);
        }
        if let Some(tmp) = online_not_null {
            let mut v = step(
                path.clone(),
                "validate NOT NULL check",
                vec![format!(
                    "ALTER TABLE {tq} VALIDATE CONSTRAINT {}",
                    quote_ident(&tmp)
                )],
            );
            v.no_transaction = true;
            v.hazards
                .push(hz(Hazard::MayFail, "fails if a row holds NULL"));
            let mut d = Draft::new(v, P_ONLINE);
            d.requires.push(format!("{chain}{SEP}{link}"));
            let validated = key("nn", &[ns, t, &ca.name]);
            d.provides.push(validated.clone());
            self.push(d);
            let mut s = step(
                path,
                "set not null (using the validated check)",
                vec![
                    format!("ALTER TABLE {tq} ALTER COLUMN {c} SET NOT NULL"),
                    format!("ALTER TABLE {tq} DROP CONSTRAINT {}", quote_ident(&tmp)),
                ],
            );
            s.no_transaction = true;
            let mut d = Draft::new(s, P_ONLINE);
            d.requires.push(validated);
            d.provides.push(k_col(ns, t, &ca.name));
            self.push(d);
        }
    }
}
