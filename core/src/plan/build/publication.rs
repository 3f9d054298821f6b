//! Publications in a plan: created after the tables they name (and those
//! tables' columns), dropped first; `FOR ALL TABLES` changed is a drop and
//! a create; otherwise `ALTER PUBLICATION` in place — `SET (…)` for the
//! options, `DROP TABLE` before and `ADD TABLE` after for a table that
//! leaves, joins or changes its column list or row filter (or whose
//! columns change under a kept one), `ADD | DROP TABLES IN SCHEMA`, the
//! comment. A table the plan drops leaves its publications by itself.

use std::collections::BTreeSet;

use super::{k_col, k_ns, k_table, key, step, Builder, P_COMMENT, P_DROP_DEPENDENT};
use crate::ddl::{
    add_table_sql, comment_on_sql, drop_table_sql, publication_options_sql, publication_statements,
    schema_member_sql,
};
use crate::model::{quote_ident, ObjectKind, ObjectPath, Publication, PublicationTable, Schema};
use crate::plan::order::{Draft, Key};

/// After the tables, views and rules (the phase only breaks ties).
const P_PUBLICATION: u8 = 17;

fn k_publication(name: &str) -> Key {
    key("P", &[name])
}

fn path(name: &str) -> ObjectPath {
    ObjectPath::new(ObjectKind::Publication, "", name)
}

fn table_keys(s: &Schema, t: &PublicationTable) -> Vec<Key> {
    let mut out = vec![k_table(&t.table.namespace, &t.table.name)];
    if let Some(x) = s.table(&t.table.namespace, &t.table.name) {
        for c in &x.columns {
            out.push(k_col(&t.table.namespace, &t.table.name, &c.name));
        }
    }
    out
}

impl Builder<'_> {
    pub(super) fn publications(&mut self) {
        let b = self.b;
        let a = self.a.clone();
        let recreated: BTreeSet<(String, String)> = self
            .recreated
            .iter()
            .map(|(ns, t, _)| (ns.clone(), t.clone()))
            .collect();
        let names: BTreeSet<&String> = a.publications.keys().chain(b.publications.keys()).collect();
        for name in names {
            match (a.publications.get(name), b.publications.get(name)) {
                (Some(pa), None) => self.drop_publication(&a, name, pa),
                (None, Some(pb)) => self.create_publication(name, pb),
                (Some(pa), Some(pb)) if pa != pb || self.members_reshaped(&a, pa, &recreated) => {
                    if pa.all_tables != pb.all_tables {
                        self.drop_publication(&a, name, pa);
                        self.create_publication(name, pb);
                    } else {
                        self.alter_publication(&a, name, pa, pb, &recreated);
                    }
                }
                _ => {}
            }
        }
    }

    /// Whether a member table changes its columns (a drop and add of the
    /// membership around it).
    fn members_reshaped(
        &self,
        a: &Schema,
        p: &Publication,
        recreated: &BTreeSet<(String, String)>,
    ) -> bool {
        p.tables
            .iter()
            .any(|t| self.member_reshaped(a, t, recreated))
    }

    fn member_reshaped(
        &self,
        a: &Schema,
        t: &PublicationTable,
        recreated: &BTreeSet<(String, String)>,
    ) -> bool {
        let key = (t.table.namespace.clone(), t.table.name.clone());
        if recreated.contains(&key) {
            return true;
        }
        let cols = |s: &Schema| {
            s.table(&t.table.namespace, &t.table.name).map(|x| {
                x.columns
                    .iter()
                    .map(|c| (c.name.clone(), c.data_type.clone()))
                    .collect::<Vec<_>>()
            })
        };
        (t.columns.is_some() || t.row_filter.is_some()) && cols(a) != cols(self.b)
    }

    fn create_publication(&mut self, name: &str, p: &Publication) {
        let mut d = Draft::new(
            step(
                path(name),
                "create publication",
                publication_statements(name, p),
            ),
            P_PUBLICATION,
        );
        for t in &p.tables {
            d.requires.extend(table_keys(self.b, t));
        }
        for s in &p.schemas {
            d.requires.push(k_ns(s));
        }
        d.provides.push(k_publication(name));
        self.push(d);
    }

    fn drop_publication(&mut self, a: &Schema, name: &str, p: &Publication) {
        let mut d = Draft::new(
            step(
                path(name),
                "drop publication",
                vec![format!("DROP PUBLICATION {}", quote_ident(name))],
            ),
            P_DROP_DEPENDENT,
        );
        for t in &p.tables {
            d.releases.extend(table_keys(a, t));
        }
        for s in &p.schemas {
            d.releases.push(k_ns(s));
        }
        d.drops.push(k_publication(name));
        self.push(d);
    }

    fn alter_publication(
        &mut self,
        a: &Schema,
        name: &str,
        pa: &Publication,
        pb: &Publication,
        recreated: &BTreeSet<(String, String)>,
    ) {
        // Before: tables and schemas that leave (or change), while what
        // they use is still there.
        let mut before = Draft::new(
            step(path(name), "alter publication (drop members)", Vec::new()),
            P_DROP_DEPENDENT,
        );
        let mut after = Draft::new(
            step(path(name), "alter publication", Vec::new()),
            P_PUBLICATION,
        );
        for ta in &pa.tables {
            let gone_with_table = self.b.table(&ta.table.namespace, &ta.table.name).is_none()
                || recreated.contains(&(ta.table.namespace.clone(), ta.table.name.clone()));
            let same = pb.table(&ta.table) == Some(ta) && !self.member_reshaped(a, ta, recreated);
            if same {
                continue;
            }
            if !gone_with_table {
                before.step.statements.push(drop_table_sql(name, ta));
            }
            before.releases.extend(table_keys(a, ta));
        }
        for s in pa.schemas.difference(&pb.schemas) {
            if self.b.namespaces.contains_key(s) {
                before
                    .step
                    .statements
                    .push(schema_member_sql(name, s, false));
            }
            before.releases.push(k_ns(s));
        }
        if pa.publish != pb.publish || pa.via_root != pb.via_root {
            let mut opts = publication_options_sql(pb);
            if !pb.via_root {
                opts.push_str(", publish_via_partition_root = false");
            }
            after.step.statements.push(format!(
                "ALTER PUBLICATION {} SET ({opts})",
                quote_ident(name)
            ));
        }
        for s in pb.schemas.difference(&pa.schemas) {
            after.step.statements.push(schema_member_sql(name, s, true));
            after.requires.push(k_ns(s));
        }
        for tb in &pb.tables {
            let kept = pa.table(&tb.table) == Some(tb) && !self.member_reshaped(a, tb, recreated);
            if kept {
                continue;
            }
            after.step.statements.push(add_table_sql(name, tb));
            after.requires.extend(table_keys(self.b, tb));
        }
        if pa.comment != pb.comment {
            after.step.statements.extend(comment_on_sql(
                "PUBLICATION",
                &quote_ident(name),
                pb.comment.as_deref(),
                true,
            ));
        }
        if !before.step.statements.is_empty() {
            before.provides.push(key("Pm", &[name]));
            self.push(before);
        }
        if !after.step.statements.is_empty() {
            if after.step.statements.len() == 1
                && pa.comment != pb.comment
                && after.requires.is_empty()
            {
                after.phase = P_COMMENT;
            }
            after.requires.push(key("Pm", &[name]));
            self.push(after);
        }
    }
}
