//! Compile-fail tests: what the typed models must not let compile, and the
//! errors `strata::schema!` gives, pinned in `ui/*.stderr`; and the pass
//! case of the hostile-names fixture (`ui_pass/hostile.rs`: its committed
//! generated models and `strata::schema!` on it compile under
//! `#![deny(warnings)]`, see `tests/hostile_identifiers.rs`).
//!
//! It belongs to the package `tests/ui-tests` (strata-ui-tests), not to
//! strata-tests: trybuild builds its own copy of the running package's
//! dependencies, and this one has only what the ui cases use (the
//! reference models and strata), not the integration tests' proptest,
//! refinery, insta, … — a clean build of them was most of the suite's time.
//!
//! The ui crates are built by trybuild under `target/tests/trybuild/`, so
//! the macro's paths (relative to that crate) climb four levels back to
//! the workspace: this needs the default target folder (`CARGO_TARGET_DIR`
//! unset). Regenerate the `.stderr` files with `TRYBUILD=overwrite`.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("ui/*.rs");
    t.pass("ui_pass/hostile.rs");
    t.pass("ui_pass/query_forms.rs");
}
