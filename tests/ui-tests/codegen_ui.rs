//! Compile-fail tests: what the typed models must not let compile, and the
//! errors `strata::schema!` gives, pinned in `ui/*.stderr`. What must
//! compile is in the integration tests (`query_forms_compile.rs`,
//! `hostile_pass.rs`): with no pass case here, trybuild only runs `cargo
//! check`, which builds no dependency's code but the proc macros'.
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
}
