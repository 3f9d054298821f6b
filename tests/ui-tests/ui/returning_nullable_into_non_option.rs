// RETURNING reads rows into a struct by the columns' types: user_id is
// nullable, so its field must be an Option.
use strata_reference_schema::agent_run;

#[derive(strata::FromRow)]
struct Returned {
    id: String,
    user_id: String,
}

async fn demo<C: strata::runtime::Executor>(db: &C) {
    let _ = agent_run::AgentRunTable::delete()
        .returning_columns((agent_run::id, agent_run::user_id))
        .fetch_all_as::<Returned, C>(db)
        .await;
}

fn main() {
    let _ = demo::<strata::runtime::Db<strata::runtime::Pooled<()>>>;
}
