-- As in migrations/sqlite/0008: guild totals per topic, so topic boards, the adaptive drop's
-- averages and the recount of a deleted answer read the totals (or the user's answers), and
-- attempts_guild_board, which cost every answer an index entry on its guild's page, goes.
DROP TRIGGER attempts_count_guild ON attempts;
DROP TRIGGER attempts_uncount_guild ON attempts;

CREATE TABLE guild_topic_totals (
    guild_id BIGINT NOT NULL REFERENCES guilds (id) ON DELETE CASCADE,
    since    BIGINT NOT NULL,              -- the quarter hour's start, unix ms (0006)
    user_id  BIGINT NOT NULL,
    topic    TEXT   NOT NULL,              -- topic slug
    total    DOUBLE PRECISION NOT NULL,    -- sum of scores
    answers  BIGINT NOT NULL,
    CONSTRAINT guild_topic_totals_pkey PRIMARY KEY (guild_id, since, user_id, topic)
);
INSERT INTO guild_topic_totals (guild_id, since, user_id, topic, total, answers)
SELECT guild_id, quarter_hour_start(created_at), user_id, topic, SUM(score), COUNT(*)
FROM attempts WHERE guild_id IS NOT NULL
GROUP BY 1, 2, 3, 4;
DROP TABLE guild_totals;
ALTER TABLE guild_topic_totals RENAME TO guild_totals;
ALTER TABLE guild_totals RENAME CONSTRAINT guild_topic_totals_pkey TO guild_totals_pkey;
-- As in 0006: updated by every answer, so vacuumed often.
ALTER TABLE guild_totals SET (
    autovacuum_vacuum_scale_factor = 0.02,
    autovacuum_vacuum_insert_scale_factor = 0.02,
    autovacuum_analyze_scale_factor = 0.02
);

DROP INDEX attempts_guild_board;

CREATE OR REPLACE FUNCTION attempts_count_guild() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO guild_totals (guild_id, since, user_id, topic, total, answers)
    VALUES (NEW.guild_id, quarter_hour_start(NEW.created_at), NEW.user_id, NEW.topic, NEW.score, 1)
    ON CONFLICT (guild_id, since, user_id, topic) DO UPDATE SET
        total = guild_totals.total + excluded.total,
        answers = guild_totals.answers + 1;
    RETURN NULL;
END;
$$;
CREATE TRIGGER attempts_count_guild AFTER INSERT ON attempts
    FOR EACH ROW WHEN (NEW.guild_id IS NOT NULL) EXECUTE FUNCTION attempts_count_guild();

CREATE OR REPLACE FUNCTION attempts_uncount_guild() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    bucket BIGINT := quarter_hour_start(OLD.created_at);
BEGIN
    UPDATE guild_totals t SET (total, answers) = (
        SELECT COALESCE(SUM(a.score), 0), COUNT(*) FROM attempts a
        WHERE a.user_id = t.user_id
          AND a.created_at >= t.since AND a.created_at < t.since + 900000
          AND a.guild_id = t.guild_id AND a.topic = t.topic)
    WHERE t.guild_id = OLD.guild_id AND t.since = bucket AND t.user_id = OLD.user_id
      AND t.topic = OLD.topic;
    DELETE FROM guild_totals
    WHERE guild_id = OLD.guild_id AND since = bucket AND user_id = OLD.user_id
      AND topic = OLD.topic AND answers = 0;
    RETURN NULL;
END;
$$;
CREATE TRIGGER attempts_uncount_guild AFTER DELETE ON attempts
    FOR EACH ROW WHEN (OLD.guild_id IS NOT NULL) EXECUTE FUNCTION attempts_uncount_guild();
