//! The bodies of strata's fuzz targets, shared by the cargo-fuzz crate
//! (`fuzz/`, libFuzzer on nightly) and the stable smoke test that `.ci/run`
//! runs (`core/tests/fuzz_smoke.rs`), so both drive exactly the same code.
//!
//! Each function takes any bytes. Returning is success; a panic (an
//! `assert!` below included) is a bug. Errors for bad input are expected
//! and are the point: they must be errors, never panics or hangs.

use std::sync::Arc;

use crate::model::Schema;
use crate::{normalize, parse, plan, replay::Replayer, source, split};

/// A target's body: any bytes in, a panic on a bug.
pub type Target = fn(&[u8]);

/// The targets, by name: what `fuzz/fuzz_targets/<name>.rs` runs.
pub const TARGETS: &[(&str, Target)] = &[
    ("split", split_target),
    ("parse", parse_target),
    ("replay", replay_target),
    ("normalize", normalize_target),
    ("declared", declared_target),
    ("lint", lint_target),
    ("nodetree", nodetree_target),
];

/// `split::tokens`, `split::file_directives` and `split::split` on any
/// UTF-8 text: every statement lies inside the file.
pub fn split_target(data: &[u8]) {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let text: Arc<str> = Arc::from(s);
    let tokens = split::tokens(s);
    for t in &tokens {
        assert!(t.end <= s.len(), "token past the end of the file");
    }
    let _ = split::file_directives(s);
    if let Ok(statements) = split::split("fuzz.sql", &text) {
        for st in &statements {
            assert!(st.offset <= s.len(), "statement offset past the end");
            assert!(
                st.offset + st.text.len() <= s.len(),
                "statement text past the end"
            );
        }
    }
}

/// Splits, then parses every statement: a parse error points inside the
/// statement it reports on.
pub fn parse_target(data: &[u8]) {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let text: Arc<str> = Arc::from(s);
    let Ok(statements) = split::split("fuzz.sql", &text) else {
        return;
    };
    for st in &statements {
        if let Err(e) = parse::parse_statement(&st.text) {
            assert!(
                e.offset <= st.text.len(),
                "parse error offset past the statement"
            );
        }
    }
}

/// A whole file through the replayer; an error's location lies inside the
/// file.
pub fn replay_target(data: &[u8]) {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let text: Arc<str> = Arc::from(s);
    let mut r = Replayer::new();
    match r.apply_file("fuzz.sql", &text) {
        Ok(()) => {
            let _ = r.finish();
        }
        Err(e) => {
            if let crate::Error::Sql(e) = &e {
                assert!(
                    e.span.offset() + e.span.len() <= s.len(),
                    "error span past the end of the file"
                );
                assert!(e.location.line >= 1 && e.location.column >= 1);
            }
        }
    }
}

/// `strata lint` on a file, in a transaction and outside one: every
/// finding and note lies inside the file, an error's span too.
pub fn lint_target(data: &[u8]) {
    let Ok(file) = source::decode_sql("fuzz.sql".to_string(), data.to_vec()) else {
        return;
    };
    let lines = file.text.lines().count().max(1) as u32 + 1;
    for tx in [crate::lint::TxMode::Wrapped, crate::lint::TxMode::Outside] {
        match crate::lint::lint(&[], std::slice::from_ref(&file), |_| tx) {
            Ok(r) => {
                for f in &r.findings {
                    assert!(
                        f.location.line >= 1 && f.location.line <= lines,
                        "finding outside the file"
                    );
                    assert!(crate::lint::rule(f.rule).is_some(), "unknown rule");
                }
                for n in &r.notes {
                    assert!(n.location.line >= 1 && n.location.line <= lines);
                }
            }
            Err(crate::Error::Sql(e)) => {
                assert!(
                    e.span.offset() + e.span.len() <= file.text.len(),
                    "error span past the end of the file"
                );
            }
            Err(_) => {}
        }
    }
}

/// Expression analysis and `normalize::type_text`: an expression typed and
/// printed as the server would (as a CHECK and as a text default over a
/// small table), then its printed form analysed again; a canonical type
/// re-read. Whatever the input, no panic.
pub fn normalize_target(data: &[u8]) {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(e) = crate::expression::parse(s) {
        let mut schema = crate::model::Schema::default();
        schema
            .namespaces
            .insert("public".to_string(), crate::model::Namespace::default());
        let columns = [
            crate::model::Column::new("a", "integer"),
            crate::model::Column::new("t", "text"),
            crate::model::Column::new("n", "numeric(10,2)"),
            crate::model::Column::new("ts", "timestamp with time zone"),
        ];
        let scope = crate::analyze::Scope {
            columns: &columns,
            schema: &schema,
        };
        for role in [
            crate::analyze::Role::Check,
            crate::analyze::Role::Default {
                column_type: "text",
            },
        ] {
            let _ = crate::analyze::default_volatility(&e, &scope, "text");
            if let Ok(text) = crate::analyze::stored(&e, &scope, role) {
                if let Ok(again) = crate::expression::parse(&text) {
                    let _ = crate::analyze::stored(&again, &scope, role);
                }
            }
        }
    }
    if let Ok(t) = normalize::type_text(s) {
        let _ = normalize::type_text(&t);
    }
}

/// The declared-schema reader end to end: bytes decoded as a file is
/// (encoding, byte-order mark), replayed, then planned from and to the
/// empty schema, and the plan rendered. Whatever replays must plan.
pub fn declared_target(data: &[u8]) {
    let Ok(file) = source::decode_sql("fuzz.sql".to_string(), data.to_vec()) else {
        return;
    };
    let Ok(replayed) = source::replay_declared(std::slice::from_ref(&file)) else {
        return;
    };
    let schema = &replayed.schema;
    let empty = Schema::default();
    let opts = plan::PlanOptions::default();
    for (from, to) in [(&empty, schema), (schema, &empty)] {
        if let Ok(p) = plan::plan(from, to, &opts) {
            let _ = p.sql();
        }
    }
    let _ = crate::ddl::schema_sql(schema);
}

/// `analyze::nodetree` on any UTF-8 text (a stored `pg_node_tree`, as
/// `outfuncs.c` writes it): read, decoded against three columns and one
/// relation, printed. Errors are the answer for bad input; never a panic.
pub fn nodetree_target(data: &[u8]) {
    use crate::analyze::{deparse, nodetree, Unproven};
    struct Ctx;
    impl nodetree::Context for Ctx {
        fn column(&self, attnum: i16) -> Option<&str> {
            ["", "a", "Upper", "c"]
                .get(usize::try_from(attnum).ok()?)
                .copied()
        }
        fn relation(&self, oid: u32) -> Option<String> {
            (oid == 16400).then(|| "s.seq".to_string())
        }
        fn utf8(&self) -> bool {
            true
        }
    }
    struct Types;
    impl deparse::Names for Types {
        fn type_name(&self, id: u32, _: i32) -> Result<String, Unproven> {
            crate::catalog::Catalog::pg15()
                .type_info(id)
                .map(|t| t.display.clone())
                .ok_or(Unproven {
                    reason: "type".to_string(),
                })
        }
    }
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(tree) = nodetree::parse(s) {
        let _ = tree.has_vars();
        let _ = tree.var_attnums();
    }
    let _ = nodetree::deparse(s, &Ctx, &Types);
}
