//! `strata lint`'s rewrite decisions against the real server: for each
//! change of column type and each added column with a default, whether the
//! server rewrote the table (its `relfilenode` changed) must be exactly
//! whether lint reports `changing-column-type` / `adding-field-with-default`.

use crate::support;

use std::sync::Arc;

use strata_core::lint::{lint, TxMode};
use strata_core::source::SqlFile;
use support::TestDb;

fn file(path: &str, text: &str) -> SqlFile {
    SqlFile {
        path: path.to_string(),
        text: Arc::from(text),
    }
}

/// The rules lint reports for `migration` after `history`.
fn lint_rules(history: &str, migration: &str) -> Vec<&'static str> {
    let r = lint(
        &[file("V1__h.sql", history)],
        &[file("V2__m.sql", migration)],
        |_| TxMode::Wrapped,
    )
    .expect("lint");
    assert!(r.notes.is_empty(), "{:?}", r.notes);
    r.findings.iter().map(|f| f.rule).collect()
}

/// Whether the server rewrites `table` when it runs `alter` (after
/// `create` and one row).
async fn server_rewrites(
    client: &tokio_postgres::Client,
    table: &str,
    create: &str,
    alter: &str,
) -> bool {
    client.batch_execute(create).await.expect(create);
    client
        .batch_execute(&format!("INSERT INTO {table} DEFAULT VALUES"))
        .await
        .unwrap();
    let q = format!("SELECT pg_relation_filenode('{table}')::bigint");
    let before: i64 = client.query_one(&q, &[]).await.unwrap().get(0);
    client.batch_execute(alter).await.expect(alter);
    let after: i64 = client.query_one(&q, &[]).await.unwrap().get(0);
    before != after
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn type_changes_rewrite_exactly_when_lint_says_so() {
    let db = TestDb::create("lint_types").await;
    let client = db.client().await;
    // timestamp ↔ timestamptz skips the rewrite only when the session is
    // in UTC; lint cannot know the session, so the server is not in UTC here.
    client
        .batch_execute("SET TimeZone = 'America/New_York'")
        .await
        .unwrap();
    let cases = [
        ("character varying(10)", "character varying(20)"),
        ("character varying(10)", "character varying"),
        ("character varying(10)", "text"),
        ("text", "character varying"),
        ("character varying(20)", "character varying(10)"),
        ("text", "character varying(10)"),
        ("integer", "bigint"),
        ("bigint", "integer"),
        ("smallint", "integer"),
        ("numeric(10,2)", "numeric(12,2)"),
        ("numeric(10,2)", "numeric"),
        ("numeric(10,2)", "numeric(12,3)"),
        ("numeric", "numeric(10,2)"),
        (
            "timestamp(3) without time zone",
            "timestamp(6) without time zone",
        ),
        ("timestamp(6) with time zone", "timestamp(3) with time zone"),
        ("timestamp without time zone", "timestamp with time zone"),
        ("time(2) without time zone", "time(4) without time zone"),
        ("interval", "interval(3)"),
        ("character(5)", "character(10)"),
        ("bit varying(5)", "bit varying(10)"),
        ("integer[]", "bigint[]"),
        ("character varying(10)[]", "text[]"),
        ("integer", "numeric"),
        ("real", "double precision"),
        ("date", "timestamp without time zone"),
        ("bytea", "bytea"),
    ];
    let mut wrong = Vec::new();
    for (i, (old, new)) in cases.iter().enumerate() {
        let t = format!("c{i}");
        let create = format!("CREATE TABLE {t} (x {old});");
        let alter = format!("ALTER TABLE {t} ALTER COLUMN x TYPE {new};");
        let server = server_rewrites(&client, &t, &create, &alter).await;
        let linted = lint_rules(&create, &alter).contains(&"changing-column-type");
        if server != linted {
            wrong.push(format!(
                "{old} → {new}: server rewrites {server}, lint says {linted}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn added_columns_rewrite_exactly_when_lint_says_so() {
    let db = TestDb::create("lint_defaults").await;
    let client = db.client().await;
    let cases = [
        "bigint DEFAULT 0",
        "text DEFAULT 'x'",
        "timestamptz DEFAULT now()",
        "timestamp(3) DEFAULT CURRENT_TIMESTAMP",
        "text DEFAULT current_user",
        "double precision DEFAULT random()",
        "uuid DEFAULT gen_random_uuid()",
        "timestamptz DEFAULT clock_timestamp()",
        "text DEFAULT md5(random()::text)",
        "text DEFAULT 'id-' || gen_random_uuid()",
        "bigserial",
        "bigint GENERATED ALWAYS AS IDENTITY",
        "bigint GENERATED ALWAYS AS (id * 2) STORED",
        "jsonb DEFAULT '{}'::jsonb",
        "int[] DEFAULT ARRAY[1, 2]",
    ];
    let mut wrong = Vec::new();
    for (i, col) in cases.iter().enumerate() {
        let t = format!("d{i}");
        let create = format!("CREATE TABLE {t} (id bigint);");
        let alter = format!("ALTER TABLE {t} ADD COLUMN y {col};");
        let server = server_rewrites(&client, &t, &create, &alter).await;
        let linted = lint_rules(&create, &alter).contains(&"adding-field-with-default");
        if server != linted {
            wrong.push(format!(
                "ADD COLUMN y {col}: server rewrites {server}, lint says {linted}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Findings that predict a failure: the server, running the migration in
/// one transaction after the history (with a row in every table), fails
/// exactly when lint reports the rule.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn findings_that_predict_a_failure_agree_with_the_server() {
    let history = "CREATE TYPE mood AS ENUM ('ok');\n\
                   CREATE TABLE p (id bigint, m mood);\n\
                   INSERT INTO p VALUES (1, 'ok');\n";
    let cases: [(&str, &str, bool); 6] = [
        (
            "ALTER TYPE mood ADD VALUE 'sad';\nUPDATE p SET m = 'sad';",
            "unsafe-enum-value-use",
            true,
        ),
        (
            "ALTER TYPE mood ADD VALUE 'sad';\nUPDATE p SET m = 'ok';",
            "unsafe-enum-value-use",
            false,
        ),
        (
            "ALTER TABLE p ADD COLUMN n text;\nCREATE INDEX CONCURRENTLY p_id ON p (id);",
            "ban-concurrent-index-creation-in-transaction",
            true,
        ),
        (
            "ALTER TABLE p ADD COLUMN n text NOT NULL;",
            "adding-required-field",
            true,
        ),
        (
            "ALTER TABLE p ADD COLUMN n text NOT NULL DEFAULT '';",
            "adding-required-field",
            false,
        ),
        (
            "ALTER TABLE p ADD COLUMN n bigserial NOT NULL;",
            "adding-required-field",
            false,
        ),
    ];
    let mut wrong = Vec::new();
    for (migration, rule, fails) in &cases {
        let db = TestDb::create("lint_fail").await;
        support::psql_apply_sql(&db.url, history, false).expect("history");
        let server_fails = support::psql_apply_sql(&db.url, migration, true).is_err();
        // The table says which cases fail, so the agreement is not an
        // accident of both sides always saying no.
        assert_eq!(server_fails, *fails, "{migration}");
        let linted = lint_rules(history, migration).contains(rule);
        if server_fails != linted {
            wrong.push(format!(
                "{migration:?}: server fails {server_fails}, lint reports {rule} {linted}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Whether the server proves `SET NOT NULL` from the table's constraints
/// instead of scanning: it says so at DEBUG1 ("existing constraints on
/// column … are sufficient to prove that it does not contain nulls").
fn server_skips_not_null_scan(url: &str, sql: &str) -> bool {
    let out = std::process::Command::new("psql")
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-c"])
        .arg(format!("SET client_min_messages = debug1; {sql}"))
        .output()
        .expect("run psql");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    err.contains("sufficient to prove")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_not_null_is_reported_exactly_when_the_server_scans() {
    let cases = [
        ("", true),
        ("ALTER TABLE p ADD CONSTRAINT nn CHECK (x IS NOT NULL) NOT VALID;", true),
        (
            "ALTER TABLE p ADD CONSTRAINT nn CHECK (x IS NOT NULL) NOT VALID;\nALTER TABLE p VALIDATE CONSTRAINT nn;",
            false,
        ),
        ("ALTER TABLE p ADD CONSTRAINT nn CHECK (x IS NOT NULL);", false),
        ("ALTER TABLE p ADD CONSTRAINT nn CHECK ((x IS NOT NULL));", false),
        // A strict check does not prove it to PostgreSQL 15: it scans.
        ("ALTER TABLE p ADD CONSTRAINT pos CHECK (x > 0);", true),
    ];
    let mut wrong = Vec::new();
    for (check, scans) in cases {
        let db = TestDb::create("lint_nn").await;
        let history = format!("CREATE TABLE p (x bigint);\nINSERT INTO p VALUES (1);\n{check}\n");
        support::psql_apply_sql(&db.url, &history, false).expect("history");
        let alter = "ALTER TABLE p ALTER COLUMN x SET NOT NULL;";
        let server_scans = !server_skips_not_null_scan(&db.url, alter);
        assert_eq!(server_scans, scans, "{check}");
        let linted = lint_rules(&history, alter).contains(&"adding-not-nullable-field");
        if server_scans != linted {
            wrong.push(format!(
                "{check:?}: server scans {server_scans}, lint reports {linted}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
