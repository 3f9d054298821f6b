//! What every per-kind live test (`*_live.rs` of one kind of object) does
//! the same way: replay a script offline, compare replay's errors with the
//! server's by SQLSTATE, and plan between two scripts judged by the server.

use strata_core::model::Schema;
use strata_core::plan::{plan_verified, Hazard, Plan, PlanOptions};

use super::judge::plan_converges;
use super::{psql_apply_sql, TestDb};

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
