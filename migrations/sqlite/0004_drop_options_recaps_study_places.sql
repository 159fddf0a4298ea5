-- What daily drops and study sessions need beyond the first schema: per-guild drop options, the
-- recap of each drop (claimed before it is posted, so two processes never both post one), and
-- where each study session runs and how long its rounds last.

CREATE TABLE drop_options (
    guild_id      INTEGER PRIMARY KEY REFERENCES guilds (id) ON DELETE CASCADE,
    weekdays_only INTEGER NOT NULL DEFAULT 0,
    ping_role     INTEGER,
    adaptive      INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE drop_recaps (
    drop_id     INTEGER PRIMARY KEY REFERENCES daily_drops (id) ON DELETE CASCADE,
    message_id  INTEGER,
    claimed_at  INTEGER NOT NULL
);

CREATE TABLE study_places (
    session_id    INTEGER PRIMARY KEY REFERENCES study_sessions (id) ON DELETE CASCADE,
    thread_id     INTEGER NOT NULL,
    round_seconds INTEGER NOT NULL
);
