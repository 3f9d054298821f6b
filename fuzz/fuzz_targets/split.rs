//! `split::split` (and the tokenizer and directive reader it shares) on any
//! UTF-8 text: an error is fine, a panic or a hang is not.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::Arc;
use strata_core::split;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let text: Arc<str> = Arc::from(s);
    let _ = split::tokens(s);
    let _ = split::file_directives(s);
    if let Ok(statements) = split::split("fuzz.sql", &text) {
        for st in &statements {
            // Every statement must point inside the file it came from.
            assert!(st.offset <= s.len(), "statement offset past the end");
        }
    }
});
