// sum adds numbers: a text column has no sum.
use strata::runtime::sum;
use strata_reference_schema::agent_run;

fn main() {
    let _ = agent_run::AgentRunTable::select().columns((sum(agent_run::agent_id),));
}
