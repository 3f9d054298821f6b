//! `strata check --shadow-database`: the server builds both sides and
//! judges. What strata cannot prove offline the server settles — equal
//! when it stores the same, different when it does not — and a statement
//! the server rejects is an error at its file:line:column. The scratch
//! databases are dropped whatever happens.
//!
//! One test function: its cases run in order, so the scratch databases
//! left behind can be counted.

use crate::support;

use support::run_strata as strata;

use std::path::Path;
use std::process::Output;

use support::{admin_execute_blocking, database_url, quote_ident, server_address, Roles};

fn shown(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A project with `schema.sql` and a one-migration refinery history.
fn project(declared: &str, migration: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    std::fs::write(
        root.join("strata.toml"),
        "schema = \"schema.sql\"\nmigrations = \"migrations\"\n",
    )
    .unwrap();
    std::fs::write(root.join("schema.sql"), declared).unwrap();
    std::fs::create_dir(root.join("migrations")).unwrap();
    std::fs::write(root.join("migrations/V1__init.sql"), migration).unwrap();
    dir
}

fn check(dir: &Path, shadow: Option<&str>) -> Output {
    let mut args = vec!["check", "--schema", "schema:schema.sql"];
    if let Some(url) = shadow {
        args.extend(["--shadow-database", url]);
    }
    strata(dir, &args)
}

fn scratch_databases() -> Vec<String> {
    let out = std::process::Command::new("psql")
        .args(["-X", "-A", "-t", "-d"])
        .arg(database_url())
        .args([
            "-c",
            "SELECT datname FROM pg_database WHERE datname LIKE 'strata\\_shadow\\_%' ORDER BY 1",
        ])
        .output()
        .expect("psql");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

/// An overloaded function of the schema: offline, strata does not resolve
/// calls of it (one plain function per name and argument count is what it
/// resolves).
const FUNCTION: &str =
    "CREATE FUNCTION f(x integer) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT x + 1';\n\
     CREATE FUNCTION f(x text) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT 1';\n";

#[test]
fn the_shadow_server_judges_what_offline_cannot_prove() {
    let url = database_url();
    let before = scratch_databases();

    // Calls of the schema's overloaded function: offline cannot prove them
    // equal.
    // The server stores `f((2))` as `f(2)` (equal) but keeps the named
    // notation `f(x => 1)` (different from `f(1)`).
    let declared = format!(
        "{FUNCTION}CREATE TABLE t (a integer DEFAULT f(1), b integer CHECK (f(2) > 0));\n\
         CREATE INDEX t_f ON t (f(a)) WHERE f(b) > 3;\n"
    );
    let history = format!(
        "{FUNCTION}CREATE TABLE t (a integer DEFAULT public.f(x => 1), b integer CHECK (f((2)) > 0));\n\
         CREATE INDEX CONCURRENTLY t_f ON t (f(a)) WHERE f(b) > 3;\n"
    );
    let dir = project(&declared, &history);
    let offline = check(dir.path(), None);
    assert_eq!(offline.status.code(), Some(1), "{}", shown(&offline));
    assert!(
        shown(&offline).contains("cannot prove"),
        "{}",
        shown(&offline)
    );

    let judged = check(dir.path(), Some(&url));
    let text = shown(&judged);
    assert_eq!(judged.status.code(), Some(1), "{text}");
    assert!(text.contains("judged by the server"), "{text}");
    assert!(text.contains("1 difference"), "{text}");
    assert!(text.contains("column public.t.a"), "{text}");
    assert!(text.contains("f(x => 1)"), "{text}");
    assert!(!text.contains("cannot prove"), "{text}");
    assert!(!text.contains("t_check"), "{text}");

    // Written the same way, the server finds the sides equal where strata
    // alone still cannot prove it (CREATE INDEX CONCURRENTLY runs outside a
    // transaction, as psql runs it).
    let history = history.replace("public.f(x => 1)", "f(1)");
    std::fs::write(dir.path().join("migrations/V1__init.sql"), &history).unwrap();
    let offline = check(dir.path(), None);
    assert_eq!(offline.status.code(), Some(1), "{}", shown(&offline));
    let judged = strata(
        dir.path(),
        &["check", "--format", "json", "--shadow-database", &url],
    );
    assert_eq!(judged.status.code(), Some(0), "{}", shown(&judged));
    let v: serde_json::Value = serde_json::from_slice(&judged.stdout).expect("JSON");
    assert_eq!(v["status"], "in_step");
    assert_eq!(v["judged_by"], format!("{}/postgres", server_address()));

    // What the server stores differently is different, though it looks
    // alike: text comparison in the check, numeric division in the column.
    let declared = "CREATE TABLE p (code integer CHECK (code::text < '5'), \
                    cents integer, euros numeric GENERATED ALWAYS AS (cents / 100::numeric) STORED);\n";
    let history = "CREATE TABLE p (code integer CHECK (code < 5), \
                   cents integer, euros numeric GENERATED ALWAYS AS (cents / 100) STORED);\n";
    let dir = project(declared, history);
    let judged = check(dir.path(), Some(&url));
    let text = shown(&judged);
    assert_eq!(judged.status.code(), Some(1), "{text}");
    assert!(text.contains("2 differences"), "{text}");

    // A statement the server rejects (offline, an extension is a name):
    // exit 2 at its file:line:column, with the server's words.
    let dir = project(
        "CREATE TABLE a (id integer PRIMARY KEY);\n",
        "CREATE TABLE a (id integer PRIMARY KEY);\nCREATE EXTENSION strata_no_such_extension;\n",
    );
    let o = check(dir.path(), Some(&url));
    let text = shown(&o);
    assert_eq!(o.status.code(), Some(2), "{text}");
    assert!(text.contains("V1__init.sql:2:1"), "{text}");
    assert!(text.contains("refused this statement"), "{text}");
    assert!(text.contains("is not available"), "{text}");

    // A file that leaves its transaction open.
    let dir = project(
        "CREATE TABLE a (id integer);\n",
        "BEGIN;\nCREATE TABLE a (id integer);\n",
    );
    let o = check(dir.path(), Some(&url));
    let text = shown(&o);
    assert_eq!(o.status.code(), Some(2), "{text}");
    assert!(text.contains("leaves a transaction open"), "{text}");

    // A role that may not create databases: a clear refusal, no password
    // or URL shown.
    let roles = Roles::create("strata_shadow_nocreatedb", 1);
    let role = &roles.0[0];
    admin_execute_blocking(&format!("ALTER ROLE {} LOGIN", quote_ident(role))).unwrap();
    let weak = format!(
        "postgres://{role}:not-the-password@{}/postgres",
        server_address()
    );
    let dir = project(
        "CREATE TABLE a (id integer);\n",
        "CREATE TABLE a (id integer);\n",
    );
    let o = check(dir.path(), Some(&weak));
    let text = shown(&o);
    assert_eq!(o.status.code(), Some(2), "{text}");
    assert!(text.contains("CREATEDB"), "{text}");
    assert!(!text.contains("not-the-password"), "{text}");

    assert_eq!(
        scratch_databases(),
        before,
        "strata left scratch databases behind"
    );
}
