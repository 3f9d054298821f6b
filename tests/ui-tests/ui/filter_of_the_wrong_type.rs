// A filter compares a column only with values of its type: `depth` is an
// integer column, so comparing it with a string does not compile.
use strata_reference_schema::agent_run;

fn main() {
    let _ = agent_run::AgentRunTable::select().filter(agent_run::depth.eq("two"));
}
