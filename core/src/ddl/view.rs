//! Views and materialized views written as pg_dump writes them:
//! `CREATE VIEW name [WITH (…)] AS` and the query (the server's
//! `pg_get_viewdef` text, or the user's), `WITH … CHECK OPTION`; a
//! materialized view `… WITH NO DATA`, then `REFRESH MATERIALIZED VIEW`
//! when it is populated; column defaults, indexes and comments. Views come
//! after every table and routine, each after the views its query names.

use std::collections::{BTreeMap, BTreeSet};

use crate::diff::with_options_sql;
use crate::model::{qualified_sql, quote_ident, Schema, View};

use super::{comment_on_sql, create_index_sql, index_statistics_sql, push_group, push_stmt};

/// `CREATE [MATERIALIZED] VIEW …` for one view, ending without `;`.
pub(crate) fn create_view_sql(ns: &str, name: &str, v: &View) -> String {
    let mut s = format!("CREATE {} {}", v.keyword(), qualified_sql(ns, name));
    if !v.column_list.is_empty() {
        let cols: Vec<String> = v.column_list.iter().map(|c| quote_ident(c)).collect();
        s.push_str(&format!(" ({})", cols.join(", ")));
    }
    s.push_str(&with_options_sql(&v.options));
    s.push_str(" AS\n");
    s.push_str(&v.query.sql);
    if let Some(c) = v.check_option {
        s.push_str(&format!("\n  WITH {} CHECK OPTION", c.sql()));
    }
    if v.materialized {
        s.push_str("\n  WITH NO DATA");
    }
    s
}

/// Everything after the `CREATE`: defaults, indexes, comments, and the
/// `REFRESH` of a populated materialized view.
pub(crate) fn view_extras_sql(ns: &str, name: &str, v: &View) -> Vec<String> {
    let mut out = Vec::new();
    let target = qualified_sql(ns, name);
    for c in &v.columns {
        if let Some(d) = &c.default {
            out.push(format!(
                "ALTER VIEW {target} ALTER COLUMN {} SET DEFAULT {}",
                quote_ident(&c.name),
                d.sql
            ));
        }
    }
    if v.materialized && v.populated {
        out.push(format!("REFRESH MATERIALIZED VIEW {target}"));
    }
    for (iname, i) in &v.indexes {
        out.push(create_index_sql(ns, name, iname, i, false));
        out.extend(index_statistics_sql(ns, iname, None, i));
    }
    out.extend(comment_on_sql(
        v.keyword(),
        &target,
        v.comment.as_deref(),
        false,
    ));
    for c in &v.columns {
        out.extend(comment_on_sql(
            "COLUMN",
            &format!("{target}.{}", quote_ident(&c.name)),
            c.comment.as_deref(),
            false,
        ));
    }
    for (iname, i) in &v.indexes {
        out.extend(comment_on_sql(
            "INDEX",
            &qualified_sql(ns, iname),
            i.comment.as_deref(),
            false,
        ));
    }
    out
}

/// Every view of the schema in an order that creates each after the
/// views its query names (by name, as a word of its text; in name order
/// otherwise, and where names form a cycle).
pub(crate) fn ordered_views(schema: &Schema) -> Vec<(&str, &str, &View)> {
    let all: Vec<(&str, &str, &View)> = schema
        .namespaces
        .iter()
        .flat_map(|(ns, n)| {
            n.views
                .iter()
                .map(move |(name, v)| (ns.as_str(), name.as_str(), v))
        })
        .collect();
    let mut deps: BTreeMap<usize, BTreeSet<usize>> = BTreeMap::new();
    for (i, (_, _, v)) in all.iter().enumerate() {
        let words = words(&v.query.sql);
        let mut d = BTreeSet::new();
        for (j, (_, name, _)) in all.iter().enumerate() {
            if i != j && (words.contains(*name) || words.contains(&name.to_lowercase())) {
                d.insert(j);
            }
        }
        deps.insert(i, d);
    }
    let mut out = Vec::new();
    let mut done = BTreeSet::new();
    while done.len() < all.len() {
        let next = (0..all.len())
            .find(|i| !done.contains(i) && deps[i].iter().all(|d| done.contains(d)))
            .or_else(|| (0..all.len()).find(|i| !done.contains(i)));
        let Some(i) = next else { break };
        done.insert(i);
        out.push(all[i]);
    }
    out
}

/// The identifier-like words of a query (quoted ones unquoted), lower case
/// for unquoted ones.
fn words(sql: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut cur = String::new();
    let mut quoted = false;
    for ch in sql.chars() {
        if quoted {
            if ch == '"' {
                out.insert(std::mem::take(&mut cur));
                quoted = false;
            } else {
                cur.push(ch);
            }
        } else if ch == '"' {
            if !cur.is_empty() {
                out.insert(std::mem::take(&mut cur).to_lowercase());
            }
            quoted = true;
        } else if ch.is_alphanumeric() || ch == '_' || ch == '$' {
            cur.push(ch);
        } else if !cur.is_empty() {
            out.insert(std::mem::take(&mut cur).to_lowercase());
        }
    }
    if !cur.is_empty() {
        out.insert(cur.to_lowercase());
    }
    out
}

/// The views section: every view with what hangs on it.
pub(crate) fn write_views(schema: &Schema) -> String {
    let mut body = String::new();
    for (ns, name, v) in ordered_views(schema) {
        let mut group = String::new();
        push_stmt(&mut group, &create_view_sql(ns, name, v));
        for s in view_extras_sql(ns, name, v) {
            push_stmt(&mut group, &s);
        }
        push_group(&mut body, &group);
    }
    body
}
