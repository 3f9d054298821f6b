// agent_run.user_id is nullable: a struct field for it must be an Option.
use strata_reference_schema::{agent_run, AgentRunStatus};

#[derive(strata::FromRow)]
struct RunSummary {
    id: String,
    status: AgentRunStatus,
    user_id: String,
}

fn main() {
    let _ = agent_run::AgentRunTable::select()
        .columns((agent_run::id, agent_run::status, agent_run::user_id))
        .into::<RunSummary>();
}
