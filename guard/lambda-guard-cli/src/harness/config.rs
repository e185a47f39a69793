//! What the harness is asked to run, and the Lambda environment variables it derives from that.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::ids;
use super::sandbox::{TmpMode, TmpSandbox};

/// Everything `Harness::start` needs.
#[derive(Debug, Clone)]
pub struct HarnessConfig {
    /// The runtime's bootstrap command and its arguments.
    pub command: Vec<String>,
    /// Directories standing for what Lambda mounts at `/opt`, in layer order.
    pub layers: Vec<PathBuf>,
    /// `KEY=VALUE` pairs set after (over) the standard Lambda variables.
    pub env: Vec<(String, String)>,
    /// Invocation timeout (deadline = delivery + timeout).
    pub timeout: Duration,
    /// How long init (extensions' registration, then the runtime's) may take.
    pub init_timeout: Duration,
    /// `LAMBDA_TASK_ROOT` and the working directory; empty means the current directory.
    pub task_root: PathBuf,
    /// How `/tmp` is provided.
    pub tmp: TmpMode,
    /// SIGSTOP the environment between invocations, SIGCONT before the next, like Lambda.
    pub freeze: bool,
    /// Loopback port for the APIs; 0 picks a free one.
    pub port: u16,
    /// Relay the function's and extensions' output to stderr (`demo` turns it off; telemetry
    /// subscribers get it either way).
    pub echo_output: bool,
}

impl HarnessConfig {
    /// A configuration with Lambda's defaults for `command`.
    pub fn new(command: Vec<String>) -> Self {
        Self {
            command,
            layers: Vec::new(),
            env: Vec::new(),
            timeout: Duration::from_secs(30),
            init_timeout: Duration::from_secs(10),
            task_root: PathBuf::new(),
            tmp: TmpMode::Auto,
            freeze: false,
            port: 0,
            echo_output: true,
        }
    }

    /// Makes paths absolute and checks what can be checked before anything starts.
    pub(crate) fn resolve(mut self) -> Result<Self, String> {
        let cwd = std::env::current_dir().map_err(|e| format!("no working directory: {e}"))?;
        let abs = |p: &Path| {
            if p.is_absolute() {
                p.to_path_buf()
            } else {
                cwd.join(p)
            }
        };
        if self.command.is_empty() {
            return Err(
                "no command given (lambda-guard run [OPTIONS] -- COMMAND [ARGS...])".into(),
            );
        }
        if self.command[0].contains('/') {
            self.command[0] = abs(Path::new(&self.command[0])).display().to_string();
        }
        self.task_root = if self.task_root.as_os_str().is_empty() {
            cwd.clone()
        } else {
            abs(&self.task_root)
        };
        if !self.task_root.is_dir() {
            return Err(format!(
                "task root {} is not a directory",
                self.task_root.display()
            ));
        }
        for layer in &mut self.layers {
            *layer = abs(layer);
            if !layer.is_dir() {
                return Err(format!("layer {} is not a directory", layer.display()));
            }
        }
        if self.timeout.is_zero() {
            return Err("the timeout must be positive".into());
        }
        for (k, _) in &self.env {
            if k.is_empty() || k.contains('=') || k.contains('\0') {
                return Err(format!("invalid environment variable name {k:?}"));
            }
        }
        Ok(self)
    }

    fn user(&self, key: &str) -> Option<&str> {
        self.env
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The variables the runtime and the extensions get (on top of the inherited environment,
    /// from which Lambda-reserved names are removed).
    pub(crate) fn environment(
        &self,
        api: SocketAddr,
        sandbox: &TmpSandbox,
    ) -> Vec<(String, String)> {
        let name = self
            .user("AWS_LAMBDA_FUNCTION_NAME")
            .unwrap_or("local-function")
            .to_owned();
        let version = self
            .user("AWS_LAMBDA_FUNCTION_VERSION")
            .unwrap_or("$LATEST")
            .to_owned();
        let region = self.user("AWS_REGION").unwrap_or("us-east-1").to_owned();
        let root = self.task_root.display().to_string();
        let mut env: Vec<(String, String)> = vec![
            ("AWS_LAMBDA_FUNCTION_NAME".into(), name.clone()),
            ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE".into(), "128".into()),
            ("AWS_LAMBDA_FUNCTION_VERSION".into(), version.clone()),
            ("AWS_LAMBDA_INITIALIZATION_TYPE".into(), "on-demand".into()),
            (
                "AWS_LAMBDA_LOG_GROUP_NAME".into(),
                format!("/aws/lambda/{name}"),
            ),
            (
                "AWS_LAMBDA_LOG_STREAM_NAME".into(),
                format!("{}/[{version}]{}", ids::log_stream_date(), ids::hex32()),
            ),
            ("AWS_REGION".into(), region.clone()),
            ("AWS_DEFAULT_REGION".into(), region),
            ("_HANDLER".into(), "bootstrap".into()),
            ("LAMBDA_TASK_ROOT".into(), root.clone()),
            ("LAMBDA_RUNTIME_DIR".into(), root),
            ("TZ".into(), ":UTC".into()),
            ("LANG".into(), "en_US.UTF-8".into()),
        ];
        env.extend(sandbox.env());
        // Lambda's PATH ends with /opt/bin: each layer's bin/ comes first here.
        let bins: Vec<String> = self
            .layers
            .iter()
            .rev()
            .map(|l| l.join("bin"))
            .filter(|b| b.is_dir())
            .map(|b| b.display().to_string())
            .collect();
        if !bins.is_empty() {
            let path = std::env::var("PATH").unwrap_or_default();
            env.push(("PATH".into(), format!("{}:{path}", bins.join(":"))));
        }
        for (k, v) in &self.env {
            if k == "AWS_LAMBDA_RUNTIME_API" {
                eprintln!(
                    "lambda-guard run: ignoring --env AWS_LAMBDA_RUNTIME_API (the harness sets it)"
                );
                continue;
            }
            env.retain(|(ek, _)| ek != k);
            env.push((k.clone(), v.clone()));
        }
        env.push(("AWS_LAMBDA_RUNTIME_API".into(), api.to_string()));
        env
    }

    /// A variable's value in `env`, or empty.
    pub(crate) fn lookup(&self, env: &[(String, String)], key: &str) -> String {
        env.iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    /// The runtime command, behind `AWS_LAMBDA_EXEC_WRAPPER` when set (`/opt/X` is looked up in
    /// the layers, last layer first, as Lambda's extraction order makes later layers win).
    pub(crate) fn runtime_command(&self, env: &[(String, String)]) -> Result<Vec<String>, String> {
        let wrapper = self.lookup(env, "AWS_LAMBDA_EXEC_WRAPPER");
        if wrapper.is_empty() {
            return Ok(self.command.clone());
        }
        let path = match wrapper.strip_prefix("/opt/") {
            Some(rel) => self
                .layers
                .iter()
                .rev()
                .map(|l| l.join(rel))
                .find(|p| p.is_file())
                .ok_or_else(|| {
                    format!(
                        "AWS_LAMBDA_EXEC_WRAPPER={wrapper}: no --layer directory contains {rel}"
                    )
                })?,
            None => PathBuf::from(&wrapper),
        };
        let mut argv = vec![path.display().to_string()];
        argv.extend(self.command.iter().cloned());
        Ok(argv)
    }

    /// The external extensions: executables in each layer's `extensions/`, by file name (a later
    /// layer's file replaces an earlier one's), sorted by name.
    pub(crate) fn extension_files(&self) -> Vec<(String, PathBuf)> {
        use std::os::unix::fs::PermissionsExt;
        let mut found = BTreeMap::new();
        for layer in &self.layers {
            let Ok(entries) = std::fs::read_dir(layer.join("extensions")) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                let executable = std::fs::metadata(&path)
                    .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0);
                if let (true, Some(name)) = (executable, entry.file_name().to_str()) {
                    found.insert(name.to_owned(), path);
                }
            }
        }
        found.into_iter().collect()
    }
}

/// Names the harness owns: inherited values are dropped so a shell that happens to run inside
/// Lambda (or another harness) does not leak its own into the function.
pub(crate) fn is_lambda_reserved(key: &str) -> bool {
    key.starts_with("AWS_LAMBDA_")
        || matches!(
            key,
            "_HANDLER" | "LAMBDA_TASK_ROOT" | "LAMBDA_RUNTIME_DIR" | "_X_AMZN_TRACE_ID"
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_env_overrides_defaults_but_not_the_api() {
        let mut c = HarnessConfig::new(vec!["true".into()]);
        c.env = vec![
            ("AWS_LAMBDA_FUNCTION_NAME".into(), "orders".into()),
            ("AWS_LAMBDA_RUNTIME_API".into(), "10.0.0.1:1".into()),
        ];
        let c = c.resolve().unwrap();
        let sb = TmpSandbox::Dir { path: "/x".into() };
        let env = c.environment("127.0.0.1:9001".parse().unwrap(), &sb);
        assert_eq!(c.lookup(&env, "AWS_LAMBDA_FUNCTION_NAME"), "orders");
        assert_eq!(
            c.lookup(&env, "AWS_LAMBDA_LOG_GROUP_NAME"),
            "/aws/lambda/orders"
        );
        assert_eq!(c.lookup(&env, "AWS_LAMBDA_RUNTIME_API"), "127.0.0.1:9001");
        assert_eq!(c.lookup(&env, "TMPDIR"), "/x");
        assert_eq!(c.lookup(&env, "GUARD_TMP_DIR"), "/x");
        let stream = c.lookup(&env, "AWS_LAMBDA_LOG_STREAM_NAME");
        assert!(stream.contains("/[$LATEST]"), "{stream}");
    }
}
