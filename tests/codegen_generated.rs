//! `schema/src/generated.rs` is what `strata codegen` writes for the
//! reference database. It is committed (to read, and to see in diffs how
//! a schema change changes the models); this test regenerates it and fails
//! when the committed file is stale.
//!
//! Regenerate with `cargo run -p pgstrata-cli -- codegen --out
//! schema/src/generated.rs`, or `STRATA_UPDATE_GENERATED=1 cargo test -p
//! strata-tests --test suite codegen_generated`.

use std::path::Path;

use strata_core::codegen::{generate_file, Request};

/// The committed file, compiled: it must build on its own, not only match.
#[allow(dead_code, unused_imports)]
mod generated {
    include!("../schema/src/generated.rs");
}

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

#[test]
fn the_committed_generated_file_is_what_codegen_writes() {
    let request = Request::new(root().join("schema/sql"), Some(root().join("migrations")));
    let fresh = match generate_file(&request) {
        Ok(code) => code,
        Err(diagnostics) => panic!(
            "codegen of the reference failed:\n{}",
            diagnostics
                .iter()
                .map(|d| d.message.clone())
                .collect::<Vec<_>>()
                .join("\n")
        ),
    };
    let path = root().join("schema/src/generated.rs");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed == fresh {
        return;
    }
    if std::env::var_os("STRATA_UPDATE_GENERATED").is_some() {
        if let Err(e) = std::fs::write(&path, &fresh) {
            panic!("cannot write {}: {e}", path.display());
        }
        return;
    }
    let diff = similar::TextDiff::from_lines(&committed, &fresh)
        .unified_diff()
        .header("committed", "regenerated")
        .to_string();
    panic!(
        "schema/src/generated.rs is stale: run `cargo run -p pgstrata-cli -- codegen --out schema/src/generated.rs` (or STRATA_UPDATE_GENERATED=1 cargo test -p strata-tests --test suite codegen_generated) and commit it\n{diff}"
    );
}

/// The committed file and the macro are the same code: same statements.
#[test]
fn the_committed_file_and_the_macro_write_the_same_sql() {
    use strata_reference_schema as by_macro;
    let a = generated::agent_run::AgentRunTable::select()
        .filter(generated::agent_run::depth.gt(1))
        .order_by(generated::agent_run::created_at.desc())
        .limit(5)
        .sql();
    let b = by_macro::agent_run::AgentRunTable::select()
        .filter(by_macro::agent_run::depth.gt(1))
        .order_by(by_macro::agent_run::created_at.desc())
        .limit(5)
        .sql();
    assert_eq!(a, b);
    let a =
        generated::user::UserTable::insert(generated::user::NewUser::new("a@example.com".into()))
            .on_conflict(generated::user::conflict::user_handle_lower_idx)
            .do_nothing()
            .sql();
    let b = by_macro::user::UserTable::insert(by_macro::user::NewUser::new("a@example.com".into()))
        .on_conflict(by_macro::user::conflict::user_handle_lower_idx)
        .do_nothing()
        .sql();
    assert_eq!(a, b);
}
