// A filter belongs to one table: an org column cannot filter agent runs.
use strata_reference_schema::{agent_run, org};

fn main() {
    let _ = agent_run::AgentRunTable::select().filter(org::slug.eq("acme"));
}
