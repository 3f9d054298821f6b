// `with` loads relations that start at the selected table.
use strata_reference_schema::{agent_step, user};

fn main() {
    let _ = user::UserTable::select().with(agent_step::rel::agent_run);
}
