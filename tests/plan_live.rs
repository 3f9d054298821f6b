//! Plans proven on the server: build A, apply the plan A → B, and compare
//! its `pg_dump --schema-only` with B's built directly (column order aside,
//! `support::judge`) — no difference allowed. PostgreSQL judges, not
//! strata's own inspect and diff.
//!
//! - the scenario on the reference: edit the declared schema (a
//!   table with a foreign key and a partial unique index, a column renamed
//!   with a hint, an enum value added in the middle, a generated
//!   expression changed), `strata new`, `strata migrate`, then `strata
//!   check` and `strata drift` exit 0;
//! - every case of migra's fixtures converges, or `strata diff` refuses it
//!   by name (listed, counted, never skipped);
//! - focused cases (online mode, enum swaps and their guard, generated
//!   columns, type changes, renames).

use crate::support;

use support::current_user;
use support::repo_root;
use support::run_strata as strata;

use std::path::{Path, PathBuf};
use std::process::Output;

use strata_core::model::Schema;
use strata_core::plan::{plan_verified, Hazard, Plan, PlanOptions};
use strata_core::replay::{replay_texts, Replayed};
use support::judge::{judge_converged, pg_dump, plan_converges, unified_diff};
use support::{psql_apply, psql_apply_sql, TestDb};

fn out(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create folder");
    for entry in std::fs::read_dir(from).expect("read folder") {
        let p = entry.expect("folder entry").path();
        let target = to.join(p.file_name().expect("file name"));
        if p.is_dir() {
            copy_tree(&p, &target);
        } else {
            std::fs::copy(&p, &target).expect("copy file");
        }
    }
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).expect("read");
    assert!(text.contains(from), "{} has no {from:?}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).expect("write");
}

async fn inspect(url: &str) -> Schema {
    strata::inspect::inspect_url(url, &strata::inspect::InspectOptions::default())
        .await
        .unwrap_or_else(|e| panic!("inspect: {e}"))
}

// ---------------------------------------------------------------- the scenario

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn editing_the_reference_then_strata_new_migrates_and_check_and_drift_pass() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = repo_root();
    std::fs::copy(root.join("strata.toml"), dir.path().join("strata.toml")).expect("copy");
    copy_tree(&root.join("schema/sql"), &dir.path().join("schema/sql"));
    copy_tree(&root.join("migrations"), &dir.path().join("migrations"));
    let db = TestDb::create("strata_plan_ref").await;
    let url = db.url.clone();

    // A database built from the history.
    let o = strata(dir.path(), &["migrate", "--database-url", &url]);
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));

    // The developer edits the declared schema.
    let sql = dir.path().join("schema/sql");
    edit(
        &sql.join("10_users_auth.sql"),
        "    sig_hash    text,\n",
        "    -- strata:renamed-from sig_hash\n    signature_hash text,\n",
    );
    edit(
        &sql.join("10_users_auth.sql"),
        "COMMENT ON COLUMN fingerprint.sig_hash",
        "COMMENT ON COLUMN fingerprint.signature_hash",
    );
    edit(
        &sql.join("00_extensions_and_types.sql"),
        "    'referral',\n    'subscription',",
        "    'referral',\n    'trial',\n    'subscription',",
    );
    edit(
        &sql.join("40_agents.sql"),
        "(split_part(split_part(version, '.', 3), '-', 1))::integer",
        "(split_part(split_part(version, '.', 3), '+', 1))::integer",
    );
    std::fs::write(
        sql.join("50_invites.sql"),
        "CREATE TABLE publisher_invite (
    id           text        NOT NULL PRIMARY KEY,
    publisher_id text        NOT NULL REFERENCES publisher (id) ON DELETE CASCADE,
    email        text        NOT NULL,
    accepted_at  timestamptz
);
CREATE UNIQUE INDEX publisher_invite_open_email ON publisher_invite (publisher_id, email)
    WHERE accepted_at IS NULL;
",
    )
    .expect("write");

    // Before the migration exists: check differs, diff has a plan.
    let o = strata(dir.path(), &["check"]);
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    let o = strata(dir.path(), &["diff"]);
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    let plan = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        plan.contains("RENAME COLUMN sig_hash TO signature_hash"),
        "{plan}"
    );
    assert!(
        plan.contains("ADD VALUE 'trial' BEFORE 'subscription'"),
        "{plan}"
    );
    assert!(!plan.contains("DROP COLUMN sig_hash"), "{plan}");

    // strata new writes V86.
    let o = strata(dir.path(), &["new", "add_invites"]);
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
    let written = dir.path().join("migrations/V86__add_invites.sql");
    let text = std::fs::read_to_string(&written).expect("V86 written");
    assert!(text.contains("-- step 1:"), "{text}");
    assert!(text.contains("hazard changes-generated-values"), "{text}");

    // Offline: the history now builds the declaration.
    let o = strata(dir.path(), &["check"]);
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
    // The hint is now stale, and said so; nothing left to plan.
    let o = strata(dir.path(), &["diff"]);
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
    assert!(out(&o).contains("stale rename hint"), "{}", out(&o));

    // On the server: migrate applies V86, drift finds nothing.
    let o = strata(dir.path(), &["migrate", "--database-url", &url]);
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
    let o = strata(dir.path(), &["drift", "--database-url", &url]);
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
    let o = strata(
        dir.path(),
        &["diff", "--from", &url, "--to", "schema:schema/sql"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));

    // PostgreSQL judges: the history (V1..V85) and the plan (V86) applied
    // by psql to a fresh database, against the edited declared schema
    // applied to another.
    let history = TestDb::create("strata_plan_ref_hist").await;
    for f in sorted_sql(&dir.path().join("migrations"), true) {
        psql_apply(&history.url, &f, false).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
    }
    let declared = TestDb::create("strata_plan_ref_decl").await;
    for f in sorted_sql(&sql, false) {
        psql_apply(&declared.url, &f, false).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
    }
    if let Err(e) = judge_converged("the reference + V86", &declared.url, &history.url) {
        panic!("{e}\nV86:\n{text}");
    }
}

/// The `.sql` files of a folder: by refinery version (`V<n>__`), or by name.
fn sorted_sql(dir: &Path, by_version: bool) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .collect();
    let version = |p: &PathBuf| -> u64 {
        let name = p.file_name().unwrap_or_default().to_string_lossy();
        name.strip_prefix('V')
            .and_then(|r| r.split("__").next())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{}: not V<n>__name.sql", p.display()))
    };
    if by_version {
        files.sort_by_key(version);
    } else {
        files.sort();
    }
    files
}

// ---------------------------------------------------------------- migra's fixtures

fn corpus() -> Option<PathBuf> {
    let root = match std::env::var_os("STRATA_CORPUS") {
        Some(p) => PathBuf::from(p),
        None => repo_root().join("..").join("shared").join("corpus"),
    };
    root.join("migra-fixtures").is_dir().then_some(root)
}

/// Cases whose plan pg_dump judges incomplete because the two sides differ
/// in an object strata keeps by name only, so strata does not see the
/// change. None today: views, policies and triggers on tables are compared
/// by definition, and the grants to the owner by its role name
/// (`postgres`) are read as the owner's since the diff runs with `--role`
/// (the role the judge applies the fixtures as). A case listed here must
/// still fail the judge: one that converges must be removed.
const BY_NAME_ONLY: &[(&str, &str)] = &[];

/// Cases strata refuses (`case` is A → B, `case (reversed)` B → A), with
/// what its error must name. A case that starts converging must be removed
/// from this list (the test says so).
const REFUSED: &[(&str, &str)] = &[("extversions (reversed)", "would go down")];

/// Applies each unit of a `strata diff --format json` plan.
fn apply_units(url: &str, v: &serde_json::Value) -> Result<(), String> {
    for u in v["units"].as_array().into_iter().flatten() {
        let sql = u["sql"].as_str().unwrap_or_default();
        let tx = u["transactional"].as_bool().unwrap_or(true);
        psql_apply_sql(url, sql, tx).map_err(|e| format!("the plan fails: {e}\n{sql}"))?;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migra_fixtures_converge_or_are_refused_by_name() {
    let Some(root) = corpus() else {
        let msg = format!(
            "!!! the shared corpus was not found (set STRATA_CORPUS): the migra convergence cases were NOT run ({} known refusals unchecked)",
            REFUSED.len()
        );
        eprintln!("{msg}");
        assert!(
            std::env::var_os("CI").is_none(),
            "{msg} — in CI the corpus must be present"
        );
        return;
    };
    // The role a fixture grants to, under this test's own name (dropped last).
    let roles = support::Roles::create("strata_corpus_role", 1);
    let copies = tempfile::tempdir().expect("temp dir");
    let migra = root.join("migra-fixtures");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&migra)
        .expect("read fixtures")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("a.sql").is_file() && p.join("b.sql").is_file())
        .map(|p| {
            let a = support::with_corpus_role(&p.join("a.sql"), &roles.0[0], copies.path());
            let b = support::with_corpus_role(&p.join("b.sql"), &roles.0[0], copies.path());
            if a.parent() == Some(p.as_path()) {
                b
            } else {
                a
            }
            .parent()
            .expect("case folder")
            .to_path_buf()
        })
        .collect();
    cases.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
    assert!(
        cases.len() >= 25,
        "expected migra's fixtures, found {}",
        cases.len()
    );
    let allow = Hazard::ALL
        .iter()
        .map(|h| h.name())
        .collect::<Vec<_>>()
        .join(",");
    let mut converged = Vec::new();
    let mut refused = Vec::new();
    let mut failures = Vec::new();
    let mut by_name_only = Vec::new();
    // The fixtures are applied as this role, which so owns what they create.
    let role = current_user();
    let directions = [("a.sql", "b.sql", ""), ("b.sql", "a.sql", " (reversed)")];
    for (case, (from, to, suffix)) in cases
        .iter()
        .flat_map(|c| directions.iter().map(move |d| (c, *d)))
    {
        let case_name = case
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let name = format!("{case_name}{suffix}");
        let (from_spec, to_spec) = (format!("schema:{from}"), format!("schema:{to}"));
        let o = strata(
            case,
            &[
                "diff",
                "--from",
                &from_spec,
                "--to",
                &to_spec,
                "--format",
                "json",
                "--allow-hazards",
                &allow,
                "--role",
                &role,
            ],
        );
        let listed = REFUSED.iter().find(|(n, _)| *n == name);
        let text = String::from_utf8_lossy(&o.stdout).into_owned();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
        match o.status.code() {
            Some(2) => {
                let message = format!(
                    "{} {}",
                    v["error"]["message"].as_str().unwrap_or_default(),
                    v["error"]["details"]
                );
                assert!(
                    !message.trim().is_empty(),
                    "{name}: refused without a message: {}",
                    out(&o)
                );
                match listed {
                    Some((_, why)) if message.to_lowercase().contains(why) => refused.push(
                        format!("{name}: {}", message.chars().take(200).collect::<String>()),
                    ),
                    Some((_, why)) => failures.push(format!(
                        "{name}: refused, but the error does not name `{why}`: {message}"
                    )),
                    None => failures.push(format!("{name}: refused: {message}")),
                }
            }
            Some(0) | Some(1) => {
                if listed.is_some() {
                    failures.push(format!(
                        "{name}: listed as refused but now planned; remove it from REFUSED (and check it converges)"
                    ));
                    continue;
                }
                let db_a = TestDb::create("strata_plan_a").await;
                let db_b = TestDb::create("strata_plan_b").await;
                let r = async {
                    psql_apply(&db_a.url, &case.join(from), false)
                        .map_err(|e| format!("{from}: {e}"))?;
                    psql_apply(&db_b.url, &case.join(to), false)
                        .map_err(|e| format!("{to}: {e}"))?;
                    apply_units(&db_a.url, &v)?;
                    judge_converged(&name, &db_b.url, &db_a.url)
                }
                .await;
                let by_name = BY_NAME_ONLY.iter().find(|(n, _)| *n == name);
                match (r, by_name) {
                    (Ok(()), None) => converged.push(name),
                    (Ok(()), Some(_)) => failures.push(format!(
                        "{name}: listed in BY_NAME_ONLY but now converges; remove it"
                    )),
                    (Err(_), Some((_, what))) => by_name_only.push(format!("{name}: {what}")),
                    (Err(e), None) => failures.push(format!("{name}: {e}")),
                }
            }
            _ => failures.push(format!("{name}: strata diff crashed: {}", out(&o))),
        }
    }
    eprintln!(
        "migra fixtures, both ways: {} converged, {} refused by name, {} incomplete where an object is kept by name only (listed), {} failed (of {})",
        converged.len(),
        refused.len(),
        by_name_only.len(),
        failures.len(),
        cases.len() * 2
    );
    for r in &refused {
        eprintln!("  refused: {r}");
    }
    for r in &by_name_only {
        eprintln!("  kept by name only, change not seen: {r}");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ---------------------------------------------------------------- focused cases

fn replay(sql: &str) -> Replayed {
    let text: std::sync::Arc<str> = std::sync::Arc::from(sql);
    replay_texts([("schema.sql", &text)]).unwrap_or_else(|e| panic!("replay: {e:?}"))
}

/// Plans A → B (library), applies A then the plan to one database and B to
/// another, and compares them.
async fn converge(name: &str, a: &str, b: &str, online: bool) -> Result<Plan, String> {
    let (ra, rb) = (replay(a), replay(b));
    let opts = PlanOptions {
        online,
        allow: Hazard::ALL.into_iter().collect(),
        renames: rb.renames.clone(),
        ..PlanOptions::default()
    };
    let plan = plan_verified(&ra.schema, &rb.schema, &opts).map_err(|e| format!("{name}: {e}"))?;
    plan_converges(name, a, b, &plan)?;
    Ok(plan)
}

const BASE: &str = "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TABLE account (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL,
    nick varchar(20),
    mood mood DEFAULT 'ok',
    moods mood[],
    version text,
    major integer GENERATED ALWAYS AS ((split_part(version, '.', 1))::integer) STORED,
    CONSTRAINT email_at CHECK (email LIKE '%@%')
);
CREATE INDEX account_major ON account (major);
CREATE INDEX account_happy ON account (email) WHERE mood = 'happy';
CREATE TABLE post (
    id serial PRIMARY KEY,
    account_id bigint REFERENCES account (id),
    title text
);
CREATE VIEW account_nicks AS SELECT id, nick FROM account;
CREATE VIEW account_nicks_upper AS SELECT id, upper(nick) AS nick FROM account_nicks;
INSERT INTO account (email, nick, mood, moods, version) VALUES ('a@x', 'a', 'ok', '{ok,happy}', '1');
INSERT INTO post (account_id, title) VALUES (1, 't');
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn focused_plans_converge_on_the_server() {
    // (name, B, online); B → A is planned too, except where A → B
    // relies on a rename hint (B → A then is a drop and an add).
    let cases: Vec<(&str, String, bool)> = vec![
        (
            "enum value removed and reordered (swap)",
            BASE.replace("('sad', 'ok', 'happy')", "('happy', 'ok')"),
            false,
        ),
        (
            "enum value added in the middle",
            BASE.replace("('sad', 'ok', 'happy')", "('sad', 'meh', 'ok', 'happy')"),
            false,
        ),
        (
            "enum value renamed by hint",
            BASE.replace(
                "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');",
                "CREATE TYPE mood AS ENUM (\n  'sad',\n  -- strata:renamed-from 'ok'\n  'fine',\n  'happy'\n);",
            )
            .replace("DEFAULT 'ok'", "DEFAULT 'fine'")
            .replace("'ok', '{ok,happy}'", "'fine', '{fine,happy}'"),
            false,
        ),
        (
            "generated expression changed (PostgreSQL 15: drop and add, index rebuilt)",
            BASE.replace("split_part(version, '.', 1)", "split_part(version, '-', 1)"),
            false,
        ),
        (
            "generated to plain",
            BASE.replace(
                "major integer GENERATED ALWAYS AS ((split_part(version, '.', 1))::integer) STORED",
                "major integer",
            ),
            false,
        ),
        (
            "types, defaults, nullability, identity",
            BASE.replace("nick varchar(20),", "nick text NOT NULL DEFAULT 'x',")
                .replace("id bigint GENERATED ALWAYS AS IDENTITY", "id bigint GENERATED BY DEFAULT AS IDENTITY")
                .replace("title text", "title varchar(200) DEFAULT 'untitled'"),
            false,
        ),
        (
            "online: index, unique, check, foreign key, not null",
            BASE.replace("    version text,", "    version text NOT NULL,")
                .replace("CREATE INDEX account_major ON account (major);", "CREATE INDEX account_major ON account (major DESC);\nCREATE INDEX account_nick ON account (nick);\nALTER TABLE account ADD CONSTRAINT account_nick_key UNIQUE (nick);")
                .replace("    title text\n", "    title text,\n    editor bigint,\n    CONSTRAINT post_editor FOREIGN KEY (editor) REFERENCES account (id),\n    CONSTRAINT title_len CHECK (length(title) < 100)\n"),
            true,
        ),
        (
            "column renamed by hint, table renamed by hint",
            BASE.replace("    email text NOT NULL,", "    -- strata:renamed-from email\n    mail text NOT NULL,")
                .replace("CHECK (email LIKE", "CHECK (mail LIKE")
                .replace("account_happy ON account (email)", "account_happy ON account (mail)")
                .replace("CREATE TABLE post (", "-- strata:renamed-from post\nCREATE TABLE article (")
                .replace("INSERT INTO account (email,", "INSERT INTO account (mail,")
                .replace("INSERT INTO post", "INSERT INTO article"),
            false,
        ),
        (
            // The server refuses DROP VIEW of a view another view reads:
            // the reader is dropped first and created again, unchanged.
            "a view read by a kept view changes",
            BASE.replace(
                "CREATE VIEW account_nicks AS SELECT id, nick FROM account;",
                "CREATE VIEW account_nicks AS SELECT id, nick, email FROM account WHERE email <> '';",
            ),
            false,
        ),
        (
            "tables and columns dropped",
            BASE.replace("    moods mood[],\n", "")
                .replace("'ok', '{ok,happy}', '1'", "'ok', '1'")
                .replace("mood, moods, version", "mood, version")
                .replace("CREATE TABLE post (\n    id serial PRIMARY KEY,\n    account_id bigint REFERENCES account (id),\n    title text\n);\n", "")
                .replace("INSERT INTO post (account_id, title) VALUES (1, 't');\n", ""),
            false,
        ),
    ];
    let mut failures = Vec::new();
    let mut runs = 0;
    for (name, b, online) in &cases {
        runs += 1;
        if let Err(e) = converge(name, BASE, b, *online).await {
            failures.push(e);
        }
        if name.contains("hint") {
            continue;
        }
        // And back again.
        if let Err(e) = converge(&format!("{name} (reversed)"), b, BASE, *online).await {
            failures.push(e);
        }
        runs += 1;
    }
    eprintln!(
        "focused plans: {} of {runs} converged",
        runs - failures.len(),
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_enum_swap_guard_stops_with_the_count_of_rows_holding_a_removed_value() {
    let a = BASE.replace(
        "VALUES ('a@x', 'a', 'ok',",
        "VALUES ('b@x', 'b', 'sad', NULL, '1'), ('a@x', 'a', 'ok',",
    );
    let b = BASE.replace("('sad', 'ok', 'happy')", "('ok', 'happy')");
    let (ra, rb) = (replay(&a), replay(&b));
    let plan = plan_verified(&ra.schema, &rb.schema, &PlanOptions::default()).expect("plan");
    let db = TestDb::create("strata_plan_guard").await;
    psql_apply_sql(&db.url, &a, false).expect("A");
    let before = pg_dump(&db.url).expect("pg_dump before");
    let err = psql_apply_sql(&db.url, &plan.sql(), true).expect_err("the guard must stop the plan");
    assert!(
        err.contains("strata: 1 row(s) still hold a value removed from enum public.mood: sad"),
        "{err}"
    );
    // Nothing was changed: pg_dump is as before, and the type still has its
    // three labels.
    let after = pg_dump(&db.url).expect("pg_dump after");
    let d = unified_diff("before", &before, "after the stopped plan", &after);
    assert!(d.is_empty(), "the stopped plan changed the schema:\n{d}");
    let s = inspect(&db.url).await;
    assert_eq!(
        s.namespaces["public"].enums["mood"].values,
        ["sad", "ok", "happy"]
    );
}
