//! Publications as pg_dump writes them (`dumpPublication`,
//! `dumpPublicationTable`, `dumpPublicationNamespace`): `CREATE PUBLICATION
//! name [FOR ALL TABLES] WITH (publish = '…'[, publish_via_partition_root
//! = true])`, then `ALTER PUBLICATION … ADD TABLE ONLY t (cols) WHERE (…)`
//! per table and `ADD TABLES IN SCHEMA s` per schema, then the comment.
//! Written once every table exists.

use crate::model::{quote_ident, Publication, PublicationTable, Schema};

use super::{comment_on_sql, push_group, push_stmt};

pub(crate) fn write_publications(schema: &Schema) -> String {
    let mut out = String::new();
    for (name, p) in &schema.publications {
        let mut group = String::new();
        for stmt in publication_statements(name, p) {
            push_stmt(&mut group, &stmt);
        }
        push_group(&mut out, &group);
    }
    out
}

/// Every statement that creates publication `name` as it is.
pub(crate) fn publication_statements(name: &str, p: &Publication) -> Vec<String> {
    let mut out = vec![create_publication_sql(name, p)];
    for t in &p.tables {
        out.push(add_table_sql(name, t));
    }
    for s in &p.schemas {
        out.push(schema_member_sql(name, s, true));
    }
    out.extend(comment_on_sql(
        "PUBLICATION",
        &quote_ident(name),
        p.comment.as_deref(),
        false,
    ));
    out
}

/// `CREATE PUBLICATION name [FOR ALL TABLES] WITH (…)`.
pub(crate) fn create_publication_sql(name: &str, p: &Publication) -> String {
    format!(
        "CREATE PUBLICATION {}{} WITH ({})",
        quote_ident(name),
        if p.all_tables { " FOR ALL TABLES" } else { "" },
        publication_options_sql(p)
    )
}

/// `publish = '…'[, publish_via_partition_root = true]`.
pub(crate) fn publication_options_sql(p: &Publication) -> String {
    let mut s = format!("publish = '{}'", p.publish.sql());
    if p.via_root {
        s.push_str(", publish_via_partition_root = true");
    }
    s
}

/// `ALTER PUBLICATION p ADD TABLE ONLY t [(cols)] [WHERE (…)]`.
pub(crate) fn add_table_sql(name: &str, t: &PublicationTable) -> String {
    let mut s = format!(
        "ALTER PUBLICATION {} ADD TABLE ONLY {}",
        quote_ident(name),
        t.table.sql()
    );
    if let Some(cols) = &t.columns {
        let cols: Vec<String> = cols.iter().map(|c| quote_ident(c)).collect();
        s.push_str(&format!(" ({})", cols.join(", ")));
    }
    if let Some(f) = &t.row_filter {
        let text = f.sql.trim();
        if text.starts_with('(') && text.ends_with(')') && balanced_outer(text) {
            s.push_str(&format!(" WHERE {text}"));
        } else {
            s.push_str(&format!(" WHERE ({text})"));
        }
    }
    s
}

/// `ALTER PUBLICATION p DROP TABLE ONLY t`.
pub(crate) fn drop_table_sql(name: &str, t: &PublicationTable) -> String {
    format!(
        "ALTER PUBLICATION {} DROP TABLE ONLY {}",
        quote_ident(name),
        t.table.sql()
    )
}

/// `ALTER PUBLICATION p ADD | DROP TABLES IN SCHEMA s`.
pub(crate) fn schema_member_sql(name: &str, schema: &str, add: bool) -> String {
    format!(
        "ALTER PUBLICATION {} {} TABLES IN SCHEMA {}",
        quote_ident(name),
        if add { "ADD" } else { "DROP" },
        quote_ident(schema)
    )
}

/// Whether the first `(` of `text` closes at its last character.
fn balanced_outer(text: &str) -> bool {
    let mut depth = 0usize;
    let mut in_str = false;
    for (i, ch) in text.char_indices() {
        match ch {
            '\'' => in_str = !in_str,
            '(' if !in_str => depth += 1,
            ')' if !in_str => {
                depth = depth.saturating_sub(1);
                if depth == 0 && i + 1 != text.len() {
                    return false;
                }
            }
            _ => {}
        }
    }
    true
}
