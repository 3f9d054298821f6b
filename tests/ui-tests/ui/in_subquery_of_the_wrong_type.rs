// IN (subquery) compares a column with the subquery's one column: a text
// id is not among integer step numbers.
use strata_reference_schema::{agent_run, agent_step};

fn main() {
    let _ = agent_run::AgentRunTable::select().filter(
        agent_run::id.in_query(agent_step::AgentStepTable::select().columns(agent_step::step_number)),
    );
}
