// Keyset pagination takes one value per key, of the key's type: a step
// number is an integer, not text.
use strata_reference_schema::agent_step;

fn main() {
    let _ = agent_step::AgentStepTable::select()
        .order_by(agent_step::agent_run_id)
        .order_by(agent_step::step_number)
        .after((agent_step::agent_run_id, agent_step::step_number), ("r1", "2"));
}
