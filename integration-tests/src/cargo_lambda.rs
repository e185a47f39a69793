//! `cargo lambda watch --only-lambda-apis` (from PyPI): the ecosystem's Runtime API emulator.
//! Its quirks are part of what the tests check: the API sits under `/.rt`, the deadline is in
//! 1970, the client context is base64, init/error is never acknowledged.

use crate::{bin, free_port, venv_bin, wait_for_port, workspace_root, Process};
use serde_json::Value;
use std::{process::Command, time::Duration};

/// A running emulator.
pub struct Emulator {
    /// Its invoke and runtime port.
    pub port: u16,
    _process: Process,
}

impl Emulator {
    /// Starts the emulator on a free loopback port (from the workspace root: it needs a
    /// `Cargo.toml` in its working directory).
    pub fn start(name: &str) -> Emulator {
        let port = free_port();
        let mut command = Command::new(venv_bin("cargo-lambda"));
        command
            .current_dir(workspace_root())
            .args(["lambda", "watch", "--only-lambda-apis", "--ignore-changes"])
            .args(["-A", "127.0.0.1", "-P", &port.to_string()]);
        let process = Process::start(&format!("cargo-lambda-{name}"), command);
        assert!(
            wait_for_port(port, Duration::from_secs(30)),
            "cargo lambda watch did not listen on {port}:\n{}",
            process.log()
        );
        Emulator {
            port,
            _process: process,
        }
    }

    /// Starts a workspace binary as the function, with the environment Lambda would give it.
    /// Its log is named after the binary and this emulator's port, so tests running the same
    /// binary in parallel never share a log.
    pub fn function(&self, bin_name: &str, env: &[(&str, &str)]) -> Process {
        self.function_as(bin_name, &format!("{bin_name}-{}", self.port), env)
    }

    /// Like [`Emulator::function`], its output logged under `log_name` (tests that run the same
    /// binary in parallel need distinct logs).
    pub fn function_as(&self, bin_name: &str, log_name: &str, env: &[(&str, &str)]) -> Process {
        let mut command = Command::new(bin(bin_name));
        command
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env(
                "AWS_LAMBDA_RUNTIME_API",
                format!("http://127.0.0.1:{}/.rt", self.port),
            )
            .env("AWS_LAMBDA_FUNCTION_NAME", "_")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .envs(env.iter().copied());
        Process::start(log_name, command)
    }

    /// Invokes the function with `event` and returns what it answered (a response, or the
    /// emulator's rendering of an invocation error).
    pub fn invoke(&self, event: &Value) -> Value {
        let url = format!(
            "http://127.0.0.1:{}/2015-03-31/functions/_/invocations",
            self.port
        );
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(30)))
            .http_status_as_error(false)
            .build()
            .into();
        let mut response = agent
            .post(&url)
            .send_json(event)
            .unwrap_or_else(|e| panic!("invoke failed: {e}"));
        response
            .body_mut()
            .read_json()
            .unwrap_or_else(|e| panic!("the answer is not JSON: {e}"))
    }
}
