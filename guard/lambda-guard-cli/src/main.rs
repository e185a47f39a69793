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
        Command::Attack(args) => block_on("attack", attack::attack(args)),
        Command::Demo(args) => block_on("demo", demo::demo(args)),
    }
}

/// Whether a write failed because the reader closed the pipe (`| head`): it got what it wanted,
/// so a command stops there with success, neither reporting an error nor panicking.
pub(crate) fn reader_left(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::BrokenPipe
}

/// Runs an async subcommand on a small multi-thread runtime: its `Err` is printed with the
/// command's name and exits 2 (a usage or setup error); a runtime that cannot start exits 1.
fn block_on(
    name: &str,
    command: impl std::future::Future<Output = Result<ExitCode, String>>,
) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("lambda-guard {name}: {e}");
            return ExitCode::from(1);
        }
    };
    runtime.block_on(command).unwrap_or_else(|e| {
        eprintln!("lambda-guard {name}: {e}");
        ExitCode::from(2)
    })
}
