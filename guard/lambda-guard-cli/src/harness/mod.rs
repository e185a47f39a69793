//! `lambda-guard run`: a Lambda execution environment on your machine.

use std::process::ExitCode;

/// Arguments of `lambda-guard run`.
#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// The runtime's bootstrap command and its arguments.
    #[arg(last = true, required = true)]
    pub command: Vec<String>,
}

/// Runs the harness.
pub fn main(_args: RunArgs) -> ExitCode {
    eprintln!("lambda-guard run: not built yet");
    ExitCode::from(2)
}
