// Nothing in `$1 IS NULL` decides the parameter's type: strata asks for a
// cast instead of guessing.
use strata_reference_schema::query;

fn main() {
    let _ = query!("SELECT id FROM agent_run WHERE $1 IS NULL", 1);
}
