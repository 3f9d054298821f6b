//! `strata drift` against the real server: a copy of the reference database
//! built from `migrations/` (with refinery's history table), changed out of
//! band one way at a time, and the real binary asked what drifted and why.

use crate::support;

use support::repo_root;
use support::run_strata as strata;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;

use serde_json::Value;
use support::{psql_apply_sql, quote_ident, unique_name, url_with_database, TestDb};

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
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

/// A copy of the worked example: strata.toml, schema/sql, migrations.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = repo_root();
    std::fs::copy(root.join("strata.toml"), dir.path().join("strata.toml")).expect("strata.toml");
    copy_tree(
        &root.join("schema").join("sql"),
        &dir.path().join("schema").join("sql"),
    );
    copy_tree(&root.join("migrations"), &dir.path().join("migrations"));
    dir
}

/// The template database: the reference history applied by strata's
/// runner (which records refinery_schema_history as refinery does), to copy
/// with `CREATE DATABASE … TEMPLATE`, and how many copies of it are alive.
/// Built for the first copy and dropped with the last ([`RefCopy`]), so a
/// test leaves no database behind (under nextest each test is a process of
/// its own). Templates left by runs that were killed are dropped first.
static TEMPLATE: Mutex<Option<(String, usize)>> = Mutex::new(None);

fn build_template() -> String {
    drop_stale_templates();
    let name = unique_name("strata_drift_tpl");
    support::admin_execute_blocking(&format!("CREATE DATABASE {}", quote_ident(&name)))
        .unwrap_or_else(|e| panic!("cannot create the template database: {e}"));
    let url = url_with_database(&support::database_url(), &name);
    let history = strata_core::source::load_history(&repo_root().join("migrations"))
        .unwrap_or_else(|e| panic!("reference history: {e}"));
    assert_eq!(
        history.migrations.len(),
        85,
        "the reference history changed"
    );
    // Its own runtime: this may run inside any test's runtime.
    let applied = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        runtime.block_on(async {
            strata::migrate::migrate(&url, &history, &strata::migrate::MigrateOptions::default())
                .await
                .map(|r| r.applied.len())
                .map_err(|e| e.to_string())
        })
    })
    .join()
    .unwrap_or_else(|_| Err("the migrate thread panicked".to_string()))
    .unwrap_or_else(|e| panic!("strata migrate on the template: {e}"));
    assert_eq!(applied, 85);
    name
}

/// Drops `strata_drift_tpl_<pid>_…` databases whose process has ended.
fn drop_stale_templates() {
    let out = Command::new("psql")
        .args(["-X", "-At", "-d", &support::database_url(), "-c"])
        .arg("SELECT datname FROM pg_database WHERE datname LIKE 'strata\\_drift\\_tpl\\_%'")
        .output();
    let Ok(out) = out else { return };
    for name in String::from_utf8_lossy(&out.stdout).lines() {
        let pid = name
            .strip_prefix("strata_drift_tpl_")
            .and_then(|r| r.split('_').next())
            .and_then(|p| p.parse::<u32>().ok());
        let alive = pid.is_some_and(|p| Path::new(&format!("/proc/{p}")).exists());
        if !alive {
            let _ = support::admin_execute_blocking(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                quote_ident(name)
            ));
        }
    }
}

/// A copy of the reference database; the template goes with the last copy.
struct RefCopy {
    db: Option<TestDb>,
}

impl std::ops::Deref for RefCopy {
    type Target = TestDb;
    fn deref(&self) -> &TestDb {
        self.db.as_ref().expect("a live copy")
    }
}

impl Drop for RefCopy {
    fn drop(&mut self) {
        drop(self.db.take());
        let mut template = TEMPLATE.lock().unwrap_or_else(|p| p.into_inner());
        let last = match template.as_mut() {
            Some((_, live)) => {
                *live -= 1;
                *live == 0
            }
            None => false,
        };
        if last {
            if let Some((name, _)) = template.take() {
                let _ = support::admin_execute_blocking(&format!(
                    "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                    quote_ident(&name)
                ));
            }
        }
    }
}

/// A fresh copy of the reference database (history table included).
fn reference_copy(prefix: &str) -> RefCopy {
    let mut template = TEMPLATE.lock().unwrap_or_else(|p| p.into_inner());
    let (source, live) = template.get_or_insert_with(|| (build_template(), 0));
    let name = unique_name(prefix);
    support::admin_execute_blocking(&format!(
        "CREATE DATABASE {} TEMPLATE {}",
        quote_ident(&name),
        quote_ident(source)
    ))
    .unwrap_or_else(|e| panic!("cannot copy the reference database: {e}"));
    *live += 1;
    let url = url_with_database(&support::database_url(), &name);
    RefCopy {
        db: Some(TestDb { name, url }),
    }
}

/// A reference copy changed by `sql` (run by psql in one transaction).
fn drifted_copy(prefix: &str, sql: &str) -> RefCopy {
    let db = reference_copy(prefix);
    if !sql.is_empty() {
        psql_apply_sql(&db.url, sql, true).unwrap_or_else(|e| panic!("{prefix}: {e}"));
    }
    db
}

/// `strata drift --format json` in `dir`: exit code and the document.
fn drift_json(dir: &Path, urls: &[&str], extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["drift", "--format", "json"];
    for u in urls {
        args.push("--database-url");
        args.push(u);
    }
    args.extend_from_slice(extra);
    let o = strata(dir, &args);
    let (out, err) = text(&o);
    let v: Value = serde_json::from_str(&out)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{out}\nstderr:\n{err}"));
    (o.status.code().unwrap_or(-1), v)
}

/// The one difference of a single-database report, asserting there is
/// exactly one.
/// The keys of a JSON object, sorted.
fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {v:#}"))
        .keys()
        .map(String::as_str)
        .collect();
    k.sort_unstable();
    k
}

fn only_difference(v: &Value) -> &Value {
    let d = v["databases"][0]["differences"]
        .as_array()
        .unwrap_or_else(|| panic!("no differences array: {v:#}"));
    assert_eq!(d.len(), 1, "expected exactly one difference: {v:#}");
    &d[0]
}

/// Changes a reference copy out of band with `sql` and asserts drift
/// reports exactly one difference at `object` (`field` changed, or
/// `change` missing/unexpected), attributed out of band.
fn assert_out_of_band(prefix: &str, sql: &str, object: &str, change: &str, field: Option<&str>) {
    let db = drifted_copy(prefix, sql);
    let (code, v) = drift_json(&repo_root(), &[&db.url], &[]);
    assert_eq!(code, 1, "{v:#}");
    let d = only_difference(&v);
    assert_eq!(d["object"], object, "{v:#}");
    assert_eq!(d["change"], change, "{v:#}");
    if let Some(f) = field {
        assert_eq!(d["field"], f, "{v:#}");
    }
    assert_eq!(d["attribution"], "out_of_band", "{v:#}");
    assert_eq!(d["migration"], Value::Null, "{v:#}");
    let db0 = &v["databases"][0];
    assert_eq!(db0["status"], "drift");
    assert_eq!(db0["history"]["tool"], "refinery");
    assert_eq!(db0["history"]["applied"], 85);
    assert_eq!(db0["history"]["pending"], serde_json::json!([]));
}

#[test]
fn an_untouched_copy_has_no_drift() {
    let db = reference_copy("drift_clean");
    let (code, v) = drift_json(&repo_root(), &[&db.url], &[]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["status"], "no_drift");
    let d = &v["databases"][0];
    assert_eq!(d["status"], "no_drift");
    assert_eq!(d["differences"], serde_json::json!([]));
    assert_eq!(d["history"]["tool"], "refinery");
    assert_eq!(d["history"]["applied"], 85);
    assert_eq!(d["history"]["edited"], serde_json::json!([]));
    assert_eq!(d["note"], Value::Null);
    // Against the history too, and in text.
    let (code, v) = drift_json(&repo_root(), &[&db.url], &["--against", "migrations"]);
    assert_eq!(code, 0, "{v:#}");
    let o = strata(&repo_root(), &["drift", "--database-url", &db.url]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    assert_eq!(out.lines().count(), 1, "one summary line: {out}");
    assert!(out.contains("no drift"), "{out}");
}

#[test]
fn a_column_type_change_is_out_of_band() {
    assert_out_of_band(
        "drift_type",
        "ALTER TABLE credit_ledger ALTER COLUMN description TYPE varchar(200);",
        "column public.credit_ledger.description",
        "changed",
        Some("type"),
    );
}

#[test]
fn a_default_change_is_out_of_band() {
    assert_out_of_band(
        "drift_default",
        "ALTER TABLE credit_ledger ALTER COLUMN created_at SET DEFAULT clock_timestamp();",
        "column public.credit_ledger.created_at",
        "changed",
        Some("default"),
    );
}

#[test]
fn a_dropped_not_null_is_out_of_band() {
    assert_out_of_band(
        "drift_notnull",
        "ALTER TABLE credit_ledger ALTER COLUMN priority DROP NOT NULL;",
        "column public.credit_ledger.priority",
        "changed",
        Some("not null"),
    );
}

#[test]
fn a_generated_expression_changed_by_drop_and_re_add_is_out_of_band() {
    assert_out_of_band(
        "drift_generated",
        "ALTER TABLE agent_config DROP COLUMN major;
         ALTER TABLE agent_config ADD COLUMN major integer
             GENERATED ALWAYS AS ((split_part(version, '.', 1))::integer + 0) STORED;
         CREATE INDEX idx_agent_config_semver ON agent_config (publisher_id, id, major DESC, minor DESC, patch DESC);
         COMMENT ON COLUMN agent_config.major IS 'Major version (generated from version)';",
        "column public.agent_config.major",
        "changed",
        Some("generated expression"),
    );
}

#[test]
fn a_partial_index_predicate_change_is_out_of_band() {
    assert_out_of_band(
        "drift_predicate",
        "DROP INDEX idx_subscription_status;
         CREATE INDEX idx_subscription_status ON subscription (status) WHERE status = 'trialing';",
        "index public.subscription.idx_subscription_status",
        "changed",
        Some("predicate"),
    );
}

#[test]
fn a_dropped_index_is_out_of_band() {
    assert_out_of_band(
        "drift_dropindex",
        "DROP INDEX idx_credit_ledger_org;",
        "index public.credit_ledger.idx_credit_ledger_org",
        "missing",
        None,
    );
}

#[test]
fn a_check_constraint_change_is_out_of_band() {
    assert_out_of_band(
        "drift_check",
        "ALTER TABLE org DROP CONSTRAINT org_credit_limit_check,
             ADD CONSTRAINT org_credit_limit_check CHECK (credit_limit IS NULL OR credit_limit > 0);",
        "constraint public.org.org_credit_limit_check",
        "changed",
        Some("definition"),
    );
}

#[test]
fn a_foreign_key_action_change_is_out_of_band() {
    assert_out_of_band(
        "drift_fk",
        "ALTER TABLE subscription DROP CONSTRAINT subscription_user_id_fkey,
             ADD CONSTRAINT subscription_user_id_fkey FOREIGN KEY (user_id)
                 REFERENCES \"user\" (id) ON DELETE CASCADE;",
        "constraint public.subscription.subscription_user_id_fkey",
        "changed",
        Some("definition"),
    );
}

#[test]
fn an_added_enum_value_is_out_of_band() {
    assert_out_of_band(
        "drift_enum",
        "ALTER TYPE org_role ADD VALUE 'viewer';",
        "enum public.org_role",
        "changed",
        Some("values"),
    );
}

#[test]
fn a_changed_comment_is_out_of_band() {
    assert_out_of_band(
        "drift_comment",
        "COMMENT ON TABLE credit_ledger IS 'Changed by hand';",
        "table public.credit_ledger",
        "changed",
        Some("comment"),
    );
}

#[test]
fn a_view_created_by_hand_appears_out_of_band() {
    assert_out_of_band(
        "drift_view",
        "CREATE VIEW active_orgs AS SELECT id FROM org;",
        "view public.active_orgs",
        "unexpected",
        None,
    );
}

#[test]
fn a_migration_not_applied_yet_is_pending_and_named() {
    let ws = workspace();
    let file = ws
        .path()
        .join("migrations")
        .join("V86__add_ledger_note.sql");
    std::fs::write(&file, "ALTER TABLE credit_ledger ADD COLUMN note text;\n").expect("write");
    // The declaration follows the new migration, as a developer would write it.
    let billing = ws.path().join("schema").join("sql").join("20_billing.sql");
    let mut declared = std::fs::read_to_string(&billing).expect("read");
    declared.push_str("\nALTER TABLE credit_ledger ADD COLUMN note text;\n");
    std::fs::write(&billing, declared).expect("write");

    let db = reference_copy("drift_pending");
    for against in ["schema", "migrations"] {
        let (code, v) = drift_json(ws.path(), &[&db.url], &["--against", against]);
        assert_eq!(code, 1, "{against}: {v:#}");
        let d = only_difference(&v);
        assert_eq!(d["object"], "column public.credit_ledger.note", "{v:#}");
        assert_eq!(d["change"], "missing", "{v:#}");
        assert_eq!(d["attribution"], "pending", "{against}: {v:#}");
        assert_eq!(
            d["migration"], "migrations/V86__add_ledger_note.sql",
            "{against}: {v:#}"
        );
        assert_eq!(
            v["databases"][0]["history"]["pending"],
            serde_json::json!(["migrations/V86__add_ledger_note.sql"])
        );
    }
    // The GitHub annotation of a pending migration is a warning.
    let o = strata(
        ws.path(),
        &["drift", "--format", "github", "--database-url", &db.url],
    );
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    let annotations: Vec<&str> = out.lines().filter(|l| l.starts_with("::")).collect();
    assert_eq!(annotations.len(), 1, "{out}");
    assert!(
        annotations[0].starts_with("::warning file=schema/sql/20_billing.sql,line="),
        "{out}"
    );
    assert!(annotations[0].contains("V86__add_ledger_note.sql"), "{out}");
}

#[test]
fn an_applied_migration_edited_since_is_named() {
    let ws = workspace();
    let file = ws
        .path()
        .join("migrations")
        .join("V13__create_subscription.sql");
    let mut sql = std::fs::read_to_string(&file).expect("read");
    sql.push_str("\nCREATE INDEX idx_subscription_customer_status ON subscription (stripe_customer_id, status);\n");
    std::fs::write(&file, sql).expect("write");
    let db = reference_copy("drift_edited");
    let (code, v) = drift_json(ws.path(), &[&db.url], &["--against", "migrations"]);
    assert_eq!(code, 1, "{v:#}");
    let d = only_difference(&v);
    assert_eq!(
        d["object"], "index public.subscription.idx_subscription_customer_status",
        "{v:#}"
    );
    assert_eq!(d["change"], "missing", "{v:#}");
    assert_eq!(d["attribution"], "edited_migration", "{v:#}");
    assert_eq!(
        d["migration"], "migrations/V13__create_subscription.sql",
        "{v:#}"
    );
    assert_eq!(
        v["databases"][0]["history"]["edited"],
        serde_json::json!(["migrations/V13__create_subscription.sql"])
    );
}

#[test]
fn a_declaration_no_migration_builds_is_declared_never_migrated() {
    let ws = workspace();
    let billing = ws.path().join("schema").join("sql").join("20_billing.sql");
    let mut declared = std::fs::read_to_string(&billing).expect("read");
    declared.push_str("\nCREATE INDEX idx_credit_ledger_priority ON credit_ledger (priority);\n");
    std::fs::write(&billing, declared).expect("write");
    let db = reference_copy("drift_declared");
    let (code, v) = drift_json(ws.path(), &[&db.url], &[]);
    assert_eq!(code, 1, "{v:#}");
    let d = only_difference(&v);
    assert_eq!(
        d["object"],
        "index public.credit_ledger.idx_credit_ledger_priority"
    );
    assert_eq!(d["change"], "missing");
    assert_eq!(d["attribution"], "declared_not_migrated", "{v:#}");
    assert_eq!(d["migration"], Value::Null);
    assert!(
        d["declared_at"]
            .as_str()
            .is_some_and(|l| l.starts_with("schema/sql/20_billing.sql:")),
        "{v:#}"
    );
    // The text report groups it under its table with the label.
    let o = strata(ws.path(), &["drift", "--database-url", &db.url]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    assert!(out.contains("  table public.credit_ledger\n"), "{out}");
    assert!(
        out.contains(
            "[declared, never migrated] index public.credit_ledger.idx_credit_ledger_priority"
        ),
        "{out}"
    );
}

#[test]
fn a_database_without_history_table_is_compared_but_not_attributed() {
    let db = drifted_copy(
        "drift_nohistory",
        "DROP TABLE refinery_schema_history; DROP INDEX idx_credit_ledger_org;",
    );
    let (code, v) = drift_json(&repo_root(), &[&db.url], &[]);
    assert_eq!(code, 1, "{v:#}");
    let d = only_difference(&v);
    assert_eq!(d["attribution"], "not_attributed");
    let db0 = &v["databases"][0];
    assert_eq!(db0["history"], Value::Null);
    assert_eq!(
        db0["note"],
        "no history table found: differences are not attributed"
    );
    let o = strata(&repo_root(), &["drift", "--database-url", &db.url]);
    let (out, _) = text(&o);
    assert!(
        out.contains("no history table found: differences are not attributed"),
        "{out}"
    );
}

#[test]
fn json_has_the_documented_shape() {
    let db = drifted_copy(
        "drift_shape",
        "ALTER TABLE credit_ledger ALTER COLUMN description TYPE varchar(200);",
    );
    let (code, v) = drift_json(&repo_root(), &[&db.url], &[]);
    assert_eq!(code, 1);
    assert_eq!(keys(&v), ["against", "against_kind", "databases", "status"]);
    assert_eq!(v["against"], "schema/sql");
    assert_eq!(v["against_kind"], "declared");
    let db0 = &v["databases"][0];
    assert_eq!(
        keys(db0),
        [
            "differences",
            "error",
            "history",
            "name",
            "note",
            "status",
            "target",
            "warnings"
        ]
    );
    assert_eq!(
        db0["target"],
        format!("{}/{}", support::server_address(), db.name)
    );
    assert_eq!(db0["name"], Value::Null);
    assert_eq!(
        keys(&db0["history"]),
        ["applied", "edited", "pending", "tool", "unknown"]
    );
    let d = only_difference(&v);
    assert_eq!(
        keys(d),
        [
            "attribution",
            "change",
            "declared_at",
            "expected",
            "field",
            "found",
            "kind",
            "last_touched",
            "migration",
            "migrations",
            "name",
            "namespace",
            "object",
            "reason",
            "security",
            "table"
        ]
    );
    assert_eq!(d["reason"], Value::Null);
    assert_eq!(d["security"], false);
    assert_eq!(d["kind"], "column");
    assert_eq!(d["namespace"], "public");
    assert_eq!(d["table"], "credit_ledger");
    assert_eq!(d["name"], "description");
    assert_eq!(d["expected"], "text");
    assert_eq!(d["found"], "character varying(200)");
    // The definition, not the COMMENT ON COLUMN that follows it.
    assert_eq!(d["declared_at"], "schema/sql/20_billing.sql:4:1");
}

#[test]
fn github_annotations_point_at_the_declaration() {
    let db = drifted_copy("drift_github", "DROP INDEX idx_credit_ledger_org;");
    let o = strata(
        &repo_root(),
        &["drift", "--format", "github", "--database-url", &db.url],
    );
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    let annotations: Vec<&str> = out.lines().filter(|l| l.starts_with("::")).collect();
    assert_eq!(annotations.len(), 1, "{out}");
    let a = annotations[0];
    assert!(
        a.starts_with("::error file=schema/sql/20_billing.sql,line=22,title=drift (out of band)%3A index public.credit_ledger.idx_credit_ledger_org::"),
        "{a}"
    );
    assert!(a.contains("missing from the database"), "{a}");
    assert!(!a.contains('\n'));
}

/// Writes a targets file.
fn targets_file(dir: &Path, lines: &[String]) -> PathBuf {
    let p = dir.join("targets.txt");
    let mut text = String::from("# the fleet\n\n");
    for l in lines {
        text.push_str(l);
        text.push('\n');
    }
    std::fs::write(&p, text).expect("write targets");
    p
}

#[test]
fn a_fleet_with_one_drifted_database_exits_1_with_one_summary_line_each() {
    let dbs: Vec<RefCopy> = (0..5)
        .map(|i| {
            if i == 3 {
                drifted_copy("drift_fleet", "DROP INDEX idx_credit_ledger_org;")
            } else {
                reference_copy("drift_fleet")
            }
        })
        .collect();
    let dir = tempfile::tempdir().expect("temp dir");
    let lines: Vec<String> = dbs
        .iter()
        .enumerate()
        .skip(1)
        .map(|(i, d)| format!("db{i}={}", d.url))
        .collect();
    let targets = targets_file(dir.path(), &lines);
    let targets = targets.to_str().expect("utf-8 path");
    let o = strata(
        &repo_root(),
        &[
            "drift",
            "--database-url",
            &dbs[0].url,
            "--targets",
            targets,
            "--jobs",
            "3",
        ],
    );
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    let summary: Vec<&str> = out
        .lines()
        .filter(|l| {
            (l.starts_with("✓ ") || l.starts_with("✗ ") || l.starts_with("! "))
                && l.contains(&format!("{}/", support::server_address()))
        })
        .collect();
    assert_eq!(summary.len(), 5, "{out}");
    assert!(
        summary[0].contains(&dbs[0].name) && summary[0].contains("no drift"),
        "{out}"
    );
    assert!(summary[3].starts_with("✗ db3 ("), "{out}");
    assert!(summary[3].contains("1 difference (1 out of band)"), "{out}");
    for i in [1, 2, 4] {
        assert!(summary[i].starts_with(&format!("✓ db{i} (")), "{out}");
    }
    // The detail names the drifted database only.
    assert!(out.contains("strata drift: db3 ("), "{out}");
    assert!(!out.contains("strata drift: db1 ("), "{out}");
}

#[test]
fn an_unreachable_database_in_a_fleet_exits_2_without_printing_its_password() {
    let good = reference_copy("drift_badurl");
    let addr = support::server_address();
    let bad = format!("postgres://postgres:s3cret@{addr}/nonexistent_strata_drift_db");
    let bad_target = format!("{addr}/nonexistent_strata_drift_db");
    let dir = tempfile::tempdir().expect("temp dir");
    let targets = targets_file(
        dir.path(),
        &[format!("good={}", good.url), format!("bad={bad}")],
    );
    let targets = targets.to_str().expect("utf-8 path");
    for format in ["text", "json", "github"] {
        let o = strata(
            &repo_root(),
            &["drift", "--format", format, "--targets", targets],
        );
        let (out, err) = text(&o);
        assert_eq!(o.status.code(), Some(2), "{format}: {out}{err}");
        assert!(
            !out.contains("s3cret") && !err.contains("s3cret"),
            "{format}: password printed:\n{out}\n{err}"
        );
        assert!(
            out.contains(&bad_target) || err.contains(&bad_target),
            "{format}: the target is named: {out}{err}"
        );
        if format == "json" {
            let v: Value = serde_json::from_str(&out).expect("json");
            assert_eq!(v["status"], "error");
            assert_eq!(v["databases"][0]["status"], "no_drift");
            assert_eq!(v["databases"][1]["status"], "error");
            assert_eq!(v["databases"][1]["name"], "bad");
            assert!(v["databases"][1]["error"]
                .as_str()
                .is_some_and(|e| !e.is_empty()));
        }
    }
    // The same URL given as a flag.
    let o = strata(&repo_root(), &["drift", "--database-url", &bad]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}{err}");
    assert!(
        !out.contains("s3cret") && !err.contains("s3cret"),
        "{out}{err}"
    );
}

#[test]
fn bad_input_exits_2() {
    let db = reference_copy("drift_badinput");
    // A database URL is no expected schema.
    let o = strata(
        &repo_root(),
        &[
            "drift",
            "--database-url",
            &db.url,
            "--against",
            "postgres://u:s3cret@h/db",
        ],
    );
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}{err}");
    assert!(
        !out.contains("s3cret") && !err.contains("s3cret"),
        "{out}{err}"
    );
    // A targets file that does not exist.
    let o = strata(
        &repo_root(),
        &["drift", "--targets", "/nonexistent/targets.txt"],
    );
    assert_eq!(o.status.code(), Some(2));
    // No database at all.
    let dir = workspace();
    let o = strata(dir.path(), &["drift"]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}{err}");
    assert!(err.contains("DATABASE_URL"), "{err}");
}

#[test]
fn schemas_limit_the_comparison() {
    let db = drifted_copy(
        "drift_schemas",
        "CREATE SCHEMA scratch; CREATE TABLE scratch.t (id int);",
    );
    let (code, v) = drift_json(&repo_root(), &[&db.url], &[]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(only_difference(&v)["object"], "schema scratch");
    let (code, v) = drift_json(&repo_root(), &[&db.url], &["--schemas", "public"]);
    assert_eq!(code, 0, "{v:#}");
}

#[test]
fn an_offline_source_can_be_the_expected_schema() {
    let ws = workspace();
    let extra = ws.path().join("extra.sql");
    let mut sql = String::new();
    for f in [
        "00_extensions_and_types.sql",
        "10_users_auth.sql",
        "20_billing.sql",
        "30_orgs.sql",
        "40_agents.sql",
    ] {
        sql.push_str(
            &std::fs::read_to_string(ws.path().join("schema").join("sql").join(f)).expect("read"),
        );
        sql.push('\n');
    }
    sql.push_str("CREATE VIEW org_names AS SELECT id FROM org;\n");
    std::fs::write(&extra, sql).expect("write");
    let db = reference_copy("drift_source");
    let (code, v) = drift_json(ws.path(), &[&db.url], &["--against", "extra.sql"]);
    assert_eq!(code, 1, "{v:#}");
    let d = only_difference(&v);
    assert_eq!(d["object"], "view public.org_names");
    assert_eq!(d["change"], "missing");
    assert_eq!(d["attribution"], "declared_not_migrated");
    assert_eq!(v["against_kind"], "source");
}
