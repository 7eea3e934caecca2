#![no_main]
//! Fuzz target `layout`: see `checks::layout` for what it checks.

use libfuzzer_sys::fuzz_target;

#[path = "../checks.rs"]
mod checks;

fuzz_target!(|data: &[u8]| checks::layout(data));
