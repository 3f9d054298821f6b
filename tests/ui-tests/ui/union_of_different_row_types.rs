// A UNION combines selects whose rows have one type: ids (text) and step
// numbers (integer) do not combine.
use strata_reference_schema::{agent_run, agent_step};

fn main() {
    let _ = agent_run::AgentRunTable::select()
        .columns(agent_run::id)
        .union(agent_step::AgentStepTable::select().columns(agent_step::step_number));
}
