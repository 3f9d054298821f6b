// What strata cannot type yet is refused by name, never guessed.
use strata_reference_schema::query;

fn main() {
    let _ = query!("SELECT id, row_number() OVER (ORDER BY created_at) AS n FROM agent_run");
}
