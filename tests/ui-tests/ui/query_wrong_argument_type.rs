// The parameter's type is what PostgreSQL infers from the SQL (`depth` is
// an integer column, so `$1` is an integer): a string does not compile.
use strata_reference_schema::query;

fn main() {
    let _ = query!("SELECT id FROM agent_run WHERE depth > $1", "two");
}
