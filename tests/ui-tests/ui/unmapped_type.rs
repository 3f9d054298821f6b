// `interval` has no Rust type in strata's mapping: the error names the
// column and the override that maps it.
strata::schema! {
    schema: "../../../../tests/ui-tests/ui/fixtures/unmapped/schema.sql",
}

fn main() {}
