// A misspelt key of the macro input is an error at the key.
strata::schema! {
    schema: "../../../../tests/ui-tests/ui/fixtures/unmapped/schema.sql",
    migration: "../../../../tests/ui-tests/ui/fixtures/differs/migrations",
}

fn main() {}
