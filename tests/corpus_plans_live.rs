//! Every `pg_dump --schema-only` file of the shared corpus (danbooru's
//! Rails `structure.sql`, trigger.dev's and drizzle-zero's final schemas),
//! planned in both directions with the real `strata diff` and judged by
//! the server: from an empty database to the dump, the plan applied to a
//! fresh database must dump (`pg_dump -s`) as the dump applied by psql;
//! from the dump back to nothing, the plan applied to a database built
//! from the dump must dump as an empty one.

use crate::support;

use std::path::{Path, PathBuf};

use support::judge::{build_db, fresh_db, judge_converged};
use support::{current_user, psql_apply_sql, repo_root, run_strata as strata};

fn corpus() -> Option<PathBuf> {
    let root = match std::env::var_os("STRATA_CORPUS") {
        Some(p) => PathBuf::from(p),
        None => repo_root().join("..").join("shared").join("corpus"),
    };
    root.join("structure-danbooru").is_dir().then_some(root)
}

const DUMPS: &[&str] = &[
    "structure-danbooru/structure.sql",
    "prisma-trigger.dev/final_schema.sql",
    "drizzle-zero/final_schema.sql",
];

/// The tables the corpus's migration tools keep (Rails, Prisma,
/// drizzle-kit): never planned, so dropped before the judge compares.
const HISTORY_TABLES: &str = "DROP TABLE IF EXISTS public.schema_migrations, \
    public.ar_internal_metadata, public._prisma_migrations, drizzle.__drizzle_migrations, \
    public.__drizzle_migrations;";

/// Applies each unit of a `strata diff --format json` plan.
fn apply_units(url: &str, v: &serde_json::Value) -> Result<(), String> {
    for u in v["units"].as_array().into_iter().flatten() {
        let sql = u["sql"].as_str().unwrap_or_default();
        let tx = u["transactional"].as_bool().unwrap_or(true);
        psql_apply_sql(url, sql, tx).map_err(|e| format!("the plan fails: {e}\n{sql}"))?;
    }
    Ok(())
}

/// `strata diff --from A --to B` (both SQL files), as JSON.
fn plan(dir: &Path, from: &Path, to: &Path) -> Result<serde_json::Value, String> {
    let role = current_user();
    let o = strata(
        dir,
        &[
            "diff",
            "--from",
            &format!("schema:{}", from.display()),
            "--to",
            &format!("schema:{}", to.display()),
            "--format",
            "json",
            "--allow-hazards",
            "deletes-data,locks-table,blocks-writes,may-fail,changes-generated-values",
            "--role",
            &role,
        ],
    );
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    match o.status.code() {
        Some(0 | 1) => serde_json::from_str(&text).map_err(|e| format!("{e}: {text}")),
        _ => Err(format!(
            "strata diff failed: {text}{}",
            String::from_utf8_lossy(&o.stderr)
        )),
    }
}

#[test]
fn corpus_dumps_plan_both_ways_to_convergence() {
    let Some(root) = corpus() else {
        let msg = format!(
            "!!! the shared corpus was not found (set STRATA_CORPUS): {} corpus dumps were NOT planned",
            DUMPS.len()
        );
        eprintln!("{msg}");
        assert!(
            std::env::var_os("CI").is_none(),
            "{msg} — in CI the corpus must be present"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.sql");
    std::fs::write(&empty, "").unwrap();
    let mut failures = Vec::new();
    for rel in DUMPS {
        let dump = root.join(rel);
        let sql = std::fs::read_to_string(&dump).unwrap();
        let built = build_db("strata_corpus_built", &sql)
            .unwrap_or_else(|e| panic!("{rel} does not apply with psql: {e}"));
        // The migration tools' own tables are never planned.
        psql_apply_sql(&built.url, HISTORY_TABLES, true).unwrap();
        // Up: empty → the dump.
        let up = fresh_db("strata_corpus_up");
        let result = plan(dir.path(), &empty, &dump)
            .and_then(|v| apply_units(&up.url, &v))
            .and_then(|()| judge_converged(&format!("{rel} (up)"), &built.url, &up.url));
        if let Err(e) = result {
            failures.push(format!("{rel}, empty → dump: {e}"));
        }
        // Down: the dump → empty, on a copy of the built database.
        let down = build_db("strata_corpus_down", &sql).unwrap();
        let nothing = fresh_db("strata_corpus_nothing");
        let result = plan(dir.path(), &dump, &empty)
            .and_then(|v| apply_units(&down.url, &v))
            .and_then(|()| psql_apply_sql(&down.url, HISTORY_TABLES, true))
            .and_then(|()| judge_converged(&format!("{rel} (down)"), &nothing.url, &down.url));
        if let Err(e) = result {
            failures.push(format!("{rel}, dump → empty: {e}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
