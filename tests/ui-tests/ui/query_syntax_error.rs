// A syntax error is located inside the SQL string (line:column).
use strata_reference_schema::query;

fn main() {
    let _ = query!(
        "SELECT id
         FROM agent_run
         WHERE depth > > 2"
    );
}
