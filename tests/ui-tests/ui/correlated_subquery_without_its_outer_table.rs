// A correlated subquery refers to its outer table (agent_run here): it
// cannot filter a query over another table.
use strata_reference_schema::{agent_run, agent_step, user};
use strata::runtime::exists;

fn main() {
    let _ = user::UserTable::select().filter(exists(
        agent_step::AgentStepTable::select()
            .outer(agent_run::AgentRunTable)
            .filter(agent_step::agent_run_id.eq_col(agent_run::id)),
    ));
}
