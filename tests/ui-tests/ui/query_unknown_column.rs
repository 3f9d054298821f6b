// query! types the SQL against the schema at build time: a column that
// does not exist is an error at the SQL, with the close names suggested.
use strata_reference_schema::query;

fn main() {
    let _ = query!("SELECT id, emial FROM \"user\" WHERE id = $1", "u1");
}
