//! The rest of SELECT and DML in the typed query builder, on a real
//! server: subqueries (EXISTS, IN, scalar; correlated and not), UNION and
//! friends, UPDATE … FROM, DELETE … USING, RETURNING chosen columns,
//! keyset pagination, SQL functions and raw fragments with bound
//! parameters. Each form is compared with the same query written by hand
//! and run through tokio-postgres.
//!
//! One database (the reference schema with rows) serves every check;
//! statements that change rows run inside a transaction rolled back.

use crate::support;

use strata::runtime::chrono::{DateTime, Utc};
use strata::runtime::{
    coalesce, count_all, date_trunc, exists, func, length, lower, max, not_exists, now, raw,
    scalar, upper, Error,
};
use support::reference::{reference_db, SEED};
use tokio_postgres::Client;

use strata_reference_schema::{agent_run, agent_step, user, AgentRunStatus, AgentStepStatus};

fn ok<T>(r: Result<T, Error>, what: &str) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("{what}: {e}"),
    }
}

/// The first column of a hand-written query, as text.
async fn ids(client: &Client, sql: &str) -> Vec<String> {
    match client.query(sql, &[]).await {
        Ok(rows) => rows.iter().map(|r| r.get(0)).collect(),
        Err(e) => panic!("{sql}: {e}"),
    }
}

async fn batch(client: &Client, sql: &str) {
    if let Err(e) = client.batch_execute(sql).await {
        panic!("{sql}: {e}");
    }
}

#[tokio::test]
async fn query_forms_against_the_server() {
    let (_db, client) = reference_db("qforms").await;
    batch(&client, SEED).await;
    exists_correlated_and_not(&client).await;
    in_subqueries(&client).await;
    scalar_subqueries(&client).await;
    unions(&client).await;
    update_from(&client).await;
    delete_using(&client).await;
    returning_chosen_columns(&client).await;
    keyset_pagination(&client).await;
    functions(&client).await;
    raw_fragments(&client).await;
}

async fn exists_correlated_and_not(client: &Client) {
    // Runs with a skipped step: EXISTS correlated to the outer run.
    let q = agent_run::AgentRunTable::select()
        .filter(exists(
            agent_step::AgentStepTable::select()
                .outer(agent_run::AgentRunTable)
                .filter(agent_step::agent_run_id.eq_col(agent_run::id))
                .filter(agent_step::status.eq(AgentStepStatus::Skipped)),
        ))
        .order_by(agent_run::id);
    assert!(
        q.sql().ends_with(" FROM \"agent_run\" WHERE EXISTS (SELECT 1 FROM \"agent_step\" AS \"agent_step\" WHERE \"agent_step\".\"agent_run_id\" = \"agent_run\".\"id\" AND \"agent_step\".\"status\" = $1) ORDER BY \"id\""),
        "{}",
        q.sql()
    );
    let got: Vec<String> = ok(q.fetch_all(client).await, "exists")
        .into_iter()
        .map(|r| r.id)
        .collect();
    let want = ids(
        client,
        "SELECT id FROM agent_run r WHERE EXISTS (SELECT 1 FROM agent_step s \
         WHERE s.agent_run_id = r.id AND s.status = 'skipped') ORDER BY id",
    )
    .await;
    assert!(!want.is_empty());
    assert_eq!(got, want);

    // Runs without any step: NOT EXISTS, in a projection.
    let got: Vec<String> = ok(
        agent_run::AgentRunTable::select()
            .filter(not_exists(
                agent_step::AgentStepTable::select()
                    .outer(agent_run::AgentRunTable)
                    .filter(agent_step::agent_run_id.eq_col(agent_run::id)),
            ))
            .columns(agent_run::id)
            .order_by(agent_run::id)
            .fetch_all(client)
            .await,
        "not exists",
    );
    let want = ids(
        client,
        "SELECT id FROM agent_run r WHERE NOT EXISTS (SELECT 1 FROM agent_step s \
         WHERE s.agent_run_id = r.id) ORDER BY id",
    )
    .await;
    assert!(!want.is_empty());
    assert_eq!(got, want);

    // In a join: the subquery refers to the joined user.
    let got: Vec<(String, String)> = ok(
        agent_run::AgentRunTable::select()
            .join(agent_run::rel::user)
            .filter(exists(
                agent_step::AgentStepTable::select()
                    .outer(user::UserTable)
                    .join(agent_step::rel::agent_run)
                    .filter(agent_run::user_id.eq_col(user::id))
                    .filter(agent_step::error_message.is_not_null()),
            ))
            .columns((agent_run::id, user::id))
            .order_by(agent_run::id)
            .fetch_all(client)
            .await,
        "exists in a join",
    );
    let want: Vec<(String, String)> = match client
        .query(
            "SELECT r.id, u.id FROM agent_run r JOIN \"user\" u ON u.id = r.user_id \
             WHERE EXISTS (SELECT 1 FROM agent_step s JOIN agent_run r2 ON r2.id = s.agent_run_id \
             WHERE r2.user_id = u.id AND s.error_message IS NOT NULL) ORDER BY r.id",
            &[],
        )
        .await
    {
        Ok(rows) => rows.iter().map(|r| (r.get(0), r.get(1))).collect(),
        Err(e) => panic!("{e}"),
    };
    assert!(!want.is_empty());
    assert_eq!(got, want);

    // Uncorrelated: every user when some run completed.
    let got = ok(
        user::UserTable::select()
            .filter(exists(
                agent_run::AgentRunTable::select()
                    .filter(agent_run::status.eq(AgentRunStatus::Completed)),
            ))
            .count()
            .fetch(client)
            .await,
        "uncorrelated exists",
    );
    assert_eq!(got, 3);

    // A subquery over the outer query's own table, naming it as outer too:
    // inside, the name would mean the subquery's own table, so the
    // correlation would silently vanish. Refused by name instead.
    let refused = agent_step::AgentStepTable::select()
        .join(agent_step::rel::agent_run)
        .filter(exists(
            agent_run::AgentRunTable::select()
                .join(agent_run::rel::agent_step)
                .outer(agent_step::AgentStepTable)
                .filter(agent_run::status.eq(AgentRunStatus::Running)),
        ))
        .fetch_all(client)
        .await;
    match refused {
        Err(Error::Build(m)) => assert!(m.contains("give one of them an Alias"), "{m}"),
        other => panic!("{other:?}"),
    }
}

async fn in_subqueries(client: &Client) {
    // A NOT NULL column IN a nullable column's values.
    let q = user::UserTable::select()
        .filter(
            user::id.in_query(
                agent_run::AgentRunTable::select()
                    .filter(agent_run::status.eq(AgentRunStatus::Completed))
                    .columns(agent_run::user_id),
            ),
        )
        .order_by(user::id);
    let got: Vec<String> = ok(q.fetch_all(client).await, "in")
        .into_iter()
        .map(|u| u.id)
        .collect();
    let want = ids(
        client,
        "SELECT id FROM \"user\" WHERE id IN (SELECT user_id FROM agent_run \
         WHERE status = 'completed') ORDER BY id",
    )
    .await;
    assert!(!want.is_empty());
    assert_eq!(got, want);

    // NOT IN over values with a NULL among them: no row, as SQL says.
    let q = user::UserTable::select()
        .filter(
            user::id.not_in_query(agent_run::AgentRunTable::select().columns(agent_run::user_id)),
        )
        .columns(user::id);
    let got = ok(q.fetch_all(client).await, "not in with NULL");
    let want = ids(
        client,
        "SELECT id FROM \"user\" WHERE id NOT IN (SELECT user_id FROM agent_run)",
    )
    .await;
    assert_eq!(got, want);
    assert!(got.is_empty());
    // Without the NULLs: the users without runs.
    let got = ok(
        user::UserTable::select()
            .filter(
                user::id.not_in_query(
                    agent_run::AgentRunTable::select()
                        .filter(agent_run::user_id.is_not_null())
                        .columns(agent_run::user_id),
                ),
            )
            .columns(user::id)
            .fetch_all(client)
            .await,
        "not in",
    );
    assert_eq!(got, vec!["u3".to_string()]);

    // Correlated IN: the subquery reads the outer run's depth.
    let got: Vec<String> = ok(
        agent_run::AgentRunTable::select()
            .filter(
                agent_run::id.in_query(
                    agent_step::AgentStepTable::select()
                        .outer(agent_run::AgentRunTable)
                        .filter(agent_step::step_number.eq_col(agent_run::depth))
                        .filter(agent_step::status.ne(AgentStepStatus::Skipped))
                        .columns(agent_step::agent_run_id),
                ),
            )
            .columns(agent_run::id)
            .order_by(agent_run::id)
            .fetch_all(client)
            .await,
        "in, correlated scope",
    );
    let want = ids(
        client,
        "SELECT id FROM agent_run r WHERE r.id IN (SELECT s.agent_run_id FROM agent_step s \
         WHERE s.step_number = r.depth AND s.status <> 'skipped') ORDER BY id",
    )
    .await;
    assert!(!want.is_empty());
    assert_eq!(got, want);
}

async fn scalar_subqueries(client: &Client) {
    // In a projection, correlated: each run with its number of steps.
    let steps = || {
        agent_step::AgentStepTable::select()
            .outer(agent_run::AgentRunTable)
            .filter(agent_step::agent_run_id.eq_col(agent_run::id))
            .columns(count_all::<agent_step::AgentStepTable>())
    };
    let got: Vec<(String, Option<i64>)> = ok(
        agent_run::AgentRunTable::select()
            .columns((agent_run::id, scalar(steps())))
            .order_by(agent_run::id)
            .fetch_all(client)
            .await,
        "scalar in projection",
    );
    let want: Vec<(String, Option<i64>)> = match client
        .query(
            "SELECT id, (SELECT count(*) FROM agent_step s WHERE s.agent_run_id = r.id) \
             FROM agent_run r ORDER BY id",
            &[],
        )
        .await
    {
        Ok(rows) => rows.iter().map(|r| (r.get(0), r.get(1))).collect(),
        Err(e) => panic!("{e}"),
    };
    assert_eq!(got, want);
    // In a comparison.
    let got: Vec<String> = ok(
        agent_run::AgentRunTable::select()
            .filter(scalar(steps()).ge(2))
            .columns(agent_run::id)
            .order_by(agent_run::id)
            .fetch_all(client)
            .await,
        "scalar in comparison",
    );
    let want = ids(
        client,
        "SELECT id FROM agent_run r WHERE (SELECT count(*) FROM agent_step s \
         WHERE s.agent_run_id = r.id) >= 2 ORDER BY id",
    )
    .await;
    assert!(!want.is_empty());
    assert_eq!(got, want);
    // Uncorrelated, compared with a column: the steps with the highest
    // step number.
    let got: Vec<String> = ok(
        agent_step::AgentStepTable::select()
            .filter(agent_step::step_number.expr().eq_expr(scalar(
                agent_step::AgentStepTable::select().columns(max(agent_step::step_number)),
            )))
            .columns(agent_step::id)
            .order_by(agent_step::id)
            .fetch_all(client)
            .await,
        "uncorrelated scalar",
    );
    let want = ids(
        client,
        "SELECT id FROM agent_step WHERE step_number = (SELECT max(step_number) FROM agent_step) ORDER BY id",
    )
    .await;
    assert!(!want.is_empty());
    assert_eq!(got, want);
    // No row: NULL, so None.
    let got: Vec<(String, Option<i32>)> = ok(
        user::UserTable::select()
            .columns((
                user::id,
                scalar(
                    agent_step::AgentStepTable::select()
                        .filter(agent_step::step_number.gt(100))
                        .columns(agent_step::step_number),
                ),
            ))
            .order_by(user::id)
            .fetch_all(client)
            .await,
        "scalar of no row",
    );
    assert_eq!(got.len(), 3);
    assert!(got.iter().all(|(_, n)| n.is_none()));
}

async fn unions(client: &Client) {
    let banned = || {
        user::UserTable::select()
            .filter(user::banned.eq(true))
            .columns(user::id)
    };
    let completed = || {
        agent_run::AgentRunTable::select()
            .filter(agent_run::status.eq(AgentRunStatus::Completed))
            .columns(agent_run::id)
    };
    let q = banned()
        .union_all(completed())
        .order_by(user::id.desc())
        .limit(3)
        .offset(1);
    assert_eq!(
        q.sql(),
        "(SELECT \"user\".\"id\" FROM \"user\" AS \"user\" WHERE \"user\".\"banned\" = $1) UNION ALL (SELECT \"agent_run\".\"id\" FROM \"agent_run\" AS \"agent_run\" WHERE \"agent_run\".\"status\" = $2) ORDER BY \"id\" DESC LIMIT $3 OFFSET $4"
    );
    let got = ok(q.fetch_all(client).await, "union all");
    let want = ids(
        client,
        "(SELECT id FROM \"user\" WHERE banned) UNION ALL (SELECT id FROM agent_run \
         WHERE status = 'completed') ORDER BY id DESC LIMIT 3 OFFSET 1",
    )
    .await;
    assert_eq!(want.len(), 3);
    assert_eq!(got, want);

    // UNION removes duplicates; INTERSECT and EXCEPT, on two columns.
    let runs = |status: AgentRunStatus| {
        agent_run::AgentRunTable::select()
            .filter(agent_run::status.eq(status))
            .columns((agent_run::user_id, agent_run::agent_id))
    };
    let pairs = |sql: &'static str| async move {
        match client.query(sql, &[]).await {
            Ok(rows) => rows
                .iter()
                .map(|r| (r.get(0), r.get(1)))
                .collect::<Vec<(Option<String>, String)>>(),
            Err(e) => panic!("{sql}: {e}"),
        }
    };
    let got = ok(
        runs(AgentRunStatus::Completed)
            .union(runs(AgentRunStatus::Running))
            .order_by(agent_run::agent_id)
            .order_by(agent_run::user_id)
            .fetch_all(client)
            .await,
        "union",
    );
    let want = pairs(
        "(SELECT user_id, agent_id FROM agent_run WHERE status = 'completed') UNION \
         (SELECT user_id, agent_id FROM agent_run WHERE status = 'running') ORDER BY agent_id, user_id",
    )
    .await;
    assert_eq!(got, want);
    let users = |status: AgentRunStatus| {
        agent_run::AgentRunTable::select()
            .filter(agent_run::status.eq(status))
            .columns(agent_run::user_id)
    };
    let got = ok(
        users(AgentRunStatus::Completed)
            .intersect(users(AgentRunStatus::Running))
            .order_by(agent_run::user_id.asc().nulls_first())
            .fetch_all(client)
            .await,
        "intersect",
    );
    let want: Vec<Option<String>> = match client
        .query(
            "(SELECT user_id FROM agent_run WHERE status = 'completed') INTERSECT \
             (SELECT user_id FROM agent_run WHERE status = 'running') ORDER BY user_id NULLS FIRST",
            &[],
        )
        .await
    {
        Ok(rows) => rows.iter().map(|r| r.get(0)).collect(),
        Err(e) => panic!("{e}"),
    };
    assert!(!want.is_empty());
    assert_eq!(got, want);
    let got = ok(
        agent_run::AgentRunTable::select()
            .columns(agent_run::id)
            .except(agent_step::AgentStepTable::select().columns(agent_step::agent_run_id))
            .order_by(agent_run::id)
            .fetch_all(client)
            .await,
        "except",
    );
    let want = ids(
        client,
        "(SELECT id FROM agent_run) EXCEPT (SELECT agent_run_id FROM agent_step) ORDER BY id",
    )
    .await;
    assert!(!want.is_empty());
    assert_eq!(got, want);
}

async fn update_from(client: &Client) {
    // By hand first, rolled back.
    batch(client, "BEGIN").await;
    let want: Vec<(String, Option<String>)> = match client
        .query(
            "UPDATE agent_run AS r SET error_message = s.error_message, status = 'failed' \
             FROM agent_step AS s WHERE s.agent_run_id = r.id AND s.error_message IS NOT NULL \
             RETURNING r.id, r.error_message",
            &[],
        )
        .await
    {
        Ok(rows) => rows.iter().map(|r| (r.get(0), r.get(1))).collect(),
        Err(e) => panic!("{e}"),
    };
    batch(client, "ROLLBACK").await;
    assert!(!want.is_empty());

    batch(client, "BEGIN").await;
    let q = agent_run::AgentRunTable::update()
        .from(
            agent_step::AgentStepTable,
            agent_step::agent_run_id.eq_col(agent_run::id),
        )
        .set_col(agent_run::error_message, agent_step::error_message)
        .set(agent_run::status.to(AgentRunStatus::Failed))
        .filter(agent_step::error_message.is_not_null());
    assert_eq!(
        q.sql(),
        "UPDATE \"agent_run\" AS \"agent_run\" SET \"status\" = $1, \"error_message\" = \"agent_step\".\"error_message\" FROM \"agent_step\" AS \"agent_step\" WHERE \"agent_step\".\"agent_run_id\" = \"agent_run\".\"id\" AND \"agent_step\".\"error_message\" IS NOT NULL"
    );
    let mut got = ok(
        q.returning_columns((agent_run::id, agent_run::error_message))
            .fetch_all(client)
            .await,
        "update from",
    );
    let failed = ok(
        agent_run::AgentRunTable::select()
            .filter(agent_run::status.eq(AgentRunStatus::Failed))
            .count()
            .fetch(client)
            .await,
        "count failed",
    );
    batch(client, "ROLLBACK").await;
    let mut want = want;
    got.sort();
    want.sort();
    assert_eq!(got, want);
    assert_eq!(failed as usize, want.len());

    // execute(): the count the server reports.
    batch(client, "BEGIN").await;
    let n = ok(
        agent_run::AgentRunTable::update()
            .set(agent_run::total_steps.to(0))
            .from(
                agent_step::AgentStepTable,
                agent_step::agent_run_id.eq_col(agent_run::id),
            )
            .filter(agent_step::status.eq(AgentStepStatus::Skipped))
            .execute(client)
            .await,
        "update from, execute",
    );
    batch(client, "ROLLBACK").await;
    let want = ids(
        client,
        "SELECT DISTINCT agent_run_id FROM agent_step WHERE status = 'skipped'",
    )
    .await;
    assert_eq!(n as usize, want.len());
}

async fn delete_using(client: &Client) {
    batch(client, "BEGIN").await;
    let mut want = ids(
        client,
        "DELETE FROM agent_step AS s USING agent_run AS r WHERE r.id = s.agent_run_id \
         AND r.status = 'completed' RETURNING s.id",
    )
    .await;
    batch(client, "ROLLBACK").await;
    assert!(!want.is_empty());

    batch(client, "BEGIN").await;
    let q = agent_step::AgentStepTable::delete()
        .using(
            agent_run::AgentRunTable,
            agent_run::id.eq_col(agent_step::agent_run_id),
        )
        .filter(agent_run::status.eq(AgentRunStatus::Completed));
    assert_eq!(
        q.sql(),
        "DELETE FROM \"agent_step\" AS \"agent_step\" USING \"agent_run\" AS \"agent_run\" WHERE \"agent_run\".\"id\" = \"agent_step\".\"agent_run_id\" AND \"agent_run\".\"status\" = $1"
    );
    let mut got = ok(
        q.returning_columns(agent_step::id).fetch_all(client).await,
        "delete using",
    );
    let left = ok(
        agent_step::AgentStepTable::select()
            .count()
            .fetch(client)
            .await,
        "count",
    );
    batch(client, "ROLLBACK").await;
    got.sort();
    want.sort();
    assert_eq!(got, want);
    let total = ids(client, "SELECT count(*)::text FROM agent_step").await;
    assert_eq!(
        left as usize + got.len(),
        total[0].parse::<usize>().unwrap_or(0)
    );
}

#[derive(Debug, PartialEq, strata::FromRow)]
struct RunStatus {
    id: String,
    status: AgentRunStatus,
    depth: Option<i32>,
}

async fn returning_chosen_columns(client: &Client) {
    batch(client, "BEGIN").await;
    // Insert, into a tuple: generated columns as the server computed them.
    let inserted: (String, Option<String>, Option<String>, Option<i32>) = ok(
        agent_run::AgentRunTable::insert(agent_run::NewAgentRun {
            id: Some("new-1".to_string()),
            agent_id: "pub/name@2.0".to_string(),
            ancestor_run_ids: Some(vec!["r1".to_string(), "r2".to_string()]),
            user_id: None,
            status: None,
            total_steps: None,
            direct_credits: None,
            total_credits: None,
            error_message: None,
            created_at: None,
            completed_at: None,
        })
        .returning_columns((
            agent_run::id,
            agent_run::publisher_id,
            agent_run::agent_version,
            agent_run::depth,
        ))
        .fetch_one(client)
        .await,
        "insert returning",
    );
    assert_eq!(
        inserted,
        (
            "new-1".to_string(),
            Some("pub".to_string()),
            Some("2.0".to_string()),
            Some(2)
        )
    );
    // Update, into a struct.
    let updated: Vec<RunStatus> = ok(
        agent_run::AgentRunTable::update()
            .set(agent_run::status.to(AgentRunStatus::Cancelled))
            .filter(agent_run::id.eq("new-1"))
            .returning_columns((agent_run::id, agent_run::status, agent_run::depth))
            .fetch_all_as(client)
            .await,
        "update returning",
    );
    assert_eq!(
        updated,
        vec![RunStatus {
            id: "new-1".to_string(),
            status: AgentRunStatus::Cancelled,
            depth: Some(2)
        }]
    );
    // Names out of order are refused before the statement runs.
    let refused = agent_run::AgentRunTable::update()
        .set(agent_run::status.to(AgentRunStatus::Cancelled))
        .returning_columns((agent_run::agent_id, agent_run::status, agent_run::depth))
        .fetch_all_as::<RunStatus, _>(client)
        .await;
    assert!(matches!(refused, Err(Error::Build(_))), "{refused:?}");
    // Delete, one column.
    let deleted = ok(
        agent_run::AgentRunTable::delete()
            .filter(agent_run::id.eq("new-1"))
            .returning_columns(agent_run::agent_name)
            .fetch_all(client)
            .await,
        "delete returning",
    );
    assert_eq!(deleted, vec![Some("name".to_string())]);
    batch(client, "ROLLBACK").await;
}

async fn keyset_pagination(client: &Client) {
    // One direction: pages by (created_at, id) descending, a row
    // comparison; together they are the whole ordered list.
    let all = ids(
        client,
        "SELECT id FROM agent_run ORDER BY created_at DESC, id DESC",
    )
    .await;
    let mut pages = Vec::new();
    let mut last: Option<(DateTime<Utc>, String)> = None;
    loop {
        let mut q = agent_run::AgentRunTable::select()
            .order_by(agent_run::created_at.desc())
            .order_by(agent_run::id.desc())
            .limit(5);
        if let Some((at, id)) = &last {
            q = q.after((agent_run::created_at, agent_run::id), (*at, id.clone()));
            assert!(
                q.sql()
                    .contains("WHERE (\"created_at\", \"id\") < ($1, $2) ORDER BY"),
                "{}",
                q.sql()
            );
        }
        let page = ok(q.fetch_all(client).await, "page");
        let Some(end) = page.last() else { break };
        last = Some((end.created_at, end.id.clone()));
        pages.extend(page.into_iter().map(|r| r.id));
    }
    assert_eq!(pages, all);

    // Mixed directions over a join, against OFFSET pages written by hand.
    let mut last: Option<(String, i32)> = None;
    let mut offset = 0;
    loop {
        let mut q = agent_step::AgentStepTable::select()
            .join(agent_step::rel::agent_run)
            .filter(agent_run::status.ne(AgentRunStatus::Failed))
            .columns((
                agent_step::agent_run_id,
                agent_step::step_number,
                agent_step::id,
            ))
            .order_by(agent_step::agent_run_id)
            .order_by(agent_step::step_number.desc())
            .limit(4);
        if let Some((run, n)) = &last {
            q = q.after(
                (agent_step::agent_run_id, agent_step::step_number),
                (run.clone(), *n),
            );
        }
        let page = ok(q.fetch_all(client).await, "mixed page");
        let want = ids(
            client,
            &format!(
                "SELECT s.id FROM agent_step s JOIN agent_run r ON r.id = s.agent_run_id \
                 WHERE r.status <> 'failed' ORDER BY s.agent_run_id, s.step_number DESC \
                 LIMIT 4 OFFSET {offset}"
            ),
        )
        .await;
        let got: Vec<String> = page.iter().map(|(_, _, id)| id.clone()).collect();
        assert_eq!(got, want, "page at offset {offset}");
        let Some((run, n, _)) = page.last() else {
            break;
        };
        last = Some((run.clone(), *n));
        offset += 4;
    }
    assert!(offset > 8);

    // Keys that are not the leading ORDER BY columns: refused by name
    // before any round trip.
    let refused = agent_run::AgentRunTable::select()
        .order_by(agent_run::id)
        .after((agent_run::created_at,), (Utc::now(),))
        .fetch_all(client)
        .await;
    match refused {
        Err(Error::Build(m)) => assert!(m.contains("\"agent_run\".\"created_at\""), "{m}"),
        other => panic!("{other:?}"),
    }
}

async fn functions(client: &Client) {
    // Built-ins in filters and projections.
    let got: Vec<(String, String, Option<i32>, String)> = ok(
        user::UserTable::select()
            .filter(lower(user::email).eq("a@example.com"))
            .columns((
                user::id,
                upper(user::email),
                length(user::name),
                coalesce(user::name, "anonymous"),
            ))
            .fetch_all(client)
            .await,
        "builtins",
    );
    assert_eq!(
        got,
        vec![(
            "u1".to_string(),
            "A@EXAMPLE.COM".to_string(),
            Some(3),
            "Ada".to_string()
        )]
    );
    let got: Vec<(String, Option<i32>, String)> = ok(
        user::UserTable::select()
            .columns((
                user::id,
                length(user::name),
                coalesce(user::name, "anonymous"),
            ))
            .order_by(user::id)
            .fetch_all(client)
            .await,
        "builtins over NULL",
    );
    let want: Vec<(String, Option<i32>, String)> = match client
        .query(
            "SELECT id, length(name), coalesce(name, 'anonymous') FROM \"user\" ORDER BY id",
            &[],
        )
        .await
    {
        Ok(rows) => rows
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect(),
        Err(e) => panic!("{e}"),
    };
    assert_eq!(got, want);
    // date_trunc and now(), ordered by an expression.
    let got: Vec<(String, DateTime<Utc>)> = ok(
        agent_run::AgentRunTable::select()
            .filter(agent_run::created_at.expr().lt_expr(now()))
            .columns((agent_run::id, date_trunc("day", agent_run::created_at)))
            .order_by(lower(agent_run::agent_id).desc())
            .order_by(agent_run::id)
            .fetch_all(client)
            .await,
        "date_trunc",
    );
    let want: Vec<(String, DateTime<Utc>)> = match client
        .query(
            "SELECT id, date_trunc('day', created_at) FROM agent_run WHERE created_at < now() \
             ORDER BY lower(agent_id) DESC, id",
            &[],
        )
        .await
    {
        Ok(rows) => rows.iter().map(|r| (r.get(0), r.get(1))).collect(),
        Err(e) => panic!("{e}"),
    };
    assert_eq!(want.len(), 12);
    assert_eq!(got, want);
    // Any function by name, its type given: a built-in and a function of
    // the database's own.
    batch(
        client,
        "CREATE FUNCTION \"Step Weight\"(n integer, w numeric) RETURNS numeric \
         LANGUAGE sql IMMUTABLE AS 'SELECT n * w'",
    )
    .await;
    let got: Vec<(
        String,
        Option<i32>,
        Option<strata::runtime::rust_decimal::Decimal>,
    )> = ok(
        agent_step::AgentStepTable::select()
            .columns((
                agent_step::id,
                func::<Option<i32>, _>("array_length", (agent_step::child_run_ids, 1i32)),
                func::<Option<strata::runtime::rust_decimal::Decimal>, _>(
                    "public.Step Weight",
                    (agent_step::step_number, agent_step::credits),
                ),
            ))
            .order_by(agent_step::id)
            .fetch_all(client)
            .await,
        "func",
    );
    let want: Vec<(String, Option<i32>, Option<strata::runtime::rust_decimal::Decimal>)> =
        match client
            .query(
                "SELECT id, array_length(child_run_ids, 1), public.\"Step Weight\"(step_number, credits) \
                 FROM agent_step ORDER BY id",
                &[],
            )
            .await
        {
            Ok(rows) => rows.iter().map(|r| (r.get(0), r.get(1), r.get(2))).collect(),
            Err(e) => panic!("{e}"),
        };
    assert!(want.iter().any(|(_, n, _)| n.is_some()));
    assert_eq!(got, want);
}

async fn raw_fragments(client: &Client) {
    // A filter: array containment, the array bound as a parameter.
    let q = agent_run::AgentRunTable::select()
        .filter(raw::<bool, _>(
            "{} @> {}",
            (agent_run::ancestor_run_ids, vec!["r2".to_string()]),
        ))
        .order_by(agent_run::id);
    assert!(
        q.sql()
            .ends_with("WHERE (\"ancestor_run_ids\" @> $1) ORDER BY \"id\""),
        "{}",
        q.sql()
    );
    let got: Vec<String> = ok(q.fetch_all(client).await, "raw filter")
        .into_iter()
        .map(|r| r.id)
        .collect();
    let want = ids(
        client,
        "SELECT id FROM agent_run WHERE ancestor_run_ids @> ARRAY['r2'] ORDER BY id",
    )
    .await;
    assert!(!want.is_empty());
    assert_eq!(got, want);
    // A value that would break SQL text stays a value.
    let hostile = "x'); DROP TABLE agent_run; --";
    let got = ok(
        user::UserTable::select()
            .filter(raw::<bool, _>("{} = {}", (user::name, hostile)))
            .fetch_all(client)
            .await,
        "hostile value",
    );
    assert!(got.is_empty());
    let quoted = ok(
        user::UserTable::select()
            .filter(raw::<bool, _>("{} = {}", (user::name, "Cy \"quoted\"")))
            .columns(user::id)
            .fetch_all(client)
            .await,
        "quoted value",
    );
    assert_eq!(quoted, vec!["u3".to_string()]);
    // In a projection and an order, with literal braces.
    let got: Vec<(String, Option<i32>)> = ok(
        agent_run::AgentRunTable::select()
            .columns((
                agent_run::id,
                raw::<Option<i32>, _>(
                    "array_length({} || '{{x}}'::text[], 1)",
                    (agent_run::ancestor_run_ids,),
                ),
            ))
            .order_by(
                raw::<i32, _>(
                    "coalesce(array_length({}, 1), 0)",
                    (agent_run::ancestor_run_ids,),
                )
                .desc(),
            )
            .order_by(agent_run::id)
            .fetch_all(client)
            .await,
        "raw projection",
    );
    let want: Vec<(String, Option<i32>)> = match client
        .query(
            "SELECT id, array_length(ancestor_run_ids || '{x}'::text[], 1) FROM agent_run \
             ORDER BY coalesce(array_length(ancestor_run_ids, 1), 0) DESC, id",
            &[],
        )
        .await
    {
        Ok(rows) => rows.iter().map(|r| (r.get(0), r.get(1))).collect(),
        Err(e) => panic!("{e}"),
    };
    assert_eq!(got, want);
    // Placeholders and arguments that do not match: refused before any
    // round trip, by name.
    let refused = agent_run::AgentRunTable::select()
        .filter(raw::<bool, _>("{} = {}", (agent_run::id,)))
        .fetch_all(client)
        .await;
    match refused {
        Err(Error::Build(m)) => assert!(m.contains("2 placeholder(s)"), "{m}"),
        other => panic!("{other:?}"),
    }
    // A `$n` of one's own would collide with strata's numbering: refused.
    let refused = agent_run::AgentRunTable::select()
        .filter(raw::<bool, _>("{} = $1", (agent_run::id,)))
        .fetch_all(client)
        .await;
    match refused {
        Err(Error::Build(m)) => assert!(m.contains("`$n`"), "{m}"),
        other => panic!("{other:?}"),
    }
}
