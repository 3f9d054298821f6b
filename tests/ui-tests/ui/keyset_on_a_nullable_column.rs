// Keyset pagination compares rows of keys, where NULL has no place: a
// nullable column is no key.
use strata_reference_schema::agent_run;

fn main() {
    let _ = agent_run::AgentRunTable::select()
        .order_by(agent_run::completed_at)
        .after((agent_run::completed_at,), (None::<strata::runtime::chrono::DateTime<strata::runtime::chrono::Utc>>,));
}
