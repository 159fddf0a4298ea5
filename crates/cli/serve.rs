//! `cuecard serve`: the Discord bot.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use clap::Args;

use crate::library::Library;

/// Run the Discord bot.
///
/// Needs DISCORD_TOKEN (Discord Developer Portal → your application → Bot → Reset Token). The
/// bot uses no privileged intent. Stop it with Ctrl-C or SIGTERM; it finishes what it is doing.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Register the commands in this server only: they appear at once, where global
    /// registration can take up to an hour. For trying the bot out.
    #[arg(long, value_name = "SERVER_ID")]
    guild: Option<u64>,
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

pub fn serve(library: &Library, args: &ServeArgs) -> Result<ExitCode> {
    let Ok(token) = std::env::var("DISCORD_TOKEN") else {
        bail!(
            "DISCORD_TOKEN is not set. Create a bot in the Discord Developer Portal (Applications → \
             your application → Bot → Reset Token) and run `DISCORD_TOKEN=... cuecard serve`"
        );
    };
    if token.trim().is_empty() {
        bail!("DISCORD_TOKEN is empty; set it to your bot's token");
    }
    crate::logging::init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async {
        let coach = Arc::new(library.coach().await?);
        let config = cuecard_discord::BotConfig {
            token: token.trim().to_owned(),
            api_base: std::env::var("DISCORD_API_BASE").ok().filter(|v| !v.is_empty()),
            guild: args.guild,
            defer_grading: false,
        };
        let result = cuecard_discord::run(config, Arc::clone(&coach), shutdown_signal()).await;
        coach.store().close().await;
        result.context("the Discord connection failed")?;
        Ok(ExitCode::SUCCESS)
    })
}
