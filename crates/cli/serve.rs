//! `cuecard serve`: the Discord bot.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use clap::Args;

use crate::config::{Config, Shards};
use crate::library::Library;

/// Where an uploaded sheet (`/sheet upload`) is kept, inside the data directory: the next start
/// serves it instead of the configured sheets.
const UPLOADED_SHEET: &str = "uploaded-sheet.md";

/// Run the Discord bot.
///
/// Needs DISCORD_TOKEN (Discord Developer Portal → your application → Bot → Reset Token). The
/// bot uses no privileged intent. Stop it with Ctrl-C or SIGTERM; it finishes what it is doing.
/// Every flag here can also be set in the --config file or the environment (see
/// cuecard.example.toml); `cuecard config check` shows what is in effect.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Register the commands in this server only: they appear at once, where global
    /// registration can take up to an hour. For trying the bot out.
    #[arg(long, value_name = "SERVER_ID")]
    guild: Option<u64>,

    /// Run only these gateway shards, e.g. 0-3 (with --total-shards), so that several
    /// processes share the bot [default: autosharding, every shard in this process].
    #[arg(long, value_name = "FIRST-LAST")]
    shards: Option<String>,

    /// How many shards the bot has across all its processes.
    #[arg(long, value_name = "COUNT")]
    total_shards: Option<u32>,

    /// Serve /metrics (Prometheus), /healthz and /readyz on this address, e.g.
    /// 127.0.0.1:9184 [default: off].
    #[arg(long, value_name = "ADDR")]
    metrics_addr: Option<String>,
}

impl ServeArgs {
    /// The flags that override the configuration: `(key, value, flag)`.
    pub fn config_flags(&self) -> Vec<(&'static str, Option<String>, &'static str)> {
        vec![
            ("discord.guild", self.guild.map(|g| g.to_string()), "--guild"),
            ("discord.shards", self.shards.clone(), "--shards"),
            (
                "discord.total_shards",
                self.total_shards.map(|t| t.to_string()),
                "--total-shards",
            ),
            ("metrics.addr", self.metrics_addr.clone(), "--metrics-addr"),
        ]
    }
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}

/// How often due daily drops are looked for: 15 s, or `CUECARD_TICK_MS` (tests shorten it).
fn drop_tick() -> Result<std::time::Duration> {
    match std::env::var("CUECARD_TICK_MS") {
        Ok(ms) => {
            let ms: u64 = ms
                .trim()
                .parse()
                .context("CUECARD_TICK_MS must be a whole number of milliseconds")?;
            Ok(std::time::Duration::from_millis(ms.max(10)))
        }
        Err(_) => Ok(std::time::Duration::from_secs(15)),
    }
}

pub fn serve(library: &Library, config: &Config) -> Result<ExitCode> {
    let Some(token) = &config.token else {
        bail!(
            "DISCORD_TOKEN is not set. Create a bot in the Discord Developer Portal (Applications → \
             your application → Bot → Reset Token) and run `DISCORD_TOKEN=... cuecard serve` (or \
             put it in a file and set discord.token_file)"
        );
    };
    crate::logging::init(config.log_format, config.log_filter.as_deref(), config.secrets());
    for name in Config::unknown_variables() {
        tracing::warn!(variable = %name, "set but not a cuecard setting (a typo?)");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async {
        let metrics = match config.metrics_addr {
            Some(_) => Some(crate::telemetry::install()?),
            None => None,
        };
        let grader = crate::grading::configured_grader(config)?;
        let mut library = library.clone().with_grader(Arc::new(crate::telemetry::Metered(grader)));
        let uploaded = library.data_dir().join(UPLOADED_SHEET);
        if uploaded.is_file() {
            tracing::info!(
                sheet = %uploaded.display(),
                "serving the sheet uploaded with /sheet upload (delete the file to go back to the configured sheets)"
            );
            library = library.with_sheets(vec![uploaded.clone()]);
        }
        let coach = Arc::new(library.coach().await?);
        let status = cuecard_discord::GatewayStatus::new();
        if let (Some(addr), Some(metrics)) = (config.metrics_addr, metrics) {
            crate::health::serve(addr, metrics, Arc::clone(&status), coach.store().clone()).await?;
        }
        let ownership = match config.shards {
            Shards::Auto => None,
            Shards::Range { first, last, total } => Some(cuecard_discord::Ownership {
                shards: first..=last,
                total,
            }),
        };
        let bot = cuecard_discord::BotConfig {
            token: token.expose().to_owned(),
            api_base: std::env::var("DISCORD_API_BASE").ok().filter(|v| !v.is_empty()),
            guild: config.guild,
            // An LLM may take longer than the three seconds Discord waits for a first reply.
            defer_grading: config.llm.is_some(),
            drop_tick: drop_tick()?,
            ownership,
            status,
            uploads: cuecard_discord::SheetUploads {
                guilds: config.upload_guilds.clone(),
                index_dir: Some(library.data_dir().join("index")),
                save_to: Some(uploaded),
            },
        };
        let result = cuecard_discord::run(bot, Arc::clone(&coach), shutdown_signal()).await;
        coach.store().close().await;
        result.context("the Discord connection failed")?;
        Ok(ExitCode::SUCCESS)
    })
}
