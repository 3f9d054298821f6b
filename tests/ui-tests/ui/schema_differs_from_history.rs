// The declared schema says `note.body` is NOT NULL and `note.id` an
// integer; the history builds a nullable body and a bigint id. The macro
// refuses to compile, naming each difference and its files.
strata::schema! {
    schema: "../../../../tests/ui-tests/ui/fixtures/differs/schema.sql",
    migrations: "../../../../tests/ui-tests/ui/fixtures/differs/migrations",
}

fn main() {}
