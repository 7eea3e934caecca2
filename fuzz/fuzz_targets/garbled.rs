#![no_main]
//! Fuzz target `garbled`: see `checks::garbled` for what it checks.

use libfuzzer_sys::fuzz_target;

#[path = "../checks.rs"]
mod checks;

fuzz_target!(|data: &[u8]| checks::garbled(data));
