#![no_main]
//! Fuzz target `document`: see `checks::document` for what it checks.

use libfuzzer_sys::fuzz_target;

#[path = "../checks.rs"]
mod checks;

fuzz_target!(|data: &[u8]| checks::document(data));
