-- cuecard's schema on SQLite. Ids from Discord are u64 stored as i64 (see crates/store/src/convert.rs);
-- times are unix milliseconds (UTC); local dates are 'YYYY-MM-DD' in the guild's time zone.
-- Only INTEGER, REAL and TEXT columns: the same queries then read the same types on Postgres.

-- The guilds cuecard has seen, and the time zone their days, weeks and months are counted in.
CREATE TABLE guilds (
    id          INTEGER PRIMARY KEY,
    time_zone   TEXT    NOT NULL DEFAULT 'UTC',
    created_at  INTEGER NOT NULL
);

-- Users exist so that everything about one can be exported and deleted by cascading from here.
CREATE TABLE users (
    id          INTEGER PRIMARY KEY,
    created_at  INTEGER NOT NULL
);

CREATE TABLE drop_settings (
    guild_id    INTEGER PRIMARY KEY REFERENCES guilds (id) ON DELETE CASCADE,
    channel_id  INTEGER NOT NULL,
    local_time  TEXT    NOT NULL,          -- 'HH:MM' in the guild's time zone
    topics      TEXT    NOT NULL,          -- JSON array of topic slugs, empty for all
    enabled     INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- A drop row is written before the message is posted (state 'pending') and reconciled with the
-- message id afterwards, so a crash between the two is visible and two processes never both post.
CREATE TABLE daily_drops (
    id          INTEGER PRIMARY KEY,
    guild_id    INTEGER NOT NULL REFERENCES guilds (id) ON DELETE CASCADE,
    local_date  TEXT    NOT NULL,
    card_id     TEXT    NOT NULL,
    channel_id  INTEGER NOT NULL,
    message_id  INTEGER,
    state       TEXT    NOT NULL,          -- pending | posted | failed
    created_at  INTEGER NOT NULL,
    posted_at   INTEGER,
    UNIQUE (guild_id, local_date)
);

CREATE TABLE study_sessions (
    id          INTEGER PRIMARY KEY,
    guild_id    INTEGER REFERENCES guilds (id) ON DELETE CASCADE,
    channel_id  INTEGER NOT NULL,
    started_by  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    topic       TEXT,
    rounds      INTEGER NOT NULL,
    state       TEXT    NOT NULL,          -- open | finished | cancelled
    created_at  INTEGER NOT NULL,
    ended_at    INTEGER
);
CREATE INDEX study_sessions_open ON study_sessions (state, created_at);

CREATE TABLE study_rounds (
    id          INTEGER PRIMARY KEY,
    session_id  INTEGER NOT NULL REFERENCES study_sessions (id) ON DELETE CASCADE,
    number      INTEGER NOT NULL,
    card_id     TEXT    NOT NULL,
    message_id  INTEGER,
    opened_at   INTEGER NOT NULL,
    closed_at   INTEGER,
    UNIQUE (session_id, number)
);

CREATE TABLE attempts (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    guild_id    INTEGER REFERENCES guilds (id) ON DELETE CASCADE,   -- NULL: a DM or the terminal
    card_id     TEXT    NOT NULL,
    topic       TEXT    NOT NULL,          -- topic slug
    occasion    TEXT    NOT NULL,          -- ad_hoc | daily_drop | study_round | review
    drop_id     INTEGER REFERENCES daily_drops (id) ON DELETE CASCADE,
    round_id    INTEGER REFERENCES study_rounds (id) ON DELETE CASCADE,
    request_key TEXT,                      -- caller's idempotency key, e.g. an interaction id
    answer      TEXT    NOT NULL,
    score       REAL    NOT NULL CHECK (score >= 0 AND score <= 1),
    points      TEXT    NOT NULL,          -- JSON array of per-point verdicts
    remarks     TEXT    NOT NULL,          -- JSON array of strings
    grader      TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);
-- Idempotency: a retried or duplicated submission hits one of these and gets the first result.
CREATE UNIQUE INDEX attempts_one_per_drop ON attempts (drop_id, user_id) WHERE drop_id IS NOT NULL;
CREATE UNIQUE INDEX attempts_one_per_round ON attempts (round_id, user_id) WHERE round_id IS NOT NULL;
CREATE UNIQUE INDEX attempts_one_per_request ON attempts (user_id, request_key)
    WHERE request_key IS NOT NULL;
-- Leaderboards read (user, score) for a time range; covering indexes keep that to one range scan.
CREATE INDEX attempts_guild_board ON attempts (guild_id, created_at, user_id, score);
CREATE INDEX attempts_global_board ON attempts (created_at, user_id, score);
-- Export, delete and "your recent answers".
CREATE INDEX attempts_by_user ON attempts (user_id, created_at);

CREATE TABLE review_states (
    user_id        INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    card_id        TEXT    NOT NULL,
    stability      REAL    NOT NULL,
    difficulty     REAL    NOT NULL,
    due_at         INTEGER NOT NULL,
    reps           INTEGER NOT NULL,
    lapses         INTEGER NOT NULL,
    last_review_at INTEGER,
    PRIMARY KEY (user_id, card_id)
);
CREATE INDEX review_states_due ON review_states (user_id, due_at);

CREATE TABLE review_log (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    card_id      TEXT    NOT NULL,
    attempt_id   INTEGER REFERENCES attempts (id) ON DELETE CASCADE,
    rating       INTEGER NOT NULL,
    reviewed_at  INTEGER NOT NULL,
    stability    REAL    NOT NULL,
    difficulty   REAL    NOT NULL,
    due_at       INTEGER NOT NULL,
    reps         INTEGER NOT NULL,
    lapses       INTEGER NOT NULL
);
CREATE INDEX review_log_by_card ON review_log (user_id, card_id, reviewed_at);

-- The log is history: rows are added, and deleted only with their user, never rewritten.
CREATE TRIGGER review_log_append_only BEFORE UPDATE ON review_log
BEGIN
    SELECT RAISE(ABORT, 'review_log is append-only');
END;
