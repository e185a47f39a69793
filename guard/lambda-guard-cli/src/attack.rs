//! `lambda-guard attack`: run an attack campaign against a function inside the harness and
//! report, per class, how many probes were sent, refused by the guard, and reached the handler.

use crate::{
    campaign::{self, Expect, Probe, TokenContext},
    harness::{self, HarnessConfig, InvocationResult},
};
use aws_lc_rs::signature::RsaKeyPair;
use bytes::Bytes;
use lambda_guard::Trigger;
use serde_json::{json, Value};
use std::{
    collections::BTreeMap,
    io::{IsTerminal, Write},
    path::PathBuf,
    process::ExitCode,
    time::{Duration, Instant},
};

/// Arguments of `lambda-guard attack`.
#[derive(clap::Args, Debug)]
pub struct AttackArgs {
    /// Triggers to place injection payloads in (repeatable; default: the HTTP API shape).
    #[arg(long = "trigger", value_name = "TRIGGER")]
    triggers: Vec<String>,
    /// Send JWT forgeries (for functions that require a bearer token).
    #[arg(long)]
    jwt: bool,
    /// The function's public JWKS document, for key-confusion forgeries.
    #[arg(long, value_name = "FILE")]
    jwks: Option<PathBuf>,
    /// The function owner's RSA signing key (PKCS#8 DER), for validly signed tokens with bad
    /// claims, and valid tokens on the benign and injection probes.
    #[arg(long, value_name = "FILE")]
    signing_key: Option<PathBuf>,
    /// `kid` of the signing key.
    #[arg(long, default_value = "orders-local-1")]
    kid: String,
    /// Expected issuer (for forged claims).
    #[arg(long, default_value = "https://issuer.example.test")]
    issuer: String,
    /// Expected audience.
    #[arg(long, default_value = "orders")]
    audience: String,
    /// A JSON object the function accepts as its body, message or record data.
    #[arg(
        long,
        value_name = "JSON",
        default_value = r#"{"item":"espresso beans","quantity":1}"#
    )]
    body: String,
    /// The string field of `--body` that payloads replace.
    #[arg(long, default_value = "item")]
    field: String,
    /// Environment variable for the function (repeatable).
    #[arg(long = "env", value_name = "KEY=VALUE")]
    env: Vec<String>,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// Also write a self-contained HTML report.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// Invocation timeout in seconds.
    #[arg(long, default_value_t = 10)]
    timeout: u64,
    /// The function's bootstrap command.
    #[arg(last = true, required = true)]
    command: Vec<String>,
}

/// Per-class tallies.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Tally {
    /// Probes sent.
    pub attempts: u32,
    /// Refused by the guard.
    pub blocked: u32,
    /// Reached the handler.
    pub reached: u32,
    /// Probes whose outcome was not the expected one (names).
    pub surprises: Vec<String>,
}

/// A campaign's outcome.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Report {
    /// Tallies by class.
    pub classes: BTreeMap<String, Tally>,
    /// Wall time of the campaign.
    pub seconds: f64,
}

impl Report {
    /// Hostile probes that reached the handler, and benign probes that were blocked.
    pub fn surprises(&self) -> usize {
        self.classes.values().map(|t| t.surprises.len()).sum()
    }
}

/// Runs `probes` through one environment and tallies them.
pub async fn run_campaign(
    config: HarnessConfig,
    probes: &[Probe],
    progress: bool,
) -> Result<Report, String> {
    let start = Instant::now();
    let events: Vec<Bytes> = probes
        .iter()
        .map(|p| Bytes::from(p.event.to_string()))
        .collect();
    let total = probes.len();
    let mut done = 0usize;
    let show = progress && std::io::stderr().is_terminal();
    let results = harness::run_events(config, events, |_| {
        done += 1;
        if show {
            let width = 30;
            let filled = done * width / total.max(1);
            eprint!(
                "\r  [{}{}] {done}/{total}",
                "#".repeat(filled),
                " ".repeat(width - filled)
            );
            let _ = std::io::stderr().flush();
        }
    })
    .await
    .map_err(|e| e.to_string())?;
    if show {
        eprint!("\r{}\r", " ".repeat(50));
    }
    Ok(tally(probes, &results, start.elapsed()))
}

fn tally(probes: &[Probe], results: &[InvocationResult], elapsed: Duration) -> Report {
    let mut report = Report {
        seconds: elapsed.as_secs_f64(),
        ..Report::default()
    };
    for (probe, result) in probes.iter().zip(results) {
        let blocked = campaign::was_blocked(probe, result.response.as_ref(), result.error.as_ref());
        let t = report.classes.entry(probe.class.to_owned()).or_default();
        t.attempts += 1;
        if blocked {
            t.blocked += 1;
        } else {
            t.reached += 1;
        }
        let expected = match probe.expect {
            Expect::Blocked => blocked,
            Expect::Allowed => !blocked,
        };
        if !expected {
            t.surprises
                .push(format!("{} ({})", probe.name, probe.trigger));
        }
    }
    // Cross-invocation leak probes: every answer is checked for earlier invocations' canaries.
    let answers: Vec<String> = results
        .iter()
        .map(|r| format!("{:?} {:?}", r.response, r.error))
        .collect();
    for (probe, leaked) in campaign::leaks(probes, &answers) {
        let t = report
            .classes
            .entry("cross_invocation_leak".to_owned())
            .or_default();
        t.attempts += 1;
        if leaked {
            t.reached += 1;
            t.surprises.push(format!(
                "the answer to {} carried an earlier invocation's data",
                probe.name
            ));
        } else {
            t.blocked += 1;
        }
    }
    report
}

/// Prints the table.
pub fn print_table(title: &str, report: &Report) {
    println!("{title}");
    println!(
        "  {:<22} {:>6} {:>8} {:>16}",
        "class", "sent", "blocked", "reached handler"
    );
    for (class, t) in &report.classes {
        let mark = if t.surprises.is_empty() {
            ""
        } else {
            "  <-- unexpected"
        };
        println!(
            "  {:<22} {:>6} {:>8} {:>16}{mark}",
            class, t.attempts, t.blocked, t.reached
        );
        for s in t.surprises.iter().take(5) {
            println!("      {s}");
        }
    }
}

/// A self-contained HTML page with a bar per class.
pub fn html(title: &str, report: &Report) -> String {
    let mut rows = String::new();
    let bar_width = 360.0;
    for (i, (class, t)) in report.classes.iter().enumerate() {
        let y = 30 + i * 28;
        let total = f64::from(t.attempts.max(1));
        let wb = bar_width * f64::from(t.blocked) / total;
        let wr = bar_width * f64::from(t.reached) / total;
        rows.push_str(&format!(
            "<text x=\"0\" y=\"{ty}\">{class}</text>\
             <rect x=\"170\" y=\"{y}\" width=\"{wb:.1}\" height=\"18\" fill=\"#2e7d32\"/>\
             <rect x=\"{xr:.1}\" y=\"{y}\" width=\"{wr:.1}\" height=\"18\" fill=\"#c62828\"/>\
             <text x=\"540\" y=\"{ty}\">{b}/{a} blocked</text>",
            ty = y + 14,
            xr = 170.0 + wb,
            b = t.blocked,
            a = t.attempts,
            class = escape(class),
        ));
    }
    let height = 40 + report.classes.len() * 28;
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{t}</title>\
         <style>body{{font-family:sans-serif;margin:2em}}text{{font-size:14px}}</style></head>\
         <body><h1>{t}</h1><p>Green: refused by lambda-guard. Red: reached the handler. \
         Benign traffic should be red (allowed); every other class green.</p>\
         <svg width=\"680\" height=\"{height}\">{rows}</svg>\
         <pre>{json}</pre></body></html>",
        t = escape(title),
        json = escape(&serde_json::to_string_pretty(report).unwrap_or_default()),
    )
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Runs `lambda-guard attack`: exit 1 when any probe had an unexpected outcome.
pub async fn attack(args: AttackArgs) -> Result<ExitCode, String> {
    let mut triggers = Vec::new();
    for name in &args.triggers {
        triggers.push(Trigger::from_name(name).ok_or_else(|| format!("unknown trigger `{name}`"))?);
    }
    if triggers.is_empty() {
        triggers.push(Trigger::ApiGatewayHttp);
    }
    let signing_key = match &args.signing_key {
        Some(path) => {
            let der = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
            Some(RsaKeyPair::from_pkcs8(&der).map_err(|e| format!("{}: {e}", path.display()))?)
        }
        None => None,
    };
    let jwks = match &args.jwks {
        Some(p) => Some(std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?),
        None => None,
    };
    let tokens = TokenContext {
        issuer: args.issuer.clone(),
        audience: args.audience.clone(),
        jwks,
        signing_key,
        kid: args.kid.clone(),
    };
    let template: Value = serde_json::from_str(&args.body).map_err(|e| format!("--body: {e}"))?;
    if !template.get(&args.field).is_some_and(Value::is_string) {
        return Err(format!(
            "--body has no string field `{}` (--field)",
            args.field
        ));
    }
    let body = campaign::Body {
        template,
        field: args.field.clone(),
    };
    let mut probes = campaign::benign(&triggers, &body);
    probes.extend(campaign::injections(&triggers, &body));
    if let Some(token) = tokens.valid("orders:read orders:write") {
        for p in probes.iter_mut().filter(|p| p.trigger.carries_request()) {
            campaign::authorize(&mut p.event, &token);
        }
    }
    if args.jwt {
        let http = triggers
            .iter()
            .copied()
            .find(|t| t.is_http())
            .unwrap_or(Trigger::ApiGatewayHttp);
        probes.extend(campaign::jwt_probes(&tokens, http));
    }
    let mut config = HarnessConfig::new(args.command.clone());
    config.timeout = Duration::from_secs(args.timeout.max(1));
    for kv in &args.env {
        let (k, v) = kv
            .split_once('=')
            .ok_or_else(|| format!("--env {kv}: expected KEY=VALUE"))?;
        config.env.push((k.to_owned(), v.to_owned()));
    }
    let report = run_campaign(config, &probes, !args.json).await?;
    let title = format!("lambda-guard attack: {}", args.command.join(" "));
    if args.json {
        println!(
            "{}",
            serde_json::to_string(&json!({"title": title, "report": report})).unwrap_or_default()
        );
    } else {
        print_table(&title, &report);
        println!(
            "  {} probes in {:.1} s; {} unexpected outcomes",
            probes.len(),
            report.seconds,
            report.surprises()
        );
    }
    if let Some(path) = &args.html {
        std::fs::write(path, html(&title, &report))
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(if report.surprises() == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
