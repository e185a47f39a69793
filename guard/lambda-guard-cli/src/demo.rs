//! `lambda-guard demo`: the guarded example functions under attack, on this machine.
//!
//! Builds the examples (through cargo when it is there), runs each inside the harness, replays
//! a mixed stream of benign traffic and attacks, shows the reuse leak with hygiene off and on,
//! and prints a short report. No network beyond loopback, no AWS account, no configuration.

use crate::{
    attack::{self, Report},
    campaign::{self, Body, TokenContext},
    harness::{self, HarnessConfig},
};
use aws_lc_rs::signature::RsaKeyPair;
use bytes::Bytes;
use lambda_guard::Trigger;
use serde_json::{json, Value};
use std::{
    path::{Path, PathBuf},
    process::{Command, ExitCode},
    time::{Duration, Instant},
};

/// Arguments of `lambda-guard demo`.
#[derive(clap::Args, Debug)]
pub struct DemoArgs {
    /// Use the example binaries already built, do not call cargo.
    #[arg(long)]
    no_build: bool,
}

const ISSUER: &str = "https://issuer.example.test";
const AUDIENCE: &str = "orders";
const EXAMPLES: [&str; 3] = ["orders-api", "batch-ingest", "reuse-leak-demo"];

/// The directory this binary was built into (`target/release` under `cargo run --release`).
fn bin_dir() -> Result<PathBuf, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    exe.parent()
        .map(Path::to_path_buf)
        .ok_or_else(|| "no directory for the running binary".into())
}

fn build_examples(dir: &Path) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut command = Command::new(cargo);
    command.arg("build").arg("--quiet");
    if dir.ends_with("release") {
        command.arg("--release");
    }
    for example in EXAMPLES {
        command.args(["-p", example]);
    }
    command.arg("--bins");
    eprintln!("building the examples…");
    let status = command
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    status
        .success()
        .then_some(())
        .ok_or_else(|| "building the examples failed".into())
}

/// A private directory (mode 0700) for the demo's keys, removed at the end. Beside the build,
/// not under `/tmp`: the harness gives functions a `/tmp` of their own, as Lambda does.
struct Scratch(PathBuf);

impl Scratch {
    fn new(beside: &Path) -> Result<Scratch, String> {
        use std::os::unix::fs::DirBuilderExt;
        let path = beside.join(format!("lambda-guard-demo-{}", std::process::id()));
        std::fs::DirBuilder::new()
            .mode(0o700)
            .create(&path)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(Scratch(path))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn config(dir: &Path, bin: &str, env: &[(&str, String)]) -> HarnessConfig {
    let mut config = HarnessConfig::new(vec![dir.join(bin).to_string_lossy().into_owned()]);
    config.timeout = Duration::from_secs(10);
    config.echo_output = false;
    config.env = env
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    config
}

/// Runs the demo: exit 0 when every outcome was the expected one, 1 otherwise.
pub async fn demo(args: DemoArgs) -> Result<ExitCode, String> {
    let dir = bin_dir()?;
    if !args.no_build {
        build_examples(&dir)?;
    }
    // Timed from here: the build is cargo's, the rest is the demo's.
    let start = Instant::now();
    for bin in [
        "orders-api",
        "mint-token",
        "batch-ingest",
        "reuse-leak-demo",
    ] {
        if !dir.join(bin).exists() {
            return Err(format!(
                "{} is missing (build the examples)",
                dir.join(bin).display()
            ));
        }
    }
    let scratch = Scratch::new(&dir)?;
    let keys = scratch.0.join("keys");
    let minted = Command::new(dir.join("mint-token"))
        .args(["--dir", &keys.to_string_lossy()])
        .env("GUARD_JWT_ISSUER", ISSUER)
        .env("GUARD_JWT_AUDIENCE", AUDIENCE)
        .output()
        .map_err(|e| format!("mint-token: {e}"))?;
    if !minted.status.success() {
        return Err(format!(
            "mint-token failed: {}",
            String::from_utf8_lossy(&minted.stderr)
        ));
    }
    let der = std::fs::read(keys.join("signing-key.p8")).map_err(|e| e.to_string())?;
    let tokens = TokenContext {
        issuer: ISSUER.into(),
        audience: AUDIENCE.into(),
        jwks: std::fs::read_to_string(keys.join("jwks.json")).ok(),
        signing_key: Some(RsaKeyPair::from_pkcs8(&der).map_err(|e| e.to_string())?),
        kid: "orders-local-1".into(),
    };

    println!("lambda-guard demo: guarded functions under attack, in a local Lambda harness\n");
    let mut surprises = 0;

    // 1. An HTTP API behind JWT auth and input inspection.
    let http = [Trigger::ApiGatewayHttp, Trigger::ApiGatewayRest];
    let body = Body::default();
    let mut probes = campaign::benign(&http, &body);
    probes.extend(campaign::injections(&http, &body));
    let token = tokens.valid("orders:read orders:write").unwrap_or_default();
    for p in &mut probes {
        campaign::authorize(&mut p.event, &token);
    }
    probes.extend(campaign::jwt_probes(&tokens, Trigger::ApiGatewayHttp));
    let env = [
        (
            "GUARD_JWT_JWKS_FILE",
            keys.join("jwks.json").to_string_lossy().into_owned(),
        ),
        ("GUARD_JWT_ISSUER", ISSUER.to_owned()),
        ("GUARD_JWT_AUDIENCE", AUDIENCE.to_owned()),
    ];
    let report = attack::run_campaign(config(&dir, "orders-api", &env), &probes, true).await?;
    scene(
        "orders-api: HTTP API (API Gateway v2 and REST shapes), JWT required, scopes per route",
        &report,
    );
    surprises += report.surprises();

    // 2. An SQS consumer: hostile records leave the batch, reported as batchItemFailures.
    let queue = [Trigger::Sqs];
    let body = Body {
        template: json!({"sensor": "thermo-17", "value": 21.5}),
        field: "sensor".into(),
    };
    let mut probes = campaign::benign(&queue, &body);
    probes.extend(campaign::injections(&queue, &body));
    let report = attack::run_campaign(config(&dir, "batch-ingest", &[]), &probes, true).await?;
    scene("batch-ingest: SQS consumer, partial batch failure", &report);
    surprises += report.surprises();

    // 3. The reuse leak: tenant B asks what tenant A left behind.
    println!("reuse-leak-demo: one execution environment, two tenants");
    let secret = format!(
        "sk_live_{:016x}",
        start.elapsed().as_nanos() ^ u128::from(std::process::id())
    );
    let mut leaked_when_off = false;
    for hygiene in ["off", "enforce"] {
        let found = leak_round(&dir, hygiene, &secret).await?;
        let leaked = found.iter().any(|f| f.contains(&secret));
        if hygiene == "off" {
            leaked_when_off = leaked;
        }
        let shown: Vec<String> = found.iter().take(3).map(|f| shorten(f)).collect();
        println!(
            "  GUARD_HYGIENE={hygiene:<8} tenant B found {} item(s){}{}",
            found.len(),
            if leaked {
                " including tenant A's secret: "
            } else {
                ""
            },
            if leaked {
                shown.join(", ")
            } else {
                String::new()
            },
        );
        if hygiene == "enforce" && leaked {
            surprises += 1;
        }
    }
    if !leaked_when_off {
        println!("  (the careless function did not leak with hygiene off: unexpected)");
        surprises += 1;
    }
    println!();
    println!(
        "{} in {:.1} s: {} unexpected outcome(s). Details: lambda-guard attack --help, README.md",
        if surprises == 0 {
            "All as expected"
        } else {
            "Done"
        },
        start.elapsed().as_secs_f64(),
        surprises
    );
    drop(scratch);
    Ok(if surprises == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn scene(title: &str, report: &Report) {
    attack::print_table(title, report);
    let hostile: u32 = report
        .classes
        .iter()
        .filter(|(c, _)| is_attack(c))
        .map(|(_, t)| t.attempts)
        .sum();
    let blocked: u32 = report
        .classes
        .iter()
        .filter(|(c, _)| is_attack(c))
        .map(|(_, t)| t.blocked)
        .sum();
    let benign = report.classes.get("benign");
    println!(
        "  => {blocked}/{hostile} attacks refused before the handler; {}/{} benign requests served\n",
        benign.map_or(0, |t| t.reached),
        benign.map_or(0, |t| t.attempts),
    );
}

/// Classes that are attacks (not benign traffic, not the leak checks over every answer).
fn is_attack(class: &str) -> bool {
    !matches!(class, "benign" | "cross_invocation_leak")
}

fn shorten(s: &str) -> String {
    let s: String = s.chars().take(60).collect();
    s.replace('\n', " ")
}

/// Tenant A stores a secret, then tenant B reports what it finds; returns B's findings.
async fn leak_round(dir: &Path, hygiene: &str, secret: &str) -> Result<Vec<String>, String> {
    let env = [("GUARD_HYGIENE", hygiene.to_owned())];
    let events = [
        json!({"tenant": "tenant-a", "secret": secret, "document": "A's quarterly numbers"}),
        json!({"tenant": "tenant-b", "secret": "b-secret", "document": "B's notes"}),
    ];
    let results = harness::run_events(
        config(dir, "reuse-leak-demo", &env),
        events.iter().map(|e| Bytes::from(e.to_string())),
        |_| {},
    )
    .await
    .map_err(|e| e.to_string())?;
    let b = results
        .get(1)
        .and_then(|r| r.response.clone())
        .unwrap_or(Value::Null);
    Ok(b["found"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect())
}
