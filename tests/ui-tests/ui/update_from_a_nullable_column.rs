// A NOT NULL column is set only from NOT NULL values: an agent step's
// error message may be NULL, a run's agent id may not.
use strata_reference_schema::{agent_run, agent_step};

fn main() {
    let _ = agent_run::AgentRunTable::update()
        .from(agent_step::AgentStepTable, agent_step::agent_run_id.eq_col(agent_run::id))
        .set_col(agent_run::agent_id, agent_step::error_message);
}
