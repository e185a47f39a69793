//! `lambda-guard event`: print a realistic sample event for a trigger, like
//! `sam local generate-event`.

use lambda_guard::{trigger::sample, Trigger};
use serde_json::Value;
use std::process::ExitCode;

/// Arguments of `lambda-guard event`.
#[derive(clap::Args, Debug)]
pub struct EventArgs {
    /// The trigger (`lambda-guard event --list` names them all).
    #[arg(required_unless_present = "list")]
    trigger: Option<String>,
    /// Replace a value: `--set Records.0.body='{"item":"x"}'`, `--set headers.x-id=7`. Where the
    /// sample holds a string (a body, a header), the value stays a string, so JSON carried in
    /// strings stays a string; elsewhere it is taken as JSON when it parses.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    sets: Vec<String>,
    /// Print on one line (for JSON Lines files).
    #[arg(long)]
    compact: bool,
    /// List the triggers.
    #[arg(long)]
    list: bool,
}

/// Prints the event.
pub fn main(args: EventArgs) -> ExitCode {
    if args.list {
        let names: Vec<_> = Trigger::ALL.iter().map(|t| t.name()).collect();
        return print(&names.join("\n"));
    }
    let name = args.trigger.unwrap_or_default();
    let Some(trigger) = Trigger::from_name(&name) else {
        let known: Vec<_> = Trigger::ALL.iter().map(|t| t.name()).collect();
        eprintln!(
            "lambda-guard event: unknown trigger `{name}` (known: {})",
            known.join(", ")
        );
        return ExitCode::from(2);
    };
    let mut event = sample::sample(trigger);
    for set in &args.sets {
        let Some((path, raw)) = set.split_once('=') else {
            eprintln!("lambda-guard event: --set {set}: expected PATH=VALUE");
            return ExitCode::from(2);
        };
        let pointer = format!("/{}", path.trim_start_matches("$.").replace('.', "/"));
        let keeps_string = event.pointer(&pointer).is_none_or(Value::is_string);
        let value = match serde_json::from_str(raw) {
            Ok(json) if !keeps_string => json,
            _ => Value::String(raw.to_owned()),
        };
        if let Err(e) = sample::set_path(&mut event, path, value) {
            eprintln!("lambda-guard event: --set {e}");
            return ExitCode::from(2);
        }
    }
    let text = if args.compact {
        serde_json::to_string(&event)
    } else {
        serde_json::to_string_pretty(&event)
    };
    match text {
        Ok(text) => print(&text),
        Err(e) => {
            eprintln!("lambda-guard event: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Writes `text` and a line break to stdout (`println!` panics when the reader left early).
fn print(text: &str) -> ExitCode {
    use std::io::Write;
    match writeln!(std::io::stdout().lock(), "{text}") {
        Err(e) if !crate::reader_left(&e) => {
            eprintln!("lambda-guard event: {e}");
            ExitCode::FAILURE
        }
        _ => ExitCode::SUCCESS,
    }
}
