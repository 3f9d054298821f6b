// query_as! fills a struct of one's own by field name: a field whose type
// is not the column's does not compile (`depth` is a nullable integer).
use strata_reference_schema::query_as;

struct Run {
    id: String,
    depth: i64,
}

fn main() {
    let _ = query_as!(Run, "SELECT id, depth FROM agent_run");
}
