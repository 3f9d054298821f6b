//! Rewrite rules as pg_dump writes them (`dumpRule`): `CREATE RULE` with
//! the condition and the actions as the user or the server wrote them, the
//! relation qualified; `ALTER TABLE … DISABLE | ENABLE REPLICA | ENABLE
//! ALWAYS RULE` when it does not fire on origin; the comment. Written once
//! every table and view exists: a rule may read any of them.

use crate::model::{qualified_sql, quote_ident, Rule, Schema, TriggerEnabled};

use super::{comment_on_sql, push_group, push_stmt};

pub(crate) fn write_rules(schema: &Schema) -> String {
    let mut out = String::new();
    for (ns, n) in &schema.namespaces {
        let tables = n.tables.iter().map(|(t, x)| (t, &x.rules));
        let views = n.views.iter().map(|(v, x)| (v, &x.rules));
        for (rel, rules) in tables.chain(views) {
            let mut group = String::new();
            for (name, r) in rules {
                for stmt in rule_statements(ns, rel, name, r) {
                    push_stmt(&mut group, &stmt);
                }
            }
            push_group(&mut out, &group);
        }
    }
    out
}

/// `CREATE RULE`, its state and its comment.
pub(crate) fn rule_statements(ns: &str, rel: &str, name: &str, r: &Rule) -> Vec<String> {
    let mut out = vec![rule_sql(ns, rel, name, r, false)];
    if r.enabled != TriggerEnabled::Origin {
        out.push(rule_state_sql(ns, rel, name, r.enabled));
    }
    out.extend(comment_on_sql(
        "RULE",
        &rule_target(ns, rel, name),
        r.comment.as_deref(),
        false,
    ));
    out
}

/// `name ON relation`, as `DROP RULE` and `COMMENT ON RULE` name a rule.
pub(crate) fn rule_target(ns: &str, rel: &str, name: &str) -> String {
    format!("{} ON {}", quote_ident(name), qualified_sql(ns, rel))
}

/// `CREATE [OR REPLACE] RULE name AS ON event TO relation [WHERE …] DO
/// [INSTEAD] …`.
pub(crate) fn rule_sql(ns: &str, rel: &str, name: &str, r: &Rule, replace: bool) -> String {
    let mut s = format!(
        "CREATE {}RULE {} AS ON {} TO {}",
        if replace { "OR REPLACE " } else { "" },
        quote_ident(name),
        r.event.keyword(),
        qualified_sql(ns, rel)
    );
    if let Some(c) = &r.condition {
        s.push_str(&format!(" WHERE {}", c.sql.trim()));
    }
    s.push_str(" DO ");
    if r.instead {
        s.push_str("INSTEAD ");
    }
    s.push_str(r.actions.sql.trim().trim_end_matches(';').trim_end());
    s
}

/// `ALTER TABLE … ENABLE | DISABLE | ENABLE REPLICA | ENABLE ALWAYS RULE`.
pub(crate) fn rule_state_sql(ns: &str, rel: &str, name: &str, e: TriggerEnabled) -> String {
    format!(
        "ALTER TABLE {} {} RULE {}",
        qualified_sql(ns, rel),
        e.sql(),
        quote_ident(name)
    )
}
