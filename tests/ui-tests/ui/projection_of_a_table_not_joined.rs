// A projection selects columns of the tables in the query only.
use strata_reference_schema::{agent_run, user};

fn main() {
    let _ = agent_run::AgentRunTable::select().columns((agent_run::id, user::email));
}
