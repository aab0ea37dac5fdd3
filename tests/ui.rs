//! Compile-fail tests: each `tests/ui/*.rs` must fail to build with the
//! error in its `.stderr` (regenerate with `TRYBUILD=overwrite`).

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
