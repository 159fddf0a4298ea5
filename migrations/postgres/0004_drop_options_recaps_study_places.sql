-- What daily drops and study sessions need beyond the first schema: per-guild drop options, the
-- recap of each drop (claimed before it is posted, so two processes never both post one), and
-- where each study session runs and how long its rounds last.

CREATE TABLE drop_options (
    guild_id      BIGINT PRIMARY KEY REFERENCES guilds (id) ON DELETE CASCADE,
    weekdays_only BOOLEAN NOT NULL DEFAULT FALSE,
    ping_role     BIGINT,
    adaptive      BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE drop_recaps (
    drop_id     BIGINT PRIMARY KEY REFERENCES daily_drops (id) ON DELETE CASCADE,
    message_id  BIGINT,
    claimed_at  BIGINT NOT NULL
);

CREATE TABLE study_places (
    session_id    BIGINT PRIMARY KEY REFERENCES study_sessions (id) ON DELETE CASCADE,
    thread_id     BIGINT NOT NULL,
    round_seconds BIGINT NOT NULL
);
