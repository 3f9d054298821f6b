//! Foreign-data wrappers, foreign servers and user mappings as pg_dump
//! writes them (`dumpForeignDataWrapper`, `dumpForeignServer`,
//! `dumpUserMappings`), after the extensions (whose functions a wrapper
//! calls) and before every table (a foreign table needs its server).
//!
//! A user mapping is written without its option values, which strata never
//! holds nor prints: `CREATE USER MAPPING … SERVER s` applies, and a
//! comment names the options to set by hand (`ALTER USER MAPPING …
//! OPTIONS (ADD user '…', ADD password '…')`). pg_dump writes them in
//! clear; strata's output goes to repositories and CI logs.

use crate::model::{
    mapping_user_sql, options_sql, quote_ident, quote_literal, ForeignDataWrapper, ForeignServer,
    Schema, UserMapping,
};

use super::{comment_on_sql, push_comment, push_group, push_stmt};

/// Wrappers, then servers with their user mappings.
pub(crate) fn write_foreign(schema: &Schema) -> String {
    let mut out = String::new();
    let mut group = String::new();
    for (name, w) in &schema.foreign_data_wrappers {
        for stmt in wrapper_statements(name, w) {
            push_stmt(&mut group, &stmt);
        }
    }
    push_group(&mut out, &group);
    for (name, s) in &schema.foreign_servers {
        let mut group = String::new();
        for stmt in server_statements(name, s) {
            push_stmt(&mut group, &stmt);
        }
        for (user, m) in &s.user_mappings {
            push_stmt(&mut group, &create_user_mapping_sql(name, user));
            for line in mapping_option_note(name, user, m) {
                push_comment(&mut group, &line);
            }
        }
        push_group(&mut out, &group);
    }
    out
}

/// `CREATE FOREIGN DATA WRAPPER` and its comment.
pub(crate) fn wrapper_statements(name: &str, w: &ForeignDataWrapper) -> Vec<String> {
    let mut out = vec![create_wrapper_sql(name, w)];
    out.extend(comment_on_sql(
        "FOREIGN DATA WRAPPER",
        &quote_ident(name),
        w.comment.as_deref(),
        false,
    ));
    out
}

pub(crate) fn create_wrapper_sql(name: &str, w: &ForeignDataWrapper) -> String {
    let mut sql = format!("CREATE FOREIGN DATA WRAPPER {}", quote_ident(name));
    if let Some(h) = &w.handler {
        sql.push_str(&format!(" HANDLER {}", h.sql()));
    }
    if let Some(v) = &w.validator {
        sql.push_str(&format!(" VALIDATOR {}", v.sql()));
    }
    let o = options_sql(&w.options);
    if !o.is_empty() {
        sql.push(' ');
        sql.push_str(&o);
    }
    sql
}

/// `CREATE SERVER` and its comment (its user mappings apart).
pub(crate) fn server_statements(name: &str, s: &ForeignServer) -> Vec<String> {
    let mut out = vec![create_server_sql(name, s)];
    out.extend(comment_on_sql(
        "SERVER",
        &quote_ident(name),
        s.comment.as_deref(),
        false,
    ));
    out
}

pub(crate) fn create_server_sql(name: &str, s: &ForeignServer) -> String {
    let mut sql = format!("CREATE SERVER {}", quote_ident(name));
    if let Some(t) = &s.server_type {
        sql.push_str(&format!(" TYPE {}", quote_literal(t)));
    }
    if let Some(v) = &s.version {
        sql.push_str(&format!(" VERSION {}", quote_literal(v)));
    }
    sql.push_str(&format!(
        " FOREIGN DATA WRAPPER {}",
        quote_ident(&s.wrapper)
    ));
    let o = options_sql(&s.options);
    if !o.is_empty() {
        sql.push(' ');
        sql.push_str(&o);
    }
    sql
}

/// `CREATE USER MAPPING FOR role SERVER s`, without options.
pub(crate) fn create_user_mapping_sql(server: &str, user: &str) -> String {
    format!(
        "CREATE USER MAPPING FOR {} SERVER {}",
        mapping_user_sql(user),
        quote_ident(server)
    )
}

/// What the comment after a user mapping says of its options.
pub(crate) fn mapping_option_note(server: &str, user: &str, m: &UserMapping) -> Vec<String> {
    match &m.options {
        None => vec![
            "options not written: they could not be read (pg_user_mappings shows them only to the mapped user, the server's owner and superusers)".to_string(),
        ],
        Some(o) if o.is_empty() => Vec::new(),
        Some(o) => {
            let adds: Vec<String> = o
                .iter()
                .map(|(k, _)| format!("ADD {} '…'", quote_ident(k)))
                .collect();
            vec![
                format!(
                    "options not written (strata never prints user-mapping option values): {}",
                    m.option_names().join(", ")
                ),
                format!(
                    "set them with: ALTER USER MAPPING FOR {} SERVER {} OPTIONS ({});",
                    mapping_user_sql(user),
                    quote_ident(server),
                    adds.join(", ")
                ),
            ]
        }
    }
}

/// `OPTIONS (DROP a, SET b 'v', ADD c 'w')` taking `from` to `to`;
/// `None` when they hold the same.
pub(crate) fn alter_options_clause(
    from: &[(String, String)],
    to: &[(String, String)],
) -> Option<String> {
    let mut items = Vec::new();
    for (k, _) in from {
        if !to.iter().any(|(x, _)| x == k) {
            items.push(format!("DROP {}", quote_ident(k)));
        }
    }
    for (k, v) in to {
        match from.iter().find(|(x, _)| x == k) {
            Some((_, old)) if old == v => {}
            Some(_) => items.push(format!("SET {} {}", quote_ident(k), quote_literal(v))),
            None => items.push(format!("ADD {} {}", quote_ident(k), quote_literal(v))),
        }
    }
    if items.is_empty() {
        None
    } else {
        Some(format!("OPTIONS ({})", items.join(", ")))
    }
}
