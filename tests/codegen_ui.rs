//! Compile-fail tests: what the typed models must not let compile, and the
//! errors `strata::schema!` gives, pinned in `ui/*.stderr`.
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
