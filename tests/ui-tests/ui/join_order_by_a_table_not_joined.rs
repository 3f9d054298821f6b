// ORDER BY takes columns of the tables in the query only.
use strata_reference_schema::{agent_run, agent_step, user};

fn main() {
    let _ = agent_step::AgentStepTable::select()
        .join(agent_step::rel::agent_run)
        .order_by(agent_run::created_at)
        .order_by(user::email);
}
