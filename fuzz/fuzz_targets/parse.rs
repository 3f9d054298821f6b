//! Splits the input, then parses every statement with `parse_statement`.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::Arc;
use strata_core::{parse, split};

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let text: Arc<str> = Arc::from(s);
    let Ok(statements) = split::split("fuzz.sql", &text) else { return };
    for st in &statements {
        if let Err(e) = parse::parse_statement(&st.text) {
            // A parse error must point inside the statement it reports on.
            assert!(e.offset <= st.text.len(), "parse error offset past the statement");
        }
    }
});
