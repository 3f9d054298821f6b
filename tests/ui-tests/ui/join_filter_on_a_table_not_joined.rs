// A joined query filters only on the tables it selects from or joins:
// user is not joined here.
use strata_reference_schema::{agent_step, user};

fn main() {
    let _ = agent_step::AgentStepTable::select()
        .join(agent_step::rel::agent_run)
        .filter(user::banned.eq(true));
}
