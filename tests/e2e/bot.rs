//! Running the real `cuecard serve` against fakediscord, with a clock the test moves, and
//! killing and restarting it against the same database.

use std::io::Read;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use fakediscord::{FakeDiscord, User};
use serde_json::Value;

pub const WAIT: Duration = Duration::from_secs(60);

/// A bot process connected to a fake Discord.
pub struct Bot {
    pub fake: Arc<FakeDiscord>,
    child: Option<Child>,
    stderr: Arc<Mutex<String>>,
    data: tempfile::TempDir,
    clock: Option<PathBuf>,
    /// Extra environment of every start (an LLM endpoint, a database).
    env: Vec<(String, String)>,
}

impl Drop for Bot {
    fn drop(&mut self) {
        self.kill();
        if std::thread::panicking() {
            eprintln!("--- bot stderr ---\n{}", self.stderr.lock().unwrap());
        }
    }
}

impl Bot {
    /// A bot on the system clock.
    pub async fn start() -> Self {
        Self::launch(None).await
    }

    /// A bot whose clock reads `now` until [`Bot::set_clock`] moves it, and whose daily-drop
    /// scheduler ticks every 100 ms.
    pub async fn start_at(now: &str) -> Self {
        Self::launch(Some(now)).await
    }

    /// A bot on the system clock with extra environment variables, kept for restarts.
    pub async fn start_with(env: &[(&str, &str)]) -> Self {
        Self::launch_with(None, env).await
    }

    async fn launch(now: Option<&str>) -> Self {
        Self::launch_with(now, &[]).await
    }

    async fn launch_with(now: Option<&str>, env: &[(&str, &str)]) -> Self {
        let fake = Arc::new(FakeDiscord::start().await);
        let data = tempfile::tempdir().unwrap();
        let clock = now.map(|now| {
            let path = data.path().join("clock");
            std::fs::write(&path, now).unwrap();
            path
        });
        let mut bot = Self {
            fake,
            child: None,
            stderr: Arc::new(Mutex::new(String::new())),
            data,
            clock,
            env: env
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        };
        bot.spawn();
        bot.fake.wait_ready(WAIT).await.unwrap();
        bot.fake.wait_commands(WAIT).await.unwrap();
        bot
    }

    fn spawn(&mut self) {
        let mut command = Command::new(env!("CARGO_BIN_EXE_cuecard"));
        command
            .args(["serve", "--guild", &fakediscord::GUILD_ID.to_string()])
            .env("DISCORD_TOKEN", fakediscord::TOKEN)
            .env("DISCORD_API_BASE", self.fake.api_base())
            .env("CUECARD_DATA_DIR", self.data.path())
            .env("RUST_LOG", "warn,cuecard_discord=info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (name, value) in &self.env {
            command.env(name, value);
        }
        if let Some(clock) = &self.clock {
            command
                .env("CUECARD_CLOCK_FILE", clock)
                .env("CUECARD_TICK_MS", "100");
        }
        let mut child = command.spawn().expect("cuecard serve starts");
        let mut pipe = child.stderr.take().unwrap();
        let sink = Arc::clone(&self.stderr);
        std::thread::spawn(move || {
            let mut buffer = [0_u8; 4096];
            while let Ok(n) = pipe.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buffer[..n]));
            }
        });
        self.child = Some(child);
    }

    /// The bot's process id, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Whether the bot process is still running (it has not exited or crashed).
    pub fn is_running(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|c| matches!(c.try_wait(), Ok(None)))
    }

    /// The SQLite file in the bot's data directory.
    pub fn sqlite_path(&self) -> std::path::PathBuf {
        self.data.path().join("cuecard.db")
    }

    /// The SQLite database of a bot that was given no other (`cuecard.db` in its data directory).
    pub fn sqlite_url(&self) -> String {
        format!("sqlite://{}", self.sqlite_path().display())
    }

    /// Kills the bot with SIGKILL: no shutdown, no last writes.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the bot again on the same database and fake, and waits until it is connected.
    pub async fn restart(&mut self) {
        self.kill();
        let identified = self.fake.identify_count();
        self.spawn();
        let deadline = tokio::time::Instant::now() + WAIT;
        while self.fake.identify_count() == identified {
            assert!(
                tokio::time::Instant::now() < deadline,
                "the restarted bot never connected"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.fake.wait_ready(WAIT).await.unwrap();
    }

    /// Moves the bot's clock.
    pub fn set_clock(&self, now: &str) {
        let clock = self.clock.as_ref().expect("a bot started with start_at");
        std::fs::write(clock, now).unwrap();
    }

    /// Runs a slash command and returns the bot's reply (the message the user sees).
    pub async fn command(&self, user: &User, name: &str, options: Value) -> Value {
        let interaction = self.fake.slash(user, name, &options);
        self.fake.wait_reply(&interaction, WAIT).await.unwrap()
    }

    /// What the bot has written to stderr so far (its logs, and any panic message).
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    pub fn assert_no_unexpected_routes(&self) {
        assert!(
            self.fake.unexpected().is_empty(),
            "unexpected routes: {:?}",
            self.fake.unexpected()
        );
    }
}

/// The card of a question message, from the id in its embed's footer ("card 0123… · …").
pub fn card_of(message: &Value) -> cuecard_core::Card {
    let footer = message["embeds"][0]["footer"]["text"].as_str().unwrap();
    let id = footer.trim_start_matches("card ").split(' ').next().unwrap();
    cuecard_sheet::bundled()
        .cards
        .into_iter()
        .find(|c| c.id.as_str() == id)
        .unwrap()
}

impl Bot {
    /// Answers a question message as `user` would: its Answer button, then the form. Returns
    /// the private reply.
    pub async fn answer(&self, user: &User, question: &Value, text: &str) -> Value {
        let custom_id = question["components"][0]["components"][0]["custom_id"]
            .as_str()
            .unwrap()
            .to_owned();
        let press = self.fake.press_button(user, question, &custom_id);
        let modal = self.fake.wait_callback(&press, WAIT).await.unwrap();
        let modal_id = modal["data"]["custom_id"].as_str().unwrap().to_owned();
        let submit = self.fake.submit_modal(user, &modal_id, &[("answer", text)]);
        self.fake.wait_reply(&submit, WAIT).await.unwrap()
    }
}
