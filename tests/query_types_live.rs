//! `query!`'s typing against the server: every statement of the table is
//! typed offline by `strata_core::analyze::query` (parameters, result
//! columns, nullability — the expected text is pinned here) and also
//! `PREPARE`d on a database built from the reference schema. The server's
//! parameter types (`pg_prepared_statements.parameter_types`) and result
//! column names and types (`Statement::columns()`) must equal strata's; a
//! result column strata calls non-null that comes straight from a table
//! must be `attnotnull` there; an outer join's nullable side is proven by
//! a query that returns the NULL. Then `strata_reference_schema::query!`
//! and `query_as!` run against the same database and agree with the same
//! statements written by hand through tokio-postgres.

use crate::support;

use strata_core::analyze::query::{analyze, Analysis};
use strata_core::model::Schema;
use support::{psql_apply, TestDb};
use tokio_postgres::Client;

/// (SQL, pinned `(param types) -> name type[?], …`; `?` marks nullable).
const CASES: &[(&str, &str)] = &[
    // Joins of every kind, with the nullability each implies.
    (
        "SELECT r.id, r.status, u.email FROM agent_run r LEFT JOIN \"user\" u ON u.id = r.user_id WHERE r.depth > $1",
        "(integer) -> id text, status agent_run_status, email text?",
    ),
    (
        "SELECT r.id, u.email FROM agent_run r RIGHT JOIN \"user\" u ON u.id = r.user_id",
        "() -> id text?, email text",
    ),
    (
        "SELECT r.id, u.email FROM agent_run r FULL JOIN \"user\" u ON u.id = r.user_id",
        "() -> id text?, email text?",
    ),
    (
        "SELECT s.step_number, r.agent_id FROM agent_step s JOIN agent_run r ON r.id = s.agent_run_id WHERE s.credits > $1",
        "(numeric) -> step_number integer, agent_id text",
    ),
    (
        "SELECT u.email, m.role, o.slug FROM org_member m INNER JOIN \"user\" u ON u.id = m.user_id JOIN org o ON o.id = m.org_id WHERE o.slug = $1",
        "(text) -> email text, role org_role, slug text",
    ),
    (
        "SELECT o.name, u.email FROM org o CROSS JOIN \"user\" u LIMIT $1",
        "(bigint) -> name text, email text",
    ),
    (
        "SELECT o.name, u.handle FROM org o, \"user\" u WHERE o.owner_id = u.id AND u.banned = $1",
        "(boolean) -> name text, handle text?",
    ),
    (
        "SELECT u.email, r.id AS run_id, s.id AS step_id FROM \"user\" u LEFT JOIN agent_run r ON r.user_id = u.id LEFT JOIN agent_step s ON s.agent_run_id = r.id",
        "() -> email text, run_id text?, step_id text?",
    ),
    // `*` and `t.*`.
    (
        "SELECT * FROM org_member WHERE org_id = $1 AND user_id = $2",
        "(text, text) -> org_id text, user_id text, role org_role, joined_at timestamp with time zone",
    ),
    (
        "SELECT m.*, u.email FROM org_member m LEFT JOIN \"user\" u ON u.id = m.user_id",
        "() -> org_id text, user_id text, role org_role, joined_at timestamp with time zone, email text?",
    ),
    // Aggregates and GROUP BY.
    (
        "SELECT count(*) FROM agent_run",
        "() -> count bigint",
    ),
    (
        "SELECT user_id, count(*) AS runs, sum(total_steps) AS steps, avg(depth) AS mean_depth, max(created_at) AS latest, min(status) AS first_status FROM agent_run GROUP BY user_id HAVING count(*) > $1",
        "(bigint) -> user_id text?, runs bigint, steps bigint?, mean_depth numeric?, latest timestamp with time zone?, first_status agent_run_status?",
    ),
    (
        "SELECT status, count(id) AS n FROM agent_run WHERE created_at > $1 GROUP BY status ORDER BY n DESC",
        "(timestamp with time zone) -> status agent_run_status, n bigint",
    ),
    (
        "SELECT user_id, sum(principal) AS total FROM credit_ledger GROUP BY 1",
        "() -> user_id text, total bigint?",
    ),
    (
        "SELECT sum(credits) AS credits FROM agent_step WHERE agent_run_id = $1",
        "(text) -> credits numeric?",
    ),
    // Subqueries.
    (
        "SELECT id FROM \"user\" WHERE id IN (SELECT user_id FROM org_member WHERE org_id = $1)",
        "(text) -> id text",
    ),
    (
        "SELECT u.id, EXISTS (SELECT 1 FROM agent_run r WHERE r.user_id = u.id AND r.status = $1) AS active FROM \"user\" u",
        "(agent_run_status) -> id text, active boolean",
    ),
    (
        "SELECT u.email, (SELECT count(*) FROM agent_run r WHERE r.user_id = u.id) AS runs FROM \"user\" u",
        "() -> email text, runs bigint?",
    ),
    (
        "SELECT id FROM org WHERE NOT EXISTS (SELECT 1 FROM org_member m WHERE m.org_id = org.id)",
        "() -> id text",
    ),
    (
        "SELECT id FROM agent_run WHERE user_id = (SELECT id FROM \"user\" WHERE email = $1)",
        "(text) -> id text",
    ),
    // Parameters in every position.
    (
        "SELECT id FROM agent_run WHERE depth BETWEEN $1 AND $2 ORDER BY created_at LIMIT $3 OFFSET $4",
        "(integer, integer, bigint, bigint) -> id text",
    ),
    (
        "SELECT id FROM \"user\" WHERE lower(email) = lower($1)",
        "(text) -> id text",
    ),
    (
        "SELECT id FROM agent_run WHERE status IN ($1, $2)",
        "(agent_run_status, agent_run_status) -> id text",
    ),
    (
        "SELECT id FROM agent_run WHERE id = ANY($1)",
        "(text[]) -> id text",
    ),
    (
        "SELECT id FROM agent_run WHERE $1 = ANY(ancestor_run_ids)",
        "(text) -> id text",
    ),
    (
        "SELECT id, coalesce(total_credits, $1) AS credits FROM agent_run",
        "(numeric) -> id text, credits numeric?",
    ),
    (
        "SELECT operation_id FROM credit_ledger WHERE expires_at < now() + $1::interval",
        "(interval) -> operation_id text",
    ),
    (
        "SELECT operation_id FROM credit_ledger WHERE created_at > now() - $1::interval AND type = $2",
        "(interval, grant_type) -> operation_id text",
    ),
    (
        "SELECT id FROM \"user\" WHERE email LIKE $1 || '%'",
        "(text) -> id text",
    ),
    // Expressions, casts, literals, CASE, jsonb.
    (
        "SELECT id, depth + 1 AS next_depth, 'x' AS tag, 2.5 AS ratio, true AS yes, total_steps::bigint AS steps FROM agent_run",
        "() -> id text, next_depth integer?, tag text, ratio numeric, yes boolean, steps bigint?",
    ),
    (
        "SELECT id, CASE WHEN status = 'running' THEN 'live' ELSE 'done' END AS phase FROM agent_run",
        "() -> id text, phase text",
    ),
    (
        "SELECT id, data -> 'name' AS name, data ->> 'description' AS description, data @> $1 AS matches FROM agent_config",
        "(jsonb) -> id text, name jsonb?, description text?, matches boolean?",
    ),
    (
        "SELECT id, data #>> '{a,b}' AS deep FROM agent_config WHERE data ? $1",
        "(text) -> id text, deep text?",
    ),
    (
        "SELECT email, created_at::date AS day, upper(coalesce(name, email)) AS display FROM \"user\"",
        "() -> email text, day date, display text",
    ),
    (
        "SELECT operation_id, \"type\", principal * 2 AS doubled FROM credit_ledger WHERE \"type\" = $1::grant_type",
        "(grant_type) -> operation_id text, type grant_type, doubled integer",
    ),
    (
        "SELECT \"emailVerified\", referral_limit FROM \"user\" WHERE id = $1",
        "(text) -> emailVerified timestamp with time zone?, referral_limit integer",
    ),
    (
        "SELECT DISTINCT status FROM agent_run ORDER BY status",
        "() -> status agent_run_status",
    ),
    (
        "SELECT id, array_length(ancestor_run_ids, 1) AS n, ancestor_run_ids[1] AS first FROM agent_run",
        "() -> id text, n integer?, first text?",
    ),
    // INSERT, UPDATE, DELETE with RETURNING.
    (
        "INSERT INTO \"user\" (email, name) VALUES ($1, $2) RETURNING id, email, created_at",
        "(text, text) -> id text, email text, created_at timestamp with time zone",
    ),
    (
        "INSERT INTO org_member (org_id, user_id, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        "(text, text, org_role) -> ",
    ),
    (
        "INSERT INTO org_member (org_id, user_id, role) VALUES ($1, $2, $3) ON CONFLICT (org_id, user_id) DO UPDATE SET role = excluded.role, joined_at = now() WHERE org_member.role <> $4 RETURNING role, joined_at",
        "(text, text, org_role, org_role) -> role org_role, joined_at timestamp with time zone",
    ),
    (
        "INSERT INTO agent_step (agent_run_id, step_number, credits, child_run_ids) VALUES ($1, $2, $3, $4) RETURNING id, spawned_count",
        "(text, integer, numeric, text[]) -> id text, spawned_count integer?",
    ),
    (
        "UPDATE agent_run SET status = $1, completed_at = now(), error_message = $2 WHERE id = $3 RETURNING id, status, completed_at",
        "(agent_run_status, text, text) -> id text, status agent_run_status, completed_at timestamp with time zone?",
    ),
    (
        "UPDATE \"user\" SET referral_limit = referral_limit + $1 WHERE email = $2",
        "(integer, text) -> ",
    ),
    (
        "DELETE FROM session WHERE expires < $1 RETURNING \"sessionToken\"",
        "(timestamp with time zone) -> sessionToken text",
    ),
    (
        "DELETE FROM agent_run r WHERE r.user_id IS NULL AND r.created_at < $1",
        "(timestamp with time zone) -> ",
    ),
];

fn shown(a: &Analysis) -> String {
    let params: Vec<String> = a.params.iter().map(|p| p.type_name.clone()).collect();
    let cols: Vec<String> = a
        .columns
        .iter()
        .map(|c| {
            format!(
                "{} {}{}",
                c.name,
                c.type_name,
                if c.nullable { "?" } else { "" }
            )
        })
        .collect();
    format!("({}) -> {}", params.join(", "), cols.join(", "))
}

fn reference_schema() -> Schema {
    let root = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../schema/sql"));
    match strata_core::codegen::load(&strata_core::codegen::Request::new(root, None)) {
        Ok(l) => l.schema,
        Err(e) => panic!("{e:?}"),
    }
}

/// A database built from the declared schema (proven equal to the
/// history by `schema!`), with a few rows for the outer-join checks.
async fn reference_db() -> (TestDb, Client) {
    let db = TestDb::create("query_types").await;
    let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../schema/sql"));
    let mut files: Vec<_> = match std::fs::read_dir(dir) {
        Ok(d) => d.filter_map(|e| e.ok()).map(|e| e.path()).collect(),
        Err(e) => panic!("{e}"),
    };
    files.sort();
    for f in &files {
        if let Err(e) = psql_apply(&db.url, f, true) {
            panic!("applying {}: {e}", f.display());
        }
    }
    let client = db.client().await;
    if let Err(e) = client
        .batch_execute(
            "INSERT INTO \"user\" (id, email, name) VALUES ('u1', 'ada@example.com', 'Ada'), ('u2', 'bob@example.com', NULL);
             INSERT INTO agent_run (id, user_id, agent_id) VALUES ('r1', 'u1', 'pub/agent@1.0.0'), ('r2', NULL, 'local');
             INSERT INTO agent_step (agent_run_id, step_number, credits) VALUES ('r1', 1, 0.5);",
        )
        .await
    {
        panic!("seed: {e}");
    }
    (db, client)
}

#[tokio::test]
async fn strata_types_statements_as_the_server_does() {
    assert!(CASES.len() >= 40, "at least 40 statements");
    let schema = reference_schema();
    let (_db, client) = reference_db().await;
    let mut failures = Vec::new();
    for (i, (sql, expected)) in CASES.iter().enumerate() {
        let analysis = match analyze(sql, &schema) {
            Ok(a) => a,
            Err(e) => {
                failures.push(format!("{sql}\n  strata refused: {e}"));
                continue;
            }
        };
        let got = shown(&analysis);
        if got != *expected {
            failures.push(format!("{sql}\n  pinned: {expected}\n  strata: {got}"));
        }
        // The server's parameter types, as PREPARE infers them.
        let name = format!("q{i}");
        if let Err(e) = client
            .batch_execute(&format!("PREPARE {name} AS {sql}"))
            .await
        {
            failures.push(format!("{sql}\n  server refused PREPARE: {e}"));
            continue;
        }
        let row = match client
            .query_one(
                "SELECT parameter_types::text[] FROM pg_prepared_statements WHERE name = $1",
                &[&name],
            )
            .await
        {
            Ok(r) => r,
            Err(e) => panic!("{e}"),
        };
        let server_params: Vec<String> = row.get(0);
        let strata_params: Vec<String> = analysis
            .params
            .iter()
            .map(|p| p.type_name.clone())
            .collect();
        if server_params != strata_params {
            failures.push(format!(
                "{sql}\n  server parameters: {server_params:?}\n  strata parameters: {strata_params:?}"
            ));
        }
        // The server's result columns: names and types.
        let statement = match client.prepare(sql).await {
            Ok(s) => s,
            Err(e) => panic!("{sql}: {e}"),
        };
        let server_cols: Vec<(String, String)> = statement
            .columns()
            .iter()
            .map(|c| (c.name().to_string(), c.type_().name().to_string()))
            .collect();
        let strata_cols: Vec<(String, String)> = analysis
            .columns
            .iter()
            .map(|c| (c.name.clone(), c.typname.clone()))
            .collect();
        if server_cols != strata_cols {
            failures.push(format!(
                "{sql}\n  server columns: {server_cols:?}\n  strata columns: {strata_cols:?}"
            ));
        }
        let server_param_types: Vec<String> = statement
            .params()
            .iter()
            .map(|t| t.name().to_string())
            .collect();
        let strata_param_types: Vec<String> =
            analysis.params.iter().map(|p| p.typname.clone()).collect();
        if server_param_types != strata_param_types {
            failures.push(format!(
                "{sql}\n  server parameter typnames: {server_param_types:?}\n  strata: {strata_param_types:?}"
            ));
        }
        // Non-null columns read straight from a table are NOT NULL there.
        for (c, col) in statement.columns().iter().zip(&analysis.columns) {
            let (Some(table), Some(attnum)) = (c.table_oid(), c.column_id()) else {
                continue;
            };
            let row = match client
                .query_one(
                    "SELECT attnotnull FROM pg_attribute WHERE attrelid = $1 AND attnum = $2",
                    &[&table, &attnum],
                )
                .await
            {
                Ok(r) => r,
                Err(e) => panic!("{e}"),
            };
            let not_null: bool = row.get(0);
            if !col.nullable && !not_null {
                failures.push(format!(
                    "{sql}\n  strata calls {} non-null; the column is nullable in the catalog",
                    col.name
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Outer joins: the columns strata makes `Option` although NOT NULL in
/// their table do come back NULL.
#[tokio::test]
async fn outer_join_nullability_is_real() {
    let schema = reference_schema();
    let (_db, client) = reference_db().await;
    let cases: &[(&str, &str)] = &[
        // r2 has no user.
        (
            "SELECT r.id, u.email FROM agent_run r LEFT JOIN \"user\" u ON u.id = r.user_id",
            "email",
        ),
        // u2 has no run.
        (
            "SELECT r.id, u.email FROM agent_run r RIGHT JOIN \"user\" u ON u.id = r.user_id",
            "id",
        ),
        (
            "SELECT r.id, u.email FROM agent_run r FULL JOIN \"user\" u ON u.id = r.user_id",
            "id",
        ),
        (
            "SELECT r.id, u.email FROM agent_run r FULL JOIN \"user\" u ON u.id = r.user_id",
            "email",
        ),
        (
            "SELECT u.email, s.step_number FROM \"user\" u LEFT JOIN agent_run r ON r.user_id = u.id LEFT JOIN agent_step s ON s.agent_run_id = r.id",
            "step_number",
        ),
    ];
    for (sql, column) in cases {
        let analysis = match analyze(sql, &schema) {
            Ok(a) => a,
            Err(e) => panic!("{sql}: {e}"),
        };
        let Some(i) = analysis.columns.iter().position(|c| c.name == *column) else {
            panic!("{sql}: no column {column}");
        };
        assert!(analysis.columns[i].nullable, "{sql}: {column} nullable");
        let rows = match client.query(*sql, &[]).await {
            Ok(r) => r,
            Err(e) => panic!("{sql}: {e}"),
        };
        let nulls = rows
            .iter()
            .filter(|r| {
                r.try_get::<_, Option<String>>(i)
                    .map(|v| v.is_none())
                    .unwrap_or_else(|_| {
                        r.try_get::<_, Option<i32>>(i)
                            .map(|v| v.is_none())
                            .unwrap_or(false)
                    })
            })
            .count();
        assert!(
            nulls > 0,
            "{sql}: {column} should come back NULL at least once"
        );
    }
}

/// `query!` / `query_as!` compiled against the reference schema, run on
/// the server, and compared with the same statements by hand.
#[tokio::test]
async fn query_macros_agree_with_hand_written_statements() {
    use strata_reference_schema::{query, query_as, AgentRunStatus};
    let (_db, client) = reference_db().await;

    let rows = match query!(
        "SELECT r.id, r.status, u.email FROM agent_run r LEFT JOIN \"user\" u ON u.id = r.user_id WHERE r.agent_id <> $1 ORDER BY r.id",
        "nothing"
    )
    .fetch_all(&client)
    .await
    {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    };
    let by_hand = match client
        .query(
            "SELECT r.id, r.status::text, u.email FROM agent_run r LEFT JOIN \"user\" u ON u.id = r.user_id WHERE r.agent_id <> $1 ORDER BY r.id",
            &[&"nothing"],
        )
        .await
    {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(rows.len(), by_hand.len());
    for (row, hand) in rows.iter().zip(&by_hand) {
        let id: &String = &row.id;
        let status: &AgentRunStatus = &row.status;
        let email: &Option<String> = &row.email;
        assert_eq!(id, &hand.get::<_, String>(0));
        assert_eq!(*status, AgentRunStatus::Running);
        assert_eq!(hand.get::<_, String>(1), "running");
        assert_eq!(email, &hand.get::<_, Option<String>>(2));
    }
    assert_eq!(rows[1].email, None, "r2 has no user: the LEFT JOIN's NULL");

    // Aggregates, an enum parameter, fetch_one.
    let counted = match query!(
        "SELECT count(*) AS n, max(created_at) AS latest FROM agent_run WHERE status = $1",
        AgentRunStatus::Running
    )
    .fetch_one(&client)
    .await
    {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    };
    let n: i64 = counted.n;
    assert_eq!(n, 2);
    assert!(counted.latest.is_some());

    // INSERT … RETURNING, UPDATE, DELETE, fetch_optional and execute.
    let inserted = match query!(
        "INSERT INTO \"user\" (email, name) VALUES ($1, $2) RETURNING id, email, name",
        "cy@example.com",
        None::<&str>
    )
    .fetch_one(&client)
    .await
    {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(inserted.email, "cy@example.com");
    assert_eq!(inserted.name, None);
    let updated = match query!(
        "UPDATE \"user\" SET referral_limit = referral_limit + $1 WHERE id = $2",
        3,
        &inserted.id
    )
    .execute(&client)
    .await
    {
        Ok(n) => n,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(updated, 1);
    let limit = match client
        .query_one(
            "SELECT referral_limit FROM \"user\" WHERE id = $1",
            &[&inserted.id],
        )
        .await
    {
        Ok(r) => r.get::<_, i32>(0),
        Err(e) => panic!("{e}"),
    };
    assert_eq!(limit, 8);
    let gone = match query!(
        "DELETE FROM \"user\" WHERE email = $1 RETURNING id",
        "nobody@example.com"
    )
    .fetch_optional(&client)
    .await
    {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    };
    assert!(gone.is_none());

    // query_as! into a struct of one's own; an array parameter.
    #[derive(Debug, PartialEq)]
    struct Run {
        id: String,
        depth: Option<i32>,
        status: AgentRunStatus,
    }
    let ids = vec!["r1".to_string(), "r2".to_string()];
    let runs: Vec<Run> = match query_as!(
        Run,
        "SELECT id, depth, status FROM agent_run WHERE id = ANY($1) ORDER BY id",
        &ids
    )
    .fetch_all(&client)
    .await
    {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    };
    let by_hand = match client
        .query(
            "SELECT id, depth FROM agent_run WHERE id = ANY($1) ORDER BY id",
            &[&ids],
        )
        .await
    {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(runs.len(), 2);
    for (run, hand) in runs.iter().zip(&by_hand) {
        assert_eq!(run.id, hand.get::<_, String>(0));
        assert_eq!(run.depth, hand.get::<_, Option<i32>>(1));
        assert_eq!(run.status, AgentRunStatus::Running);
    }
}
