//! Configuration: one model, two sources.
//!
//! A TOML file named by `GUARD_CONFIG` and `GUARD_*` environment variables that override it,
//! parsed and validated once at init. The same names configure the Tower layer, `lambda-guard
//! scan` and the extension. Every key is listed in `docs/configuration.md`.
//!
//! ```
//! use lambda_guard::config::{Config, Mode};
//! let env = |name: &str| match name {
//!     "GUARD_MODE" => Some("monitor".to_string()),
//!     _ => None,
//! };
//! let config = Config::load(env).unwrap();
//! assert_eq!(config.inspect_mode(), Mode::Monitor);
//! ```

use crate::{auth::AuthConfig, inspect::InspectConfig, telemetry::TelemetryConfig};
use serde::Deserialize;
use std::{fmt, path::PathBuf, str::FromStr};

/// What an area does with what it finds, as FunctionShield users know it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Block: denied events never reach the handler.
    Enforce,
    /// Report only: findings are emitted, the handler runs.
    Monitor,
    /// The area does nothing.
    Off,
}

impl Mode {
    /// The lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Enforce => "enforce",
            Mode::Monitor => "monitor",
            Mode::Off => "off",
        }
    }
}

impl FromStr for Mode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "enforce" | "block" => Ok(Mode::Enforce),
            "monitor" | "alert" | "report" => Ok(Mode::Monitor),
            "off" | "disabled" => Ok(Mode::Off),
            other => Err(format!(
                "`{other}` is not a mode (expected enforce, monitor or off)"
            )),
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A configuration that cannot be used. Its message names the key (file key or variable).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file named by `GUARD_CONFIG` could not be read.
    #[error("GUARD_CONFIG: cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid TOML for this model (unknown keys are refused).
    #[error("GUARD_CONFIG: {path}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parser's message, which names the key.
        message: String,
    },
    /// A key holds a value the guard cannot use.
    #[error("{key}: {message}")]
    Invalid {
        /// The key, as `file.key (ENV_VAR)`.
        key: String,
        /// Why it is refused.
        message: String,
    },
}

impl ConfigError {
    /// A refused value for `key`.
    pub fn invalid(key: impl Into<String>, message: impl Into<String>) -> ConfigError {
        ConfigError::Invalid {
            key: key.into(),
            message: message.into(),
        }
    }

    /// The key this error is about, when it is about one.
    pub fn key(&self) -> Option<&str> {
        match self {
            ConfigError::Invalid { key, .. } => Some(key),
            _ => Some("GUARD_CONFIG"),
        }
    }
}

/// Reads environment variables; a closure so tests never touch the process environment.
pub trait Env {
    /// The variable's value, if set.
    fn var(&self, name: &str) -> Option<String>;

    /// A variable parsed with `FromStr`, its error naming both the file key and the variable.
    fn parsed<T: FromStr>(&self, name: &str, key: &str) -> Result<Option<T>, ConfigError>
    where
        T::Err: fmt::Display,
    {
        self.var(name)
            .map(|raw| {
                raw.parse::<T>()
                    .map_err(|e| ConfigError::invalid(format!("{key} ({name})"), e.to_string()))
            })
            .transpose()
    }
}

impl<F: Fn(&str) -> Option<String>> Env for F {
    fn var(&self, name: &str) -> Option<String> {
        self(name)
    }
}

/// The process environment.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcessEnv;

impl Env for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.is_empty())
    }
}

/// `[hygiene]`: cleaning the execution environment between invocations.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HygieneConfig {
    /// `hygiene.mode` (`GUARD_HYGIENE`); defaults to the global mode.
    pub mode: Option<Mode>,
    /// `hygiene.tmp_dir` (`GUARD_TMP_DIR`): the directory to keep clean. Outside Lambda the guard
    /// wipes only a directory named here.
    pub tmp_dir: Option<PathBuf>,
    /// `hygiene.keep` (`GUARD_HYGIENE_KEEP`, comma-separated): paths relative to the managed
    /// directory that survive every wipe (a directory keeps its subtree), in addition to
    /// `.otel-aws-account-id`.
    #[serde(default)]
    pub keep: Vec<String>,
    /// `hygiene.changed` (`GUARD_HYGIENE_CHANGED`): `remove` (default) or `keep` baseline files
    /// that an invocation modified.
    pub changed: Option<crate::hygiene::tmp::ChangedPolicy>,
    /// `hygiene.scratch` (`GUARD_SCRATCH`): a private directory per invocation (default true).
    pub scratch: Option<bool>,
    /// `hygiene.processes` (`GUARD_HYGIENE_PROCESSES`): restore environment variables and end
    /// child processes an invocation left (default true).
    pub processes: Option<bool>,
    /// `hygiene.zeroize_freed` (`GUARD_ZEROIZE_FREED`): let the optional zeroizing global
    /// allocator wipe freed memory (default true when hygiene is on; only has an effect in a
    /// binary that installs [`crate::hygiene::ZeroizingAlloc`]).
    pub zeroize_freed: Option<bool>,
    /// `hygiene.tenant_claim` (`GUARD_HYGIENE_TENANT_CLAIM`): a verified JWT claim naming the
    /// tenant, for functions that serve several tenants without Lambda's tenant isolation mode
    /// (`Lambda-Runtime-Aws-Tenant-Id` wins when present). A change of tenant cleans the
    /// environment before the new tenant's handler runs, even in monitor mode.
    pub tenant_claim: Option<String>,
}

/// The whole configuration.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `mode` (`GUARD_MODE`): the default for every area; `enforce` when unset.
    pub mode: Option<Mode>,
    /// `[auth]`.
    #[serde(default)]
    pub auth: AuthConfig,
    /// `[inspect]`.
    #[serde(default)]
    pub inspect: InspectConfig,
    /// `[hygiene]`.
    #[serde(default)]
    pub hygiene: HygieneConfig,
    /// `[telemetry]`.
    #[serde(default)]
    pub telemetry: TelemetryConfig,
}

impl Config {
    /// Loads `GUARD_CONFIG` (if set) and applies `GUARD_*` overrides from `env`, then validates.
    pub fn load(env: impl Env) -> Result<Config, ConfigError> {
        Config::load_with(env, |_| {})
    }

    /// Like [`Config::load`], with `adjust` applied after the file and the environment and
    /// before validation: how a function states policy in code (e.g. "auth is required here")
    /// that no deployment setting may silently drop.
    pub fn load_with(
        env: impl Env,
        adjust: impl FnOnce(&mut Config),
    ) -> Result<Config, ConfigError> {
        let mut config = match env.var("GUARD_CONFIG") {
            Some(path) => Config::from_file(PathBuf::from(path))?,
            None => Config::default(),
        };
        config.apply_env(&env)?;
        adjust(&mut config);
        config.validate()?;
        Ok(config)
    }

    /// Loads from the process environment.
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::load(ProcessEnv)
    }

    /// Parses a TOML file (no environment overrides, no validation).
    pub fn from_file(path: PathBuf) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
            path: path.clone(),
            source,
        })?;
        Config::from_toml(&text).map_err(|e| match e {
            ConfigError::Parse { message, .. } => ConfigError::Parse { path, message },
            other => other,
        })
    }

    /// Parses TOML text (no environment overrides, no validation).
    pub fn from_toml(text: &str) -> Result<Config, ConfigError> {
        toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: PathBuf::from("<inline>"),
            message: e.to_string().trim().replace('\n', " "),
        })
    }

    /// Applies `GUARD_*` overrides.
    pub fn apply_env(&mut self, env: &impl Env) -> Result<(), ConfigError> {
        if let Some(m) = env.parsed("GUARD_MODE", "mode")? {
            self.mode = Some(m);
        }
        if let Some(m) = env.parsed("GUARD_HYGIENE", "hygiene.mode")? {
            self.hygiene.mode = Some(m);
        }
        if let Some(dir) = env.var("GUARD_TMP_DIR") {
            self.hygiene.tmp_dir = Some(PathBuf::from(dir));
        }
        if let Some(claim) = env.var("GUARD_HYGIENE_TENANT_CLAIM") {
            self.hygiene.tenant_claim = Some(claim.trim().to_owned());
        }
        if let Some(keep) = env.var("GUARD_HYGIENE_KEEP") {
            self.hygiene.keep = keep
                .split(',')
                .map(|k| k.trim().to_owned())
                .filter(|k| !k.is_empty())
                .collect();
        }
        if let Some(p) = env.parsed("GUARD_HYGIENE_CHANGED", "hygiene.changed")? {
            self.hygiene.changed = Some(p);
        }
        if let Some(b) = env.parsed("GUARD_SCRATCH", "hygiene.scratch")? {
            self.hygiene.scratch = Some(b);
        }
        if let Some(b) = env.parsed("GUARD_HYGIENE_PROCESSES", "hygiene.processes")? {
            self.hygiene.processes = Some(b);
        }
        if let Some(b) = env.parsed("GUARD_ZEROIZE_FREED", "hygiene.zeroize_freed")? {
            self.hygiene.zeroize_freed = Some(b);
        }
        self.auth.apply_env(env)?;
        self.inspect.apply_env(env)?;
        self.telemetry.apply_env(env)?;
        Ok(())
    }

    /// Checks that every area can be built from what is configured.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.auth.validate(self.auth_mode())?;
        self.inspect.validate()?;
        self.telemetry.validate()?;
        if let Some(dir) = &self.hygiene.tmp_dir {
            if !dir.is_absolute() {
                return Err(ConfigError::invalid(
                    "hygiene.tmp_dir (GUARD_TMP_DIR)",
                    format!("{} is not an absolute path", dir.display()),
                ));
            }
            if dir.parent().is_none() {
                return Err(ConfigError::invalid(
                    "hygiene.tmp_dir (GUARD_TMP_DIR)",
                    "refusing to manage the root directory",
                ));
            }
        }
        for k in &self.hygiene.keep {
            if k.split('/').any(|c| c == "..") {
                return Err(ConfigError::invalid(
                    "hygiene.keep (GUARD_HYGIENE_KEEP)",
                    format!("`{k}` leaves the managed directory"),
                ));
            }
        }
        Ok(())
    }

    /// The global mode (`enforce` unless configured).
    pub fn global_mode(&self) -> Mode {
        self.mode.unwrap_or(Mode::Enforce)
    }

    /// Auth's mode: its own, else the global mode when auth has settings, else `off` (a function
    /// with no JWT settings is not asked for tokens unless `GUARD_AUTH` says so, and then its
    /// missing settings are an init error).
    pub fn auth_mode(&self) -> Mode {
        match (self.auth.mode, self.auth.is_configured()) {
            (Some(m), _) => m,
            (None, true) => self.global_mode(),
            (None, false) => Mode::Off,
        }
    }

    /// Inspection's mode: its own, else the global mode.
    pub fn inspect_mode(&self) -> Mode {
        self.inspect.mode.unwrap_or(self.global_mode())
    }

    /// Hygiene's mode: its own, else the global mode.
    pub fn hygiene_mode(&self) -> Mode {
        self.hygiene.mode.unwrap_or(self.global_mode())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn defaults_inspect_on_auth_off() {
        let c = Config::load(env(&[])).unwrap();
        assert_eq!(c.inspect_mode(), Mode::Enforce);
        assert_eq!(c.auth_mode(), Mode::Off);
    }

    #[test]
    fn area_overrides_global() {
        let c = Config::load(env(&[("GUARD_MODE", "monitor"), ("GUARD_INSPECT", "off")])).unwrap();
        assert_eq!(c.global_mode(), Mode::Monitor);
        assert_eq!(c.inspect_mode(), Mode::Off);
        assert_eq!(c.hygiene_mode(), Mode::Monitor);
    }

    #[test]
    fn bad_mode_names_the_variable() {
        let e = Config::load(env(&[("GUARD_HYGIENE", "loud")])).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("GUARD_HYGIENE") && msg.contains("hygiene.mode"),
            "{msg}"
        );
    }

    #[test]
    fn unknown_file_key_is_named() {
        let e = Config::from_toml("[inspect]\nparanoya = 2\n").unwrap_err();
        assert!(e.to_string().contains("paranoya"), "{e}");
    }

    #[test]
    fn env_overrides_file() {
        let mut c = Config::from_toml("mode = \"off\"\n[hygiene]\nmode = \"monitor\"\n").unwrap();
        c.apply_env(&env(&[("GUARD_HYGIENE", "enforce")])).unwrap();
        assert_eq!(c.global_mode(), Mode::Off);
        assert_eq!(c.hygiene_mode(), Mode::Enforce);
    }

    #[test]
    fn relative_tmp_dir_is_refused() {
        let e = Config::load(env(&[("GUARD_TMP_DIR", "tmp")])).unwrap_err();
        assert!(e.to_string().contains("GUARD_TMP_DIR"), "{e}");
    }

    #[test]
    fn missing_config_file_names_it() {
        let e = Config::load(env(&[("GUARD_CONFIG", "/nonexistent/guard.toml")])).unwrap_err();
        assert!(e.to_string().contains("/nonexistent/guard.toml"), "{e}");
    }

    #[test]
    fn hygiene_keys_from_env() {
        let c = Config::load(env(&[
            ("GUARD_HYGIENE_KEEP", "ext/state, cache.db,,"),
            ("GUARD_HYGIENE_CHANGED", "keep"),
            ("GUARD_SCRATCH", "false"),
            ("GUARD_ZEROIZE_FREED", "false"),
        ]))
        .unwrap();
        assert_eq!(c.hygiene.keep, ["ext/state", "cache.db"]);
        assert_eq!(
            c.hygiene.changed,
            Some(crate::hygiene::tmp::ChangedPolicy::Keep)
        );
        assert_eq!(c.hygiene.scratch, Some(false));
        assert_eq!(c.hygiene.zeroize_freed, Some(false));
    }

    #[test]
    fn hygiene_refuses_escapes_and_the_root() {
        let e = Config::load(env(&[("GUARD_HYGIENE_KEEP", "../etc")])).unwrap_err();
        assert!(e.to_string().contains("GUARD_HYGIENE_KEEP"), "{e}");
        let e = Config::load(env(&[("GUARD_TMP_DIR", "/")])).unwrap_err();
        assert!(e.to_string().contains("GUARD_TMP_DIR"), "{e}");
        let e = Config::load(env(&[("GUARD_HYGIENE_CHANGED", "restore")])).unwrap_err();
        assert!(e.to_string().contains("hygiene.changed"), "{e}");
    }
}
