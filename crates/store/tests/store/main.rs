//! The store's test suite. Every case runs on SQLite (a real file in a temporary directory) and,
//! when `TEST_DATABASE_URL` is set, on Postgres (a database of its own, so cases run in
//! parallel): `sqlite::<case>` and `postgres::<case>`.

#![allow(clippy::doc_markdown)] // "SQLite" is a name, not code.

mod attempts;
mod boards_match;
mod drop_extras;
mod drops;
mod hostile;
mod leaderboards;
mod reviews;
mod sessions;
mod sqlite_file;
mod streaks;
mod support;
mod users;
