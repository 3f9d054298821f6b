//! The `nodetree` target: see `strata_core::fuzzing::nodetree_target` for what it
//! drives and what must hold (the stable smoke test runs the same body).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| strata_core::fuzzing::nodetree_target(data));
