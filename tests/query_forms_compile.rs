//! Every form of the query builder's SELECT and DML compiles as the README
//! shows it (the statements are built and written, not run). A module of
//! the test suite rather than a trybuild pass case: that it compiles is
//! proven by the suite's own build.
use strata::runtime::{
    coalesce, count_all, date_trunc, exists, func, length, lower, not_exists, now, raw, scalar,
    upper,
};
use strata_reference_schema::{agent_run, agent_step, user, AgentRunStatus, AgentStepStatus};

#[derive(strata::FromRow)]
#[allow(dead_code)]
struct Summary {
    id: String,
    status: AgentRunStatus,
}

#[test]
fn every_select_and_dml_form_compiles_and_writes_sql() {
    let steps_of_run = || {
        agent_step::AgentStepTable::select()
            .outer(agent_run::AgentRunTable)
            .filter(agent_step::agent_run_id.eq_col(agent_run::id))
    };
    let statements = [
        // Subqueries.
        agent_run::AgentRunTable::select()
            .filter(exists(
                steps_of_run().filter(agent_step::status.eq(AgentStepStatus::Skipped)),
            ))
            .sql(),
        agent_run::AgentRunTable::select()
            .filter(not_exists(steps_of_run()))
            .sql(),
        user::UserTable::select()
            .filter(
                user::id.in_query(agent_run::AgentRunTable::select().columns(agent_run::user_id)),
            )
            .sql(),
        user::UserTable::select()
            .filter(
                user::id
                    .not_in_query(agent_run::AgentRunTable::select().columns(agent_run::user_id)),
            )
            .sql(),
        agent_run::AgentRunTable::select()
            .columns((
                agent_run::id,
                scalar(steps_of_run().columns(count_all::<agent_step::AgentStepTable>())),
            ))
            .sql(),
        agent_run::AgentRunTable::select()
            .filter(scalar(steps_of_run().columns(count_all::<agent_step::AgentStepTable>())).gt(2))
            .sql(),
        // Set operations.
        user::UserTable::select()
            .columns(user::id)
            .union(agent_run::AgentRunTable::select().columns(agent_run::id))
            .union_all(agent_step::AgentStepTable::select().columns(agent_step::id))
            .intersect(agent_run::AgentRunTable::select().columns(agent_run::id))
            .except(agent_step::AgentStepTable::select().columns(agent_step::agent_run_id))
            .order_by(user::id.desc())
            .limit(10)
            .sql(),
        // UPDATE … FROM, DELETE … USING, RETURNING chosen columns.
        agent_run::AgentRunTable::update()
            .from(
                agent_step::AgentStepTable,
                agent_step::agent_run_id.eq_col(agent_run::id),
            )
            .set_col(agent_run::error_message, agent_step::error_message)
            .filter(agent_step::error_message.is_not_null())
            .returning_columns((agent_run::id, agent_step::id))
            .sql(),
        agent_step::AgentStepTable::delete()
            .using(
                agent_run::AgentRunTable,
                agent_run::id.eq_col(agent_step::agent_run_id),
            )
            .filter(agent_run::status.eq(AgentRunStatus::Completed))
            .returning_columns(agent_step::id)
            .sql(),
        agent_run::AgentRunTable::update()
            .set(agent_run::status.to(AgentRunStatus::Failed))
            .returning_columns((agent_run::id, agent_run::status))
            .sql(),
        agent_run::AgentRunTable::delete()
            .returning_columns(agent_run::id)
            .sql(),
        // Keyset pagination.
        agent_run::AgentRunTable::select()
            .order_by(agent_run::created_at.desc())
            .order_by(agent_run::id.desc())
            .after((agent_run::created_at, agent_run::id), (now_value(), "r9"))
            .limit(20)
            .sql(),
        // Functions and raw fragments.
        user::UserTable::select()
            .filter(lower(user::email).eq("a@example.com"))
            .columns((
                upper(user::email),
                length(user::name),
                coalesce(user::name, "?"),
            ))
            .sql(),
        agent_run::AgentRunTable::select()
            .filter(agent_run::created_at.expr().lt_expr(now()))
            .columns((
                date_trunc("hour", agent_run::created_at),
                func::<Option<i32>, _>("array_length", (agent_run::ancestor_run_ids, 1i32)),
            ))
            .order_by(
                raw::<i32, _>(
                    "coalesce(array_length({}, 1), 0)",
                    (agent_run::ancestor_run_ids,),
                )
                .desc(),
            )
            .sql(),
        agent_run::AgentRunTable::select()
            .filter(raw::<bool, _>(
                "{} @> {}",
                (agent_run::ancestor_run_ids, vec!["r1".to_string()]),
            ))
            .sql(),
    ];
    assert!(statements.iter().all(|s| !s.is_empty()));
    let _ = agent_run::AgentRunTable::select()
        .columns((agent_run::id, agent_run::status))
        .into::<Summary>();
}

fn now_value() -> strata::runtime::chrono::DateTime<strata::runtime::chrono::Utc> {
    strata::runtime::chrono::DateTime::UNIX_EPOCH
}
