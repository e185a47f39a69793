//! `lambda-guard scan`: replay events through the guard's policy.

use std::process::ExitCode;

/// Arguments of `lambda-guard scan`.
#[derive(clap::Args, Debug)]
pub struct ScanArgs {}

/// Runs the scan.
pub fn main(_args: ScanArgs) -> ExitCode {
    ExitCode::from(2)
}
