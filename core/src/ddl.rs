//! Declarative DDL written from the model: the one place strata writes DDL.
//!
//! [`schema_sql`] writes a [`Schema`] as one SQL file, [`schema_files`] as a
//! folder of files applied in name order. Either form applies to an empty
//! PostgreSQL database and replays offline to the same model: applying it and
//! inspecting the result gives back the [`Schema`] it was written from.
//!
//! What comes out, in order:
//!
//! - `00_extensions.sql`: the list of unmanaged objects (the model has only
//!   their names, so they cannot be written; a comment says which), then the
//!   schemas extensions live in and `CREATE EXTENSION IF NOT EXISTS … WITH
//!   SCHEMA …` (PL/pgSQL, which every database has, left out), then
//!   foreign-data wrappers, servers and user mappings (`ddl/foreign.rs`;
//!   a user mapping without its option values, which strata never prints).
//! - `01_types.sql`, only when namespaces use each other's enums,
//!   sequences or routines in a cycle: those namespaces' schemas, enums and
//!   sequences, then their routines that need no table.
//! - one file per namespace, `10_public.sql`, `11_billing.sql`, …: the
//!   schema, its enums and sequences, its functions and procedures
//!   (`pg_get_functiondef`'s text or the user's, with `COMMENT ON
//!   FUNCTION|PROCEDURE`) that column defaults and checks may call, then
//!   its tables (columns in model
//!   order; primary key, unique, check and exclusion constraints inline;
//!   `NOT VALID` checks added after the table, since PostgreSQL ignores `NOT
//!   VALID` inside `CREATE TABLE`), indexes, row level security, comments,
//!   `ALTER SEQUENCE … OWNED BY` once the namespace's tables exist, the
//!   routines that need a table (a row type among their argument or result
//!   types, or a SQL-standard body naming one), and the foreign keys
//!   between the namespace's own tables. Operators come after the
//!   routines before the tables, as pg_dump writes them (`ddl/operator`),
//!   or after the late routines when they call one; aggregates after them
//!   (`ddl/aggregate`). Routines come by signature, those
//!   with a SQL-standard body after the others; a file with routines sets
//!   `check_function_bodies = false` first, as pg_dump does, so a body that
//!   reads a table written later still applies. `public` comes first,
//!   then the others by name, except that a namespace whose tables or
//!   routines use another's enums, sequences or routines (or whose routines
//!   use its tables) comes after it.
//! - `90_foreign_keys.sql`: foreign keys between namespaces, once every
//!   table exists.
//! - `91_views.sql`: views and materialized views as pg_dump writes them
//!   (see `ddl/view.rs`), each after the views it reads.
//! - `91_statistics.sql`: extended statistics as pg_dump writes them
//!   (`ddl/statistics.rs`), once every table exists.
//! - `93_rules.sql`: rewrite rules as pg_dump writes them (`ddl/rule.rs`),
//!   once every table and view exists.
//! - `93_publications.sql`: publications as pg_dump writes them
//!   (`ddl/publication.rs`), once every table exists.
//! - `95_event_triggers.sql`: event triggers, after everything else.
//! - `92_policies.sql`: row-level security policies (`CREATE POLICY` with
//!   the expressions as written, `COMMENT ON POLICY`), last as pg_dump
//!   writes them: a policy may read any table or call any routine.
//!
//! Every file starts with `SET search_path = public`: the model writes names
//! in `public` unqualified and every other name qualified, which is what
//! they mean with that search path (and nothing else, such as a schema
//! named after the applying role, can capture them).
//!
//! Expressions are stored in a canonical form made for comparison, which
//! drops casts PostgreSQL adds back by itself. Two of those drops would
//! make the SQL fail or mean something else, so they are undone here: a
//! default or generation expression is cast to its column's type (unless
//! it is a literal, `nextval(…)`, a string-typed column or another case
//! that needs none), and `x = ANY (ARRAY[a, b])` is written `x IN (a, b)`,
//! which lets literals take the type of `x` (an enum) as PostgreSQL's own
//! form `ARRAY['a'::mood, 'b'::mood]` did. Both give back the same
//! canonical text.
//!
//! Output is deterministic: the model's maps are sorted, and columns keep
//! the model's order.

use std::collections::{BTreeMap, BTreeSet};

mod aggregate;
mod event_trigger;
mod foreign;
mod operator;
pub(crate) mod owner;
mod privilege;
mod publication;
mod rule;
mod statistics;
mod view;
pub(crate) use aggregate::{aggregate_functions, aggregate_sql, aggregate_target};
pub(crate) use event_trigger::{
    create_event_trigger_sql, event_trigger_enabled_sql, event_trigger_statements,
};
pub(crate) use foreign::{
    alter_options_clause, create_server_sql, create_user_mapping_sql, create_wrapper_sql,
    server_statements, wrapper_statements,
};
pub(crate) use operator::{operator_sql, operator_target};
pub(crate) use privilege::{acl_entries, acl_statements, default_acl_statements};
pub(crate) use publication::{
    add_table_sql, drop_table_sql, publication_options_sql, publication_statements,
    schema_member_sql,
};
pub(crate) use rule::{rule_sql, rule_state_sql, rule_target};
pub(crate) use statistics::{create_statistics_sql, statistics_statements, statistics_target_sql};
pub(crate) use view::{create_view_sql, ordered_views, view_extras_sql};

use crate::diff::{render_column, render_constraint_kind, render_enum, render_index};
use crate::model::{
    qualified, qualified_sql, quote_ident, quote_literal, ArgMode, Column, Constraint,
    ConstraintKind, Index, IndexKeyExpr, Namespace, Routine, RoutineBody, Schema, Sequence, Table,
    Trigger, TriggerEnabled,
};

/// The comment PostgreSQL gives `public` in every new database.
const PUBLIC_COMMENT: &str = "standard public schema";

/// The search path every file sets (see the module documentation).
const SEARCH_PATH: &str = "SET search_path = public";

/// Set before routines, as pg_dump does: a function body that reads a table
/// written later still applies.
const NO_BODY_CHECKS: &str = "SET check_function_bodies = false";

/// How the schema is written.
#[derive(Debug, Clone, Copy, Default)]
pub struct DdlOptions {
    /// `ALTER … OWNER TO` for every object with a named owner, last.
    pub owners: bool,
}

/// The whole schema as one SQL file.
pub fn schema_sql(schema: &Schema) -> String {
    schema_sql_with(schema, DdlOptions::default())
}

/// [`schema_sql`], with options.
pub fn schema_sql_with(schema: &Schema, opts: DdlOptions) -> String {
    let plan = plan(schema, opts);
    let mut out = String::new();
    out.push_str("-- Schema written by strata. Apply it to an empty database.\n");
    push_stmt(&mut out, SEARCH_PATH);
    if plan.iter().any(|s| s.routines) {
        push_stmt(&mut out, NO_BODY_CHECKS);
    }
    for section in &plan {
        if section.body.is_empty() {
            continue;
        }
        out.push('\n');
        push_comment(&mut out, &format!("---- {}", section.title));
        out.push_str(&section.body);
    }
    out
}

/// The schema as a folder: `(file name, SQL)` in the order the files must be
/// applied, which is also their name order.
pub fn schema_files(schema: &Schema) -> Vec<(String, String)> {
    schema_files_with(schema, DdlOptions::default())
}

/// [`schema_files`], with options.
pub fn schema_files_with(schema: &Schema, opts: DdlOptions) -> Vec<(String, String)> {
    plan(schema, opts)
        .into_iter()
        .map(|section| {
            let mut sql = String::new();
            push_comment(
                &mut sql,
                &format!(
                    "{}. Written by strata; apply the files of this folder in name order \
                     to an empty database.",
                    section.title
                ),
            );
            push_stmt(&mut sql, SEARCH_PATH);
            if section.routines {
                push_stmt(&mut sql, NO_BODY_CHECKS);
            }
            if !section.body.is_empty() {
                sql.push('\n');
                sql.push_str(&section.body);
            }
            (section.file, sql)
        })
        .collect()
}

/// One file of the folder form (one part of the single file).
struct Section {
    file: String,
    title: String,
    /// Statements, each ending with `;\n`, groups separated by blank lines.
    body: String,
    /// Whether it writes functions or procedures.
    routines: bool,
}

/// The tables from which [`plan`] writes the namespaces' files on several
/// threads (below it, starting the threads costs more than it saves).
const PARALLEL_TABLES: usize = 500;

/// `f` of every item, in order: on up to four threads (as many as the
/// machine has cores) when `parallel`, each mapping a contiguous run.
fn par_map<T: Sync, R: Send>(items: &[T], parallel: bool, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(4);
    if !parallel || threads < 2 || items.len() < 2 {
        return items.iter().map(&f).collect();
    }
    let run = items.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let f = &f;
        let handles: Vec<_> = items
            .chunks(run)
            .skip(1)
            .map(|chunk| scope.spawn(move || chunk.iter().map(f).collect::<Vec<R>>()))
            .collect();
        let mut out: Vec<R> = items[..run.min(items.len())].iter().map(f).collect();
        for handle in handles {
            match handle.join() {
                Ok(part) => out.extend(part),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        out
    })
}

fn plan(schema: &Schema, opts: DdlOptions) -> Vec<Section> {
    let order = namespace_order(schema);
    // File numbers: `00` extensions, `01` hoisted types, one number per
    // namespace from `10`, foreign keys at `90` — with more digits when
    // there are more namespaces than fit between 10 and 89.
    let count = order.files.len();
    let mut width = 2;
    let mut base = 10usize;
    while count > 8 * base {
        width += 1;
        base *= 10;
    }
    let name = |n: usize, stem: &str| format!("{n:0width$}_{stem}.sql");

    let mut sections = Vec::new();
    let mut created: BTreeSet<&str> = BTreeSet::new();

    // Extensions, with the unmanaged objects listed first.
    let mut body = String::new();
    if !schema.unmanaged.is_empty() {
        push_comment(
            &mut body,
            &format!(
                "unmanaged objects (not written; strata keeps them by name): {}",
                schema.unmanaged.len()
            ),
        );
        for u in &schema.unmanaged {
            push_comment(&mut body, &format!("  {u}"));
        }
    }
    let mut group = String::new();
    for (name_, ext) in &schema.extensions {
        if name_ == "plpgsql" {
            continue;
        }
        let ns = ext.namespace.as_str();
        if ns != "public"
            && ns != "pg_catalog"
            && schema.namespaces.contains_key(ns)
            && created.insert(ns)
        {
            push_stmt(&mut group, &format!("CREATE SCHEMA {}", quote_ident(ns)));
        }
        push_stmt(
            &mut group,
            &format!(
                "CREATE EXTENSION IF NOT EXISTS {} WITH SCHEMA {}",
                quote_ident(name_),
                quote_ident(ns)
            ),
        );
    }
    push_group(&mut body, &group);
    // Foreign-data wrappers, servers and user mappings: after the
    // extensions whose functions and wrappers they use, before any table.
    push_group(&mut body, &foreign::write_foreign(schema));
    sections.push(Section {
        file: name(0, "extensions"),
        title: "extensions".to_string(),
        body,
        routines: false,
    });

    let tables = table_names(schema);
    // Types of namespaces that use each other's types in a cycle, then
    // their routines that need no table.
    if !order.hoisted.is_empty() {
        let mut body = String::new();
        for ns in &order.hoisted {
            if let Some(n) = schema.namespaces.get(*ns) {
                write_namespace_head(&mut body, ns, n, &mut created);
            }
        }
        let mut routines = false;
        for ns in &order.hoisted {
            if let Some(n) = schema.namespaces.get(*ns) {
                routines |= write_routines(&mut body, ns, n, &tables, false);
                write_user_types(&mut body, ns, n, true);
            }
        }
        sections.push(Section {
            file: name(1, "types"),
            title: "types used across schemas".to_string(),
            body,
            routines,
        });
    }

    // One file per namespace. Each is written on its own (on several
    // threads when the schema is large: the files are most of the text);
    // whether a file creates its schema is decided first, in file order.
    let parents = partition_parents(schema);
    let jobs: Vec<(usize, &str, &Namespace, Option<bool>)> = order
        .files
        .iter()
        .enumerate()
        .filter_map(|(i, ns)| {
            let n = schema.namespaces.get(*ns)?;
            // `None`: the head was written with the hoisted types.
            let head = (!order.hoisted.contains(ns)).then(|| !created.insert(ns));
            Some((i, *ns, n, head))
        })
        .collect();
    let table_count: usize = jobs.iter().map(|(_, _, n, _)| n.tables.len()).sum();
    let files = par_map(&jobs, table_count >= PARALLEL_TABLES, |(_, ns, n, head)| {
        let mut body = String::new();
        let mut cross_fks = String::new();
        let mut routines = false;
        if let Some(already) = *head {
            let mut created = BTreeSet::new();
            if already {
                created.insert(*ns);
            }
            write_namespace_head(&mut body, ns, n, &mut created);
            routines |= write_routines(&mut body, ns, n, &tables, false);
            write_user_types(&mut body, ns, n, true);
        }
        operator::write_operators(&mut body, schema, ns, n, &tables, false);
        aggregate::write_aggregates(&mut body, schema, ns, n, &tables, false);
        let late = write_namespace_tables(&mut body, &mut cross_fks, ns, n, &tables, &parents);
        operator::write_operators(&mut body, schema, ns, n, &tables, true);
        aggregate::write_aggregates(&mut body, schema, ns, n, &tables, true);
        (body, cross_fks, routines || late)
    });
    let mut cross_fks = String::new();
    for ((i, ns, _, _), (body, fks, routines)) in jobs.iter().zip(files) {
        cross_fks.push_str(&fks);
        sections.push(Section {
            file: name(base + i, &file_stem(ns)),
            title: format!("schema {}", quote_ident(ns)),
            body,
            routines,
        });
    }

    let hierarchy = hierarchy_sql(schema, &parents);
    if !hierarchy.is_empty() {
        sections.push(Section {
            file: name(9 * base, "partitions"),
            title: "partitions and inheritance children of other schemas' tables".to_string(),
            body: hierarchy,
            routines: false,
        });
    }
    if !cross_fks.is_empty() {
        sections.push(Section {
            file: name(9 * base, "foreign_keys"),
            title: "foreign keys between schemas".to_string(),
            body: cross_fks,
            routines: false,
        });
    }
    // Extended statistics once every table exists (a statistics object
    // may live in another schema than its table).
    let stats = statistics::write_statistics(schema);
    if !stats.is_empty() {
        sections.push(Section {
            file: name(9 * base + 1, "statistics"),
            title: "extended statistics".to_string(),
            body: stats,
            routines: false,
        });
    }
    let views = view::write_views(schema);
    if !views.is_empty() {
        sections.push(Section {
            file: name(9 * base + 1, "views"),
            title: "views and materialized views".to_string(),
            body: views,
            routines: false,
        });
    }

    // Policies last, as pg_dump writes them: their expressions may read any
    // table or call any routine.
    let mut body = String::new();
    for (ns, n) in &schema.namespaces {
        for (tname, t) in &n.tables {
            let mut group = String::new();
            for (pname, p) in &t.policies {
                for stmt in policy_statements(ns, tname, pname, p) {
                    push_stmt(&mut group, &stmt);
                }
            }
            push_group(&mut body, &group);
        }
    }
    if !body.is_empty() {
        sections.push(Section {
            file: name(9 * base + 2, "policies"),
            title: "row-level security policies".to_string(),
            body,
            routines: false,
        });
    }
    // Triggers, as pg_dump writes them: once every table, view and function
    // exists (a trigger may call a function of another schema, and a
    // constraint trigger names a table of another).
    let mut triggers = String::new();
    for ns in &order.files {
        if let Some(n) = schema.namespaces.get(*ns) {
            for (tname, t) in &n.tables {
                let mut group = String::new();
                for (gname, g) in &t.triggers {
                    for stmt in trigger_statements(ns, tname, gname, g) {
                        push_stmt(&mut group, &stmt);
                    }
                }
                push_group(&mut triggers, &group);
            }
            // Triggers on views, after the views (written before).
            for (vname, v) in &n.views {
                let mut group = String::new();
                for (gname, g) in &v.triggers {
                    for stmt in trigger_statements(ns, vname, gname, g) {
                        push_stmt(&mut group, &stmt);
                    }
                }
                push_group(&mut triggers, &group);
            }
        }
    }
    if !triggers.is_empty() {
        sections.push(Section {
            file: name(9 * base + 3, "triggers"),
            title: "triggers".to_string(),
            body: triggers,
            routines: false,
        });
    }
    // Rules, as pg_dump writes them: once every table and view exists (a
    // rule may read any of them).
    let rules = rule::write_rules(schema);
    if !rules.is_empty() {
        sections.push(Section {
            file: name(9 * base + 3, "rules"),
            title: "rules".to_string(),
            body: rules,
            routines: false,
        });
    }
    // Publications once every table exists.
    let publications = publication::write_publications(schema);
    if !publications.is_empty() {
        sections.push(Section {
            file: name(9 * base + 3, "publications"),
            title: "publications".to_string(),
            body: publications,
            routines: false,
        });
    }
    // Privileges last, as pg_dump writes them: on objects that all exist,
    // then the default privileges, which apply to none of them.
    let privileges = privilege::write_privileges(schema, opts.owners);
    if !privileges.is_empty() {
        sections.push(Section {
            file: name(9 * base + 4, "privileges"),
            title: "privileges".to_string(),
            body: privileges,
            routines: false,
        });
    }
    // Event triggers very last, as pg_dump writes them: one fires on the
    // DDL that follows it.
    let events = event_trigger::write_event_triggers(schema);
    if !events.is_empty() {
        sections.push(Section {
            file: name(9 * base + 5, "event_triggers"),
            title: "event triggers".to_string(),
            body: events,
            routines: false,
        });
    }
    if opts.owners {
        let owners = owner::write_owners(schema);
        if !owners.is_empty() {
            sections.push(Section {
                file: name(9 * base + 6, "owners"),
                title: "owners".to_string(),
                body: owners,
                routines: false,
            });
        }
    }
    sections
}

/// `CREATE POLICY` with the expressions as written, and its comment.
pub(crate) fn policy_statements(
    ns: &str,
    table: &str,
    name: &str,
    p: &crate::model::Policy,
) -> Vec<String> {
    let mut out = vec![crate::diff::render_policy(ns, table, name, p)];
    out.extend(comment_on_sql(
        "POLICY",
        &format!("{} ON {}", quote_ident(name), qualified_sql(ns, table)),
        p.comment.as_deref(),
        false,
    ));
    out
}

/// A trigger's statements: its definition (the user's or
/// `pg_get_triggerdef`'s), `ALTER TABLE … DISABLE | ENABLE REPLICA | ENABLE
/// ALWAYS TRIGGER` when it does not fire on origin, and its comment.
pub(crate) fn trigger_statements(ns: &str, table: &str, name: &str, g: &Trigger) -> Vec<String> {
    let mut out = Vec::new();
    let def = if g.definition.trim().is_empty() {
        trigger_sql(ns, table, name, g)
    } else {
        g.definition
            .trim()
            .trim_end_matches(';')
            .trim_end()
            .to_string()
    };
    out.push(def);
    if g.enabled != TriggerEnabled::Origin {
        out.push(trigger_state_sql(ns, table, name, g.enabled));
    }
    if let Some(c) = comment_on_sql(
        "TRIGGER",
        &trigger_target(ns, table, name),
        g.comment.as_deref(),
        false,
    ) {
        out.push(c);
    }
    out
}

/// `name ON table`, for `COMMENT ON TRIGGER` and `DROP TRIGGER`.
pub(crate) fn trigger_target(ns: &str, table: &str, name: &str) -> String {
    format!("{} ON {}", quote_ident(name), qualified_sql(ns, table))
}

/// `ALTER TABLE t ENABLE | DISABLE | ENABLE REPLICA | ENABLE ALWAYS TRIGGER name`.
pub(crate) fn trigger_state_sql(
    ns: &str,
    table: &str,
    name: &str,
    state: TriggerEnabled,
) -> String {
    format!(
        "ALTER TABLE {} {} TRIGGER {}",
        qualified_sql(ns, table),
        state.sql(),
        quote_ident(name)
    )
}

/// `CREATE [CONSTRAINT] TRIGGER` written from the model's properties (the
/// `WHEN` condition as written or as the server printed it), for a trigger
/// whose text a rename made stale.
pub fn trigger_sql(ns: &str, table: &str, name: &str, g: &Trigger) -> String {
    let mut s = String::from("CREATE ");
    if g.constraint.is_some() {
        s.push_str("CONSTRAINT ");
    }
    s.push_str(&format!(
        "TRIGGER {} {} {} ON {}",
        quote_ident(name),
        g.timing.sql(),
        g.events.sql(),
        qualified_sql(ns, table)
    ));
    if let Some(c) = &g.constraint {
        if let Some((rns, rt)) = &c.referenced {
            s.push_str(&format!(" FROM {}", qualified_sql(rns, rt)));
        }
        s.push_str(if c.deferrable {
            " DEFERRABLE"
        } else {
            " NOT DEFERRABLE"
        });
        s.push_str(if c.initially_deferred {
            " INITIALLY DEFERRED"
        } else {
            " INITIALLY IMMEDIATE"
        });
    }
    if g.old_table.is_some() || g.new_table.is_some() {
        s.push_str(" REFERENCING");
        if let Some(o) = &g.old_table {
            s.push_str(&format!(" OLD TABLE AS {}", quote_ident(o)));
        }
        if let Some(n) = &g.new_table {
            s.push_str(&format!(" NEW TABLE AS {}", quote_ident(n)));
        }
    }
    s.push_str(if g.for_each_row {
        " FOR EACH ROW"
    } else {
        " FOR EACH STATEMENT"
    });
    if let Some(w) = &g.when {
        s.push_str(&format!(" WHEN ({})", w.sql));
    }
    let args: Vec<String> = g.arguments.iter().map(|a| quote_literal(a)).collect();
    s.push_str(&format!(
        " EXECUTE FUNCTION {}({})",
        qualified_sql(&g.function_schema, &g.function),
        args.join(", ")
    ));
    s
}

/// Namespaces that get a file, in apply order, and those whose types must
/// be created before any of them.
struct Order<'a> {
    files: Vec<&'a str>,
    hoisted: Vec<&'a str>,
}

/// `public` first, then by name; a namespace after those whose enums or
/// sequences its tables use. Where the uses form a cycle, the namespaces
/// left are ordered by name and their types hoisted before all tables.
fn namespace_order(schema: &Schema) -> Order<'_> {
    let written: Vec<&str> = schema
        .namespaces
        .iter()
        .filter(|(name, n)| has_content(name, n))
        .map(|(name, _)| name.as_str())
        .collect();
    let mut dependencies = type_dependencies(schema);
    // Ordered `public` first, then by name.
    let mut pending: BTreeMap<(bool, &str), BTreeSet<&str>> = BTreeMap::new();
    for &ns in &written {
        let deps = dependencies.remove(ns).unwrap_or_default();
        let deps = deps.into_iter().filter(|d| written.contains(d)).collect();
        pending.insert((ns != "public", ns), deps);
    }
    let mut files: Vec<&str> = Vec::new();
    let mut done: BTreeSet<&str> = BTreeSet::new();
    while let Some(key) = pending
        .iter()
        .find(|(_, deps)| deps.iter().all(|d| done.contains(d)))
        .map(|(k, _)| *k)
    {
        pending.remove(&key);
        files.push(key.1);
        done.insert(key.1);
    }
    let hoisted: Vec<&str> = pending.keys().map(|k| k.1).collect();
    files.extend(hoisted.iter().copied());
    Order { files, hoisted }
}

/// Whether a namespace has anything to write (`public` always exists).
fn has_content(name: &str, n: &Namespace) -> bool {
    name != "public"
        || !n.tables.is_empty()
        || !n.enums.is_empty()
        || !n.sequences.is_empty()
        || !n.routines.is_empty()
        || !n.domains.is_empty()
        || !n.composites.is_empty()
        || !n.ranges.is_empty()
        || !n.collations.is_empty()
        || !n.views.is_empty()
        || !n.statistics.is_empty()
        || !n.operators.is_empty()
        || !n.aggregates.is_empty()
        || n.comment.as_deref() != Some(PUBLIC_COMMENT)
}

/// For each namespace, the other namespaces whose enums, sequences or
/// routines its tables and routines may use: a column or argument type
/// naming one, or an expression mentioning one (defaults such as
/// `nextval('other.seq'::regclass)` or `other.f(x)`); and those whose
/// tables its routines may use (row types, SQL-standard bodies). It may
/// find more than there is, which only costs order, never less. Linear in
/// the size of the schema.
fn type_dependencies(schema: &Schema) -> BTreeMap<&str, BTreeSet<&str>> {
    let mut owners: BTreeMap<String, &str> = BTreeMap::new();
    let mut table_owners: BTreeMap<String, &str> = BTreeMap::new();
    for (ns, n) in &schema.namespaces {
        for name in n
            .enums
            .keys()
            .chain(n.sequences.keys())
            .chain(n.domains.keys())
            .chain(n.composites.keys())
            .chain(n.ranges.keys())
            .chain(n.collations.keys())
        {
            owners.insert(qualified(ns, name), ns.as_str());
        }
        // The multirange is made by its range's CREATE TYPE, in whichever
        // namespace it lives.
        for r in n.ranges.values() {
            owners.insert(
                qualified(&r.multirange.schema, &r.multirange.name),
                ns.as_str(),
            );
        }
        for signature in n.routines.keys() {
            let (name, _) = crate::model::split_signature(signature);
            owners.insert(qualified(ns, name), ns.as_str());
        }
        for name in n.tables.keys() {
            table_owners.insert(qualified(ns, name), ns.as_str());
        }
    }
    // Operators outside public are named `OPERATOR(ns.sym)` (few: a scan).
    let mut op_owners: Vec<(String, &str)> = Vec::new();
    for (ns, n) in &schema.namespaces {
        for key in n.operators.keys() {
            let sym = crate::model::Operator::split_key(key).0;
            op_owners.push((format!("OPERATOR({}.{sym})", quote_ident(ns)), ns.as_str()));
        }
    }
    let mut out = BTreeMap::new();
    for (ns, n) in &schema.namespaces {
        let mut deps = BTreeSet::new();
        for r in n.routines.values() {
            for text in routine_texts(r) {
                for token in name_tokens(text) {
                    if let Some(&owner) = owners.get(token).or_else(|| table_owners.get(token)) {
                        if owner != ns {
                            deps.insert(owner);
                        }
                    }
                }
            }
        }
        for a in n.aggregates.values() {
            for f in aggregate_functions(a) {
                if f.schema != *ns {
                    if let Some((owner, _)) = schema.namespaces.get_key_value(&f.schema) {
                        deps.insert(owner.as_str());
                    }
                }
            }
        }
        // Operators: the functions they call, their operand types.
        for (key, o) in &n.operators {
            for f in [&o.function, &o.restrict, &o.join].into_iter().flatten() {
                if f.schema != *ns {
                    if let Some((owner, _)) = schema.namespaces.get_key_value(&f.schema) {
                        deps.insert(owner.as_str());
                    }
                }
            }
            let (_, left, right) = crate::model::Operator::split_key(key);
            for t in left.into_iter().chain([right]) {
                if let Some(&owner) = owners.get(t.trim_end_matches("[]")) {
                    if owner != ns {
                        deps.insert(owner);
                    }
                }
            }
        }
        // Range types: their subtype, collation and functions.
        for r in n.ranges.values() {
            for o in [&r.collation, &r.canonical, &r.subtype_diff]
                .into_iter()
                .flatten()
            {
                if o.schema != *ns {
                    if let Some((owner, _)) = schema.namespaces.get_key_value(&o.schema) {
                        deps.insert(owner.as_str());
                    }
                }
            }
        }
        let mut texts: Vec<&str> = Vec::new();
        for r in n.ranges.values() {
            texts.push(&r.subtype);
        }
        for d in n.domains.values() {
            texts.push(&d.base_type);
            texts.extend(d.collation.as_deref());
            texts.extend(d.default.as_deref());
            texts.extend(d.checks.values().map(|c| c.expression.sql.as_str()));
        }
        for c in n.composites.values() {
            texts.extend(c.attributes.iter().map(|a| a.data_type.as_str()));
            texts.extend(c.attributes.iter().filter_map(|a| a.collation.as_deref()));
        }
        for t in n.tables.values() {
            for c in &t.columns {
                texts.push(&c.data_type);
                texts.extend(c.collation.as_deref());
                texts.extend(c.default.as_deref());
                texts.extend(c.generated.as_deref().map(|g| &**g));
            }
            texts.extend(t.partition_by.as_deref());
            for c in t.constraints.values() {
                match &c.kind {
                    ConstraintKind::Check { expression, .. } => texts.push(expression),
                    ConstraintKind::Exclusion { definition } => texts.push(definition),
                    _ => {}
                }
            }
            for i in t.indexes.values() {
                texts.extend(i.predicate.as_deref());
                for k in &i.keys {
                    if let IndexKeyExpr::Expression(e) = &k.key {
                        texts.push(e);
                    }
                }
            }
        }
        for text in texts {
            for token in name_tokens(text) {
                if let Some(&owner) = owners.get(token) {
                    if owner != ns {
                        deps.insert(owner);
                    }
                }
            }
            for (pattern, owner) in &op_owners {
                if *owner != ns && text.contains(pattern.as_str()) {
                    deps.insert(owner);
                }
            }
        }
        out.insert(ns.as_str(), deps);
    }
    out
}

/// The names in a type or expression, as written: identifiers, quoted or
/// not, joined by dots (`billing.currency`, `"Mood"`, `user_id_seq`).
/// String quotes separate names, so names inside literals count too.
pub(crate) fn name_tokens(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < text.len() {
        if let Some(mut end) = identifier_end(text, i) {
            while text[end..].starts_with('.') {
                match identifier_end(text, end + 1) {
                    Some(next) => end = next,
                    None => break,
                }
            }
            out.push(&text[i..end]);
            i = end;
        } else {
            i += text[i..].chars().next().map_or(1, char::len_utf8);
        }
    }
    out
}

/// The end of the identifier starting at byte `i`, if one does.
fn identifier_end(text: &str, i: usize) -> Option<usize> {
    let rest = text.get(i..)?;
    let mut chars = rest.char_indices();
    let (_, first) = chars.next()?;
    if first == '"' {
        let mut quoted = rest[1..].char_indices().peekable();
        while let Some((j, c)) = quoted.next() {
            if c == '"' {
                if quoted.peek().is_some_and(|&(_, n)| n == '"') {
                    quoted.next();
                } else {
                    return Some(i + 1 + j + 1);
                }
            }
        }
        return None;
    }
    if !(first.is_alphabetic() || first == '_') {
        return None;
    }
    let len = rest
        .char_indices()
        .find(|&(_, c)| !(c.is_alphanumeric() || c == '_' || c == '$'))
        .map_or(rest.len(), |(j, _)| j);
    Some(i + len)
}

/// The texts of a routine that may name other objects: argument and
/// result types, and a SQL-standard body (parsed when it is created, even
/// with `check_function_bodies` off). `RETURNS TABLE (…)` is read through
/// its `TABLE` arguments.
fn routine_texts(r: &Routine) -> Vec<&str> {
    let mut texts: Vec<&str> = r.args.iter().map(|a| a.data_type.as_str()).collect();
    if let Some(returns) = r.returns.as_deref() {
        if !r.args.iter().any(|a| a.mode == ArgMode::Table) {
            texts.push(returns);
        }
    }
    if let RoutineBody::Sql(body) = &r.body {
        texts.push(body);
    }
    texts
}

/// Every table of the schema by the name written for it (`t`,
/// `billing.entry`).
fn table_names(schema: &Schema) -> BTreeSet<String> {
    schema
        .namespaces
        .iter()
        .flat_map(|(ns, n)| n.tables.keys().map(move |t| qualified(ns, t)))
        .collect()
}

/// Whether a routine is written after the tables: its argument or result
/// types name a table (a row type), or its SQL-standard body does. The
/// others come before the tables, whose defaults and checks may call them.
fn after_tables(r: &Routine, tables: &BTreeSet<String>) -> bool {
    routine_texts(r)
        .into_iter()
        .flat_map(name_tokens)
        .any(|t| tables.contains(t))
}

/// The namespace's routines that come before its tables (`late` false) or
/// after them (`late` true): the definition, then the comment. Bodies kept
/// as text first, SQL-standard bodies (which may call the others) after;
/// each by signature. Returns whether it wrote any.
fn write_routines(
    out: &mut String,
    ns: &str,
    n: &Namespace,
    tables: &BTreeSet<String>,
    late: bool,
) -> bool {
    let mut chosen: Vec<(&String, &Routine)> = n
        .routines
        .iter()
        .filter(|(_, r)| after_tables(r, tables) == late)
        .collect();
    chosen.sort_by_key(|(sig, r)| (matches!(r.body, RoutineBody::Sql(_)), sig.as_str()));
    let mut group = String::new();
    for (signature, r) in &chosen {
        group.push_str(&routine_sql(ns, r));
        out_comment_on_routine(&mut group, ns, signature, r);
    }
    push_group(out, &group);
    !chosen.is_empty()
}

/// The statement with the routine's name qualified by `ns` when it was
/// written without a schema: the declaration resolved it through the
/// search path of its file, which the plan's session need not have (a
/// schema named after the role comes first by default).
pub(crate) fn qualified_create(stmt: &str, ns: &str) -> String {
    let upper = stmt.to_ascii_uppercase();
    let mut at = None;
    for kw in ["FUNCTION", "PROCEDURE"] {
        if let Some(i) = upper.find(kw) {
            // Only in the head: CREATE [OR REPLACE] FUNCTION.
            let head = &upper[..i];
            if head
                .split_whitespace()
                .all(|w| matches!(w, "CREATE" | "OR" | "REPLACE"))
            {
                at = Some(i + kw.len());
                break;
            }
        }
    }
    let Some(mut i) = at else {
        return stmt.to_string();
    };
    let bytes = stmt.as_bytes();
    while i < bytes.len() && bytes[i].is_ascii_whitespace() {
        i += 1;
    }
    let start = i;
    if i < bytes.len() && bytes[i] == b'"' {
        i += 1;
        while i < bytes.len() {
            if bytes[i] == b'"' {
                if bytes.get(i + 1) == Some(&b'"') {
                    i += 2;
                    continue;
                }
                i += 1;
                break;
            }
            i += 1;
        }
    } else {
        while i < bytes.len()
            && (bytes[i].is_ascii_alphanumeric()
                || bytes[i] == b'_'
                || bytes[i] == b'$'
                || bytes[i] >= 0x80)
        {
            i += 1;
        }
    }
    if i == start || bytes.get(i) == Some(&b'.') {
        return stmt.to_string();
    }
    format!("{}{}.{}", &stmt[..start], quote_ident(ns), &stmt[start..])
}

/// A routine's definition as one statement ending with `;\n`, its name
/// qualified by its namespace where the definition left it out.
pub(crate) fn routine_sql(ns: &str, r: &Routine) -> String {
    let mut sql = qualified_create(r.definition.trim_end(), ns);
    if !sql.ends_with(';') {
        sql.push(';');
    }
    sql.push('\n');
    sql
}

/// `ns.name(type, type)` for `COMMENT ON FUNCTION` and `DROP FUNCTION`.
pub(crate) fn routine_target(ns: &str, signature: &str) -> String {
    let (name, args) = crate::model::split_signature(signature);
    format!("{}{args}", qualified_sql(ns, name))
}

fn out_comment_on_routine(out: &mut String, ns: &str, signature: &str, r: &Routine) {
    push_comment_on(
        out,
        r.kind.keyword(),
        &routine_target(ns, signature),
        &r.comment,
    );
}

/// `CREATE SCHEMA`, its comment, enums and sequences.
fn write_namespace_head<'a>(
    out: &mut String,
    ns: &'a str,
    n: &Namespace,
    created: &mut BTreeSet<&'a str>,
) {
    let mut group = String::new();
    if ns != "public" && created.insert(ns) {
        push_stmt(&mut group, &format!("CREATE SCHEMA {}", quote_ident(ns)));
    }
    let target = quote_ident(ns);
    if ns == "public" {
        if n.comment.as_deref() != Some(PUBLIC_COMMENT) {
            let text = n
                .comment
                .as_deref()
                .map_or("NULL".to_string(), quote_literal);
            push_stmt(&mut group, &format!("COMMENT ON SCHEMA {target} IS {text}"));
        }
    } else {
        push_comment_on(&mut group, "SCHEMA", &target, &n.comment);
    }
    push_group(out, &group);

    let mut group = String::new();
    for (name, e) in &n.enums {
        push_stmt(&mut group, &render_enum(ns, name, e));
        push_comment_on(&mut group, "TYPE", &qualified_sql(ns, name), &e.comment);
    }
    push_group(out, &group);
    let mut group = String::new();
    for (name, c) in &n.collations {
        let target = qualified_sql(ns, name);
        push_stmt(&mut group, &collation_sql(&target, c));
        push_comment_on(&mut group, "COLLATION", &target, &c.comment);
    }
    push_group(out, &group);
    write_user_types(out, ns, n, false);

    let mut group = String::new();
    for (name, s) in &n.sequences {
        push_stmt(&mut group, &sequence_sql(ns, name, s));
        push_comment_on(&mut group, "SEQUENCE", &qualified_sql(ns, name), &s.comment);
    }
    push_group(out, &group);
}

/// Whether a domain's default or checks may call a routine of the schema
/// (any name in them that a routine of the namespace has): such a domain
/// is written after the routines.
fn domain_calls_routine(ns: &str, n: &Namespace, d: &crate::model::Domain) -> bool {
    if n.routines.is_empty() {
        return false;
    }
    let names: BTreeSet<String> = n
        .routines
        .keys()
        .flat_map(|sig| {
            let (name, _) = crate::model::split_signature(sig);
            [
                quote_ident(name),
                qualified_sql(ns, name),
                format!("{}.{}", quote_ident(ns), quote_ident(name)),
            ]
        })
        .collect();
    d.default
        .iter()
        .chain(d.checks.values().map(|c| &c.expression))
        .flat_map(|e| name_tokens(&e.sql))
        .any(|t| names.contains(t))
}

/// The namespace's composite types, domains and range types (`late`: only
/// the domains that call its routines and the range types that name them;
/// otherwise all the others, and a shell for each range type with a
/// canonical function, which takes the type), each after the types of the
/// namespace it uses.
fn write_user_types(out: &mut String, ns: &str, n: &Namespace, late: bool) {
    #[derive(Clone, Copy, PartialEq)]
    enum Kind {
        Domain,
        Composite,
        Range,
    }
    // (name, kind, the types it names)
    let mut pending: Vec<(&String, Kind, Vec<&str>)> = Vec::new();
    for (name, d) in &n.domains {
        if domain_calls_routine(ns, n, d) == late {
            pending.push((name, Kind::Domain, vec![d.base_type.as_str()]));
        }
    }
    if !late {
        for (name, c) in &n.composites {
            pending.push((
                name,
                Kind::Composite,
                c.attributes.iter().map(|a| a.data_type.as_str()).collect(),
            ));
        }
    }
    let mut shells = String::new();
    for (name, r) in &n.ranges {
        if range_calls_routine(r) == late {
            pending.push((name, Kind::Range, vec![r.subtype.as_str()]));
        }
        if !late && r.canonical.is_some() {
            push_stmt(
                &mut shells,
                &format!("CREATE TYPE {}", qualified_sql(ns, name)),
            );
        }
    }
    push_group(out, &shells);
    let mut written: BTreeSet<String> = BTreeSet::new();
    let mut group = String::new();
    while !pending.is_empty() {
        let uses_pending = |types: &[&str], me: &str| {
            types.iter().flat_map(|t| name_tokens(t)).any(|tok| {
                pending.iter().any(|(other, _, _)| {
                    other.as_str() != me
                        && !written.contains(other.as_str())
                        && (tok == qualified(ns, other) || tok == quote_ident(other))
                })
            })
        };
        let at = pending
            .iter()
            .position(|(name, _, types)| !uses_pending(types, name))
            .unwrap_or(0);
        let (name, kind, _) = pending.remove(at);
        let target = qualified_sql(ns, name);
        let stmts = match kind {
            Kind::Domain => domain_sql(&target, &n.domains[name]),
            Kind::Composite => composite_sql(&target, &n.composites[name]),
            Kind::Range => range_sql(&target, &n.ranges[name]),
        };
        for stmt in stmts {
            push_stmt(&mut group, &stmt);
        }
        written.insert(name.clone());
    }
    push_group(out, &group);
}

/// `CREATE DOMAIN` with its collation, default, NOT NULL and valid checks;
/// `NOT VALID` checks added after it (CREATE DOMAIN takes none); comments;
/// without their `;`.
pub(crate) fn domain_sql(target: &str, d: &crate::model::Domain) -> Vec<String> {
    let mut out = Vec::new();
    let mut sql = format!("CREATE DOMAIN {target} AS {}", d.base_type);
    if let Some(c) = &d.collation {
        sql.push_str(&format!(" COLLATE {c}"));
    }
    if let Some(e) = &d.default {
        sql.push_str(&format!(" DEFAULT {}", e.sql));
    }
    if d.not_null {
        sql.push_str(" NOT NULL");
    }
    for (name, c) in d.checks.iter().filter(|(_, c)| c.validated) {
        sql.push_str(&format!(
            " CONSTRAINT {} CHECK ({})",
            quote_ident(name),
            c.expression.sql
        ));
    }
    out.push(sql);
    for (name, c) in d.checks.iter().filter(|(_, c)| !c.validated) {
        out.push(domain_check_sql(target, name, c));
    }
    out.extend(comment_on_sql(
        "DOMAIN",
        target,
        d.comment.as_deref(),
        false,
    ));
    for (name, c) in &d.checks {
        out.extend(comment_on_sql(
            "CONSTRAINT",
            &format!("{} ON DOMAIN {target}", quote_ident(name)),
            c.comment.as_deref(),
            false,
        ));
    }
    out
}

/// `ALTER DOMAIN … ADD CONSTRAINT name CHECK (…) [NOT VALID]`.
pub(crate) fn domain_check_sql(target: &str, name: &str, c: &crate::model::DomainCheck) -> String {
    format!(
        "ALTER DOMAIN {target} ADD CONSTRAINT {} CHECK ({}){}",
        quote_ident(name),
        c.expression.sql,
        if c.validated { "" } else { " NOT VALID" }
    )
}

/// `CREATE COLLATION name (provider = …, locale = …)`, as pg_dump writes
/// it (one `locale` when collate and ctype agree).
pub(crate) fn collation_sql(target: &str, c: &crate::model::Collation) -> String {
    let mut opts = vec![format!("provider = {}", c.provider)];
    match (&c.icu_locale, &c.lc_collate, &c.lc_ctype) {
        (Some(l), _, _) => opts.push(format!("locale = {}", quote_literal(l))),
        (None, Some(a), Some(b)) if a == b => opts.push(format!("locale = {}", quote_literal(a))),
        (None, a, b) => {
            if let Some(a) = a {
                opts.push(format!("lc_collate = {}", quote_literal(a)));
            }
            if let Some(b) = b {
                opts.push(format!("lc_ctype = {}", quote_literal(b)));
            }
        }
    }
    if !c.deterministic {
        opts.push("deterministic = false".to_string());
    }
    format!("CREATE COLLATION {target} ({})", opts.join(", "))
}

/// `name type [COLLATE c]` of a composite type's attribute.
pub(crate) fn attribute_sql(a: &crate::model::CompositeAttribute) -> String {
    let mut s = format!("{} {}", quote_ident(&a.name), a.data_type);
    if let Some(col) = &a.collation {
        s.push_str(&format!(" COLLATE {col}"));
    }
    s
}

/// `CREATE TYPE … AS (…)` and its comments, without their `;`.
pub(crate) fn composite_sql(target: &str, c: &crate::model::CompositeType) -> Vec<String> {
    let attrs: Vec<String> = c.attributes.iter().map(attribute_sql).collect();
    let mut out = vec![format!("CREATE TYPE {target} AS ({})", attrs.join(", "))];
    out.extend(comment_on_sql("TYPE", target, c.comment.as_deref(), false));
    for a in &c.attributes {
        out.extend(comment_on_sql(
            "COLUMN",
            &format!("{target}.{}", quote_ident(&a.name)),
            a.comment.as_deref(),
            false,
        ));
    }
    out
}

/// `CREATE TYPE … AS RANGE (…)` as pg_dump writes it (`dumpRangeType`:
/// subtype, multirange_type_name, subtype_opclass, collation, canonical,
/// subtype_diff), and its comment, without their `;`.
pub(crate) fn range_sql(target: &str, r: &crate::model::RangeType) -> Vec<String> {
    let mut params = vec![
        format!("subtype = {}", r.subtype),
        format!(
            "multirange_type_name = {}",
            qualified_sql(&r.multirange.schema, &r.multirange.name)
        ),
    ];
    if let Some(o) = &r.subtype_opclass {
        params.push(format!(
            "subtype_opclass = {}",
            qualified_sql(&o.schema, &o.name)
        ));
    }
    if let Some(c) = &r.collation {
        params.push(format!("collation = {}", qualified_sql(&c.schema, &c.name)));
    }
    if let Some(f) = &r.canonical {
        params.push(format!("canonical = {}", f.function_sql()));
    }
    if let Some(f) = &r.subtype_diff {
        params.push(format!("subtype_diff = {}", f.function_sql()));
    }
    let mut out = vec![format!(
        "CREATE TYPE {target} AS RANGE (\n    {}\n)",
        params.join(",\n    ")
    )];
    out.extend(comment_on_sql("TYPE", target, r.comment.as_deref(), false));
    out
}

/// Whether a range type is written after the routines: it names a
/// canonical or subtype_diff function of the schema.
pub(crate) fn range_calls_routine(r: &crate::model::RangeType) -> bool {
    r.canonical
        .iter()
        .chain(r.subtype_diff.iter())
        .any(|f| f.schema != "pg_catalog")
}

/// Tables and all that hangs on them, then the routines that wait for the
/// tables (returns whether there were any); foreign keys to other
/// namespaces go to `cross_fks`.
/// The partitioned tables that have partitions.
type Parents = BTreeSet<(String, String)>;

fn partition_parents(schema: &Schema) -> Parents {
    let mut out = Parents::new();
    for n in schema.namespaces.values() {
        for t in n.tables.values() {
            if let Some(po) = &t.partition_of {
                out.insert((po.parent.namespace.clone(), po.parent.name.clone()));
            }
        }
    }
    out
}

fn write_namespace_tables(
    out: &mut String,
    cross_fks: &mut String,
    ns: &str,
    n: &Namespace,
    tables: &BTreeSet<String>,
    parents: &Parents,
) -> bool {
    let mut local_fks = String::new();
    for name in tables_in_order(ns, n) {
        let t = &n.tables[name];
        if !inherits_within(ns, t) {
            // Written with the hierarchies, once every table exists.
            continue;
        }
        let mut group = String::new();
        write_table(&mut group, ns, name, t, parents);
        push_group(out, &group);
    }
    for (name, t) in &n.tables {
        for (cname, c) in &t.constraints {
            if from_parent(c, t) {
                continue;
            }
            if let ConstraintKind::ForeignKey { ref_namespace, .. } = &c.kind {
                let fks = if ref_namespace == ns {
                    &mut local_fks
                } else {
                    &mut *cross_fks
                };
                push_add_constraint(fks, ns, name, cname, c);
                push_comment_on(
                    fks,
                    "CONSTRAINT",
                    &format!("{} ON {}", quote_ident(cname), qualified_sql(ns, name)),
                    &c.comment,
                );
            }
        }
    }
    let mut group = String::new();
    for (name, s) in &n.sequences {
        if let Some((table, column)) = &s.owned_by {
            push_stmt(
                &mut group,
                &format!(
                    "ALTER SEQUENCE {} OWNED BY {}.{}",
                    qualified_sql(ns, name),
                    qualified_sql(ns, table),
                    quote_ident(column)
                ),
            );
        }
    }
    push_group(out, &group);
    let late = write_routines(out, ns, n, tables, true);
    push_group(out, &local_fks);
    late
}

/// The tables of a namespace, each after the parents it inherits from in
/// the same namespace (by name otherwise).
fn tables_in_order<'a>(ns: &str, n: &'a Namespace) -> Vec<&'a str> {
    let mut out: Vec<&'a str> = Vec::new();
    let mut left: Vec<&'a str> = n.tables.keys().map(String::as_str).collect();
    while !left.is_empty() {
        let before = left.len();
        left.retain(|name| {
            let t = &n.tables[*name];
            let ready = t
                .inherits
                .iter()
                .all(|p| p.namespace != ns || out.contains(&p.name.as_str()));
            if ready {
                out.push(name);
            }
            !ready
        });
        if left.len() == before {
            out.append(&mut left);
        }
    }
    out
}

/// A table written in its namespace's file: not an inheritance child of
/// a table of another namespace (those are written after every
/// namespace's tables).
fn inherits_within(ns: &str, t: &Table) -> bool {
    t.inherits.iter().all(|p| p.namespace == ns)
}

/// A constraint a partition gets from its parent when it is attached
/// (a foreign key cloned by `ATTACH PARTITION`): not written on its own.
fn from_parent(c: &Constraint, t: &Table) -> bool {
    t.partition_of.is_some()
        && matches!(c.kind, ConstraintKind::ForeignKey { .. })
        && c.inherited.is_some_and(|i| !i.local)
}

/// The statements that put tables in their hierarchies once every table
/// exists: inheritance children of tables of other namespaces (parents
/// first), then `ALTER TABLE parent ATTACH PARTITION child FOR VALUES …`
/// for every partition, as pg_dump writes partitions.
fn hierarchy_sql(schema: &Schema, parents: &Parents) -> String {
    let mut out = String::new();
    let mut late: Vec<(&str, &str)> = Vec::new();
    for (ns, n) in &schema.namespaces {
        for (name, t) in &n.tables {
            if !inherits_within(ns, t) {
                late.push((ns, name));
            }
        }
    }
    let mut written: Vec<(&str, &str)> = Vec::new();
    while !late.is_empty() {
        let before = late.len();
        late.retain(|(ns, name)| {
            let t = &schema.namespaces[*ns].tables[*name];
            let ready = t.inherits.iter().all(|p| {
                !late_has(schema, &p.namespace, &p.name)
                    || written.contains(&(p.namespace.as_str(), p.name.as_str()))
            });
            if ready {
                let mut group = String::new();
                write_table(&mut group, ns, name, t, parents);
                push_group(&mut out, &group);
                written.push((ns, name));
            }
            !ready
        });
        if late.len() == before {
            for (ns, name) in late.drain(..) {
                let mut group = String::new();
                write_table(
                    &mut group,
                    ns,
                    name,
                    &schema.namespaces[ns].tables[name],
                    parents,
                );
                push_group(&mut out, &group);
            }
        }
    }
    let mut group = String::new();
    for (ns, n) in &schema.namespaces {
        for (name, t) in &n.tables {
            if let Some(po) = &t.partition_of {
                push_stmt(&mut group, &attach_partition_sql(ns, name, po));
            }
        }
    }
    push_group(&mut out, &group);
    for (ns, n) in &schema.namespaces {
        for (name, t) in &n.tables {
            if parents.contains(&(ns.clone(), name.clone())) {
                let mut group = String::new();
                for stmt in partitioned_index_statements(ns, name, t) {
                    push_stmt(&mut group, &stmt);
                }
                push_group(&mut out, &group);
            }
        }
    }
    // Deepest partitions first: an index is attached to its parent index
    // once its own partitions' indexes are.
    let depth = |ns: &str, name: &str| {
        let mut d = 0;
        let mut at = schema.table(ns, name).and_then(|t| t.partition_of.as_ref());
        while let Some(po) = at {
            d += 1;
            at = schema
                .table(&po.parent.namespace, &po.parent.name)
                .and_then(|t| t.partition_of.as_ref());
            if d > 64 {
                break;
            }
        }
        d
    };
    let mut attaches: Vec<(usize, String)> = Vec::new();
    for (ns, n) in &schema.namespaces {
        for (name, t) in &n.tables {
            for (iname, i) in &t.indexes {
                if let Some(parent) = &i.attached_to {
                    attaches.push((depth(ns, name), attach_index_sql(ns, iname, parent)));
                }
            }
        }
    }
    attaches.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let mut group = String::new();
    for (_, stmt) in attaches {
        push_stmt(&mut group, &stmt);
    }
    push_group(&mut out, &group);
    out
}

fn late_has(schema: &Schema, ns: &str, name: &str) -> bool {
    schema
        .namespaces
        .get(ns)
        .and_then(|n| n.tables.get(name))
        .is_some_and(|t| !inherits_within(ns, t))
}

/// `ALTER TABLE parent ATTACH PARTITION child FOR VALUES …`: the bound as
/// the server prints it when strata knows it, else as written.
pub(crate) fn attach_partition_sql(ns: &str, name: &str, po: &crate::model::PartitionOf) -> String {
    format!(
        "ALTER TABLE {} ATTACH PARTITION {} {}",
        po.parent.sql(),
        qualified_sql(ns, name),
        po.bound.exact().unwrap_or(&po.bound.sql)
    )
}

/// Rank of a constraint kind inside `CREATE TABLE`: keys first.
fn rank(k: &ConstraintKind) -> u8 {
    match k {
        ConstraintKind::PrimaryKey { .. } => 0,
        ConstraintKind::Unique { .. } => 1,
        ConstraintKind::Exclusion { .. } => 2,
        ConstraintKind::Check { .. } => 3,
        ConstraintKind::ForeignKey { .. } => 4,
    }
}

/// Constraints written inside `CREATE TABLE`: all but foreign keys (added
/// once every table exists) and `NOT VALID` checks.
fn inline(c: &Constraint) -> bool {
    match c.kind {
        ConstraintKind::ForeignKey { .. } => false,
        ConstraintKind::Check { .. } => c.validated,
        _ => true,
    }
}

fn write_table(out: &mut String, ns: &str, name: &str, t: &Table, parents: &Parents) {
    let defer = parents.contains(&(ns.to_string(), name.to_string()));
    for stmt in table_statements_with(ns, name, t, defer) {
        push_stmt(out, &stmt);
    }
}

/// The statements that create a table with all that hangs on it except its
/// foreign keys: `CREATE TABLE` (columns in model order; primary key,
/// unique, check and exclusion constraints inline), `NOT VALID` checks,
/// indexes, row level security and comments. Shared by the folder form and
/// the plan.
pub(crate) fn table_statements(ns: &str, name: &str, t: &Table) -> Vec<String> {
    table_statements_with(ns, name, t, false)
}

/// [`table_statements`]; with `defer_indexes`, the table's indexes are
/// left out (a partitioned table with partitions: they are written after
/// the partitions are attached).
pub(crate) fn table_statements_with(
    ns: &str,
    name: &str,
    t: &Table,
    defer_indexes: bool,
) -> Vec<String> {
    let mut out = Vec::new();
    let table = qualified_sql(ns, name);
    let child = !t.inherits.is_empty();
    // An inheritance child writes its own columns; the inherited ones
    // come from `INHERITS`.
    let own = |i: &Option<crate::model::Inherited>| !child || i.is_none_or(|i| i.local);
    let mut items: Vec<String> = t
        .columns
        .iter()
        .filter(|c| own(&c.inherited))
        .map(|c| {
            let mut s = render_column(&column_sql(c));
            // A local column merged with an inherited one takes the
            // parent's default unless it says otherwise.
            if child
                && c.inherited.is_some()
                && c.default.is_none()
                && c.generated.is_none()
                && c.identity.is_none()
            {
                s = s.replacen(
                    &format!("{} {}", quote_ident(&c.name), c.data_type),
                    &format!("{} {} DEFAULT NULL", quote_ident(&c.name), c.data_type),
                    1,
                );
            }
            s
        })
        .collect();
    let mut inline_constraints: Vec<(&String, &Constraint)> = t
        .constraints
        .iter()
        .map(|(n, c)| (n, &**c))
        .filter(|(_, c)| inline(c) && own(&c.inherited))
        .collect();
    inline_constraints.sort_by_key(|(n, c)| (rank(&c.kind), n.as_str()));
    for (cname, c) in &inline_constraints {
        items.push(format!(
            "CONSTRAINT {} {}",
            quote_ident(cname),
            constraint_sql(c)
        ));
    }
    let mut create = format!(
        "CREATE {}TABLE {table} (",
        if t.foreign.is_some() {
            "FOREIGN "
        } else if t.unlogged {
            "UNLOGGED "
        } else {
            ""
        }
    );
    if items.is_empty() {
        create.push(')');
    } else {
        create.push_str("\n    ");
        create.push_str(&items.join(",\n    "));
        create.push_str("\n)");
    }
    if child {
        create.push_str(" INHERITS (");
        create.push_str(
            &t.inherits
                .iter()
                .map(|r| r.sql())
                .collect::<Vec<_>>()
                .join(", "),
        );
        create.push(')');
    }
    if let Some(p) = &t.partition_by {
        create.push_str(" PARTITION BY ");
        create.push_str(p);
    }
    create.push_str(&crate::diff::with_options_sql(&t.options));
    if let Some(f) = &t.foreign {
        // `CREATE FOREIGN TABLE … SERVER s OPTIONS (…)`, as pg_dump writes
        // it (`dumpTableSchema`).
        create.push_str(&format!(" SERVER {}", quote_ident(&f.server)));
        let o = crate::model::options_sql(&f.options);
        if !o.is_empty() {
            create.push(' ');
            create.push_str(&o);
        }
    }
    out.push(create);
    for c in t.columns.iter().filter(|c| !own(&c.inherited)) {
        // What the child holds of an inherited column beyond its parents'
        // definition: set again, which changes nothing when it is the
        // parents'.
        let target = format!(
            "ALTER TABLE ONLY {table} ALTER COLUMN {}",
            quote_ident(&c.name)
        );
        if let (Some(d), None) = (&c.default, &c.generated) {
            out.push(format!("{target} SET DEFAULT {}", d.sql));
        }
        if c.not_null {
            out.push(format!("{target} SET NOT NULL"));
        }
    }
    for c in &t.columns {
        if c.statistics.is_some() {
            out.push(statistics_sql(&table, &c.name, c.statistics));
        }
    }
    for (cname, c) in &t.constraints {
        if !inline(c) && !matches!(c.kind, ConstraintKind::ForeignKey { .. }) && own(&c.inherited) {
            out.push(add_constraint_sql(ns, name, cname, c));
        }
    }
    // A partitioned table's indexes are written once its partitions are
    // attached (`partitioned_index_statements`).
    if !defer_indexes {
        for (iname, i) in &t.indexes {
            out.push(create_index_sql(ns, name, iname, i, false));
            out.extend(index_statistics_sql(ns, iname, None, i));
        }
    }
    if t.row_level_security {
        out.push(format!("ALTER TABLE {table} ENABLE ROW LEVEL SECURITY"));
    }
    if t.force_row_level_security {
        out.push(format!("ALTER TABLE {table} FORCE ROW LEVEL SECURITY"));
    }
    out.extend(comment_on_sql(
        if t.foreign.is_some() {
            "FOREIGN TABLE"
        } else {
            "TABLE"
        },
        &table,
        t.comment.as_deref(),
        false,
    ));
    for c in &t.columns {
        let target = format!("{table}.{}", quote_ident(&c.name));
        out.extend(comment_on_sql(
            "COLUMN",
            &target,
            c.comment.as_deref(),
            false,
        ));
    }
    for (cname, c) in &t.constraints {
        if !matches!(c.kind, ConstraintKind::ForeignKey { .. }) {
            let target = format!("{} ON {table}", quote_ident(cname));
            out.extend(comment_on_sql(
                "CONSTRAINT",
                &target,
                c.comment.as_deref(),
                false,
            ));
        }
    }
    if !defer_indexes {
        for (iname, i) in &t.indexes {
            out.extend(comment_on_sql(
                "INDEX",
                &qualified_sql(ns, iname),
                i.comment.as_deref(),
                false,
            ));
        }
    }
    out
}

/// A partitioned table's indexes, as pg_dump writes them once the
/// partitions are attached: `CREATE INDEX … ON ONLY table`, so that none
/// is created on a partition; the partitions' indexes are attached by
/// `ALTER INDEX … ATTACH PARTITION` (`attach_index_sql`).
pub(crate) fn partitioned_index_statements(ns: &str, name: &str, t: &Table) -> Vec<String> {
    let mut out = Vec::new();
    for (iname, i) in &t.indexes {
        out.push(create_index_on_only_sql(ns, name, iname, i));
        out.extend(index_statistics_sql(ns, iname, None, i));
        out.extend(comment_on_sql(
            "INDEX",
            &qualified_sql(ns, iname),
            i.comment.as_deref(),
            false,
        ));
    }
    out
}

/// `CREATE INDEX name ON ONLY table …`.
pub(crate) fn create_index_on_only_sql(ns: &str, table: &str, name: &str, i: &Index) -> String {
    let sql = render_index(ns, table, name, i);
    let on = format!(" ON {}", qualified_sql(ns, table));
    sql.replacen(&on, &format!(" ON ONLY {}", qualified_sql(ns, table)), 1)
}

/// `ALTER INDEX parent ATTACH PARTITION child`.
pub(crate) fn attach_index_sql(ns: &str, name: &str, parent: &crate::model::RelationRef) -> String {
    format!(
        "ALTER INDEX {} ATTACH PARTITION {}",
        parent.sql(),
        qualified_sql(ns, name)
    )
}

/// `CREATE [UNIQUE] INDEX [CONCURRENTLY] name ON table …`, expressions and
/// predicate ready to apply.
pub(crate) fn create_index_sql(
    ns: &str,
    table: &str,
    name: &str,
    i: &Index,
    concurrently: bool,
) -> String {
    let sql = render_index(ns, table, name, i);
    if !concurrently {
        return sql;
    }
    let head = if i.unique {
        "CREATE UNIQUE INDEX "
    } else {
        "CREATE INDEX "
    };
    match sql.strip_prefix(head) {
        Some(rest) => format!("{head}CONCURRENTLY {rest}"),
        None => sql,
    }
}

/// `ALTER TABLE … ADD CONSTRAINT name definition`.
pub(crate) fn add_constraint_sql(ns: &str, table: &str, name: &str, c: &Constraint) -> String {
    format!(
        "ALTER TABLE {} ADD CONSTRAINT {} {}",
        qualified_sql(ns, table),
        quote_ident(name),
        constraint_sql(c)
    )
}

/// `COMMENT ON what target IS 'text'`; with `clear`, `IS NULL` for no
/// comment (else nothing).
pub(crate) fn comment_on_sql(
    what: &str,
    target: &str,
    comment: Option<&str>,
    clear: bool,
) -> Option<String> {
    match comment {
        Some(text) => Some(format!(
            "COMMENT ON {what} {target} IS {}",
            quote_literal(text)
        )),
        None if clear => Some(format!("COMMENT ON {what} {target} IS NULL")),
        None => None,
    }
}

/// A constraint's definition with the flags its kind can carry:
/// `DEFERRABLE` for keys, exclusions and foreign keys, `NOT VALID` for
/// checks and foreign keys.
pub(crate) fn constraint_sql(c: &Constraint) -> String {
    let mut s = match &c.kind {
        ConstraintKind::Check {
            expression,
            no_inherit,
        } => render_constraint_kind(&ConstraintKind::Check {
            expression: expression.clone(),
            no_inherit: *no_inherit,
        }),
        kind => render_constraint_kind(kind),
    };
    let (deferrable, not_valid) = match c.kind {
        ConstraintKind::PrimaryKey { .. }
        | ConstraintKind::Unique { .. }
        | ConstraintKind::Exclusion { .. } => (true, false),
        ConstraintKind::ForeignKey { .. } => (true, true),
        ConstraintKind::Check { .. } => (false, true),
    };
    if deferrable && c.deferrable {
        s.push_str(" DEFERRABLE");
        if c.initially_deferred {
            s.push_str(" INITIALLY DEFERRED");
        }
    }
    if not_valid && !c.validated {
        s.push_str(" NOT VALID");
    }
    s
}

/// `CREATE SEQUENCE … AS type` with the options that differ from what
/// PostgreSQL would choose (for the type and the direction of the
/// increment).
pub(crate) fn sequence_sql(ns: &str, name: &str, s: &Sequence) -> String {
    let type_max = Sequence::with_defaults(&s.data_type).max_value;
    let ascending = s.increment > 0;
    let default_min = if ascending { 1 } else { -type_max - 1 };
    let default_max = if ascending { type_max } else { -1 };
    let mut sql = format!(
        "CREATE SEQUENCE {} AS {}",
        qualified_sql(ns, name),
        s.data_type
    );
    let default_start = if ascending { s.min_value } else { s.max_value };
    if s.start != default_start {
        sql.push_str(&format!(" START {}", s.start));
    }
    if s.increment != 1 {
        sql.push_str(&format!(" INCREMENT {}", s.increment));
    }
    if s.min_value != default_min {
        sql.push_str(&format!(" MINVALUE {}", s.min_value));
    }
    if s.max_value != default_max {
        sql.push_str(&format!(" MAXVALUE {}", s.max_value));
    }
    if s.cache != 1 {
        sql.push_str(&format!(" CACHE {}", s.cache));
    }
    if s.cycle {
        sql.push_str(" CYCLE");
    }
    sql
}

/// `ALTER TABLE t ALTER COLUMN c SET STATISTICS n` (-1 for the default).
pub(crate) fn statistics_sql(table: &str, column: &str, target: Option<i32>) -> String {
    format!(
        "ALTER TABLE {table} ALTER COLUMN {} SET STATISTICS {}",
        quote_ident(column),
        target.unwrap_or(-1)
    )
}

/// `ALTER INDEX i ALTER COLUMN n SET STATISTICS k` for each key column whose
/// target differs between `from` (`None`: a new index, every key at the
/// default) and `to`; -1 for the default. As `pg_dump` writes them, after
/// the `CREATE INDEX`.
pub(crate) fn index_statistics_sql(
    ns: &str,
    name: &str,
    from: Option<&Index>,
    to: &Index,
) -> Vec<String> {
    to.keys
        .iter()
        .enumerate()
        .filter(|(n, k)| {
            let before = from.and_then(|f| f.keys.get(*n)).and_then(|k| k.statistics);
            k.statistics != before
        })
        .map(|(n, k)| {
            format!(
                "ALTER INDEX {} ALTER COLUMN {} SET STATISTICS {}",
                qualified_sql(ns, name),
                n + 1,
                k.statistics.unwrap_or(-1)
            )
        })
        .collect()
}

/// A column as it applies: its default and generation expression are
/// written as the user or the server wrote them, so nothing to change.
pub(crate) fn column_sql(c: &Column) -> Column {
    c.clone()
}

fn push_add_constraint(out: &mut String, ns: &str, table: &str, name: &str, c: &Constraint) {
    push_stmt(out, &add_constraint_sql(ns, table, name, c));
}

pub(crate) fn push_stmt(out: &mut String, stmt: &str) {
    out.push_str(stmt);
    out.push_str(";\n");
}

fn push_comment_on(out: &mut String, what: &str, target: &str, comment: &Option<String>) {
    if let Some(text) = comment {
        push_stmt(
            out,
            &format!("COMMENT ON {what} {target} IS {}", quote_literal(text)),
        );
    }
}

/// Appends a group of statements, separated from the previous by a blank
/// line.
pub(crate) fn push_group(out: &mut String, group: &str) {
    if group.is_empty() {
        return;
    }
    if !out.is_empty() && !out.ends_with("\n\n") {
        out.push('\n');
    }
    out.push_str(group);
}

/// A `--` comment line; line breaks and other control characters (which a
/// quoted name may hold) are escaped so the comment cannot end early.
fn push_comment(out: &mut String, text: &str) {
    out.push_str("-- ");
    for ch in text.chars() {
        if ch.is_control() {
            out.extend(ch.escape_default());
        } else {
            out.push(ch);
        }
    }
    out.push('\n');
}

/// A namespace name as a file name: ASCII letters, digits, `_` and `-`
/// kept, anything else `_`, at most 50 characters. The number before it
/// keeps names unique.
fn file_stem(ns: &str) -> String {
    ns.chars()
        .take(50)
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Column, EnumType, Sequence, Unmanaged, UnmanagedKind};
    use crate::replay::replay_texts;
    use std::sync::Arc;

    fn table(columns: Vec<Column>) -> Table {
        Table {
            columns,
            ..Table::default()
        }
    }

    /// Replays the folder form offline.
    fn replay_files(schema: &Schema) -> Schema {
        let files: Vec<(String, Arc<str>)> = schema_files(schema)
            .into_iter()
            .map(|(n, s)| (n, Arc::from(s)))
            .collect();
        replay_texts(files.iter().map(|(n, s)| (n.as_str(), s)))
            .unwrap_or_else(|e| panic!("replay: {e:?}"))
            .schema
    }

    fn base() -> Schema {
        crate::replay::Replayer::new().finish().schema
    }

    #[test]
    fn names_are_found_in_types_and_expressions() {
        assert_eq!(
            name_tokens("nextval('billing.entry_id_seq'::regclass)"),
            ["nextval", "billing.entry_id_seq", "regclass"]
        );
        assert_eq!(
            name_tokens("\"Odd\"\"Name\".\"Mood\"[] x.é$1 \"open"),
            ["\"Odd\"\"Name\".\"Mood\"", "x.é$1", "open"]
        );
        assert_eq!(name_tokens("1 + 2e5"), ["e5"]);
        assert!(name_tokens("").is_empty());
    }

    #[test]
    fn file_names_are_safe_and_numbered() {
        let mut s = base();
        s.namespaces
            .insert("we/ird \"name\"\n".to_string(), Namespace::default());
        let names: Vec<String> = schema_files(&s).into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["00_extensions.sql", "10_we_ird__name__.sql"]);
    }

    #[test]
    fn unmanaged_names_cannot_break_out_of_the_comment() {
        let mut s = base();
        s.unmanaged.insert(Unmanaged {
            kind: UnmanagedKind::View,
            name: "\"v\nDROP TABLE x; --\"".to_string(),
        });
        let sql = schema_sql(&s);
        assert!(!sql.lines().any(|l| l.starts_with("DROP")), "{sql}");
        assert!(sql.contains("unmanaged objects (not written; strata keeps them by name): 1"));
    }

    #[test]
    fn types_used_across_schemas_in_a_cycle_are_hoisted() {
        let mut s = base();
        let mut a = Namespace::default();
        a.enums.insert(
            "ea".into(),
            EnumType {
                owner: crate::model::Owner::default(),
                values: vec!["x".into()],
                comment: None,
                acl: None,
            },
        );
        a.tables
            .insert("ta".into(), table(vec![Column::new("x", "b.eb")]));
        let mut b = Namespace::default();
        b.enums.insert(
            "eb".into(),
            EnumType {
                owner: crate::model::Owner::default(),
                values: vec!["it's".into()],
                comment: Some("an\nenum".into()),
                acl: None,
            },
        );
        b.tables
            .insert("tb".into(), table(vec![Column::new("x", "a.ea[]")]));
        let mut c = Namespace::default();
        let mut col = Column::new("n", "integer");
        col.default = Some(crate::model::Expression::from_server(
            "nextval('d.s'::regclass)",
        ));
        c.tables.insert("tc".into(), table(vec![col]));
        let mut d = Namespace::default();
        d.sequences
            .insert("s".into(), Sequence::with_defaults("bigint"));
        s.namespaces.insert("a".into(), a);
        s.namespaces.insert("b".into(), b);
        s.namespaces.insert("c".into(), c);
        s.namespaces.insert("d".into(), d);
        let names: Vec<String> = schema_files(&s).into_iter().map(|(n, _)| n).collect();
        assert_eq!(
            names,
            [
                "00_extensions.sql",
                "01_types.sql",
                "10_d.sql",
                "11_c.sql",
                "12_a.sql",
                "13_b.sql"
            ]
        );
        assert_eq!(replay_files(&s), s);
        assert_eq!(
            crate::diff::diff(&s, &replay_files(&s), Default::default()),
            vec![]
        );
    }

    #[test]
    fn many_namespaces_widen_the_numbers() {
        let mut s = base();
        for i in 0..81 {
            s.namespaces
                .insert(format!("n{i:03}"), Namespace::default());
        }
        let names: Vec<String> = schema_files(&s).into_iter().map(|(n, _)| n).collect();
        assert_eq!(
            names.first().map(String::as_str),
            Some("000_extensions.sql")
        );
        assert_eq!(names.get(1).map(String::as_str), Some("100_n000.sql"));
        assert_eq!(names.last().map(String::as_str), Some("180_n080.sql"));
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(sorted, names);
    }

    #[test]
    fn sequences_write_only_options_off_their_defaults() {
        let mut s = base();
        let mut down = Sequence::with_defaults("bigint");
        down.increment = -1;
        down.min_value = i64::MIN;
        down.max_value = -1;
        down.start = -1;
        let mut odd = Sequence::with_defaults("smallint");
        odd.start = 7;
        odd.min_value = -5;
        odd.cache = 20;
        odd.cycle = true;
        odd.comment = Some("odd".into());
        let mut n = Namespace::default();
        n.sequences.insert("down".into(), down);
        n.sequences.insert("Odd".into(), odd);
        s.namespaces.insert("public".into(), n);
        let sql = schema_sql(&s);
        assert!(
            sql.contains("CREATE SEQUENCE public.down AS bigint INCREMENT -1;\n"),
            "{sql}"
        );
        assert!(
            sql.contains(
                "CREATE SEQUENCE public.\"Odd\" AS smallint START 7 MINVALUE -5 CACHE 20 CYCLE;\n\
                 COMMENT ON SEQUENCE public.\"Odd\" IS 'odd';\n"
            ),
            "{sql}"
        );
        assert_eq!(replay_files(&s), s);
    }

    fn routine(definition: &str, args: Vec<crate::model::RoutineArg>, returns: &str) -> Routine {
        use crate::model::{Parallel, RoutineKind, Volatility};
        Routine {
            owner: crate::model::Owner::default(),
            kind: RoutineKind::Function,
            args,
            returns: Some(returns.to_string()),
            language: "sql".into(),
            body: RoutineBody::Source {
                text: "select 1".into(),
            },
            volatility: Volatility::Volatile,
            strict: false,
            security_definer: false,
            leakproof: false,
            parallel: Parallel::Unsafe,
            cost: "100".into(),
            rows: "0".into(),
            config: vec![],
            comment: None,
            acl: None,
            definition: definition.to_string(),
        }
    }

    fn arg(data_type: &str) -> crate::model::RoutineArg {
        crate::model::RoutineArg {
            mode: ArgMode::In,
            name: None,
            data_type: data_type.into(),
            default: None,
        }
    }

    #[test]
    fn an_unqualified_routine_name_is_qualified() {
        assert_eq!(
            qualified_create("CREATE FUNCTION f(i integer) RETURNS int AS 'x'", "public"),
            "CREATE FUNCTION public.f(i integer) RETURNS int AS 'x'"
        );
        assert_eq!(
            qualified_create("create or replace procedure \"P q\"() as $$ $$", "billing"),
            "create or replace procedure billing.\"P q\"() as $$ $$"
        );
        assert_eq!(
            qualified_create("CREATE FUNCTION other.f() RETURNS int AS 'x'", "other"),
            "CREATE FUNCTION other.f() RETURNS int AS 'x'"
        );
        assert_eq!(
            qualified_create("CREATE FUNCTION \"My\"\"F\".g() AS 'x'", "x"),
            "CREATE FUNCTION \"My\"\"F\".g() AS 'x'"
        );
    }

    #[test]
    fn routines_come_before_tables_unless_they_use_a_row_type() {
        let mut s = base();
        let mut public = s.namespaces.remove("public").unwrap_or_default();
        public
            .tables
            .insert("t".into(), table(vec![Column::new("x", "integer")]));
        let mut early = routine(
            "CREATE FUNCTION public.\"Weird Fn\"(a integer)\n",
            vec![arg("integer")],
            "integer",
        );
        early.comment = Some("it's".into());
        public
            .routines
            .insert(Routine::signature("Weird Fn", &early.args), early);
        let late = routine(
            "CREATE FUNCTION public.rows_of(x t[])",
            vec![arg("t[]")],
            "SETOF t",
        );
        public
            .routines
            .insert(Routine::signature("rows_of", &late.args), late);
        s.namespaces.insert("public".into(), public);
        let mut other = Namespace::default();
        let mut standard = routine("CREATE FUNCTION other.s() RETURN 1", vec![], "integer");
        standard.body = RoutineBody::Sql(crate::model::Expression::from_server("RETURN 1"));
        other.routines.insert("s()".into(), standard);
        other.routines.insert(
            "b()".into(),
            routine("CREATE FUNCTION other.b()", vec![], "integer"),
        );
        s.namespaces.insert("other".into(), other);
        let sql = schema_sql(&s);
        let at = |needle: &str| {
            sql.find(needle)
                .unwrap_or_else(|| panic!("{needle:?} not in:\n{sql}"))
        };
        assert!(at("SET check_function_bodies = false;") < at("CREATE FUNCTION"));
        assert!(
            at("CREATE FUNCTION public.\"Weird Fn\"(a integer);\n") < at("CREATE TABLE public.t")
        );
        assert!(
            at("COMMENT ON FUNCTION public.\"Weird Fn\"(integer) IS 'it''s';")
                < at("CREATE TABLE public.t")
        );
        assert!(at("CREATE TABLE public.t") < at("CREATE FUNCTION public.rows_of(x t[]);"));
        // Text bodies first, SQL-standard bodies after, each by signature.
        assert!(at("CREATE FUNCTION other.b();") < at("CREATE FUNCTION other.s() RETURN 1;"));
        let files = schema_files(&s);
        let with_set: Vec<&str> = files
            .iter()
            .filter(|(_, sql)| sql.contains("SET check_function_bodies = false;"))
            .map(|(n, _)| n.as_str())
            .collect();
        assert_eq!(with_set, ["10_public.sql", "11_other.sql"]);
        assert!(!files[0].1.contains("check_function_bodies"));
    }

    #[test]
    fn a_table_calling_another_namespaces_routine_comes_after_it() {
        let mut s = base();
        let mut a = Namespace::default();
        let mut col = Column::new("x", "integer");
        col.default = Some(crate::model::Expression::from_server("z.f()"));
        a.tables.insert("t".into(), table(vec![col]));
        let mut z = Namespace::default();
        z.routines.insert(
            "f()".into(),
            routine("CREATE FUNCTION z.f()", vec![], "integer"),
        );
        s.namespaces.insert("a".into(), a);
        s.namespaces.insert("z".into(), z);
        let names: Vec<String> = schema_files(&s).into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["00_extensions.sql", "10_z.sql", "11_a.sql"]);
    }

    #[test]
    fn public_comment_is_written_only_when_changed() {
        let s = base();
        assert!(!schema_sql(&s).contains("COMMENT"));
        let mut s2 = base();
        if let Some(p) = s2.namespaces.get_mut("public") {
            p.comment = None;
        }
        assert!(schema_sql(&s2).contains("COMMENT ON SCHEMA public IS NULL;"));
        assert_eq!(replay_files(&s2), s2);
    }
}
