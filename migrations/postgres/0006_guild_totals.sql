-- Running totals for guild boards: one row per guild, quarter hour (UTC) and user. Why quarter
-- hours, and what still reads `attempts`: see migrations/sqlite/0006_guild_totals.sql.
--
-- The totals are not indexed, so updating one is a HOT update that touches no index; a board
-- reads its period through the key and visits the rows.
CREATE TABLE guild_totals (
    guild_id BIGINT NOT NULL REFERENCES guilds (id) ON DELETE CASCADE,
    since    BIGINT NOT NULL,
    user_id  BIGINT NOT NULL,
    total    DOUBLE PRECISION NOT NULL,    -- sum of scores
    answers  BIGINT NOT NULL,
    PRIMARY KEY (guild_id, since, user_id)
);
-- delete_user removes a user's totals before their answers.
CREATE INDEX guild_totals_by_user ON guild_totals (user_id);
-- Every answer leaves a dead row version here: vacuum after 2% of the rows changed, as for
-- global_totals (0005).
ALTER TABLE guild_totals SET (
    autovacuum_vacuum_scale_factor = 0.02,
    autovacuum_vacuum_insert_scale_factor = 0.02,
    autovacuum_analyze_scale_factor = 0.02
);

-- The start of the quarter hour holding `at` (unix milliseconds); the double modulo floors for
-- times before 1970.
CREATE FUNCTION quarter_hour_start(at BIGINT) RETURNS BIGINT LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN at - ((at % 900000) + 900000) % 900000;

INSERT INTO guild_totals (guild_id, since, user_id, total, answers)
SELECT guild_id, quarter_hour_start(created_at), user_id, SUM(score), COUNT(*)
FROM attempts WHERE guild_id IS NOT NULL
GROUP BY 1, 2, 3;

-- As the global totals (0003): counted by the statement that records the answer, recounted
-- from what is left when an answer is deleted.
CREATE FUNCTION attempts_count_guild() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO guild_totals (guild_id, since, user_id, total, answers)
    VALUES (NEW.guild_id, quarter_hour_start(NEW.created_at), NEW.user_id, NEW.score, 1)
    ON CONFLICT (guild_id, since, user_id) DO UPDATE SET
        total = guild_totals.total + excluded.total,
        answers = guild_totals.answers + 1;
    RETURN NULL;
END;
$$;
CREATE TRIGGER attempts_count_guild AFTER INSERT ON attempts
    FOR EACH ROW WHEN (NEW.guild_id IS NOT NULL) EXECUTE FUNCTION attempts_count_guild();

CREATE FUNCTION attempts_uncount_guild() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    bucket BIGINT := quarter_hour_start(OLD.created_at);
BEGIN
    UPDATE guild_totals t SET (total, answers) = (
        SELECT COALESCE(SUM(a.score), 0), COUNT(*) FROM attempts a
        WHERE a.guild_id = t.guild_id
          AND a.created_at >= t.since AND a.created_at < t.since + 900000
          AND a.user_id = t.user_id)
    WHERE t.guild_id = OLD.guild_id AND t.since = bucket AND t.user_id = OLD.user_id;
    DELETE FROM guild_totals
    WHERE guild_id = OLD.guild_id AND since = bucket AND user_id = OLD.user_id AND answers = 0;
    RETURN NULL;
END;
$$;
CREATE TRIGGER attempts_uncount_guild AFTER DELETE ON attempts
    FOR EACH ROW WHEN (OLD.guild_id IS NOT NULL) EXECUTE FUNCTION attempts_uncount_guild();
