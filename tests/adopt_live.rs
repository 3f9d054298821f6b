//! Getting started and adopting an existing database, with the real
//! `strata` binary against the real server:
//!
//! - `strata init` sets up a crate (strata.toml, schema/, migrations/,
//!   build.rs); a table written in the declared schema, `strata new`,
//!   `strata check`, `strata migrate`, `strata drift` each work first time;
//! - `strata init --from URL` on databases built from the shared corpus (a
//!   Prisma and a drizzle-kit history's final schema, a Rails
//!   structure.sql): the history tables of migration tools are left out,
//!   `strata check` exits 0, `strata migrate --baseline 1` records the
//!   baseline without running it, and `strata drift` exits 0 — judged also
//!   by `pg_dump -s`: the baseline applied to a new database gives the
//!   original's dump;
//! - a baseline is refused (nothing recorded) on a database that differs
//!   from the baseline, and on one whose history already records a
//!   migration.

use crate::support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use support::judge::{build_db, fresh_db, same_dump};
use support::{psql_apply, psql_apply_sql, repo_root, strata_bin};

fn strata(dir: &Path, url: Option<&str>, args: &[&str]) -> Output {
    let mut c = Command::new(strata_bin());
    c.current_dir(dir).args(args).env("NO_COLOR", "1");
    match url {
        Some(u) => c.env("DATABASE_URL", u),
        None => c.env_remove("DATABASE_URL"),
    };
    c.output().expect("run strata")
}

fn text(o: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn expect_exit(o: &Output, code: i32, what: &str) {
    assert_eq!(o.status.code(), Some(code), "{what}:\n{}", text(o));
}

fn corpus() -> Option<PathBuf> {
    let root = match std::env::var_os("STRATA_CORPUS") {
        Some(p) => PathBuf::from(p),
        None => repo_root().join("..").join("shared").join("corpus"),
    };
    root.is_dir().then_some(root)
}

#[test]
fn init_a_crate_then_the_first_migration_check_migrate_and_drift() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    std::fs::write(
        root.join("Cargo.toml"),
        "[package]\nname = \"blog\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    )
    .unwrap();
    let o = strata(root, None, &["init"]);
    expect_exit(&o, 0, "strata init");
    for f in ["strata.toml", "schema/schema.sql", "build.rs"] {
        assert!(root.join(f).is_file(), "{f} not written:\n{}", text(&o));
    }
    assert!(root.join("migrations").is_dir());
    let build = std::fs::read_to_string(root.join("build.rs")).unwrap();
    assert!(
        build.contains("cargo:rerun-if-changed=schema")
            && build.contains("cargo:rerun-if-changed=migrations"),
        "{build}"
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("strata::schema!") && out.contains("[dependencies]"),
        "init says what to add to the crate:\n{out}"
    );

    // A second init writes nothing over the first.
    let before = std::fs::read_to_string(root.join("strata.toml")).unwrap();
    let o = strata(root, None, &["init"]);
    expect_exit(&o, 2, "a second strata init");
    assert!(text(&o).contains("already exists"), "{}", text(&o));
    assert_eq!(
        std::fs::read_to_string(root.join("strata.toml")).unwrap(),
        before
    );

    // The empty project is in step.
    let o = strata(root, None, &["check"]);
    expect_exit(&o, 0, "check of the empty project");

    // A table, its migration, and the rest of the path.
    std::fs::write(
        root.join("schema/schema.sql"),
        "CREATE TABLE \"user\" (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n    email text NOT NULL UNIQUE\n);\n",
    )
    .unwrap();
    let o = strata(root, None, &["check"]);
    expect_exit(&o, 1, "check before the first migration");
    let o = strata(root, None, &["new", "create_user"]);
    expect_exit(&o, 0, "strata new");
    assert!(
        root.join("migrations/V1__create_user.sql").is_file(),
        "{}",
        text(&o)
    );
    let o = strata(root, None, &["check"]);
    expect_exit(&o, 0, "check after strata new");

    let db = fresh_db("strata_init_path");
    let o = strata(root, Some(&db.url), &["migrate"]);
    expect_exit(&o, 0, "strata migrate");
    let o = strata(root, Some(&db.url), &["drift"]);
    expect_exit(&o, 0, "strata drift after migrate");
    // And the server has what the declared schema says.
    let declared = build_db(
        "strata_init_declared",
        &std::fs::read_to_string(root.join("schema/schema.sql")).unwrap(),
    )
    .expect("declared schema applies");
    let migrated_dump = support::judge::pg_dump(&db.url).expect("pg_dump of the migrated database");
    let declared_dump = support::judge::pg_dump(&declared.url).expect("pg_dump");
    // The migrated database also holds refinery's history table.
    assert!(migrated_dump.contains("refinery_schema_history"));
    assert!(
        migrated_dump.contains("CREATE TABLE public.\"user\"")
            && declared_dump.contains("CREATE TABLE public.\"user\""),
        "{migrated_dump}"
    );
}

/// `strata init --from` on the database, then check, baseline, drift; the
/// baseline applied to a new database gives the same `pg_dump -s`. With
/// `refused`, the baseline must be refused naming each of those words
/// (what strata cannot prove equal offline), recording nothing.
fn adopt(label: &str, db_url: &str, refused: &[&str]) {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    let o = strata(root, None, &["init", "--from", db_url]);
    expect_exit(&o, 0, &format!("{label}: strata init --from"));
    let out = text(&o);
    assert!(
        !out.contains(db_url),
        "{label}: the URL must never be printed"
    );
    let baseline = root.join("migrations/V1__baseline.sql");
    assert!(baseline.is_file(), "{label}: no baseline\n{out}");
    let sql = std::fs::read_to_string(&baseline).unwrap();
    for history in [
        "refinery_schema_history",
        "_prisma_migrations",
        "schema_migrations",
        "ar_internal_metadata",
    ] {
        assert!(
            !sql.contains(&format!("{history} (")) && !sql.contains(&format!("{history}\" (")),
            "{label}: the history table {history} must be left out of the baseline"
        );
    }

    let o = strata(root, None, &["check"]);
    expect_exit(&o, 0, &format!("{label}: check after init --from"));

    // The baseline, run on a new database, builds what the original has.
    let copy = fresh_db("strata_adopt_copy");
    psql_apply(&copy.url, &baseline, true).unwrap_or_else(|e| panic!("{label}: {e}"));

    let o = strata(root, Some(db_url), &["migrate", "--baseline", "1"]);
    if !refused.is_empty() {
        expect_exit(
            &o,
            2,
            &format!("{label}: migrate --baseline 1 must be refused"),
        );
        let t = text(&o);
        for w in refused {
            assert!(t.contains(w), "{label}: the refusal must name {w}:\n{t}");
        }
        // Operators are compared by definition: proven, never refused.
        assert!(!t.contains("operator public."), "{label}: {t}");
        assert!(t.contains("nothing was recorded"), "{t}");
        let o = strata(root, Some(db_url), &["drift"]);
        expect_exit(&o, 1, &format!("{label}: drift names what it cannot prove"));
        return;
    }
    expect_exit(&o, 0, &format!("{label}: migrate --baseline 1"));
    assert!(
        text(&o).contains("recorded 1 migration"),
        "{label}: {}",
        text(&o)
    );
    let o = strata(root, Some(db_url), &["status"]);
    expect_exit(&o, 0, &format!("{label}: status"));
    let o = strata(root, Some(db_url), &["drift"]);
    expect_exit(&o, 0, &format!("{label}: drift after the baseline"));
    let o = strata(root, Some(db_url), &["migrate"]);
    expect_exit(&o, 0, &format!("{label}: migrate after the baseline"));
    assert!(
        text(&o).contains("nothing to apply") || text(&o).contains("up to date"),
        "{label}: the baseline must not run again\n{}",
        text(&o)
    );

    // A second baseline is refused.
    let o = strata(root, Some(db_url), &["migrate", "--baseline", "1"]);
    expect_exit(&o, 2, &format!("{label}: a second baseline"));
    assert!(text(&o).contains("already records"), "{}", text(&o));

    // Judged by pg_dump: the baseline's database equals the original, once
    // the original's history tables are gone.
    psql_apply_sql(
        db_url,
        "DROP TABLE IF EXISTS refinery_schema_history, _prisma_migrations, schema_migrations, ar_internal_metadata",
        true,
    )
    .unwrap();
    let (equal, diff) = same_dump(db_url, &copy.url).expect("pg_dump");
    assert!(
        equal,
        "{label}: the baseline does not rebuild the database:\n{diff}"
    );
}

#[test]
fn init_from_corpus_databases_then_check_baseline_and_drift() {
    let Some(root) = corpus() else {
        let msg = "!!! the shared corpus was not found (set STRATA_CORPUS): the 3 adoption cases were NOT run";
        eprintln!("{msg}");
        assert!(
            std::env::var_os("CI").is_none(),
            "{msg} — in CI the corpus must be present"
        );
        return;
    };
    // danbooru's structure.sql defines its own `lower(text[])` and an
    // operator: a call of the schema's own function is not resolved
    // offline, so indexes calling `lower(text[])` are "cannot prove" (the
    // built-in `lower(text)` beside it is proven); UNION views are not
    // derived offline (its operator is compared by definition now, and
    // proven). The baseline is refused, naming them.
    let cases: [(&str, PathBuf, &[&str]); 3] = [
        (
            "prisma-trigger.dev",
            root.join("prisma-trigger.dev/final_schema.sql"),
            &[],
        ),
        (
            "drizzle-zero",
            root.join("drizzle-zero/final_schema.sql"),
            &[],
        ),
        (
            "structure-danbooru",
            root.join("structure-danbooru/structure.sql"),
            &[
                "index public.artists.index_artists_on_lower_names: cannot prove the keys equal",
                "view public.post_events: cannot prove the query equal",
            ],
        ),
    ];
    for (label, file, refused) in cases {
        let db = fresh_db("strata_adopt");
        psql_apply(&db.url, &file, true).unwrap_or_else(|e| panic!("{label}: {e}"));
        // A migration tool's table strata must leave out (golang-migrate's
        // shape), besides any the dump already has.
        psql_apply_sql(
            &db.url,
            "CREATE TABLE IF NOT EXISTS schema_migrations (version bigint PRIMARY KEY, dirty boolean NOT NULL)",
            true,
        )
        .unwrap();
        adopt(label, &db.url, refused);
    }
}

#[test]
fn a_baseline_is_refused_on_a_database_that_differs_and_records_nothing() {
    let db = build_db(
        "strata_baseline_differs",
        "CREATE TABLE account (id bigint PRIMARY KEY, email text NOT NULL);",
    )
    .expect("build");
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    let o = strata(root, None, &["init", "--from", &db.url]);
    expect_exit(&o, 0, "init --from");
    // Out of band, after init: the database no longer matches the baseline.
    psql_apply_sql(&db.url, "ALTER TABLE account ADD COLUMN note text", true).unwrap();
    let o = strata(root, Some(&db.url), &["migrate", "--baseline", "1"]);
    expect_exit(&o, 2, "baseline on a database that differs");
    let t = text(&o);
    assert!(
        t.contains("account") && t.contains("note") && t.contains("nothing was recorded"),
        "{t}"
    );
    // Nothing recorded: no history table was even created.
    let o = strata(root, Some(&db.url), &["status", "--format", "json"]);
    expect_exit(&o, 0, "status");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["table_exists"], false, "{v}");
    assert_eq!(v["counts"]["applied"].as_u64(), Some(0), "{v}");
    // A version no file has is refused too.
    let o = strata(root, Some(&db.url), &["migrate", "--baseline", "7"]);
    expect_exit(&o, 2, "baseline of a missing version");
    assert!(text(&o).contains("names no migration file"), "{}", text(&o));
}
