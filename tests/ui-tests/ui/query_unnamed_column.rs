// A result column becomes a field: one without a name (PostgreSQL's
// `?column?`) must be given one.
use strata_reference_schema::query;

fn main() {
    let _ = query!("SELECT id, depth + 1 FROM agent_run");
}
