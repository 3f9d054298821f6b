//! Hostile identifiers through every command: `tests/fixtures/hostile/`
//! declares a schema (and a refinery history that builds it) whose tables,
//! columns, enums, labels, indexes, constraints and schema are named with
//! reserved words, mixed case, spaces, quotes, backslashes, dollar signs,
//! unicode, 63-byte names and longer ones PostgreSQL truncates, with
//! defaults, checks, generated columns and a partial-index predicate whose
//! string literals hold quotes and backslashes.
//!
//! Each test runs the real `strata` binary (or the library) and uses the
//! server as the oracle: `check`, the offline replay against what psql
//! builds, `inspect` round trips, `drift` (in step, then out-of-band
//! changes named with the right quoting), `diff`/`new` (the DDL applies
//! and builds the edited schema), `codegen` (the committed file is fresh,
//! compiles — with `strata::schema!` — in `hostile_pass.rs`, and round
//! trips rows through the real tables).

use crate::support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use strata::inspect::{inspect, InspectOptions};
use strata_core::codegen::{generate_file, Request};
use strata_core::diff::{diff, DiffOptions};
use strata_core::source::{load_declared, load_history, replay_declared, replay_history};
use strata_core::Schema;
use support::{psql_apply, psql_apply_sql, repo_root, strata_bin, TestDb};

/// The committed models of the hostile schema, compiled here too (and
/// used by the live test below).
#[allow(dead_code, unused_imports)]
mod generated {
    include!("fixtures/hostile/generated.rs");
}

fn fixture() -> PathBuf {
    repo_root().join("tests").join("fixtures").join("hostile")
}

fn schema_sql() -> PathBuf {
    fixture().join("schema.sql")
}

fn migrations() -> PathBuf {
    fixture().join("migrations")
}

fn path_str(p: &Path) -> &str {
    match p.to_str() {
        Some(s) => s,
        None => panic!("not UTF-8: {}", p.display()),
    }
}

/// Runs `strata` in `dir` with nothing but the flags counting (no
/// DATABASE_URL, no colour).
fn strata(dir: &Path, args: &[&str]) -> Output {
    match Command::new(strata_bin())
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("DATABASE_URL")
        .output()
    {
        Ok(o) => o,
        Err(e) => panic!("cannot run strata: {e}"),
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn show(o: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        o.status.code(),
        text(&o.stdout),
        text(&o.stderr)
    )
}

fn tempdir() -> tempfile::TempDir {
    match tempfile::tempdir() {
        Ok(t) => t,
        Err(e) => panic!("tempdir: {e}"),
    }
}

fn write(path: &Path, contents: &str) {
    if let Err(e) = std::fs::write(path, contents) {
        panic!("write {}: {e}", path.display());
    }
}

fn read(path: &Path) -> String {
    match std::fs::read_to_string(path) {
        Ok(s) => s,
        Err(e) => panic!("read {}: {e}", path.display()),
    }
}

fn json(o: &Output) -> serde_json::Value {
    match serde_json::from_slice(&o.stdout) {
        Ok(v) => v,
        Err(e) => panic!("not JSON ({e}):\n{}", show(o)),
    }
}

/// The migration files of a refinery folder, in order.
fn migration_files(dir: &Path) -> Vec<PathBuf> {
    let h = match load_history(dir) {
        Ok(h) => h,
        Err(e) => panic!("{e}"),
    };
    h.migrations
        .iter()
        .map(|m| PathBuf::from(&m.file.path))
        .collect()
}

/// A fresh database built by applying the hostile history with psql, one
/// transaction per file.
async fn migrated_db(prefix: &str) -> TestDb {
    let db = TestDb::create(prefix).await;
    for f in migration_files(&migrations()) {
        if let Err(e) = psql_apply(&db.url, &f, true) {
            panic!("psql {}: {e}", f.display());
        }
    }
    db
}

async fn inspected(db: &TestDb) -> Schema {
    let client = db.client().await;
    match inspect(&client, &InspectOptions::default()).await {
        Ok(s) => s,
        Err(e) => panic!("inspect {}: {e}", db.name),
    }
}

fn declared(path: &Path) -> Schema {
    let files = match load_declared(path) {
        Ok(f) => f,
        Err(e) => panic!("{e}"),
    };
    match replay_declared(&files) {
        Ok(r) => r.schema,
        Err(e) => panic!("{e}"),
    }
}

fn replayed_history(dir: &Path) -> Schema {
    let h = match load_history(dir) {
        Ok(h) => h,
        Err(e) => panic!("{e}"),
    };
    match replay_history(&h) {
        Ok(r) => r.schema,
        Err(e) => panic!("{e}"),
    }
}

/// Equal models, column order included; the differences listed otherwise.
fn assert_same(what: &str, expected: &Schema, found: &Schema) {
    let d = diff(
        expected,
        found,
        DiffOptions {
            column_order: true,
            ..Default::default()
        },
    );
    assert!(
        d.is_empty(),
        "{what}: {} differences:\n{}",
        d.len(),
        d.iter()
            .map(|x| format!("  {x}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

const L63: &str = "t_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";

/// `long_` and 65 `y`: 70 bytes, kept as its first 63.
fn truncated_table() -> String {
    format!("long_{}", "y".repeat(58))
}

/// 32 `é` (64 bytes), kept as 31 (62 bytes): cut at a character boundary.
fn truncated_column() -> String {
    "é".repeat(31)
}

// ---------------------------------------------------------------- check

#[test]
fn check_is_in_step_for_the_hostile_fixture() {
    let out = strata(
        &repo_root(),
        &[
            "check",
            "--schema",
            path_str(&schema_sql()),
            "--migrations",
            path_str(&migrations()),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert!(text(&out.stdout).contains("in step"), "{}", show(&out));
    assert!(
        text(&out.stdout).contains("6 tables · 41 columns · 11 constraints · 2 indexes · 2 enums"),
        "{}",
        show(&out)
    );
}

#[test]
fn check_names_one_changed_hostile_name_quoted() {
    // One name differs: "back\slash" is declared as "back\Slash".
    let dir = tempdir();
    let original = read(&schema_sql());
    assert!(original.contains("\"back\\slash\" text,"));
    let edited = original.replacen("\"back\\slash\" text,", "\"back\\Slash\" text,", 1);
    let schema = dir.path().join("schema.sql");
    write(&schema, &edited);
    let args = |format: &'static str| {
        vec![
            "check".to_string(),
            "--schema".to_string(),
            path_str(&schema).to_string(),
            "--migrations".to_string(),
            path_str(&migrations()).to_string(),
            "--format".to_string(),
            format.to_string(),
        ]
    };
    let run = |format: &'static str| {
        let a = args(format);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        strata(&repo_root(), &a)
    };
    let out = run("text");
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("column public.\"user\".\"back\\Slash\""),
        "{}",
        show(&out)
    );
    assert!(
        stdout.contains("column public.\"user\".\"back\\slash\""),
        "{}",
        show(&out)
    );
    assert!(stdout.contains("2 differences"), "{}", show(&out));

    let out = run("json");
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let v = json(&out);
    let diffs = v["differences"].as_array().cloned().unwrap_or_default();
    let mut seen: Vec<(String, String, String)> = diffs
        .iter()
        .map(|d| {
            (
                d["object"].as_str().unwrap_or("").to_string(),
                d["name"].as_str().unwrap_or("").to_string(),
                d["change"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        vec![
            (
                "column public.\"user\".\"back\\Slash\"".to_string(),
                "back\\Slash".to_string(),
                "not_migrated".to_string()
            ),
            (
                "column public.\"user\".\"back\\slash\"".to_string(),
                "back\\slash".to_string(),
                "not_declared".to_string()
            ),
        ],
        "{}",
        show(&out)
    );
}

// --------------------------------------------------------------- oracle

/// psql applies the history; the server's model equals strata's offline
/// replay, object by object, column order included — names truncated to
/// 63 bytes (at a character boundary) exactly as the server does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_equals_what_postgres_builds_from_the_history() {
    let db = migrated_db("hostile_oracle").await;
    let server = inspected(&db).await;
    let replayed = replayed_history(&migrations());
    assert_same(
        "history: server (expected) vs replay (found)",
        &server,
        &replayed,
    );
    // And the declared schema is that same model.
    assert_same("declared vs history", &replayed, &declared(&schema_sql()));
    // The names PostgreSQL truncated, truncated identically.
    let public = &replayed.namespaces["public"];
    let long = truncated_table();
    assert_eq!(long.len(), 63);
    let t = match public.tables.get(&long) {
        Some(t) => t,
        None => panic!(
            "no table {long}: {:?}",
            public.tables.keys().collect::<Vec<_>>()
        ),
    };
    assert!(t.columns.iter().any(|c| c.name == truncated_column()));
    assert_eq!(truncated_column().len(), 62);
    assert!(public.tables.contains_key(L63));
    let user = &public.tables["user"];
    let cut = format!("z{}", "日".repeat(20));
    assert!(
        user.columns.iter().any(|c| c.name == cut),
        "z + 20 日 (61 bytes)"
    );
    assert!(replayed.namespaces.contains_key("Hostile \"Schema\" \\ $x"));
}

/// The declared schema applied with psql is what strata replays from it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_equals_what_postgres_builds_from_the_declared_schema() {
    let db = TestDb::create("hostile_declared").await;
    if let Err(e) = psql_apply(&db.url, &schema_sql(), true) {
        panic!("psql schema.sql: {e}");
    }
    assert_same(
        "declared: server vs replay",
        &inspected(&db).await,
        &declared(&schema_sql()),
    );
}

// -------------------------------------------------------------- inspect

/// `strata inspect` of the migrated database, applied with psql to an
/// empty database and inspected again: the same model; the written SQL
/// also replays offline to it and serves as the declared schema.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inspect_output_applies_and_round_trips() {
    let db = migrated_db("hostile_inspect").await;
    let dir = tempdir();
    let file = dir.path().join("inspected.sql");
    let out = strata(
        dir.path(),
        &[
            "inspect",
            "--database-url",
            &db.url,
            "--out",
            path_str(&file),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let sql = read(&file);
    assert!(
        sql.contains("CREATE SCHEMA \"Hostile \"\"Schema\"\" \\ $x\";"),
        "{sql}"
    );
    assert!(
        sql.contains("WHERE (\"group\" <> 'it''s \\ \"q\"'::text)"),
        "the partial index predicate: {sql}"
    );

    let copy = TestDb::create("hostile_inspect_copy").await;
    if let Err(e) = psql_apply(&copy.url, &file, true) {
        panic!("psql of the inspected SQL: {e}\n{sql}");
    }
    let first = inspected(&db).await;
    assert_same("inspect round trip", &first, &inspected(&copy).await);
    assert_same("inspected SQL replayed offline", &first, &declared(&file));

    // The inspected SQL is a declared schema the history is in step with.
    let out = strata(
        dir.path(),
        &[
            "check",
            "--schema",
            path_str(&file),
            "--migrations",
            path_str(&migrations()),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
}

// ---------------------------------------------------------------- drift

fn config(dir: &Path, schema: &Path, migrations: &Path) -> PathBuf {
    let toml = dir.join("strata.toml");
    let quote = |p: &Path| serde_json::Value::String(path_str(p).to_string()).to_string();
    write(
        &toml,
        &format!(
            "schema = {}\nmigrations = {}\n",
            quote(schema),
            quote(migrations)
        ),
    );
    toml
}

/// `strata migrate`, then `strata drift`: in step. Out-of-band changes to
/// hostile objects are reported, attributed, with the names quoted as SQL
/// in text and JSON.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drift_is_clean_after_migrate_and_names_out_of_band_changes() {
    let db = TestDb::create("hostile_drift").await;
    let dir = tempdir();
    let toml = config(dir.path(), &schema_sql(), &migrations());
    let toml = path_str(&toml).to_string();
    let out = strata(
        dir.path(),
        &["migrate", "--config", &toml, "--database-url", &db.url],
    );
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let out = strata(
        dir.path(),
        &["drift", "--config", &toml, "--database-url", &db.url],
    );
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert!(text(&out.stderr).contains("no drift") || text(&out.stdout).contains("no drift"));

    // Out of band: a column added to the hostile schema's table, the
    // partial index dropped, a label added to the hostile schema's enum, a
    // default changed.
    let change = r#"
ALTER TABLE "Hostile ""Schema"" \ $x"."select" ADD COLUMN "new""col" integer;
DROP INDEX "idx ""partial"" \ é";
ALTER TYPE "Hostile ""Schema"" \ $x"."kind ""of"" select" ADD VALUE 'new ''v'' \';
ALTER TABLE "user" ALTER COLUMN "quote""inside" SET DEFAULT 'it''s \ x';
"#;
    if let Err(e) = psql_apply_sql(&db.url, change, false) {
        panic!("out-of-band change: {e}");
    }
    let out = strata(
        dir.path(),
        &["drift", "--config", &toml, "--database-url", &db.url],
    );
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let stdout = text(&out.stdout);
    for wanted in [
        r#"[out of band] column "Hostile ""Schema"" \ $x"."select"."new""col": in the database, not expected"#,
        r#"[out of band] index public."user"."idx ""partial"" \ é": missing from the database"#,
        r#"expected: CREATE INDEX "idx ""partial"" \ é" ON public."user" ("group") WHERE ("group" <> 'it''s \ "q"')"#,
        r#"[out of band] enum "Hostile ""Schema"" \ $x"."kind ""of"" select": values differ"#,
        r#"found:    ('a''b', 'c\d', 'e f', 'new ''v'' \')"#,
        r#"[out of band] column public."user"."quote""inside": default differs"#,
        r#"found:    'it''s \ x'"#,
    ] {
        assert!(stdout.contains(wanted), "{wanted}\nnot in\n{}", show(&out));
    }

    let out = strata(
        dir.path(),
        &[
            "drift",
            "--config",
            &toml,
            "--database-url",
            &db.url,
            "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let v = json(&out);
    let diffs = v["databases"][0]["differences"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut seen: Vec<(String, String, String, String)> = diffs
        .iter()
        .map(|d| {
            (
                d["object"].as_str().unwrap_or("").to_string(),
                d["namespace"].as_str().unwrap_or("").to_string(),
                d["name"].as_str().unwrap_or("").to_string(),
                d["attribution"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    seen.sort();
    let s = |x: &str| x.to_string();
    assert_eq!(
        seen,
        vec![
            (
                s(r#"column "Hostile ""Schema"" \ $x"."select"."new""col""#),
                s(r#"Hostile "Schema" \ $x"#),
                s(r#"new"col"#),
                s("out_of_band")
            ),
            (
                s(r#"column public."user"."quote""inside""#),
                s("public"),
                s(r#"quote"inside"#),
                s("out_of_band")
            ),
            (
                s(r#"enum "Hostile ""Schema"" \ $x"."kind ""of"" select""#),
                s(r#"Hostile "Schema" \ $x"#),
                s(r#"kind "of" select"#),
                s("out_of_band")
            ),
            (
                s(r#"index public."user"."idx ""partial"" \ é""#),
                s("public"),
                s(r#"idx "partial" \ é"#),
                s("out_of_band")
            ),
        ],
        "{}",
        show(&out)
    );
}

// ------------------------------------------------------------ diff, new

fn edited() -> PathBuf {
    fixture().join("edited.sql")
}

/// `strata diff` from the history to the edited schema (a rename to a
/// name with two spaces, added and dropped hostile columns, enum labels
/// with quotes and backslashes, a changed partial-index predicate): the
/// SQL applies with psql to a database the history built, and the result
/// is exactly the edited schema.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diff_sql_applies_and_builds_the_edited_schema() {
    let db = migrated_db("hostile_diff").await;
    let out = strata(
        &repo_root(),
        &[
            "diff",
            "--from",
            &format!("migrations:{}", path_str(&migrations())),
            "--to",
            &format!("schema:{}", path_str(&edited())),
            "--allow-hazards",
            "deletes-data",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let sql = text(&out.stdout);
    for wanted in [
        r#"ALTER TABLE public."user" RENAME COLUMN "with space" TO "with  two  spaces";"#,
        r#"ALTER TYPE public."order" ADD VALUE 'new ''label'' \ here' BEFORE ' ';"#,
        r#"ALTER TABLE public."user" DROP COLUMN "$leading";"#,
        r#"ALTER TABLE public."user" ADD COLUMN "new ""column"" \ $1" text DEFAULT 'new ''default'' \ "q"';"#,
    ] {
        assert!(sql.contains(wanted), "{wanted}\nnot in\n{sql}");
    }
    // Units run one after another, each statement on its own (an enum
    // label added by the plan is usable after its unit commits).
    if let Err(e) = psql_apply_sql(&db.url, &sql, false) {
        panic!("psql of the plan: {e}\n{sql}");
    }
    assert_same(
        "after the plan: edited (expected) vs server (found)",
        &declared(&edited()),
        &inspected(&db).await,
    );
}

/// `strata new` writes the plan as the next refinery migrations; each
/// applies in its own transaction with psql, the database then has the
/// edited schema, and `strata check` is in step.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_migrations_apply_and_check_is_in_step() {
    let db = migrated_db("hostile_new").await;
    let dir = tempdir();
    let folder = dir.path().join("migrations");
    if let Err(e) = std::fs::create_dir(&folder) {
        panic!("{e}");
    }
    let before = migration_files(&migrations());
    for f in &before {
        let name = f.file_name().map(|n| n.to_os_string()).unwrap_or_default();
        if let Err(e) = std::fs::copy(f, folder.join(name)) {
            panic!("{e}");
        }
    }
    let toml = config(dir.path(), &edited(), &folder);
    let toml = path_str(&toml).to_string();
    let out = strata(
        dir.path(),
        &[
            "new",
            "--config",
            &toml,
            "edit hostile names",
            "--allow-hazards",
            "deletes-data",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let after = migration_files(&folder);
    assert!(after.len() > before.len(), "{}", show(&out));
    for f in &after[before.len()..] {
        if let Err(e) = psql_apply(&db.url, f, true) {
            panic!("psql {}: {e}\n{}", f.display(), read(f));
        }
    }
    assert_same(
        "after strata new: edited (expected) vs server (found)",
        &declared(&edited()),
        &inspected(&db).await,
    );
    let out = strata(dir.path(), &["check", "--config", &toml]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
}

// -------------------------------------------------------------- codegen

/// The committed `generated.rs` is what `strata codegen` writes (library
/// and binary). Regenerate with `STRATA_UPDATE_GENERATED=1`.
#[test]
fn the_committed_generated_file_is_fresh() {
    let path = fixture().join("generated.rs");
    let request = Request::new(schema_sql(), Some(migrations()));
    let fresh = match generate_file(&request) {
        Ok(code) => code,
        Err(d) => panic!(
            "codegen of the hostile fixture failed:\n{}",
            d.iter()
                .map(|d| d.message.clone())
                .collect::<Vec<_>>()
                .join("\n")
        ),
    };
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != fresh {
        if std::env::var_os("STRATA_UPDATE_GENERATED").is_some() {
            write(&path, &fresh);
        } else {
            let diff = similar::TextDiff::from_lines(&committed, &fresh)
                .unified_diff()
                .header("committed", "regenerated")
                .to_string();
            panic!("tests/fixtures/hostile/generated.rs is stale: rerun with STRATA_UPDATE_GENERATED=1\n{diff}");
        }
    }
    let out = strata(
        &repo_root(),
        &[
            "codegen",
            "--schema",
            path_str(&schema_sql()),
            "--migrations",
            path_str(&migrations()),
            "--out",
            path_str(&path),
            "--check",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
}

// The committed file and `strata::schema!` on the fixture compile in a
// crate of their own (`#![deny(warnings)]`, every type, column and variant
// named): `hostile_pass.rs`, a test binary of its own.

/// Rows through the generated query builder into the real tables: every
/// hostile column written and read back, enum labels with quotes,
/// backslashes, spaces and the empty label, an upsert on the hostile
/// unique constraint, an update and a delete.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_models_round_trip_rows() {
    use generated::hostile_schema_x::{select, KindOfSelect};
    use generated::{mixed_case, table, user, Order};

    fn ok<T>(r: Result<T, strata::runtime::Error>, what: &str) -> T {
        match r {
            Ok(v) => v,
            Err(e) => panic!("{what}: {e}"),
        }
    }

    let db = migrated_db("hostile_codegen").await;
    let client = db.client().await;

    // Defaults from the server: the literal with quotes and backslashes,
    // the generated column computed from it.
    let plain = ok(
        user::UserTable::insert(user::NewUser::new())
            .returning()
            .fetch_one(&client)
            .await,
        "insert defaults",
    );
    assert_eq!(plain.group, "it's a \\ \"quoted\" $$ value");
    assert_eq!(plain.kind, Order::ItS);
    // Defaults written with dollar quotes in the history.
    assert_eq!(plain.dollar_sign.as_deref(), Some("it's $$ in \\"));
    assert_eq!(plain.leading.as_deref(), Some("dollar 'quoted' \\ "));
    assert_eq!(
        plain.shout.as_deref(),
        Some("IT'S A \\ \"QUOTED\" $$ VALUE \\ 'x'")
    );

    let s = |x: &str| Some(x.to_string());
    let row = user::NewUser {
        group: s("g"),
        mixed_case: Some(7),
        with_space: s("with space"),
        quote_inside: s("it's \"q\""),
        back_slash: s("c:\\path"),
        dollar_sign: Some(s("$1")),
        leading: Some(s("$$")),
        café: s("café"),
        日本語: s("日本語"),
        _u1f980_: s("🦀"),
        r#type: s("type"),
        self_: s("self"),
        Self_: s("Self"),
        crate_: s("crate"),
        r: s("r#"),
        r#fn: s("fn"),
        r#async: s("async"),
        Foo: Some(1),
        foo: Some(2),
        _1st: Some(3),
        __: Some(4),
        fooBar: Some(5),
        foo_bar: Some(6),
        kind: Some(Order::_empty),
        a日日日日日日日日日日日日日日日日日日日日bb: s("63 bytes"),
        z日日日日日日日日日日日日日日日日日日日日: s("truncated"),
    };
    let inserted = ok(
        user::UserTable::insert(row)
            .returning()
            .fetch_one(&client)
            .await,
        "insert every hostile column",
    );
    assert_eq!(inserted.quote_inside.as_deref(), Some("it's \"q\""));
    assert_eq!(inserted.kind, Order::_empty);
    assert_eq!((inserted.Foo, inserted.foo), (Some(1), Some(2)));
    assert_eq!((inserted.fooBar, inserted.foo_bar), (Some(5), Some(6)));
    assert_eq!(inserted.shout.as_deref(), Some("G \\ 'x'"));

    // Read back by hostile columns, through psql's view of the same row.
    let read = ok(
        user::UserTable::select()
            .filter(user::quote_inside.eq("it's \"q\""))
            .filter(user::back_slash.eq("c:\\path"))
            .filter(user::kind.eq(Order::_empty))
            .filter(user::_u1f980_.eq("🦀"))
            .filter(user::Self_.eq("Self"))
            .fetch_one(&client)
            .await,
        "select by hostile columns",
    );
    assert_eq!(read, inserted);
    let row = match client
        .query_one(
            r#"SELECT "quote""inside", "back\slash", "🦀", kind::text, "_" FROM "user" WHERE "select" = $1"#,
            &[&inserted.select],
        )
        .await
    {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(row.get::<_, String>(0), "it's \"q\"");
    assert_eq!(row.get::<_, String>(1), "c:\\path");
    assert_eq!(row.get::<_, String>(2), "🦀");
    assert_eq!(row.get::<_, String>(3), "");
    assert_eq!(row.get::<_, i32>(4), 4);

    // Every label of "order" is written and read back.
    for (i, v) in <Order as strata::runtime::PgEnum>::VARIANTS
        .iter()
        .enumerate()
    {
        let id = i32::try_from(i).unwrap_or(0) + 100;
        let mut t = table::NewTable::new(id, inserted.select);
        t.order = Some(*v);
        t.r#where = Some(Some("tab\there".to_string()));
        let back = ok(
            table::TableTable::insert(t)
                .returning()
                .fetch_one(&client)
                .await,
            "insert into \"table\"",
        );
        assert_eq!(back.order, *v);
    }
    let n = ok(
        table::TableTable::select()
            .filter(table::order.eq(Order::BackSlash))
            .count()
            .fetch(&client)
            .await,
        "count",
    );
    assert_eq!(n, 1);

    // Upsert on the unique constraint "unique$ MixedCase".
    let mut again = user::NewUser::new();
    again.mixed_case = Some(7);
    again.with_space = s("with space");
    again.r#type = s("upserted");
    let up = ok(
        user::UserTable::insert(again)
            .on_conflict(user::conflict::unique_mixed_case)
            .do_update([user::r#type.to_excluded()])
            .returning()
            .fetch_one(&client)
            .await,
        "upsert",
    );
    assert_eq!(up.select, inserted.select);
    assert_eq!(up.r#type.as_deref(), Some("upserted"));

    // Update and delete by hostile columns.
    let changed = ok(
        user::UserTable::update()
            .set(user::r#fn.to(Some("changed \\ 'fn'".to_string())))
            .set(user::kind.to(Order::_u20_))
            .filter(user::select.eq(inserted.select))
            .returning()
            .fetch_one(&client)
            .await,
        "update",
    );
    assert_eq!(changed.r#fn.as_deref(), Some("changed \\ 'fn'"));
    assert_eq!(changed.kind, Order::_u20_);

    // The hostile schema's table and enum.
    let mut sel = select::NewSelect::new();
    sel.from = Some(KindOfSelect::AB);
    sel.user = Some(inserted.select);
    sel.note = s("back\\slash");
    let got = ok(
        select::SelectTable::insert(sel)
            .returning()
            .fetch_one(&client)
            .await,
        "insert into the hostile schema",
    );
    assert_eq!(got.from, KindOfSelect::AB);
    let default = ok(
        select::SelectTable::insert(select::NewSelect::new())
            .returning()
            .fetch_one(&client)
            .await,
        "insert the default label",
    );
    assert_eq!(default.from, KindOfSelect::CD);

    // Case-distinct columns of "MixedCase".
    let m = ok(
        mixed_case::MixedCaseTable::insert(mixed_case::NewMixedCase {
            id: 1,
            Foo: s("upper"),
            foo: s("lower"),
        })
        .returning()
        .fetch_one(&client)
        .await,
        "insert MixedCase",
    );
    assert_eq!(
        (m.Foo.as_deref(), m.foo.as_deref()),
        (Some("upper"), Some("lower"))
    );

    let deleted = ok(
        table::TableTable::delete()
            .filter(table::user.eq(inserted.select))
            .execute(&client)
            .await,
        "delete",
    );
    assert_eq!(
        deleted,
        u64::try_from(<Order as strata::runtime::PgEnum>::VARIANTS.len()).unwrap_or(0)
    );
}

/// A path is a value too: a declared schema whose folder name holds a line
/// break and SQL is named on one comment line of the migration `strata
/// new` writes, never as a statement.
#[test]
fn new_keeps_a_hostile_path_inside_its_header_comment() {
    let dir = tempdir();
    let evil = dir.path().join("x\nDROP TABLE victim; --");
    let folder = dir.path().join("migrations");
    for d in [&evil, &folder] {
        if let Err(e) = std::fs::create_dir(d) {
            panic!("{e}");
        }
    }
    for f in migration_files(&migrations()) {
        let name = f.file_name().map(|n| n.to_os_string()).unwrap_or_default();
        if let Err(e) = std::fs::copy(&f, folder.join(name)) {
            panic!("{e}");
        }
    }
    let schema = evil.join("edited.sql");
    write(&schema, &read(&edited()));
    let toml = config(dir.path(), &schema, &folder);
    let out = strata(
        dir.path(),
        &[
            "new",
            "--config",
            path_str(&toml),
            "evil",
            "--allow-hazards",
            "deletes-data",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let written = migration_files(&folder);
    assert!(written.len() > 5, "{}", show(&out));
    for f in &written[5..] {
        let sql = read(f);
        assert!(
            !sql.lines().any(|l| l.starts_with("DROP TABLE victim")),
            "a line of the path became SQL in {}:\n{sql}",
            f.display()
        );
    }
}

/// An enum label removed by a plan is checked by a `DO` block before the
/// type is swapped; a label (or name) holding the block's dollar-quote
/// tag must not end the block early. The plan applies with psql and the
/// database then has the declared schema.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diff_swaps_an_enum_whose_labels_hold_dollar_quote_tags() {
    let dir = tempdir();
    let folder = dir.path().join("migrations");
    if let Err(e) = std::fs::create_dir(&folder) {
        panic!("{e}");
    }
    let v1 = folder.join("V1__tags.sql");
    write(
        &v1,
        "CREATE TYPE \"$strata$\" AS ENUM ('$strata$', 'it''s \\ $strata1$', 'kept');\n\
         CREATE TABLE \"$strata$ t\" (\"$strata$\" \"$strata$\" NOT NULL DEFAULT 'kept');\n",
    );
    let schema = dir.path().join("schema.sql");
    write(
        &schema,
        "CREATE TYPE \"$strata$\" AS ENUM ('kept', 'new $strata2$');\n\
         CREATE TABLE \"$strata$ t\" (\"$strata$\" \"$strata$\" NOT NULL DEFAULT 'kept');\n",
    );
    let db = TestDb::create("hostile_tags").await;
    if let Err(e) = psql_apply(&db.url, &v1, true) {
        panic!("{e}");
    }
    let out = strata(
        dir.path(),
        &[
            "diff",
            "--from",
            &format!("migrations:{}", path_str(&folder)),
            "--to",
            &format!("schema:{}", path_str(&schema)),
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let sql = text(&out.stdout);
    // `$strata$` and `$strata1$` occur in the block: the next tag is used.
    assert!(sql.contains("DO $strata2$"), "{sql}");
    if let Err(e) = psql_apply_sql(&db.url, &sql, false) {
        panic!("psql of the plan: {e}\n{sql}");
    }
    assert_same(
        "after the swap: declared (expected) vs server (found)",
        &declared(&schema),
        &inspected(&db).await,
    );
}

/// `strata docs`: tables whose names become the same Mermaid entity
/// (`a b` and `a_b`, `café` and `caf_`) stay distinct entities, and a
/// constraint name with a line break stays on its diagram line.
#[test]
fn docs_keep_tables_with_look_alike_names_apart() {
    let dir = tempdir();
    let schema = dir.path().join("schema.sql");
    write(
        &schema,
        "CREATE TABLE \"a b\" (id int PRIMARY KEY);\n\
         CREATE TABLE a_b (id int PRIMARY KEY, r int REFERENCES \"a b\");\n\
         CREATE TABLE \"café\" (id int, CONSTRAINT \"fk\nx\" FOREIGN KEY (id) REFERENCES a_b);\n\
         CREATE TABLE caf_ (id int);\n",
    );
    let out = strata(dir.path(), &["docs", "--source", path_str(&schema)]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let page = text(&out.stdout);
    let diagram: Vec<&str> = page
        .lines()
        .skip_while(|l| *l != "erDiagram")
        .skip(1)
        .take_while(|l| *l != "```")
        .collect();
    assert_eq!(
        diagram,
        [
            "    a_b |o--o{ a_b_2 : \"a_b_r_fkey\"",
            "    a_b_2 |o--o{ caf__2 : \"fk x\"",
            "    caf_",
        ],
        "{page}"
    );
}
