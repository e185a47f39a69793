//! JWT verification benchmarks (placeholder until the suite lands).
fn main() {}
