// An override whose Rust type cannot read or write the column's type (as
// the README once suggested for `interval`) is a compile error naming both,
// not a failure on every row at run time.
strata::schema! {
    schema: "../../../../tests/ui-tests/ui/fixtures/unmapped/schema.sql",
    types: { "interval" => String, "point" => String },
}

fn main() {}
