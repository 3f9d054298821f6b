//! Publications compared property by property: FOR ALL TABLES, each table
//! (present, its column list, its row filter — by `pg_get_expr`'s text or
//! cannot prove), the schemas, `publish`, `publish_via_partition_root`, the
//! comment. The owner is not compared.

use std::collections::BTreeSet;

use crate::ddl::{add_table_sql, publication_statements};
use crate::model::{ObjectKind, ObjectPath, Publication, Schema};

use super::{expr_field, field, missing, opt_field, pairs, unexpected, yes_no, Difference};

pub(super) fn diff_publications(d: &mut Vec<Difference>, e: &Schema, f: &Schema) {
    for (name, e, f) in pairs(&e.publications, &f.publications) {
        let p = ObjectPath::new(ObjectKind::Publication, "", name);
        match (e, f) {
            (Some(e), None) => d.push(missing(p, publication_statements(name, e).join("; "))),
            (None, Some(f)) => d.push(unexpected(p, publication_statements(name, f).join("; "))),
            (Some(e), Some(f)) => compare(d, &p, name, e, f),
            (None, None) => {}
        }
    }
}

fn compare(d: &mut Vec<Difference>, p: &ObjectPath, name: &str, e: &Publication, f: &Publication) {
    field(
        d,
        p,
        "FOR ALL TABLES",
        &yes_no(e.all_tables),
        &yes_no(f.all_tables),
    );
    let tables: BTreeSet<_> = e
        .tables
        .iter()
        .chain(f.tables.iter())
        .map(|t| t.table.clone())
        .collect();
    for t in tables {
        let label = format!("table {}", t.sql());
        match (e.table(&t), f.table(&t)) {
            (Some(et), None) => field(d, p, &label, &add_table_sql(name, et), "(none)"),
            (None, Some(ft)) => field(d, p, &label, "(none)", &add_table_sql(name, ft)),
            (Some(et), Some(ft)) => {
                let cols = |x: &Option<Vec<String>>| match x {
                    None => "(all)".to_string(),
                    Some(c) => c.join(", "),
                };
                field(
                    d,
                    p,
                    &format!("{label} column list"),
                    &cols(&et.columns),
                    &cols(&ft.columns),
                );
                expr_field(
                    d,
                    p,
                    &format!("{label} row filter"),
                    et.row_filter.as_ref(),
                    ft.row_filter.as_ref(),
                );
            }
            (None, None) => {}
        }
    }
    let schemas = |x: &Publication| {
        if x.schemas.is_empty() {
            "(none)".to_string()
        } else {
            x.schemas.iter().cloned().collect::<Vec<_>>().join(", ")
        }
    };
    field(d, p, "schemas", &schemas(e), &schemas(f));
    field(d, p, "publish", &e.publish.sql(), &f.publish.sql());
    field(
        d,
        p,
        "publish_via_partition_root",
        &yes_no(e.via_root),
        &yes_no(f.via_root),
    );
    opt_field(d, p, "comment", &e.comment, &f.comment);
}
