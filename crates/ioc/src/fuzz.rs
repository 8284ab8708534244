//! fuzz
pub fn fuzz_extract(_d: &[u8]) {}
pub fn fuzz_pattern(_d: &[u8]) {}
