//! `normalize::expr_text` and `normalize::type_text` on arbitrary strings,
//! and each on its own output (a canonical form must stay canonical).
#![no_main]
use libfuzzer_sys::fuzz_target;
use strata_core::normalize;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    if let Ok(e) = normalize::expr_text(s) {
        let _ = normalize::expr_text(&e);
    }
    if let Ok(t) = normalize::type_text(s) {
        let _ = normalize::type_text(&t);
    }
});
