#![no_main]
//! Fuzz target `transport`: see `checks::transport` for what it checks.

use libfuzzer_sys::fuzz_target;

#[path = "../checks.rs"]
mod checks;

fuzz_target!(|data: &[u8]| checks::transport(data));
