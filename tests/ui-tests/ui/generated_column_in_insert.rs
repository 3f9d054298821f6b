// `depth` is GENERATED ALWAYS AS (…) STORED: the server computes it, so the
// insert struct has no such field.
use strata_reference_schema::agent_run::NewAgentRun;

fn main() {
    let _ = NewAgentRun {
        depth: Some(2),
        ..NewAgentRun::new("publisher/agent@1.0.0".to_string())
    };
}
