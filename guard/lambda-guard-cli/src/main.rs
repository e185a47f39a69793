//! `lambda-guard`: the local Lambda harness, scanner, event fixtures, attack campaigns and demo.
//! Each subcommand lives in its own module; this file only parses arguments and dispatches.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

mod attack;
mod campaign;
mod demo;
mod event;
mod harness;
mod scan;

#[derive(Parser)]
#[command(
    name = "lambda-guard",
    version,
    about = "Runtime security guard for AWS Lambda: local harness and tools"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Play Lambda locally: serve the Runtime, Extensions and Telemetry APIs and run a function.
    Run(harness::RunArgs),
    /// Replay captured events (JSON Lines) through the guard's policy and print verdicts.
    Scan(scan::ScanArgs),
    /// Print a realistic sample event for a trigger.
    Event(event::EventArgs),
    /// Run the guarded examples against benign traffic and attacks, and show the reuse leak.
    Demo(demo::DemoArgs),
    /// Run an attack campaign against a function inside the harness and report what got through.
    Attack(attack::AttackArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Run(args) => harness::main(args),
        Command::Scan(args) => scan::main(args),
        Command::Event(args) => event::main(args),
        Command::Attack(args) => attack::main(args),
        Command::Demo(args) => demo::main(args),
    }
}
