//! Row-level security policies against the real server: offline replay
//! builds the policies the server builds (what it cannot prove is "cannot
//! prove", never equal), each property changed out of band is drift marked
//! security, `--fail-on security` fails on those alone, inspect's SQL and
//! plans are judged by `pg_dump -s`.
//!
//! Roles are cluster objects: each test creates its own, uniquely named,
//! and drops them after its databases.

use crate::support;
use support::kinds::read;

use support::Roles;

use support::run_strata as strata;

use std::process::Output;

use strata_core::diff::{diff, Change, DiffOptions};
use strata_core::model::{PolicyCommand, Schema};
use strata_core::plan::{plan_verified, Hazard, Plan, PlanOptions};
use support::judge::{fresh_db, plan_converges, same_dump};
use support::{psql_apply_sql, TestDb};

/// Every shape: commands, permissive and restrictive, PUBLIC and named
/// roles (one quoted), subqueries and calls of the schema's own function
/// (cannot prove), settings, comments, renames, a column renamed under a
/// policy, a dropped policy.
fn fixture(r: &Roles) -> String {
    let (r1, r2) = (&r.0[0], &r.0[1]);
    format!(
        r#"
CREATE SCHEMA app;
CREATE FUNCTION app.uid() RETURNS integer LANGUAGE sql STABLE
    AS $$ SELECT nullif(current_setting('app.user_id', true), '')::integer $$;
CREATE TABLE app.member (org_id integer, user_id integer);
CREATE TABLE doc (
    id integer PRIMARY KEY,
    owner integer,
    org_id integer,
    "Title" text,
    published boolean DEFAULT false,
    n integer
);
ALTER TABLE doc ENABLE ROW LEVEL SECURITY;
ALTER TABLE doc FORCE ROW LEVEL SECURITY;
CREATE POLICY read_published ON doc FOR SELECT USING (published);
CREATE POLICY owner_all ON doc TO {r1}, "{r2}" USING (owner = app.uid()) WITH CHECK (owner = app.uid());
CREATE POLICY "Org Members" ON doc AS RESTRICTIVE FOR UPDATE TO {r1}
    USING (org_id IN (SELECT m.org_id FROM app.member m WHERE m.user_id = 1)) WITH CHECK (n > 0);
CREATE POLICY ins ON doc FOR INSERT TO PUBLIC WITH CHECK (current_setting('app.tenant') = 'x' AND n >= 1);
CREATE POLICY del ON doc FOR DELETE USING ("Title" <> 'keep');
CREATE POLICY setting ON doc FOR SELECT TO {r2}, public USING (org_id = current_setting('app.org')::integer);
COMMENT ON POLICY del ON doc IS 'delete unless it''s kept';
CREATE POLICY first_name ON doc USING (n > 5);
ALTER POLICY first_name ON doc RENAME TO renamed;
ALTER POLICY renamed ON doc TO {r1} USING (n > 6);
CREATE POLICY dropped ON doc USING (true);
DROP POLICY dropped ON doc;
ALTER TABLE doc RENAME COLUMN n TO amount;
CREATE POLICY everyone ON app.member USING (true);
"#
    )
}

/// A fixture strata proves entirely (no subquery, no call of the schema's
/// own functions): drift shows only what was changed.
fn provable(r: &Roles) -> String {
    let (r1, r2) = (&r.0[0], &r.0[1]);
    format!(
        r#"CREATE TABLE doc (id integer PRIMARY KEY, owner name, "Title" text, n integer);
ALTER TABLE doc ENABLE ROW LEVEL SECURITY;
CREATE POLICY owner_all ON doc TO {r1}, {r2} USING (owner = current_user) WITH CHECK (n > 0);
CREATE POLICY read_all ON doc FOR SELECT USING (true);
CREATE POLICY del ON doc FOR DELETE TO {r2} USING ("Title" <> 'keep');
COMMENT ON POLICY del ON doc IS 'delete unless kept';
"#
    )
}

fn offline(sql: &str) -> Schema {
    let text: std::sync::Arc<str> = std::sync::Arc::from(sql);
    strata_core::replay::replay_texts([("fixture.sql", &text)])
        .unwrap_or_else(|e| panic!("the fixture replays offline: {e:?}"))
        .schema
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn policies_are_read_by_definition_and_offline_replay_agrees() {
    let roles = Roles::create("strata_pol_role", 2);
    let sql = fixture(&roles);
    let db = TestDb::create("strata_policies").await;
    psql_apply_sql(&db.url, &sql, true).unwrap();
    let server = read(&db.url).await;
    assert!(server.unmanaged.is_empty(), "{:?}", server.unmanaged);

    let doc = server.table("public", "doc").expect("doc");
    let names: Vec<&str> = doc.policies.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "Org Members",
            "del",
            "ins",
            "owner_all",
            "read_published",
            "renamed",
            "setting"
        ]
    );
    let org = &doc.policies["Org Members"];
    assert_eq!(org.command, PolicyCommand::Update);
    assert!(!org.permissive);
    assert_eq!(org.roles.iter().collect::<Vec<_>>(), [&roles.0[0]]);
    assert_eq!(
        org.with_check.as_ref().and_then(|e| e.exact()),
        Some("(amount > 0)")
    );
    let owner = &doc.policies["owner_all"];
    assert_eq!(owner.command, PolicyCommand::All);
    assert_eq!(owner.roles.len(), 2);
    // A list naming PUBLIC is PUBLIC alone, as the server keeps it.
    let setting = &doc.policies["setting"];
    assert_eq!(setting.roles.iter().collect::<Vec<_>>(), ["public"]);
    let del = &doc.policies["del"];
    assert_eq!(del.comment.as_deref(), Some("delete unless it's kept"));
    assert_eq!(doc.policies["renamed"].roles.len(), 1);
    assert_eq!(
        doc.policies["renamed"]
            .using
            .as_ref()
            .and_then(|e| e.exact()),
        Some("(amount > 6)")
    );
    assert!(doc.policies["ins"].using.is_none());

    // The oracle: offline replay of the same SQL. A subquery and a call of
    // the schema's own function cannot be proven: "cannot prove", never
    // equal, never a plain difference.
    let replayed = offline(&sql);
    let differences = diff(&replayed, &server, DiffOptions::default());
    let mut unproven = Vec::new();
    for d in &differences {
        match &d.change {
            Change::Unproven { field, .. } => {
                assert!(d.security, "{d}");
                unproven.push(format!("{} {field}", d.path.name));
            }
            _ => panic!("offline and server differ: {d}\nall: {differences:#?}"),
        }
    }
    unproven.sort();
    assert_eq!(
        unproven,
        [
            "Org Members USING expression",
            "owner_all USING expression",
            "owner_all WITH CHECK expression",
        ],
        "{differences:#?}"
    );
    // Written back and applied to an empty database: pg_dump agrees, and
    // so does inspect.
    let written = strata_core::ddl::schema_sql(&server);
    let copy = fresh_db("strata_policies_copy");
    psql_apply_sql(&copy.url, &written, true)
        .unwrap_or_else(|e| panic!("the written schema does not apply: {e}\n{written}"));
    let (same, d) = same_dump(&db.url, &copy.url).unwrap();
    assert!(same, "pg_dump -s differs:\n{d}\n--- written:\n{written}");
    assert_eq!(read(&copy.url).await, server, "{written}");
    let files = fresh_db("strata_policies_files");
    for (name, text) in strata_core::ddl::schema_files(&server) {
        psql_apply_sql(&files.url, &text, true)
            .unwrap_or_else(|e| panic!("{name} does not apply: {e}\n{text}"));
    }
    let (same, d) = same_dump(&db.url, &files.url).unwrap();
    assert!(same, "pg_dump -s differs (folder form):\n{d}");
    drop((db, copy, files));
}

fn shown(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A folder with `schema.sql` (the declared schema) and an empty
/// strata.toml.
fn declared(sql: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("strata.toml"), "").expect("strata.toml");
    std::fs::write(dir.path().join("schema.sql"), sql).expect("schema.sql");
    dir
}

/// Drift injection: each property changed on the server is drift, named,
/// marked security; `strata drift` exits 1.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_policy_property_changed_out_of_band_is_security_drift() {
    let roles = Roles::create("strata_pol_role", 2);
    let sql = provable(&roles);
    let dir = declared(&sql);
    let (r1, r2) = (&roles.0[0], &roles.0[1]);
    // In step first: exit 0.
    let db = TestDb::create("strata_policies_drift").await;
    psql_apply_sql(&db.url, &sql, true).unwrap();
    let o = strata(
        dir.path(),
        &[
            "drift",
            "--against",
            "schema.sql",
            "--database-url",
            &db.url,
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", shown(&o));
    drop(db);
    let cases: Vec<(String, &str, &str)> = vec![
        (
            "ALTER POLICY owner_all ON doc USING (true)".into(),
            "policy public.doc.owner_all",
            "USING expression differs",
        ),
        (
            "ALTER POLICY owner_all ON doc WITH CHECK (true)".into(),
            "policy public.doc.owner_all",
            "WITH CHECK expression differs",
        ),
        (
            format!("ALTER POLICY owner_all ON doc TO {r1}"),
            "policy public.doc.owner_all",
            "roles differ",
        ),
        (
            format!("ALTER POLICY del ON doc TO {r2}, PUBLIC"),
            "policy public.doc.del",
            "roles differ",
        ),
        (
            "DROP POLICY read_all ON doc; CREATE POLICY read_all ON doc FOR ALL USING (true)"
                .into(),
            "policy public.doc.read_all",
            "command differs",
        ),
        (
            "DROP POLICY read_all ON doc; CREATE POLICY read_all ON doc AS RESTRICTIVE FOR SELECT USING (true)".into(),
            "policy public.doc.read_all",
            "permissive or restrictive differs",
        ),
        (
            "ALTER TABLE doc DISABLE ROW LEVEL SECURITY".into(),
            "table public.doc",
            "row level security differs",
        ),
        (
            "ALTER TABLE doc FORCE ROW LEVEL SECURITY".into(),
            "table public.doc",
            "forced row level security differs",
        ),
        (
            "COMMENT ON POLICY del ON doc IS 'changed'".into(),
            "policy public.doc.del",
            "comment differs",
        ),
        (
            "DROP POLICY del ON doc".into(),
            "policy public.doc.del",
            "missing from the database",
        ),
        (
            "CREATE POLICY extra ON doc USING (true)".into(),
            "policy public.doc.extra",
            "in the database, not expected",
        ),
    ];
    for (injected, object, what) in &cases {
        let db = TestDb::create("strata_policies_drift").await;
        psql_apply_sql(&db.url, &sql, true).unwrap();
        psql_apply_sql(&db.url, injected, true).unwrap();
        let o = strata(
            dir.path(),
            &[
                "drift",
                "--against",
                "schema.sql",
                "--database-url",
                &db.url,
            ],
        );
        let out = shown(&o);
        assert_eq!(o.status.code(), Some(1), "{injected}: {out}");
        let line = format!("[security] {object}: {what}");
        assert!(
            out.contains(&line),
            "{injected}: expected {line:?} in:\n{out}"
        );
        // --fail-on security fails on it too; GitHub output is an error.
        let o = strata(
            dir.path(),
            &[
                "drift",
                "--against",
                "schema.sql",
                "--database-url",
                &db.url,
                "--fail-on",
                "security",
                "--format",
                "github",
            ],
        );
        let out = shown(&o);
        assert_eq!(o.status.code(), Some(1), "{injected}: {out}");
        assert!(out.contains("::error "), "{injected}: {out}");
        assert!(out.contains("%2C security%3A"), "{injected}: {out}");
    }
}

/// `--fail-on security`: a difference that does not concern security alone
/// exits 0 (still printed); one that does exits 1. The default is
/// unchanged. JSON carries the mark.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fail_on_security_fails_only_on_security_differences() {
    let roles = Roles::create("strata_pol_role", 2);
    let sql = provable(&roles);
    let dir = declared(&sql);
    let db = TestDb::create("strata_policies_failon").await;
    psql_apply_sql(&db.url, &sql, true).unwrap();
    psql_apply_sql(&db.url, "COMMENT ON TABLE doc IS 'not security'", true).unwrap();
    let base = [
        "drift",
        "--against",
        "schema.sql",
        "--database-url",
        &db.url,
    ];
    let o = strata(dir.path(), &base);
    assert_eq!(o.status.code(), Some(1), "{}", shown(&o));
    let mut args = base.to_vec();
    args.extend(["--fail-on", "security"]);
    let o = strata(dir.path(), &args);
    let out = shown(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("table public.doc: comment differs"), "{out}");
    assert!(!out.contains("[security]"), "{out}");
    args.extend(["--format", "json"]);
    let o = strata(dir.path(), &args);
    assert_eq!(o.status.code(), Some(0), "{}", shown(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(
        v["databases"][0]["differences"][0]["security"],
        serde_json::json!(false)
    );

    psql_apply_sql(&db.url, "ALTER POLICY owner_all ON doc USING (true)", true).unwrap();
    let o = strata(dir.path(), &args);
    assert_eq!(o.status.code(), Some(1), "{}", shown(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let marks: Vec<bool> = v["databases"][0]["differences"]
        .as_array()
        .expect("differences")
        .iter()
        .map(|d| d["security"].as_bool().expect("security"))
        .collect();
    assert_eq!(marks.iter().filter(|m| **m).count(), 1, "{v:#}");
    assert_eq!(marks.len(), 2, "{v:#}");

    // strata check: the same rule offline.
    let migrations = dir.path().join("migrations");
    std::fs::create_dir(&migrations).expect("migrations");
    let check = |history: &str, fail_on: Option<&str>| -> Output {
        std::fs::write(migrations.join("V1__init.sql"), history).expect("write");
        let mut a = vec![
            "check",
            "--schema",
            "schema.sql",
            "--migrations",
            "migrations",
        ];
        if let Some(f) = fail_on {
            a.extend(["--fail-on", f]);
        }
        strata(dir.path(), &a)
    };
    let not_security = format!("{sql}COMMENT ON TABLE doc IS 'x';\n");
    assert_eq!(check(&not_security, None).status.code(), Some(1));
    let o = check(&not_security, Some("security"));
    assert_eq!(o.status.code(), Some(0), "{}", shown(&o));
    let security = sql.replace("WITH CHECK (n > 0)", "WITH CHECK (true)");
    let o = check(&security, Some("security"));
    let out = shown(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("policy public.doc.owner_all [security]"),
        "{out}"
    );
    drop(db);
}

/// Plans A → B and B → A (library), applies A then the plan to one
/// database and B to another; pg_dump judges.
async fn converge(name: &str, a: &str, b: &str) -> Result<Plan, String> {
    let (ra, rb) = (offline(a), offline(b));
    let opts = PlanOptions {
        allow: Hazard::ALL.into_iter().collect(),
        ..PlanOptions::default()
    };
    let plan = plan_verified(&ra, &rb, &opts).map_err(|e| format!("{name}: {e}"))?;
    plan_converges(name, a, b, &plan)?;
    Ok(plan)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn policy_plans_converge_in_both_directions() {
    let roles = Roles::create("strata_pol_role", 2);
    let (r1, r2) = (&roles.0[0], &roles.0[1]);
    let base = format!(
        "CREATE TABLE doc (id integer PRIMARY KEY, owner name, n integer, m integer);
ALTER TABLE doc ENABLE ROW LEVEL SECURITY;
CREATE POLICY owner_all ON doc TO {r1} USING (owner = current_user) WITH CHECK (n > 0);
CREATE POLICY reader ON doc FOR SELECT USING (n > 1);
COMMENT ON POLICY reader ON doc IS 'reads';
"
    );
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "policy added",
            format!("{base}CREATE POLICY extra ON doc FOR INSERT TO {r2} WITH CHECK (m > 0);\n"),
            "CREATE POLICY",
        ),
        (
            "USING changed",
            base.replace("USING (n > 1)", "USING (true)"),
            "ALTER POLICY",
        ),
        (
            "roles changed",
            base.replace(&format!("TO {r1}"), &format!("TO {r1}, {r2}")),
            "ALTER POLICY",
        ),
        (
            "WITH CHECK removed",
            base.replace(" WITH CHECK (n > 0)", ""),
            "DROP POLICY",
        ),
        (
            "command changed",
            base.replace("FOR SELECT", "FOR DELETE"),
            "DROP POLICY",
        ),
        (
            "restrictive",
            base.replace("ON doc FOR SELECT", "ON doc AS RESTRICTIVE FOR SELECT"),
            "DROP POLICY",
        ),
        (
            "policy renamed",
            base.replace("POLICY reader ON doc", "POLICY \"Reader 2\" ON doc"),
            "RENAME TO \"Reader 2\"",
        ),
        (
            "comment changed",
            base.replace("'reads'", "'reads it'"),
            "COMMENT ON POLICY",
        ),
        (
            "column a policy reads dropped",
            base.replace("USING (n > 1)", "USING (id > 1)")
                .replace("WITH CHECK (n > 0)", "WITH CHECK (id > 0)")
                .replace(", n integer", ""),
            "DROP COLUMN",
        ),
        (
            "column a policy reads retyped",
            base.replace("n integer", "n bigint"),
            "TYPE bigint",
        ),
        (
            "row level security off, policies gone",
            "CREATE TABLE doc (id integer PRIMARY KEY, owner name, n integer, m integer);\n"
                .to_string(),
            "DISABLE ROW LEVEL SECURITY",
        ),
        (
            "table with policies created",
            format!(
                "{base}CREATE TABLE note (id integer, body text);
ALTER TABLE note ENABLE ROW LEVEL SECURITY;
ALTER TABLE note FORCE ROW LEVEL SECURITY;
CREATE POLICY mine ON note AS RESTRICTIVE TO {r2} USING (body <> '') WITH CHECK (id > 0);
"
            ),
            "CREATE POLICY mine",
        ),
    ];
    let mut failures = Vec::new();
    for (name, b, needle) in &cases {
        match converge(name, &base, b).await {
            Ok(plan) => {
                let sql = plan.sql();
                if !sql.contains(needle) {
                    failures.push(format!("{name}: the plan has no {needle:?}:\n{sql}"));
                }
                if sql.contains("CREATE POLICY") {
                    let rls = sql.find("ENABLE ROW LEVEL SECURITY");
                    let pol = sql.find("CREATE POLICY");
                    if rls.is_some_and(|r| pol.is_some_and(|p| p < r)) {
                        failures.push(format!(
                            "{name}: a policy before row level security:\n{sql}"
                        ));
                    }
                }
            }
            Err(e) => failures.push(e),
        }
        let reversed = format!("{name} (reversed)");
        if let Err(e) = converge(&reversed, b, &base).await {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
