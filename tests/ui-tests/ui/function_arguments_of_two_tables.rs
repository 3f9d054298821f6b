// A function's arguments read one table: a run's id and a step's id are
// not arguments of one expression.
use strata_reference_schema::{agent_run, agent_step};
use strata::runtime::func;

fn main() {
    let _ = agent_run::AgentRunTable::select()
        .columns(func::<String, _>("concat", (agent_run::id, agent_step::id)));
}
