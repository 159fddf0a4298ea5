//! Global boards of every topic, read from `global_totals`: running per-user totals for each
//! UTC week, month and all time, kept by triggers on `attempts` (migration 0003).
//!
//! Aggregating a week of everyone's attempts takes tens of milliseconds at a million attempts;
//! here a page is a range read on an index in display order and a rank is a count over a range
//! of the same index. Guild boards sum quarter-hour totals and topic boards aggregate `attempts`
//! (see `leaderboard.rs`): a guild's week follows the guild's time zone, which can change. The
//! order, ties, `min_answers`, pages, ranks and neighbours are the same as there.

use cuecard_core::{Period, UserId};
use jiff::Timestamp;

use crate::db::Query;
use crate::{
    Board, LeaderboardPage, Page, Scope, SortBy, Standing, Store, StoreError, Surroundings, convert,
};

/// Whether `board` is one that `global_totals` holds.
pub(crate) fn uses_totals(board: &Board) -> bool {
    board.scope == Scope::Global && board.topics.is_empty()
}

/// The sort key's column, and the tie-break's (user id breaks what is left, ascending).
fn order(sort: SortBy) -> (&'static str, &'static str) {
    match sort {
        SortBy::Total => ("total", "answers"),
        SortBy::Average => ("average", "answers"),
        SortBy::Answers => ("answers", "total"),
    }
}

#[derive(sqlx::FromRow)]
struct PageRow {
    user_id: i64,
    total: f64,
    answers: i64,
    average: f64,
    /// Players whose sort key beats the page's first row: that row's rank, less one.
    ahead_of_first: i64,
    players: i64,
}

#[derive(sqlx::FromRow)]
struct WindowRow {
    /// -1 above the user, 0 the user, 1 below.
    side: i64,
    user_id: i64,
    total: f64,
    answers: i64,
    average: f64,
    /// The user's row: players whose sort key beats the user's. A row above: players whose
    /// key beats the user's but not this row's, so that this row's rank follows from the
    /// user's by counting the few rows in between rather than everyone above them.
    ahead: i64,
    /// Players tied with the user on the sort key but placed before them (the user's row).
    tied_before: i64,
    players: i64,
}

/// The sort key of a row, as the board compares it. Counts are exact in an f64.
fn sort_key(sort: SortBy, total: f64, answers: i64, average: f64) -> f64 {
    match sort {
        SortBy::Total => total,
        SortBy::Average => average,
        SortBy::Answers => answers as f64,
    }
}

fn standing(user_id: i64, total: f64, answers: i64, rank: i64, place: i64) -> Standing {
    let answers = convert::count(answers);
    Standing {
        rank: convert::count(rank),
        place: convert::count(place),
        user: convert::user_from(user_id),
        total,
        answers,
        average: if answers == 0 {
            0.0
        } else {
            total / f64::from(answers)
        },
    }
}

/// `sql` with `$1..$3` bound to the bucket of `global_totals` that `board` reads (its period's
/// name and start) and the fewest answers that put a user on it.
fn board_query(sql: String, board: &Board, since: Option<Timestamp>) -> Query {
    let since = match (board.period, since) {
        (Period::AllTime, _) | (_, None) => 0,
        (_, Some(since)) => convert::millis(since),
    };
    Query::assembled(sql)
        .bind(board.period.as_str())
        .bind(since)
        .bind(i64::from(board.min_answers.max(1)))
}

/// The rows of the board that [`board_query`] binds, in table `alias`. The unary `+` keeps
/// SQLite from reading the board through the by-answers index (then sorting it) just because
/// `answers` has a bound: the range that matters is the sort key's.
fn on_board(alias: &str) -> String {
    format!("{alias}.period = $1 AND {alias}.since = $2 AND +{alias}.answers >= $3")
}

/// Display order: key, then tie-break, descending; then user id, ascending.
fn display_order(sort: SortBy, a: &WindowRow, b: &WindowRow) -> std::cmp::Ordering {
    let tie = |row: &WindowRow| match sort {
        SortBy::Total | SortBy::Average => row.answers as f64,
        SortBy::Answers => row.total,
    };
    let key = |row: &WindowRow| sort_key(sort, row.total, row.answers, row.average);
    key(b)
        .total_cmp(&key(a))
        .then_with(|| tie(b).total_cmp(&tie(a)))
        .then_with(|| a.user_id.cmp(&b.user_id))
}

impl Store {
    /// A page of a board that [`uses_totals`].
    pub(crate) async fn global_page(
        &self,
        board: &Board,
        since: Option<Timestamp>,
        until: Option<Timestamp>,
        page: Page,
    ) -> Result<LeaderboardPage, StoreError> {
        let (key, tie) = order(board.sort);
        // Ranks after the first follow from the order: a row that does not tie the one before
        // it is the first with its key, so its rank is its place.
        let g = on_board("g");
        let sql = format!(
            "WITH page AS (
                 SELECT user_id, total, answers, average, {key} AS k FROM global_totals g
                 WHERE {g}
                 ORDER BY {key} DESC, {tie} DESC, user_id LIMIT $4 OFFSET $5
             )
             SELECT user_id, total, answers, average,
                    (SELECT COUNT(*) FROM global_totals g
                     WHERE {g} AND g.{key} > (SELECT MAX(k) FROM page)) AS ahead_of_first,
                    (SELECT COUNT(*) FROM global_totals g WHERE {g}) AS players
             FROM page ORDER BY k DESC, {tie} DESC, user_id"
        );
        let query = board_query(sql, board, since)
            .bind(i64::from(page.limit))
            .bind(i64::from(page.offset));
        let rows: Vec<PageRow> = self.db.fetch_all(query).await?;
        let players = match rows.first() {
            Some(row) => convert::count(row.players),
            None if page.offset > 0 => {
                let sql = format!("SELECT COUNT(*) FROM global_totals g WHERE {}", on_board("g"));
                let (n,): (i64,) = self.db.fetch_one(board_query(sql, board, since)).await?;
                convert::count(n)
            }
            None => 0,
        };
        let mut entries: Vec<Standing> = Vec::with_capacity(rows.len());
        let mut previous: Option<(f64, i64)> = None;
        for (place, row) in (i64::from(page.offset) + 1..).zip(&rows) {
            let this = sort_key(board.sort, row.total, row.answers, row.average);
            let rank = match previous {
                None => row.ahead_of_first + 1,
                Some((before, rank)) if before.total_cmp(&this).is_eq() => rank,
                Some(_) => place,
            };
            previous = Some((this, rank));
            entries.push(standing(row.user_id, row.total, row.answers, rank, place));
        }
        Ok(LeaderboardPage {
            entries,
            players,
            since,
            until,
        })
    }

    /// Where `user` stands on a board that [`uses_totals`], with up to `neighbours` places
    /// either side: one statement, so the counts and rows agree with each other.
    pub(crate) async fn global_standing(
        &self,
        board: &Board,
        since: Option<Timestamp>,
        user: UserId,
        neighbours: u32,
    ) -> Result<Option<Surroundings>, StoreError> {
        let (key, tie) = order(board.sort);
        let g = on_board("g");
        // "Before me" in display order is (key, tie) greater, or equal with a smaller user id;
        // `g.{key} >= my key` is there so the scan is an index range, not the whole board. The
        // user's values are scalar subqueries, not a join, so Postgres can put them in the
        // index condition (as a join it scans the board from the top and filters).
        let my_key = format!("(SELECT {key} FROM me)");
        let my_tie = format!("(SELECT {tie} FROM me)");
        let sql = format!(
            "WITH me AS (
                 SELECT user_id, total, answers, average FROM global_totals g
                 WHERE {g} AND user_id = $4
             ), above AS (
                 SELECT g.user_id, g.total, g.answers, g.average FROM global_totals g
                 WHERE {g} AND g.{key} >= {my_key}
                   AND (g.{key} > {my_key} OR g.{tie} > {my_tie}
                        OR (g.{tie} = {my_tie} AND g.user_id < $4))
                 ORDER BY g.{key}, g.{tie}, g.user_id DESC LIMIT $5
             ), below AS (
                 SELECT g.user_id, g.total, g.answers, g.average FROM global_totals g
                 WHERE {g} AND g.{key} <= {my_key}
                   AND (g.{key} < {my_key} OR g.{tie} < {my_tie}
                        OR (g.{tie} = {my_tie} AND g.user_id > $4))
                 ORDER BY g.{key} DESC, g.{tie} DESC, g.user_id LIMIT $5
             )
             SELECT CAST(0 AS BIGINT) AS side, user_id, total, answers, average,
                    (SELECT COUNT(*) FROM global_totals g
                     WHERE {g} AND g.{key} > me.{key}) AS ahead,
                    (SELECT COUNT(*) FROM global_totals g
                     WHERE {g} AND g.{key} = me.{key}
                       AND (g.{tie} > me.{tie} OR (g.{tie} = me.{tie} AND g.user_id < me.user_id)))
                        AS tied_before,
                    (SELECT COUNT(*) FROM global_totals g WHERE {g}) AS players
             FROM me
             UNION ALL
             SELECT CAST(-1 AS BIGINT), user_id, total, answers, average,
                    (SELECT COUNT(*) FROM global_totals g
                     WHERE {g} AND g.{key} > {my_key} AND g.{key} <= above.{key}),
                    0, 0
             FROM above
             UNION ALL
             SELECT CAST(1 AS BIGINT), user_id, total, answers, average, 0, 0, 0 FROM below",
        );
        let query = board_query(sql, board, since)
            .bind(convert::user(user))
            .bind(i64::from(neighbours));
        let rows: Vec<WindowRow> = self.db.fetch_all(query).await?;
        let Some(me) = rows.iter().find(|row| row.side == 0) else {
            return Ok(None);
        };
        let my_place = me.ahead + me.tied_before + 1;
        let my_rank = me.ahead + 1;

        // Read nearest first, in no particular order after the union; shown best first.
        let mut above: Vec<&WindowRow> = rows.iter().filter(|row| row.side < 0).collect();
        above.sort_by(|a, b| display_order(board.sort, a, b));
        // At most `neighbours` (a u32) rows.
        let first_above = my_place - i64::try_from(above.len()).unwrap_or(i64::MAX);
        let above = (first_above..)
            .zip(above)
            .map(|(place, row)| {
                standing(
                    row.user_id,
                    row.total,
                    row.answers,
                    me.ahead - row.ahead + 1,
                    place,
                )
            })
            .collect();

        let mut below: Vec<&WindowRow> = rows.iter().filter(|row| row.side > 0).collect();
        below.sort_by(|a, b| display_order(board.sort, a, b));
        let mut previous = (sort_key(board.sort, me.total, me.answers, me.average), my_rank);
        let below = (my_place + 1..)
            .zip(below)
            .map(|(place, row)| {
                let this = sort_key(board.sort, row.total, row.answers, row.average);
                let rank = if previous.0.total_cmp(&this).is_eq() {
                    previous.1
                } else {
                    place
                };
                previous = (this, rank);
                standing(row.user_id, row.total, row.answers, rank, place)
            })
            .collect();

        Ok(Some(Surroundings {
            me: standing(me.user_id, me.total, me.answers, my_rank, my_place),
            above,
            below,
            players: convert::count(me.players),
        }))
    }
}
