//! The typed query builder over several tables, on a real server: joins
//! along relations and on conditions (inner, left, three tables, a
//! self-join through an alias), relation loading nested in one statement,
//! each compared with the same query written by hand in SQL.
//!
//! One database (the reference schema, built by its migrations, with rows
//! covering every column type of the tables used) serves every check.

use crate::support;

use strata::runtime::rust_decimal::Decimal;
use strata::runtime::{
    array_agg, avg, bool_and, bool_or, count, count_all, count_distinct, lower, max, min, sum,
    Alias, Error, Table,
};
use support::reference::{reference_db, SEED};
use tokio_postgres::types::Type;
use tokio_postgres::Client;

use strata_reference_schema::{agent_run, agent_step, message, user, AgentRunStatus};

fn ok<T>(r: Result<T, Error>, what: &str) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("{what}: {e}"),
    }
}

/// Pairs of ids from a hand-written query.
async fn id_pairs(client: &Client, sql: &str) -> Vec<(String, Option<String>)> {
    match client.query(sql, &[]).await {
        Ok(rows) => rows.iter().map(|r| (r.get(0), r.get(1))).collect(),
        Err(e) => panic!("{sql}: {e}"),
    }
}

#[tokio::test]
async fn query_builder_against_the_server() {
    let (_db, client) = reference_db("qb").await;
    if let Err(e) = client.batch_execute(SEED).await {
        panic!("seed: {e}");
    }
    inner_join_along_a_relation(&client).await;
    left_join_gives_none_without_a_match(&client).await;
    three_tables_and_filters_on_each(&client).await;
    self_join_through_an_alias(&client).await;
    join_on_a_condition(&client).await;
    loaded_relations_equal_direct_selects(&client).await;
    many_to_one_loads(&client).await;
    one_to_many_as_rows(&client).await;
    projections_into_tuples_and_structs(&client).await;
    aggregates_typed_as_the_server_types_them(&client).await;
    group_by_having_distinct(&client).await;
}

async fn inner_join_along_a_relation(client: &Client) {
    let q = agent_step::AgentStepTable::select()
        .join(agent_step::rel::agent_run)
        .filter(agent_run::status.eq(AgentRunStatus::Completed))
        .order_by(agent_step::id);
    assert_eq!(
        q.sql(),
        "SELECT \"agent_step\".\"id\", \"agent_step\".\"agent_run_id\", \"agent_step\".\"step_number\", \"agent_step\".\"credits\", \"agent_step\".\"child_run_ids\", \"agent_step\".\"spawned_count\", \"agent_step\".\"message_id\", \"agent_step\".\"status\", \"agent_step\".\"error_message\", \"agent_step\".\"created_at\", \"agent_step\".\"completed_at\", \"agent_step\".\"duration_ms\", \"agent_run\".\"id\", \"agent_run\".\"user_id\", \"agent_run\".\"agent_id\", \"agent_run\".\"publisher_id\", \"agent_run\".\"agent_name\", \"agent_run\".\"agent_version\", \"agent_run\".\"ancestor_run_ids\", \"agent_run\".\"root_run_id\", \"agent_run\".\"parent_run_id\", \"agent_run\".\"depth\", \"agent_run\".\"status\", \"agent_run\".\"total_steps\", \"agent_run\".\"direct_credits\", \"agent_run\".\"total_credits\", \"agent_run\".\"error_message\", \"agent_run\".\"created_at\", \"agent_run\".\"completed_at\", \"agent_run\".\"duration_ms\" FROM \"agent_step\" AS \"agent_step\" JOIN \"agent_run\" AS \"agent_run\" ON \"agent_run\".\"id\" = \"agent_step\".\"agent_run_id\" WHERE \"agent_run\".\"status\" = $1 ORDER BY \"agent_step\".\"id\""
    );
    let got = ok(q.fetch_all(client).await, "inner join");
    let want = id_pairs(
        client,
        "SELECT s.id, r.id FROM agent_step s JOIN agent_run r ON r.id = s.agent_run_id \
         WHERE r.status = 'completed' ORDER BY s.id",
    )
    .await;
    assert!(!want.is_empty());
    let ids: Vec<(String, Option<String>)> = got
        .iter()
        .map(|(s, r)| (s.id.clone(), Some(r.id.clone())))
        .collect();
    assert_eq!(ids, want);
    // Each half is exactly the row a direct select reads.
    for (step, run) in &got {
        let direct_step = ok(
            agent_step::AgentStepTable::select()
                .filter(agent_step::id.eq(&step.id))
                .fetch_one(client)
                .await,
            "direct step",
        );
        let direct_run = ok(
            agent_run::AgentRunTable::select()
                .filter(agent_run::id.eq(&run.id))
                .fetch_one(client)
                .await,
            "direct run",
        );
        assert_eq!(step, &direct_step);
        assert_eq!(run, &direct_run);
    }
}

async fn left_join_gives_none_without_a_match(client: &Client) {
    let got = ok(
        agent_run::AgentRunTable::select()
            .left_join(agent_run::rel::user)
            .order_by(agent_run::id)
            .fetch_all(client)
            .await,
        "left join",
    );
    let want = id_pairs(
        client,
        "SELECT r.id, u.id FROM agent_run r LEFT JOIN \"user\" u ON u.id = r.user_id ORDER BY r.id",
    )
    .await;
    let ids: Vec<(String, Option<String>)> = got
        .iter()
        .map(|(r, u)| (r.id.clone(), u.as_ref().map(|u| u.id.clone())))
        .collect();
    assert_eq!(ids, want);
    assert!(ids.iter().any(|(_, u)| u.is_none()));
    // One-to-many, left: a run without steps once, with None.
    let got = ok(
        agent_run::AgentRunTable::select()
            .left_join(agent_run::rel::agent_step)
            .order_by(agent_run::id)
            .order_by(agent_step::id)
            .fetch_all(client)
            .await,
        "left join steps",
    );
    let want = id_pairs(
        client,
        "SELECT r.id, s.id FROM agent_run r LEFT JOIN agent_step s ON s.agent_run_id = r.id ORDER BY r.id, s.id",
    )
    .await;
    let ids: Vec<(String, Option<String>)> = got
        .iter()
        .map(|(r, s)| (r.id.clone(), s.as_ref().map(|s| s.id.clone())))
        .collect();
    assert_eq!(ids, want);
}

async fn three_tables_and_filters_on_each(client: &Client) {
    let got = ok(
        user::UserTable::select()
            .join(user::rel::agent_run)
            .join(agent_run::rel::agent_step)
            .filter(user::banned.eq(true))
            .filter(agent_step::status.eq(strata_reference_schema::AgentStepStatus::Completed))
            .filter(agent_run::direct_credits.gt(strata::runtime::rust_decimal::Decimal::ONE))
            .order_by(agent_step::id.desc())
            .limit(5)
            .fetch_all(client)
            .await,
        "three tables",
    );
    let want = id_pairs(
        client,
        "SELECT s.id, u.id FROM \"user\" u JOIN agent_run r ON r.user_id = u.id \
         JOIN agent_step s ON s.agent_run_id = r.id \
         WHERE u.banned AND s.status = 'completed' AND r.direct_credits > 1 ORDER BY s.id DESC LIMIT 5",
    )
    .await;
    assert!(!want.is_empty());
    let ids: Vec<(String, Option<String>)> = got
        .iter()
        .map(|(u, r, s)| {
            assert_eq!(s.agent_run_id, r.id);
            (s.id.clone(), Some(u.id.clone()))
        })
        .collect();
    assert_eq!(ids, want);
}

async fn self_join_through_an_alias(client: &Client) {
    type Parent = Alias<agent_run::AgentRunTable, 1>;
    const PARENT: Parent = Alias::new();
    let q = agent_run::AgentRunTable::select()
        .join_on(
            PARENT,
            agent_run::parent_run_id.eq_col(PARENT.col(agent_run::id)),
        )
        .filter(PARENT.col(agent_run::status).eq(AgentRunStatus::Running))
        .order_by(agent_run::id);
    assert!(q.sql().contains(
        "JOIN \"agent_run\" AS \"agent_run#1\" ON \"agent_run\".\"parent_run_id\" = \"agent_run#1\".\"id\""
    ));
    let got = ok(q.fetch_all(client).await, "self join");
    let want = id_pairs(
        client,
        "SELECT c.id, p.id FROM agent_run c JOIN agent_run p ON c.parent_run_id = p.id \
         WHERE p.status = 'running' ORDER BY c.id",
    )
    .await;
    assert!(!want.is_empty());
    let ids: Vec<(String, Option<String>)> = got
        .iter()
        .map(|(c, p)| (c.id.clone(), Some(p.id.clone())))
        .collect();
    assert_eq!(ids, want);
    assert_eq!(<Parent as Table>::alias(), "agent_run#1");
}

async fn join_on_a_condition(client: &Client) {
    // Messages of the users who own a run, on a condition of our own.
    let got = ok(
        message::MessageTable::select()
            .left_join_on(user::UserTable, message::user_id.eq_col(user::id))
            .filter(message::byok.eq(true))
            .order_by(message::id)
            .fetch_all(client)
            .await,
        "join on",
    );
    let want = id_pairs(
        client,
        "SELECT m.id, u.id FROM message m LEFT JOIN \"user\" u ON m.user_id = u.id WHERE m.byok ORDER BY m.id",
    )
    .await;
    let ids: Vec<(String, Option<String>)> = got
        .iter()
        .map(|(m, u)| (m.id.clone(), u.as_ref().map(|u| u.id.clone())))
        .collect();
    assert_eq!(ids, want);
}

async fn loaded_relations_equal_direct_selects(client: &Client) {
    let q = user::UserTable::select()
        .with((
            user::rel::agent_run.with(agent_run::rel::agent_step),
            user::rel::message,
        ))
        .order_by(user::id);
    let got = ok(q.fetch_all(client).await, "with");
    // One statement, whatever the number of rows.
    assert_eq!(q.sql().matches("SELECT").count(), 4);
    let users = ok(
        user::UserTable::select()
            .order_by(user::id)
            .fetch_all(client)
            .await,
        "users",
    );
    assert_eq!(got.len(), users.len());
    let mut runs_seen = 0;
    let mut steps_seen = 0;
    for ((u, (runs, messages)), direct) in got.iter().zip(&users) {
        assert_eq!(u, direct);
        let direct_runs = ok(
            agent_run::AgentRunTable::select()
                .filter(agent_run::user_id.eq(&u.id))
                .order_by(agent_run::id)
                .fetch_all(client)
                .await,
            "runs",
        );
        let loaded_runs: Vec<agent_run::AgentRun> = runs.iter().map(|(r, _)| r.clone()).collect();
        assert_eq!(loaded_runs, direct_runs);
        for (run, steps) in runs {
            let direct_steps = ok(
                agent_step::AgentStepTable::select()
                    .filter(agent_step::agent_run_id.eq(&run.id))
                    .order_by(agent_step::id)
                    .fetch_all(client)
                    .await,
                "steps",
            );
            assert_eq!(steps, &direct_steps);
            runs_seen += 1;
            steps_seen += steps.len();
        }
        let direct_messages = ok(
            message::MessageTable::select()
                .filter(message::user_id.eq(&u.id))
                .order_by(message::id)
                .fetch_all(client)
                .await,
            "messages",
        );
        assert_eq!(messages, &direct_messages);
    }
    assert!(runs_seen > 0 && steps_seen > 0);
    // A user without runs has an empty list, not a missing row.
    assert!(got
        .iter()
        .any(|(u, (runs, _))| u.id == "u3" && runs.is_empty()));
}

async fn many_to_one_loads(client: &Client) {
    // NOT NULL key: the parent itself; nullable key: Option.
    let got = ok(
        agent_step::AgentStepTable::select()
            .with(agent_step::rel::agent_run.with(agent_run::rel::user))
            .order_by(agent_step::id)
            .fetch_all(client)
            .await,
        "many to one",
    );
    assert!(!got.is_empty());
    for (step, (run, owner)) in &got {
        assert_eq!(run.id, step.agent_run_id);
        let direct = ok(
            agent_run::AgentRunTable::select()
                .filter(agent_run::id.eq(&step.agent_run_id))
                .fetch_one(client)
                .await,
            "run",
        );
        assert_eq!(run, &direct);
        match &run.user_id {
            Some(id) => assert_eq!(owner.as_ref().map(|u| &u.id), Some(id)),
            None => assert!(owner.is_none()),
        }
    }
}

/// Parent id with its children's ids, from a hand-written query whose
/// rows are (parent id, child id or NULL), in order.
async fn grouped_ids(client: &Client, sql: &str) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for (parent, child) in id_pairs(client, sql).await {
        match out.last_mut() {
            Some((p, children)) if *p == parent => children.extend(child),
            _ => out.push((parent, child.into_iter().collect())),
        }
    }
    out
}

/// One level of one-to-many comes as rows (`LEFT JOIN`, grouped on the
/// client): the same values as the records shape (`as_records`) and as a
/// hand-written query, parents without children included, with the
/// parent's filter, order (ties, NULLs, expressions) and limit meaning
/// what they mean for the parents alone.
async fn one_to_many_as_rows(client: &Client) {
    // The quoted table `user`, a parent without children (u3), every
    // parent's order tied (banned: false twice), NULLs first.
    let q = user::UserTable::select()
        .with(user::rel::agent_run)
        .order_by(user::banned)
        .order_by(user::name.desc().nulls_first());
    let sql = q.sql();
    assert!(!sql.contains("ARRAY("), "{sql}");
    assert!(
        sql.contains(
            "FROM \"user\" AS \"user\" ORDER BY \"user\".\"banned\", \"user\".\"name\" DESC NULLS FIRST) AS \"user\" LEFT JOIN \"agent_run\" AS \"agent_run#w1\" ON \"agent_run#w1\".\"user_id\" = \"user\".\"id\" ORDER BY \"user\".\"banned\", \"user\".\"name\" DESC NULLS FIRST, \"user\".\"id\", \"agent_run#w1\".\"id\""
        ),
        "{sql}"
    );
    let got = ok(q.fetch_all(client).await, "users with runs as rows");
    let records = ok(
        q.as_records().fetch_all(client).await,
        "users with runs as records",
    );
    assert_eq!(got, records);
    let want = grouped_ids(
        client,
        "SELECT u.id, r.id FROM \"user\" u LEFT JOIN agent_run r ON r.user_id = u.id \
         ORDER BY u.banned, u.name DESC NULLS FIRST, u.id, r.id",
    )
    .await;
    let ids: Vec<(String, Vec<String>)> = got
        .iter()
        .map(|(u, runs)| (u.id.clone(), runs.iter().map(|r| r.id.clone()).collect()))
        .collect();
    assert_eq!(ids, want);
    assert_eq!(ids.len(), 3);
    assert!(ids.iter().any(|(u, runs)| u == "u3" && runs.is_empty()));
    for (_, runs) in &got {
        for r in runs {
            let direct = ok(
                agent_run::AgentRunTable::select()
                    .filter(agent_run::id.eq(&r.id))
                    .fetch_one(client)
                    .await,
                "run",
            );
            assert_eq!(r, &direct);
        }
    }

    // Limit and offset count parents, not rows; ties on status and NULL
    // completion times, broken by the key so that the limit is exact.
    let q = agent_run::AgentRunTable::select()
        .offset(2)
        .with(agent_run::rel::agent_step)
        .order_by(agent_run::status.desc())
        .order_by(agent_run::completed_at.asc().nulls_first())
        .order_by(agent_run::id)
        .limit(5);
    let got = ok(q.fetch_all(client).await, "runs with steps, limit");
    assert_eq!(got.len(), 5);
    assert_eq!(got, ok(q.as_records().fetch_all(client).await, "records"));
    let want = grouped_ids(
        client,
        "SELECT r.id, s.id FROM (SELECT * FROM agent_run \
         ORDER BY status DESC, completed_at NULLS FIRST, id LIMIT 5 OFFSET 2) r \
         LEFT JOIN agent_step s ON s.agent_run_id = r.id \
         ORDER BY r.status DESC, r.completed_at NULLS FIRST, r.id, s.id",
    )
    .await;
    let ids: Vec<(String, Vec<String>)> = got
        .iter()
        .map(|(r, steps)| (r.id.clone(), steps.iter().map(|s| s.id.clone()).collect()))
        .collect();
    assert_eq!(ids, want);
    assert!(ids.iter().any(|(_, steps)| steps.is_empty()));
    assert!(ids.iter().any(|(_, steps)| steps.len() > 1));

    // Order by ties alone (no key): every parent once, in an order the
    // ORDER BY allows, each with exactly its children; a filter on the
    // parent.
    let got = ok(
        agent_run::AgentRunTable::select()
            .filter(agent_run::id.ne("r1"))
            .with(agent_run::rel::agent_step)
            .order_by(agent_run::status)
            .fetch_all(client)
            .await,
        "runs by status",
    );
    assert_eq!(got.len(), 11);
    assert!(got.windows(2).all(|p| p[0].0.status <= p[1].0.status));
    let mut ids: Vec<(String, Vec<String>)> = got
        .iter()
        .map(|(r, steps)| (r.id.clone(), steps.iter().map(|s| s.id.clone()).collect()))
        .collect();
    ids.sort();
    let want = grouped_ids(
        client,
        "SELECT r.id, s.id FROM agent_run r LEFT JOIN agent_step s ON s.agent_run_id = r.id \
         WHERE r.id <> 'r1' ORDER BY r.id, s.id",
    )
    .await;
    assert_eq!(ids, want);

    // An order expression: computed once inside, its value ordered by
    // outside; many-to-one loads below the children stay rows too.
    let q = user::UserTable::select()
        .with(user::rel::agent_run.with(agent_run::rel::user))
        .order_by(lower(user::email).desc())
        .limit(2);
    let sql = q.sql();
    assert!(
        sql.contains("lower(\"user\".\"email\") AS \"strata#o0\""),
        "{sql}"
    );
    assert!(
        sql.contains("ORDER BY \"user\".\"strata#o0\" DESC, \"user\".\"id\""),
        "{sql}"
    );
    assert!(!sql.contains("ARRAY("), "{sql}");
    let got = ok(q.fetch_all(client).await, "nested many-to-one as rows");
    assert_eq!(got, ok(q.as_records().fetch_all(client).await, "records"));
    let users: Vec<&str> = got.iter().map(|(u, _)| u.id.as_str()).collect();
    assert_eq!(users, ["u3", "u2"]);
    for (u, runs) in &got {
        for (run, owner) in runs {
            assert_eq!(run.user_id.as_deref(), Some(u.id.as_str()));
            assert_eq!(owner.as_ref(), Some(u));
        }
    }

    // One parent by key: fetch_one counts parents, not rows.
    let (run, steps) = ok(
        agent_run::AgentRunTable::select()
            .filter(agent_run::id.eq("r3"))
            .with(agent_run::rel::agent_step)
            .fetch_one(client)
            .await,
        "one run",
    );
    assert_eq!(run.id, "r3");
    assert_eq!(steps.len(), 3);

    // Several one-to-many relations, or one below another: records.
    let two = user::UserTable::select().with((user::rel::agent_run, user::rel::message));
    assert!(two.sql().contains("ARRAY(SELECT ROW("), "{}", two.sql());
    let deep =
        user::UserTable::select().with(user::rel::agent_run.with(agent_run::rel::agent_step));
    assert!(deep.sql().contains("ARRAY(SELECT ROW("), "{}", deep.sql());
}

#[derive(Debug, PartialEq, strata::FromRow)]
struct RunSummary {
    id: String,
    status: AgentRunStatus,
    user_id: Option<String>,
}

async fn projections_into_tuples_and_structs(client: &Client) {
    let got: Vec<(String, AgentRunStatus, Option<String>)> = ok(
        agent_run::AgentRunTable::select()
            .columns((agent_run::id, agent_run::status, agent_run::user_id))
            .order_by(agent_run::id)
            .fetch_all(client)
            .await,
        "tuple projection",
    );
    let want: Vec<(String, AgentRunStatus, Option<String>)> = match client
        .query(
            "SELECT id, status::text, user_id FROM agent_run ORDER BY id",
            &[],
        )
        .await
    {
        Ok(rows) => rows
            .iter()
            .map(|r| {
                let status: String = r.get(1);
                (
                    r.get(0),
                    status.parse().unwrap_or(AgentRunStatus::Failed),
                    r.get(2),
                )
            })
            .collect(),
        Err(e) => panic!("{e}"),
    };
    assert_eq!(got, want);
    // Into a struct, by the same projection.
    let structs = ok(
        ok(
            agent_run::AgentRunTable::select()
                .columns((agent_run::id, agent_run::status, agent_run::user_id))
                .order_by(agent_run::id)
                .into::<RunSummary>(),
            "into",
        )
        .fetch_all(client)
        .await,
        "struct projection",
    );
    assert_eq!(structs.len(), want.len());
    for (s, (id, status, user_id)) in structs.iter().zip(&want) {
        assert_eq!((&s.id, &s.status, &s.user_id), (id, status, user_id));
    }
    // Names out of order are refused before the statement runs.
    let refused = agent_run::AgentRunTable::select()
        .columns((agent_run::agent_id, agent_run::status, agent_run::user_id))
        .into::<RunSummary>();
    assert!(matches!(refused, Err(Error::Build(_))));
    // A left-joined table's NOT NULL column projects as Option.
    let got: Vec<(String, Option<String>)> = ok(
        agent_run::AgentRunTable::select()
            .left_join(agent_run::rel::user)
            .columns((agent_run::id, user::email))
            .order_by(agent_run::id)
            .fetch_all(client)
            .await,
        "left projection",
    );
    let want = id_pairs(
        client,
        "SELECT r.id, u.email FROM agent_run r LEFT JOIN \"user\" u ON u.id = r.user_id ORDER BY r.id",
    )
    .await;
    assert_eq!(got, want);
}

async fn aggregates_typed_as_the_server_types_them(client: &Client) {
    let q = agent_run::AgentRunTable::select()
        .join(agent_run::rel::agent_step)
        .columns((
            count_all::<agent_step::AgentStepTable>(),
            count(agent_step::error_message),
            count_distinct(agent_step::agent_run_id),
            sum(agent_step::step_number),
            sum(agent_step::credits),
            avg(agent_step::step_number),
            min(agent_run::created_at),
            max(agent_step::id),
        ));
    // The types the server gives these columns (its RowDescription).
    let statement = match client.prepare(&q.sql()).await {
        Ok(s) => s,
        Err(e) => panic!("{}: {e}", q.sql()),
    };
    let types: Vec<Type> = statement
        .columns()
        .iter()
        .map(|c| c.type_().clone())
        .collect();
    assert_eq!(
        types,
        [
            Type::INT8,
            Type::INT8,
            Type::INT8,
            Type::INT8,
            Type::NUMERIC,
            Type::NUMERIC,
            Type::TIMESTAMPTZ,
            Type::TEXT
        ]
    );
    let (n, errors, runs, steps_sum, credits, avg_step, first, last) =
        ok(q.fetch_one(client).await, "aggregates");
    let row = match client
        .query_one(
            "SELECT count(*), count(s.error_message), count(DISTINCT s.agent_run_id), \
             sum(s.step_number), sum(s.credits), avg(s.step_number), min(r.created_at), max(s.id) \
             FROM agent_run r JOIN agent_step s ON s.agent_run_id = r.id",
            &[],
        )
        .await
    {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(n, row.get::<_, i64>(0));
    assert_eq!(errors, row.get::<_, i64>(1));
    assert_eq!(runs, row.get::<_, i64>(2));
    assert_eq!(steps_sum, row.get::<_, Option<i64>>(3));
    assert_eq!(credits, row.get::<_, Option<Decimal>>(4));
    assert_eq!(avg_step, row.get::<_, Option<Decimal>>(5));
    assert_eq!(first, row.get(6));
    assert_eq!(last, row.get::<_, Option<String>>(7));
    // Over no rows: count is 0, the others NULL.
    let (n, s, b_or, b_and, arr) = ok(
        message::MessageTable::select()
            .columns((
                count(message::id),
                sum(message::output_tokens),
                bool_or(message::byok),
                bool_and(message::byok),
                array_agg(message::model),
            ))
            .filter(message::id.eq("none"))
            .fetch_one(client)
            .await,
        "empty aggregates",
    );
    assert_eq!((n, s, b_or, b_and, arr), (0, None, None, None, None));
    let (b_or, b_and, models) = ok(
        message::MessageTable::select()
            .columns((
                bool_or(message::byok),
                bool_and(message::byok),
                array_agg(message::user_id),
            ))
            .fetch_one(client)
            .await,
        "bool aggregates",
    );
    assert_eq!((b_or, b_and), (Some(true), Some(false)));
    assert!(models.is_some_and(|m| m.contains(&None)));
}

async fn group_by_having_distinct(client: &Client) {
    let got: Vec<(String, i64, Option<Decimal>)> = ok(
        agent_step::AgentStepTable::select()
            .columns((
                agent_step::agent_run_id,
                count(agent_step::id),
                sum(agent_step::credits),
            ))
            .group_by(agent_step::agent_run_id)
            .having(count(agent_step::id).gt(1i64))
            .order_by(agent_step::agent_run_id)
            .fetch_all(client)
            .await,
        "group by",
    );
    let want: Vec<(String, i64, Option<Decimal>)> = match client
        .query(
            "SELECT agent_run_id, count(id), sum(credits) FROM agent_step GROUP BY agent_run_id \
             HAVING count(id) > 1 ORDER BY agent_run_id",
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
    assert!(!want.is_empty());
    assert_eq!(got, want);
    let got: Vec<(AgentRunStatus,)> = ok(
        agent_run::AgentRunTable::select()
            .columns((agent_run::status,))
            .distinct()
            .order_by(agent_run::status)
            .fetch_all(client)
            .await,
        "distinct",
    );
    assert_eq!(
        got,
        vec![(AgentRunStatus::Running,), (AgentRunStatus::Completed,)]
    );
    // The latest run of each status.
    let got: Vec<(AgentRunStatus, String)> = ok(
        agent_run::AgentRunTable::select()
            .columns((agent_run::status, agent_run::id))
            .distinct_on(agent_run::status)
            .order_by(agent_run::status)
            .order_by(agent_run::created_at.desc())
            .fetch_all(client)
            .await,
        "distinct on",
    );
    let want = id_pairs(
        client,
        "SELECT DISTINCT ON (status) id, id FROM agent_run ORDER BY status, created_at DESC",
    )
    .await;
    let ids: Vec<(String, Option<String>)> = got
        .iter()
        .map(|(_, id)| (id.clone(), Some(id.clone())))
        .collect();
    assert_eq!(ids, want);
}
