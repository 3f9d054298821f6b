// Generated columns are read-only: an update cannot set them.
use strata_reference_schema::agent_run;

fn main() {
    let _ = agent_run::AgentRunTable::update().set(agent_run::depth.to(Some(2)));
}
