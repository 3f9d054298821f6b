//! A documentation page for a schema: Markdown with a Mermaid ER diagram,
//! in the spirit of a hand-written "Database" page.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use crate::diff::{render_constraint, render_keys};
use crate::model::{qualified, quote_ident, ConstraintKind, Schema, Table};

/// What the page says about where the schema came from.
#[derive(Debug, Clone, Default)]
pub struct DocsInfo {
    pub title: String,
    /// `schema/sql (5 files)`, `migrations (refinery, 85 migrations)`, `host:port/db`.
    pub source: String,
    /// The history, when known: tool and (version, name) in apply order.
    pub history: Option<(String, Vec<(String, String)>)>,
}

/// Renders the page.
pub fn render(schema: &Schema, info: &DocsInfo) -> String {
    let mut out = String::new();
    let c = schema.counts();
    let _ = writeln!(out, "# {}\n", md(&info.title));
    let _ = writeln!(out, "## Quick reference\n");
    let _ = writeln!(out, "- Engine: PostgreSQL");
    let _ = writeln!(out, "- Source: {}", md(&info.source));
    let _ = writeln!(
        out,
        "- Tables: {} · columns: {} · enums: {} · indexes: {} · constraints: {} · sequences: {}{}",
        c.tables,
        c.columns,
        c.enums,
        c.indexes,
        c.constraints,
        c.sequences,
        [
            (c.views, "views"),
            (c.materialized_views, "materialized views"),
            (c.routines, "functions"),
            (c.triggers, "triggers"),
            (c.policies, "policies"),
            (c.rules, "rules"),
            (c.publications, "publications"),
            (c.domains, "domains"),
            (c.composite_types, "composite types"),
            (c.range_types, "range types"),
            (c.collations, "collations"),
            (c.operators, "operators"),
            (c.aggregates, "aggregates"),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!(" · {what}: {n}"))
        .collect::<String>()
    );
    let exts: Vec<&String> = schema
        .extensions
        .keys()
        .filter(|k| *k != "plpgsql")
        .collect();
    if !exts.is_empty() {
        let _ = writeln!(
            out,
            "- Extensions: {}",
            exts.iter()
                .map(|e| format!("`{e}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if let Some((tool, migrations)) = &info.history {
        let _ = writeln!(out, "- Migrations: {} ({tool})", migrations.len());
    }
    if c.unmanaged > 0 {
        let _ = writeln!(out, "- Other objects (kept by name): {}", c.unmanaged);
    }
    out.push('\n');

    // ER diagram.
    let _ = writeln!(out, "## ER diagram\n");
    let _ = writeln!(out, "```mermaid\nerDiagram");
    let entities = entity_names(schema);
    let entity = |ns: &str, t: &str| {
        entities
            .get(&(ns.to_string(), t.to_string()))
            .cloned()
            .unwrap_or_else(|| entity(ns, t))
    };
    let mut related = BTreeSet::new();
    for (nsn, ns) in &schema.namespaces {
        for (tn, t) in &ns.tables {
            for (cn, con) in &t.constraints {
                if let ConstraintKind::ForeignKey {
                    columns,
                    ref_namespace,
                    ref_table,
                    ..
                } = &con.kind
                {
                    let child = entity(nsn, tn);
                    let parent = entity(ref_namespace, ref_table);
                    let optional = columns
                        .iter()
                        .any(|col| t.column(col).is_some_and(|c| !c.not_null));
                    let one = if unique_on(t, columns) { "o|" } else { "o{" };
                    let parent_side = if optional { "|o" } else { "||" };
                    let _ = writeln!(
                        out,
                        "    {parent} {parent_side}--{one} {child} : \"{}\"",
                        cn.chars()
                            .map(|c| match c {
                                '"' => '\'',
                                c if c.is_control() => ' ',
                                c => c,
                            })
                            .collect::<String>()
                    );
                    related.insert(child);
                    related.insert(parent);
                }
            }
        }
    }
    for (nsn, ns) in &schema.namespaces {
        for tn in ns.tables.keys() {
            let e = entity(nsn, tn);
            if !related.contains(&e) {
                let _ = writeln!(out, "    {e}");
            }
        }
    }
    let _ = writeln!(out, "```\n");

    // Tables.
    let _ = writeln!(out, "## Tables\n");
    for (nsn, ns) in &schema.namespaces {
        for (tn, t) in &ns.tables {
            let _ = writeln!(out, "### {}\n", md(&qualified(nsn, tn)));
            if let Some(f) = &t.foreign {
                let _ = writeln!(out, "Foreign table on server `{}`.\n", cell(&f.server));
            }
            if let Some(cm) = &t.comment {
                let _ = writeln!(out, "{}\n", md(cm));
            }
            let _ = writeln!(out, "| Column | Type | Nullable | Default | Description |");
            let _ = writeln!(out, "|---|---|---|---|---|");
            for col in &t.columns {
                let default = if let Some(g) = &col.generated {
                    format!("generated: `{}`", cell(g))
                } else if let Some(i) = col.identity {
                    match i {
                        crate::model::Identity::Always => "identity (always)".to_string(),
                        crate::model::Identity::ByDefault => "identity (by default)".to_string(),
                    }
                } else if let Some(d) = &col.default {
                    format!("`{}`", cell(d))
                } else {
                    "—".to_string()
                };
                let _ = writeln!(
                    out,
                    "| `{}` | {} | {} | {} | {} |",
                    cell(&col.name),
                    cell(&col.data_type),
                    if col.not_null { "❌" } else { "✅" },
                    default,
                    col.comment.as_deref().map(cell).unwrap_or_default()
                );
            }
            out.push('\n');
            if !t.constraints.is_empty() {
                let _ = writeln!(out, "Constraints:\n");
                for (cn, con) in &t.constraints {
                    let _ = writeln!(out, "- `{}`: `{}`", cell(cn), cell(&render_constraint(con)));
                }
                out.push('\n');
            }
            if !t.indexes.is_empty() {
                let _ = writeln!(out, "Indexes:\n");
                for (iname, i) in &t.indexes {
                    let mut s = format!(
                        "- `{}`: {}{} ({})",
                        cell(iname),
                        if i.unique { "unique " } else { "" },
                        i.method,
                        cell(&render_keys(&i.keys))
                    );
                    if !i.include.is_empty() {
                        let _ = write!(
                            s,
                            " include ({})",
                            i.include
                                .iter()
                                .map(|c| quote_ident(c))
                                .collect::<Vec<_>>()
                                .join(", ")
                        );
                    }
                    if let Some(p) = &i.predicate {
                        let _ = write!(s, " — partial: `{}`", cell(p));
                    }
                    let _ = writeln!(out, "{s}");
                }
                out.push('\n');
            }
            let stats: Vec<(String, &crate::model::Statistics)> = schema
                .namespaces
                .iter()
                .flat_map(|(sn, n)| n.statistics.iter().map(move |(x, s)| (qualified(sn, x), s)))
                .filter(|(_, s)| s.table.namespace == *nsn && s.table.name == *tn)
                .collect();
            if !stats.is_empty() {
                let _ = writeln!(out, "Extended statistics:\n");
                for (sname, s) in stats {
                    let mut on: Vec<String> = s.columns.iter().map(|c| quote_ident(c)).collect();
                    on.extend(s.expressions.iter().map(|e| format!("({e})")));
                    let kinds: Vec<&str> = s.kinds.iter().map(|k| k.keyword()).collect();
                    let mut line = format!("- `{}` on {}", cell(&sname), cell(&on.join(", ")));
                    if !kinds.is_empty() {
                        let _ = write!(line, " ({})", kinds.join(", "));
                    }
                    if let Some(c) = &s.comment {
                        let _ = write!(line, " — {}", cell(c));
                    }
                    let _ = writeln!(out, "{line}");
                }
                out.push('\n');
            }
            if !t.triggers.is_empty() {
                let _ = writeln!(out, "Triggers:\n");
                for (gn, g) in &t.triggers {
                    let mut s = format!(
                        "- `{}`: {} {} {} → `{}`",
                        cell(gn),
                        g.timing.sql(),
                        cell(&g.events.sql()),
                        if g.for_each_row {
                            "for each row"
                        } else {
                            "for each statement"
                        },
                        cell(&g.function_name())
                    );
                    if let Some(w) = &g.when {
                        let _ = write!(s, " when `{}`", cell(w));
                    }
                    if g.enabled != crate::model::TriggerEnabled::Origin {
                        let _ = write!(s, " ({})", g.enabled.sql());
                    }
                    if let Some(c) = &g.comment {
                        let _ = write!(s, " — {}", cell(c));
                    }
                    let _ = writeln!(out, "{s}");
                }
                out.push('\n');
            }
            if !t.rules.is_empty() {
                let _ = writeln!(out, "Rules:\n");
                for (rn, r) in &t.rules {
                    let _ = writeln!(out, "- {}", rule_line(rn, r));
                }
                out.push('\n');
            }
            if t.row_level_security || !t.policies.is_empty() {
                let _ = writeln!(
                    out,
                    "Row-level security: {}{}\n",
                    if t.row_level_security {
                        "enabled"
                    } else {
                        "disabled"
                    },
                    if t.force_row_level_security {
                        ", forced for the owner"
                    } else {
                        ""
                    }
                );
                for (pn, p) in &t.policies {
                    let mut s = format!(
                        "- `{}`: {} for {} to {}",
                        cell(pn),
                        if p.permissive {
                            "permissive"
                        } else {
                            "restrictive"
                        },
                        p.command.keyword(),
                        cell(&p.roles_sql())
                    );
                    if let Some(u) = &p.using {
                        let _ = write!(s, ", using `{}`", cell(u));
                    }
                    if let Some(w) = &p.with_check {
                        let _ = write!(s, ", with check `{}`", cell(w));
                    }
                    if let Some(c) = &p.comment {
                        let _ = write!(s, " — {}", cell(c));
                    }
                    let _ = writeln!(out, "{s}");
                }
                out.push('\n');
            }
        }
    }

    // Enums.
    let mut rows = Vec::new();
    for (nsn, en, e) in each(schema, |n| &n.enums) {
        let tname = qualified(nsn, en);
        let mut users = BTreeSet::new();
        for (tns, ns) in &schema.namespaces {
            for (tn, t) in &ns.tables {
                if t.columns
                    .iter()
                    .any(|c| c.data_type.trim_end_matches("[]") == tname)
                {
                    users.insert(qualified(tns, tn));
                }
            }
        }
        rows.push(vec![
            format!("`{}`", cell(&tname)),
            cell(&e.values.join(", ")),
            cell(&users.into_iter().collect::<Vec<_>>().join(", ")),
        ]);
    }
    section(&mut out, "Enums", &["Enum", "Values", "Used by"], rows);

    // Domains and composite types.
    let rows = each(schema, |n| &n.domains)
        .map(|(nsn, dn, d)| {
            let checks: Vec<String> = d
                .checks
                .iter()
                .map(|(cn, c)| format!("`{}`: `{}`", cell(cn), cell(&c.expression)))
                .collect();
            vec![
                format!("`{}`", cell(&qualified(nsn, dn))),
                cell(&d.base_type),
                (if d.not_null { "❌" } else { "✅" }).to_string(),
                d.default
                    .as_ref()
                    .map_or("—".to_string(), |e| format!("`{}`", cell(e))),
                checks.join("<br>"),
                d.comment.as_deref().map(cell).unwrap_or_default(),
            ]
        })
        .collect();
    section(
        &mut out,
        "Domains",
        &[
            "Domain",
            "Base type",
            "Nullable",
            "Default",
            "Checks",
            "Description",
        ],
        rows,
    );
    let rows = each(schema, |n| &n.composites)
        .map(|(nsn, cn, c)| {
            let attrs: Vec<String> = c
                .attributes
                .iter()
                .map(|a| format!("`{}` {}", cell(&a.name), cell(&a.data_type)))
                .collect();
            vec![
                format!("`{}`", cell(&qualified(nsn, cn))),
                attrs.join(", "),
                c.comment.as_deref().map(cell).unwrap_or_default(),
            ]
        })
        .collect();
    section(
        &mut out,
        "Composite types",
        &["Type", "Attributes", "Description"],
        rows,
    );
    let rows = each(schema, |n| &n.ranges)
        .map(|(nsn, rn, r)| {
            let mut props = Vec::new();
            if let Some(o) = &r.subtype_opclass {
                props.push(format!("operator class {}", cell(&o.name)));
            }
            if let Some(c) = &r.collation {
                props.push(format!(
                    "collation {}",
                    cell(&qualified(&c.schema, &c.name))
                ));
            }
            if let Some(f) = &r.canonical {
                props.push(format!("canonical {}", cell(&f.function_sql())));
            }
            if let Some(f) = &r.subtype_diff {
                props.push(format!("subtype_diff {}", cell(&f.function_sql())));
            }
            vec![
                format!("`{}`", cell(&qualified(nsn, rn))),
                cell(&r.subtype),
                format!(
                    "`{}`",
                    cell(&qualified(&r.multirange.schema, &r.multirange.name))
                ),
                props.join(", "),
                r.comment.as_deref().map(cell).unwrap_or_default(),
            ]
        })
        .collect();
    section(
        &mut out,
        "Range types",
        &["Type", "Subtype", "Multirange", "Options", "Description"],
        rows,
    );

    // Functions and procedures.
    let rows = each(schema, |n| &n.routines)
        .map(|(nsn, sig, r)| {
            let mut props = vec![format!("{:?}", r.volatility).to_lowercase()];
            if r.strict {
                props.push("strict".to_string());
            }
            if r.security_definer {
                props.push("**security definer**".to_string());
            }
            if r.leakproof {
                props.push("leakproof".to_string());
            }
            props.extend(r.config.iter().map(|c| format!("`SET {}`", cell(c))));
            vec![
                format!("`{}`", cell(&format!("{}.{sig}", quote_ident(nsn)))),
                r.returns
                    .as_deref()
                    .map(cell)
                    .unwrap_or_else(|| "—".to_string()),
                cell(&r.language),
                props.join(", "),
                r.comment.as_deref().map(cell).unwrap_or_default(),
            ]
        })
        .collect();
    section(
        &mut out,
        "Functions and procedures",
        &[
            "Signature",
            "Returns",
            "Language",
            "Properties",
            "Description",
        ],
        rows,
    );

    let views: Vec<String> = schema
        .namespaces
        .iter()
        .flat_map(|(ns, n)| {
            n.views.iter().map(move |(name, v)| {
                let cols: Vec<String> = v.columns.iter().map(|c| c.name.clone()).collect();
                let triggers: Vec<String> = v
                    .triggers
                    .iter()
                    .map(|(gn, g)| {
                        format!(
                            "{gn} ({} {} {} → {})",
                            g.timing.sql(),
                            g.events.sql(),
                            if g.for_each_row {
                                "for each row"
                            } else {
                                "for each statement"
                            },
                            g.function_name()
                        )
                    })
                    .collect();
                let mut line = format!(
                    "{} {} ({})",
                    v.label(),
                    crate::model::qualified(ns, name),
                    cols.join(", ")
                );
                if !triggers.is_empty() {
                    line.push_str(&format!(" — triggers: {}", triggers.join("; ")));
                }
                if !v.rules.is_empty() {
                    let rules: Vec<String> = v
                        .rules
                        .iter()
                        .map(|(rn, r)| {
                            format!(
                                "{rn} (ON {} DO {})",
                                r.event.keyword(),
                                if r.instead { "INSTEAD" } else { "ALSO" }
                            )
                        })
                        .collect();
                    line.push_str(&format!(" — rules: {}", rules.join("; ")));
                }
                line
            })
        })
        .collect();
    if !views.is_empty() {
        let _ = writeln!(out, "## Views\n");
        for v in &views {
            let _ = writeln!(out, "- {}", md(v));
        }
        out.push('\n');
    }

    if !schema.publications.is_empty() {
        let _ = writeln!(out, "## Publications\n");
        for (name, p) in &schema.publications {
            let mut what: Vec<String> = Vec::new();
            if p.all_tables {
                what.push("all tables".to_string());
            }
            for t in &p.tables {
                let mut x = format!("`{}`", cell(&t.table.sql()));
                if let Some(c) = &t.columns {
                    let _ = write!(x, " ({})", cell(&c.join(", ")));
                }
                if let Some(f) = &t.row_filter {
                    let _ = write!(x, " where `{}`", cell(f));
                }
                what.push(x);
            }
            for s in &p.schemas {
                what.push(format!("tables in schema `{}`", cell(s)));
            }
            let mut line = format!(
                "`{}`: {} — publishes {}",
                cell(name),
                if what.is_empty() {
                    "no tables".to_string()
                } else {
                    what.join(", ")
                },
                p.publish.sql()
            );
            if p.via_root {
                line.push_str(" via the partition root");
            }
            if let Some(c) = &p.comment {
                let _ = write!(line, " — {}", cell(c));
            }
            let _ = writeln!(out, "- {line}");
        }
        out.push('\n');
    }

    if !schema.event_triggers.is_empty() {
        let _ = writeln!(out, "## Event triggers\n");
        for (name, t) in &schema.event_triggers {
            let mut line = format!(
                "`{}` on {}{} → `{}()`",
                cell(name),
                t.event,
                if t.tags.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", cell(&t.tags.join(", ")))
                },
                cell(&t.function.sql())
            );
            if t.enabled != crate::model::TriggerEnabled::Origin {
                line.push_str(&format!(" ({})", t.enabled.sql()));
            }
            if let Some(c) = &t.comment {
                line.push_str(&format!(" — {}", cell(c)));
            }
            let _ = writeln!(out, "- {line}");
        }
        out.push('\n');
    }

    if !schema.foreign_data_wrappers.is_empty() || !schema.foreign_servers.is_empty() {
        let _ = writeln!(out, "## Foreign servers\n");
        for (name, w) in &schema.foreign_data_wrappers {
            let mut line = format!("foreign-data wrapper `{}`", cell(name));
            if let Some(h) = &w.handler {
                line.push_str(&format!(", handler `{}`", cell(&h.sql())));
            }
            if let Some(c) = &w.comment {
                line.push_str(&format!(" — {}", cell(c)));
            }
            let _ = writeln!(out, "- {line}");
        }
        for (name, s) in &schema.foreign_servers {
            let mut line = format!("server `{}` (wrapper `{}`)", cell(name), cell(&s.wrapper));
            let opts = crate::model::options_sql(&s.options);
            if !opts.is_empty() {
                line.push_str(&format!(" {}", cell(&opts)));
            }
            if !s.user_mappings.is_empty() {
                let users: Vec<String> = s
                    .user_mappings
                    .keys()
                    .map(|u| crate::model::mapping_user_sql(u))
                    .collect();
                line.push_str(&format!("; user mappings for {}", cell(&users.join(", "))));
            }
            if let Some(c) = &s.comment {
                line.push_str(&format!(" — {}", cell(c)));
            }
            let _ = writeln!(out, "- {line}");
        }
        out.push('\n');
    }

    if !schema.unmanaged.is_empty() {
        let _ = writeln!(out, "## Other objects\n");
        for u in &schema.unmanaged {
            let _ = writeln!(out, "- {}", md(&u.to_string()));
        }
        out.push('\n');
    }

    if let Some((tool, migrations)) = &info.history {
        let _ = writeln!(out, "## Migration history\n");
        let _ = writeln!(
            out,
            "{} migrations ({tool}), applied in this order:\n",
            migrations.len()
        );
        let _ = writeln!(out, "| Version | Name |");
        let _ = writeln!(out, "|---|---|");
        for (v, n) in migrations {
            let _ = writeln!(out, "| {} | {} |", cell(v), cell(n));
        }
        out.push('\n');
    }
    out
}

/// The Mermaid entity of every table: [`entity`], with `_2`, `_3`, …
/// after names that another table (in name order) already took (`a b` and
/// `a_b`, `café` and `caf_`).
/// `(namespace, name, object)` of one kind of object, over every namespace.
fn each<'s, T: 's>(
    schema: &'s Schema,
    kind: impl Fn(&'s crate::model::Namespace) -> &'s BTreeMap<String, T> + 's,
) -> impl Iterator<Item = (&'s String, &'s String, &'s T)> + 's {
    schema
        .namespaces
        .iter()
        .flat_map(move |(n, ns)| kind(ns).iter().map(move |(name, x)| (n, name, x)))
}

/// A `## title` section holding a table, written only when there are rows.
fn section(out: &mut String, title: &str, headers: &[&str], rows: Vec<Vec<String>>) {
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(out, "## {title}\n");
    let _ = writeln!(out, "| {} |", headers.join(" | "));
    let _ = writeln!(out, "|{}", "---|".repeat(headers.len()));
    for r in rows {
        let _ = writeln!(out, "| {} |", r.join(" | "));
    }
    out.push('\n');
}

fn entity_names(schema: &Schema) -> BTreeMap<(String, String), String> {
    let mut taken = BTreeSet::new();
    let mut out = BTreeMap::new();
    for (nsn, ns) in &schema.namespaces {
        for tn in ns.tables.keys() {
            let base = entity(nsn, tn);
            let mut name = base.clone();
            let mut n = 1;
            while taken.contains(&name) {
                n += 1;
                name = format!("{base}_{n}");
            }
            taken.insert(name.clone());
            out.insert((nsn.clone(), tn.clone()), name);
        }
    }
    out
}

/// A Mermaid entity name: letters, digits and underscores.
fn entity(ns: &str, table: &str) -> String {
    let raw = if ns == "public" {
        table.to_string()
    } else {
        format!("{ns}__{table}")
    };
    let s: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.chars().next().is_some_and(|c| c.is_ascii_digit()) {
        format!("t_{s}")
    } else {
        s
    }
}

fn unique_on(t: &Table, cols: &[String]) -> bool {
    let mut want = cols.to_vec();
    want.sort();
    t.constraints.values().any(|c| match &c.kind {
        ConstraintKind::PrimaryKey { columns, .. } | ConstraintKind::Unique { columns, .. } => {
            let mut have = columns.clone();
            have.sort();
            have == want
        }
        _ => false,
    })
}

/// Text for a Markdown table cell: pipes escaped, newlines flattened.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn md(s: &str) -> String {
    s.replace('\n', " ")
}

/// A rule as the page lists it: `` `name`: ON INSERT DO INSTEAD … ``.
fn rule_line(name: &str, r: &crate::model::Rule) -> String {
    let mut s = format!(
        "`{}`: ON {} DO {}",
        cell(name),
        r.event.keyword(),
        if r.instead { "INSTEAD" } else { "ALSO" }
    );
    if let Some(c) = &r.condition {
        let _ = write!(s, " where `{}`", cell(c));
    }
    let _ = write!(s, " `{}`", cell(r.actions.sql.trim()));
    if r.enabled != crate::model::TriggerEnabled::Origin {
        let _ = write!(s, " ({})", r.enabled.sql());
    }
    if let Some(c) = &r.comment {
        let _ = write!(s, " — {}", cell(c));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::replay::replay_texts;
    use std::sync::Arc;

    #[test]
    fn page_shows_triggers_policies_domains_types_and_functions() {
        let sql: Arc<str> = Arc::from(
            "CREATE DOMAIN positive AS integer NOT NULL CHECK (VALUE > 0);
             CREATE TYPE pos AS (x double precision, y double precision);
             CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
                 SET search_path = public AS $$ BEGIN RETURN NEW; END $$;
             CREATE TABLE doc (id integer PRIMARY KEY, owner name, n positive, at pos);
             CREATE TRIGGER doc_stamp BEFORE INSERT OR UPDATE OF owner ON doc
                 FOR EACH ROW EXECUTE FUNCTION stamp();
             ALTER TABLE doc ENABLE ROW LEVEL SECURITY;
             CREATE POLICY mine ON doc FOR SELECT TO PUBLIC USING (owner = current_user);",
        );
        let r = replay_texts([("x.sql", &sql)]).unwrap();
        let page = render(
            &r.schema,
            &DocsInfo {
                title: "Database".into(),
                source: "x.sql".into(),
                history: None,
            },
        );
        assert!(
            page.contains(
                "- `doc_stamp`: BEFORE INSERT OR UPDATE OF owner for each row → `public.stamp`"
            ),
            "{page}"
        );
        assert!(page.contains("Row-level security: enabled"), "{page}");
        assert!(
            page.contains(
                "- `mine`: permissive for SELECT to PUBLIC, using `owner = current_user`"
            ),
            "{page}"
        );
        assert!(page.contains("## Domains"), "{page}");
        assert!(page.contains("| `positive` | integer | ❌ |"), "{page}");
        assert!(
            page.contains("| `pos` | `x` double precision, `y` double precision |"),
            "{page}"
        );
        assert!(
            page.contains("**security definer**, `SET search_path=public`"),
            "{page}"
        );
    }

    #[test]
    fn page_has_diagram_tables_enums_and_partial_indexes() {
        let sql: Arc<str> = Arc::from(
            "CREATE TYPE status AS ENUM ('a', 'b');
             CREATE TABLE \"user\" (id text PRIMARY KEY);
             COMMENT ON TABLE \"user\" IS 'People';
             CREATE TABLE run (id text PRIMARY KEY, user_id text REFERENCES \"user\" ON DELETE CASCADE, s status NOT NULL DEFAULT 'a');
             CREATE INDEX run_s_idx ON run (s) WHERE s = 'a';",
        );
        let r = replay_texts([("x.sql", &sql)]).unwrap();
        let page = render(
            &r.schema,
            &DocsInfo {
                title: "Database".into(),
                source: "x.sql".into(),
                history: None,
            },
        );
        assert!(page.contains("erDiagram"), "{page}");
        assert!(
            page.contains("user |o--o{ run : \"run_user_id_fkey\""),
            "{page}"
        );
        assert!(page.contains("### \"user\""), "{page}");
        assert!(page.contains("People"), "{page}");
        assert!(page.contains("| `status` | a, b | run |"), "{page}");
        assert!(page.contains("partial: `s = 'a'`"), "{page}");
    }
}
