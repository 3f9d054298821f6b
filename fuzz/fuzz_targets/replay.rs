//! A whole file through `Replayer::apply_file`, then `finish`.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::Arc;
use strata_core::replay::Replayer;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let text: Arc<str> = Arc::from(s);
    let mut r = Replayer::new();
    if r.apply_file("fuzz.sql", &text).is_ok() {
        let _ = r.finish();
    }
});
