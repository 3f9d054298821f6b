//! PostgreSQL as the judge: two schemas are the same when `pg_dump
//! --schema-only` of the databases they build prints the same thing, once
//! what never means a difference is taken out (see [`normalize`]).
//!
//! Everything here is blocking (psql and pg_dump are child processes; the
//! databases are made and dropped on the admin connection), so a test may
//! call it from any thread, with or without a runtime.

use std::path::Path;
use std::process::Command;

use super::{admin_execute_blocking, database_url, psql_apply, psql_apply_sql, quote_ident};
use super::{unique_name, url_with_database, TestDb};

/// A fresh, empty database (dropped with the value), made without a
/// runtime. Panics (failing the test) when the server is unreachable.
pub fn fresh_db(prefix: &str) -> TestDb {
    fresh_db_from(prefix, None)
}

/// A copy of `template` (`CREATE DATABASE … TEMPLATE`): nobody may be
/// connected to it.
pub fn copy_db(prefix: &str, template: &TestDb) -> TestDb {
    fresh_db_from(prefix, Some(&template.name))
}

fn fresh_db_from(prefix: &str, template: Option<&str>) -> TestDb {
    let name = unique_name(prefix);
    let sql = match template {
        Some(t) => format!(
            "CREATE DATABASE {} TEMPLATE {}",
            quote_ident(&name),
            quote_ident(t)
        ),
        None => format!("CREATE DATABASE {}", quote_ident(&name)),
    };
    if let Err(e) = admin_execute_blocking(&sql) {
        panic!(
            "this test needs PostgreSQL: cannot create database {name} on {}: {e}. \
             Start the server or set DATABASE_URL.",
            super::describe_url(&database_url())
        );
    }
    let url = url_with_database(&database_url(), &name);
    TestDb { name, url }
}

/// A fresh database with `sql` applied by psql (ON_ERROR_STOP).
pub fn build_db(prefix: &str, sql: &str) -> Result<TestDb, String> {
    let db = fresh_db(prefix);
    psql_apply_sql(&db.url, sql, false)?;
    Ok(db)
}

/// A fresh database with each file applied in order by psql (ON_ERROR_STOP).
pub fn build_db_files(prefix: &str, files: &[&Path]) -> Result<TestDb, String> {
    let db = fresh_db(prefix);
    for f in files {
        psql_apply(&db.url, f, false).map_err(|e| format!("{}: {e}", f.display()))?;
    }
    Ok(db)
}

/// `pg_dump --schema-only` of a database, as it prints it.
pub fn pg_dump_raw(url: &str) -> Result<String, String> {
    let output = Command::new("pg_dump")
        .args(["--schema-only", "--no-password", "-d", url])
        .output()
        .map_err(|e| format!("cannot run pg_dump (is it installed and on PATH?): {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "pg_dump failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    String::from_utf8(output.stdout).map_err(|e| format!("pg_dump printed non-UTF-8: {e}"))
}

/// `pg_dump --schema-only`, normalized.
pub fn pg_dump(url: &str) -> Result<String, String> {
    pg_dump_raw(url).map(|d| normalize(&d))
}

/// Takes out of a `pg_dump --schema-only` text what never means a
/// difference between two schemas, and nothing else:
///
/// - the header and footer comments (`PostgreSQL database dump`, `Dumped
///   from …`, `Dumped by …`, `… dump complete`);
/// - the `\restrict KEY` / `\unrestrict KEY` lines (a random key per run);
/// - the preamble before the first object: `SET …;` and `SELECT
///   pg_catalog.set_config(…);` (a `SET` between objects, such as a
///   tablespace switch, is kept);
/// - runs of blank lines (one blank line is kept between blocks);
/// - column order, wherever pg_dump shows it (in attribute-number order):
///   the member lines inside each `CREATE … TABLE … (` … `)` are sorted,
///   the trailing commas put back after all but the last; a run of
///   consecutive `ALTER TABLE [ONLY] t ALTER COLUMN …` lines (storage,
///   statistics, options after the table) is sorted; a run of consecutive
///   per-column entries of one table (`COMMENT` and `ACL` on `COLUMN t.c`,
///   `DEFAULT` of `t c`) is sorted as whole entries. Sorting only permutes:
///   every line is still compared.
pub fn normalize(dump: &str) -> String {
    let lines: Vec<&str> = dump.lines().collect();
    let mut kept: Vec<String> = Vec::new();
    let mut in_preamble = true;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        // `--` / `-- PostgreSQL database dump[ complete]` / `--`.
        if line == "--"
            && i + 2 < lines.len()
            && lines[i + 2] == "--"
            && (lines[i + 1] == "-- PostgreSQL database dump"
                || lines[i + 1] == "-- PostgreSQL database dump complete")
        {
            i += 3;
            continue;
        }
        if line.starts_with("-- Dumped from database version")
            || line.starts_with("-- Dumped by pg_dump version")
            || line.starts_with("\\restrict ")
            || line.starts_with("\\unrestrict ")
        {
            i += 1;
            continue;
        }
        if in_preamble {
            if line.starts_with("SET ") || line.starts_with("SELECT pg_catalog.set_config(") {
                i += 1;
                continue;
            }
            if !line.trim().is_empty() {
                in_preamble = false;
            }
        }
        kept.push(line.to_string());
        i += 1;
    }
    let kept = sort_column_entries(sort_alter_column_runs(sort_table_members(kept)));
    // Blank-line runs → one blank line; none at the ends.
    let mut out: Vec<String> = Vec::new();
    for line in kept {
        let blank = line.trim().is_empty();
        if blank && out.last().is_none_or(|l: &String| l.trim().is_empty()) {
            continue;
        }
        out.push(if blank { String::new() } else { line });
    }
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    let mut text = out.join("\n");
    text.push('\n');
    text
}

/// Is this the first line of a table's member list (`CREATE [UNLOGGED |
/// FOREIGN] TABLE name (`, also `… OF type (`)?
fn opens_table(line: &str) -> bool {
    line.starts_with("CREATE ") && line.contains(" TABLE ") && line.ends_with(" (")
}

fn sort_table_members(lines: Vec<String>) -> Vec<String> {
    let mut out = Vec::with_capacity(lines.len());
    let mut i = 0;
    while i < lines.len() {
        out.push(lines[i].clone());
        if !opens_table(&lines[i]) {
            i += 1;
            continue;
        }
        // Members run to the line that starts with `)`.
        let start = i + 1;
        let mut end = start;
        while end < lines.len() && !lines[end].starts_with(')') {
            end += 1;
        }
        if end == lines.len() {
            // Not the shape pg_dump prints: leave it as it is.
            i += 1;
            continue;
        }
        let mut members: Vec<String> = lines[start..end]
            .iter()
            .map(|l| l.strip_suffix(',').unwrap_or(l).to_string())
            .collect();
        members.sort();
        let n = members.len();
        for (k, m) in members.into_iter().enumerate() {
            out.push(if k + 1 < n { format!("{m},") } else { m });
        }
        i = end;
    }
    out
}

fn sort_alter_column_runs(mut lines: Vec<String>) -> Vec<String> {
    let is_alter_column = |l: &str| {
        (l.starts_with("ALTER TABLE ONLY ") || l.starts_with("ALTER TABLE "))
            && l.contains(" ALTER COLUMN ")
    };
    let mut i = 0;
    while i < lines.len() {
        let mut end = i;
        while end < lines.len() && is_alter_column(&lines[end]) {
            end += 1;
        }
        if end > i + 1 {
            lines[i..end].sort();
        }
        i = end.max(i + 1);
    }
    lines
}

/// (type, schema, table) of a per-column entry.
type EntryKey = (String, String, String);

/// The grouping key of an entry that pg_dump writes once per column, in
/// column order: (type, schema, table).
fn column_entry_key(header: &str) -> Option<EntryKey> {
    let rest = header.strip_prefix("-- Name: ")?;
    let mut name = "";
    let mut kind = "";
    let mut schema = "";
    for (k, part) in rest.split("; ").enumerate() {
        if k == 0 {
            name = part;
        } else if let Some(t) = part.strip_prefix("Type: ") {
            kind = t;
        } else if let Some(sc) = part.strip_prefix("Schema: ") {
            schema = sc;
        }
    }
    let table = match kind {
        "COMMENT" | "ACL" => name.strip_prefix("COLUMN ")?.split('.').next()?,
        "DEFAULT" => name.split(' ').next()?,
        _ => return None,
    };
    Some((kind.to_string(), schema.to_string(), table.to_string()))
}

fn sort_column_entries(lines: Vec<String>) -> Vec<String> {
    // Entries: `--` / `-- Name: …` / `--` and what follows, to the next.
    let starts: Vec<usize> = (0..lines.len())
        .filter(|&i| {
            lines[i] == "--"
                && lines.get(i + 1).is_some_and(|l| l.starts_with("-- Name: "))
                && lines.get(i + 2).is_some_and(|l| l == "--")
        })
        .collect();
    let Some(&first) = starts.first() else {
        return lines;
    };
    let mut out: Vec<String> = lines[..first].to_vec();
    let mut entries: Vec<(Option<EntryKey>, Vec<String>)> = Vec::new();
    for (k, &start) in starts.iter().enumerate() {
        let end = starts.get(k + 1).copied().unwrap_or(lines.len());
        let mut entry: Vec<String> = lines[start..end].to_vec();
        while entry.last().is_some_and(|l| l.trim().is_empty()) {
            entry.pop();
        }
        entries.push((column_entry_key(&lines[start + 1]), entry));
    }
    let mut i = 0;
    while i < entries.len() {
        let mut end = i + 1;
        if entries[i].0.is_some() {
            while end < entries.len() && entries[end].0 == entries[i].0 {
                end += 1;
            }
            entries[i..end].sort_by(|a, b| a.1.cmp(&b.1));
        }
        i = end;
    }
    for (_, entry) in entries {
        out.extend(entry);
        out.push(String::new());
    }
    out
}

/// A unified diff of two texts (`a` → `b`), empty when they are equal.
pub fn unified_diff(a_label: &str, a: &str, b_label: &str, b: &str) -> String {
    if a == b {
        return String::new();
    }
    similar::TextDiff::from_lines(a, b)
        .unified_diff()
        .context_radius(3)
        .header(a_label, b_label)
        .to_string()
}

/// Do the normalized dumps of two databases agree? `(equal, unified diff)`.
pub fn same_dump(a_url: &str, b_url: &str) -> Result<(bool, String), String> {
    let a = pg_dump(a_url)?;
    let b = pg_dump(b_url)?;
    let d = unified_diff("A", &a, "B", &b);
    Ok((d.is_empty(), d))
}

/// The judge: applies each SQL text to its own fresh database and compares
/// their normalized `pg_dump --schema-only`. `(equal, unified diff A → B)`.
/// Panics when a text does not apply or pg_dump fails.
pub fn same_schema(a_sql: &str, b_sql: &str) -> (bool, String) {
    let a = build_db("strata_judge_a", a_sql).unwrap_or_else(|e| panic!("A does not apply: {e}"));
    let b = build_db("strata_judge_b", b_sql).unwrap_or_else(|e| panic!("B does not apply: {e}"));
    same_dump(&a.url, &b.url).unwrap_or_else(|e| panic!("{e}"))
}

/// The judge on two live databases: `Ok` when their normalized `pg_dump
/// --schema-only` agree, else the unified diff (expected → found) in the
/// error.
pub fn judge_converged(name: &str, expected_url: &str, found_url: &str) -> Result<(), String> {
    let want = pg_dump(expected_url)?;
    let got = pg_dump(found_url)?;
    let d = unified_diff("expected (B)", &want, "found (A + plan)", &got);
    if d.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{name}: after the plan, pg_dump --schema-only differs from B's:\n{d}"
        ))
    }
}

/// Applies `plan`'s units in order to `url` (each unit in one transaction
/// unless it must run outside one), as `strata migrate` would.
pub fn apply_plan(url: &str, plan: &strata_core::plan::Plan) -> Result<(), String> {
    let mut first = 1;
    for u in &plan.units {
        let sql = strata_core::plan::Plan::unit_sql(u, first);
        first += u.steps.len();
        psql_apply_sql(url, &sql, u.transactional)
            .map_err(|e| format!("the plan fails: {e}\n{}", plan.sql()))?;
    }
    Ok(())
}

/// The plan test: A then `plan` applied to one fresh database, B to
/// another, and `pg_dump -s` of both must agree (column order aside).
pub fn plan_converges(
    name: &str,
    a: &str,
    b: &str,
    plan: &strata_core::plan::Plan,
) -> Result<(), String> {
    let db_a = build_db("strata_plan_a", a).map_err(|e| format!("{name}: A: {e}"))?;
    let db_b = build_db("strata_plan_b", b).map_err(|e| format!("{name}: B: {e}"))?;
    apply_plan(&db_a.url, plan).map_err(|e| format!("{name}: {e}"))?;
    judge_converged(name, &db_b.url, &db_a.url).map_err(|e| format!("{e}\nplan:\n{}", plan.sql()))
}
