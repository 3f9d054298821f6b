// UPDATE … FROM reads only the tables it names: user is not among them.
use strata_reference_schema::{agent_run, agent_step, user};

fn main() {
    let _ = agent_run::AgentRunTable::update()
        .from(agent_step::AgentStepTable, agent_step::agent_run_id.eq_col(agent_run::id))
        .set_col(agent_run::error_message, agent_step::error_message)
        .filter(user::banned.eq(true));
}
