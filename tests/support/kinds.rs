//! What every per-kind live test (`*_live.rs` of one kind of object) does
//! the same way: replay a script offline, compare replay's errors with the
//! server's by SQLSTATE, and plan between two scripts judged by the server.

use std::path::Path;

use strata::inspect::{inspect_url, InspectOptions};
use strata_core::diff::{diff, DiffOptions};
use strata_core::model::Schema;
use strata_core::plan::{plan_verified, Hazard, Plan, PlanOptions};

use super::judge::{apply_plan, copy_db, fresh_db, judge_converged, plan_converges};
use super::{psql_apply_sql, run_strata_text, TestDb};

/// Replays `sql` offline as one file; the error with its help (which names
/// the SQLSTATE of replay's own errors).
pub fn replay(sql: &str) -> Result<Schema, String> {
    let text: std::sync::Arc<str> = std::sync::Arc::from(sql);
    strata_core::replay::replay_texts([("schema.sql", &text)])
        .map(|r| r.schema)
        .map_err(|e| match e {
            strata_core::Error::Sql(s) => format!("{} [{}]", s.message, s.help.unwrap_or_default()),
            other => format!("{other}"),
        })
}

/// The SQLSTATE of an offline failure: replay's own (named in its help),
/// or 42601 for what does not parse.
pub fn offline_code(sql: &str) -> Option<String> {
    match replay(sql) {
        Ok(_) => None,
        Err(e) => Some(match e.find("SQLSTATE ") {
            Some(i) => e[i + 9..i + 14].to_string(),
            None => format!("42601 ({e})"),
        }),
    }
}

/// Each `(setup, statement)` run on a database built from `fixture` (in a
/// transaction rolled back) and replayed offline after the fixture: where
/// the two disagree — one fails and the other does not, or the SQLSTATE
/// (or, for replay's errors with their own help, the message) differs.
pub async fn sqlstate_mismatches(
    prefix: &str,
    fixture: &str,
    cases: &[(&str, &str)],
) -> Vec<String> {
    let db = TestDb::create(prefix).await;
    psql_apply_sql(&db.url, fixture, true).unwrap();
    let client = db.client().await;
    client
        .batch_execute("SET client_min_messages = error")
        .await
        .unwrap();
    let mut mismatches = Vec::new();
    for (setup, stmt) in cases {
        client.batch_execute("BEGIN").await.unwrap();
        if !setup.is_empty() {
            client
                .batch_execute(setup)
                .await
                .unwrap_or_else(|e| panic!("{setup}: {e}"));
        }
        let server = client.batch_execute(stmt).await.err().map(|e| {
            let db = e.as_db_error().expect("a server error");
            (db.code().code().to_string(), db.message().to_string())
        });
        client.batch_execute("ROLLBACK").await.unwrap();
        let offline = offline_code(&format!("{fixture}\n{setup};\n{stmt};\n"));
        let same = match (&server, &offline) {
            (None, None) => true,
            (Some((code, message)), Some(o)) => {
                o.starts_with(code.as_str()) || o.contains(message.as_str())
            }
            _ => false,
        };
        if !same {
            mismatches.push(format!("{stmt}: server {server:?}, strata {offline:?}"));
        }
    }
    mismatches
}

/// Plan options accepting every hazard.
pub fn all_hazards() -> PlanOptions {
    PlanOptions {
        allow: Hazard::ALL.into_iter().collect(),
        ..PlanOptions::default()
    }
}

/// Plans A → B from offline models; A plus the plan and B must dump alike.
pub fn converge(name: &str, a: &str, b: &str) -> Plan {
    let (ra, rb) = (replay(a).unwrap(), replay(b).unwrap());
    let plan = plan_verified(&ra, &rb, &all_hazards()).unwrap_or_else(|e| panic!("{name}: {e}"));
    plan_converges(name, a, b, &plan).unwrap_or_else(|e| panic!("{e}"));
    plan
}

/// The live database at `url` as `strata inspect` reads it.
pub async fn read(url: &str) -> Schema {
    inspect_url(url, &InspectOptions::default())
        .await
        .unwrap_or_else(|e| panic!("inspect: {e}"))
}

/// Plans between live databases, both ways: a database built from `a` and
/// one from `b` are inspected, the plan from one to the other is verified,
/// applied, judged by `pg_dump -s` against the target and inspected again,
/// which must show no difference. Returns, per direction, the target's
/// model and the planned database's, for stricter comparisons.
pub async fn inspected_plans_converge(prefix: &str, a: &str, b: &str) -> Vec<(Schema, Schema)> {
    let mut out = Vec::new();
    for (name, a, b) in [("inspected: changed", a, b), ("inspected: back", b, a)] {
        let db_a = TestDb::create(&format!("{prefix}_ia")).await;
        let db_b = TestDb::create(&format!("{prefix}_ib")).await;
        psql_apply_sql(&db_a.url, a, false).unwrap();
        psql_apply_sql(&db_b.url, b, false).unwrap();
        let (sa, sb) = (read(&db_a.url).await, read(&db_b.url).await);
        let plan =
            plan_verified(&sa, &sb, &all_hazards()).unwrap_or_else(|e| panic!("{name}: {e}"));
        apply_plan(&db_a.url, &plan).unwrap_or_else(|e| panic!("{name}: {e}"));
        judge_converged(name, &db_b.url, &db_a.url)
            .unwrap_or_else(|e| panic!("{e}\nplan:\n{}", plan.sql()));
        let after = read(&db_a.url).await;
        let d = diff(&sb, &after, DiffOptions::default());
        assert!(
            d.is_empty(),
            "{name}: {:#?}",
            d.iter().map(|d| d.to_string()).collect::<Vec<_>>()
        );
        out.push((sb, after));
    }
    out
}

/// Where `strata drift` finds the expected schema.
#[derive(Clone, Copy)]
pub enum Expect {
    /// A project: `strata.toml`, the fixture as `schema/sql/10_app.sql` and
    /// as the one migration `migrations/V1__app.sql`.
    Workspace,
    /// `--against schema:FILE`.
    Against,
}

/// `strata drift` run in `dir` against `url`: its exit code and output.
pub fn run_drift(dir: &Path, url: &str, expect: Expect) -> (Option<i32>, String) {
    let against = format!("schema:{}", dir.join("schema.sql").display());
    let mut args = vec!["drift", "--database-url", url];
    if let Expect::Against = expect {
        args.extend(["--against", &against]);
    }
    run_strata_text(dir, &args)
}

/// The drift test of one kind: a database built from `fixture` has no
/// drift (exit 0); each `(sql, named)` applied to a copy of it makes
/// `strata drift` exit 1 with `named` in its output. Returns each case's
/// output, for what a kind checks besides (a secret never printed).
pub fn drift_names_each_change(
    prefix: &str,
    fixture: &str,
    expect: Expect,
    cases: &[(&str, &str)],
) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    match expect {
        Expect::Against => std::fs::write(root.join("schema.sql"), fixture).unwrap(),
        Expect::Workspace => {
            std::fs::write(
                root.join("strata.toml"),
                "schema = \"schema/sql\"\nmigrations = \"migrations\"\ndatabase_url_env = \"DATABASE_URL\"\n",
            )
            .unwrap();
            std::fs::create_dir_all(root.join("schema").join("sql")).unwrap();
            std::fs::create_dir_all(root.join("migrations")).unwrap();
            std::fs::write(root.join("schema").join("sql").join("10_app.sql"), fixture).unwrap();
            std::fs::write(root.join("migrations").join("V1__app.sql"), fixture).unwrap();
        }
    }
    let template = fresh_db(&format!("{prefix}_t"));
    psql_apply_sql(&template.url, fixture, true).unwrap();
    let (code, out) = run_drift(root, &template.url, expect);
    assert_eq!(code, Some(0), "no drift expected:\n{out}");
    let mut outputs = Vec::new();
    for (sql, named) in cases {
        let changed = copy_db(prefix, &template);
        psql_apply_sql(&changed.url, sql, true).unwrap();
        let (code, out) = run_drift(root, &changed.url, expect);
        assert_eq!(code, Some(1), "{sql}:\n{out}");
        assert!(out.contains(named), "{sql}: {named} not named:\n{out}");
        outputs.push(out);
    }
    outputs
}

/// Differences as the user reads them, one line each.
pub fn shown(d: &[strata_core::diff::Difference]) -> Vec<String> {
    d.iter().map(|x| x.to_string()).collect()
}
