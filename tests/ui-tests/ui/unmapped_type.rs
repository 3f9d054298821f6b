// `point` has no Rust type in strata's mapping: the error names the column
// and says what an override must provide (`interval` is mapped, to
// strata::runtime::Interval).
strata::schema! {
    schema: "../../../../tests/ui-tests/ui/fixtures/unmapped/schema.sql",
}

fn main() {}
