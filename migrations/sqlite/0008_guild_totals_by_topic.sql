-- Guild totals per topic, so that no board reads `attempts` by guild and its index goes.
--
-- attempts_guild_board (guild_id, created_at, user_id, score) served guild boards before the
-- running totals of 0006, and after them still served topic boards, the adaptive daily drop's
-- per-topic averages and the trigger that recounts a deleted answer's bucket. Each answer put an
-- entry in it, on its guild's page: one more page for the commit to log and the checkpoint to
-- write back, per answer. With the topic in the totals' key all of those read the totals (a
-- board of every topic sums a user's topics), and the recount reads the user's answers of the
-- quarter hour through attempts_by_user. What still reads `attempts` for a guild is a period
-- that is not whole quarter hours (historical offsets, see 0006): it scans the period's
-- answers by time (attempts_global_board) and keeps the guild's.
--
-- The table is rebuilt rather than altered: SQLite cannot change a primary key. Triggers go
-- first, as in 0005.
DROP TRIGGER attempts_count_guild;
DROP TRIGGER attempts_uncount_guild;

CREATE TABLE guild_topic_totals (
    guild_id INTEGER NOT NULL REFERENCES guilds (id) ON DELETE CASCADE,
    since    INTEGER NOT NULL,             -- the quarter hour's start, unix ms (0006)
    user_id  INTEGER NOT NULL,
    topic    TEXT    NOT NULL,             -- topic slug
    total    REAL    NOT NULL,             -- sum of scores
    answers  INTEGER NOT NULL,
    PRIMARY KEY (guild_id, since, user_id, topic)
) WITHOUT ROWID;
INSERT INTO guild_topic_totals (guild_id, since, user_id, topic, total, answers)
SELECT guild_id, created_at - ((created_at % 900000) + 900000) % 900000, user_id, topic,
       SUM(score), COUNT(*)
FROM attempts WHERE guild_id IS NOT NULL
GROUP BY 1, 2, 3, 4;
DROP TABLE guild_totals;
ALTER TABLE guild_topic_totals RENAME TO guild_totals;

DROP INDEX attempts_guild_board;

-- As in 0006, with the topic.
CREATE TRIGGER attempts_count_guild AFTER INSERT ON attempts WHEN NEW.guild_id IS NOT NULL
BEGIN
    INSERT INTO guild_totals (guild_id, since, user_id, topic, total, answers)
    VALUES (NEW.guild_id, NEW.created_at - ((NEW.created_at % 900000) + 900000) % 900000,
            NEW.user_id, NEW.topic, NEW.score, 1)
    ON CONFLICT (guild_id, since, user_id, topic) DO UPDATE SET
        total = guild_totals.total + excluded.total,
        answers = guild_totals.answers + 1;
END;

-- As in 0006: recount the bucket from what is left. The user's answers of one quarter hour are
-- a short range of attempts_by_user (user_id, created_at).
CREATE TRIGGER attempts_uncount_guild AFTER DELETE ON attempts WHEN OLD.guild_id IS NOT NULL
BEGIN
    UPDATE guild_totals SET
        total = COALESCE((SELECT SUM(a.score) FROM attempts a
                          WHERE a.user_id = guild_totals.user_id
                            AND a.created_at >= guild_totals.since
                            AND a.created_at < guild_totals.since + 900000
                            AND a.guild_id = guild_totals.guild_id
                            AND a.topic = guild_totals.topic), 0),
        answers = (SELECT COUNT(*) FROM attempts a
                   WHERE a.user_id = guild_totals.user_id
                     AND a.created_at >= guild_totals.since
                     AND a.created_at < guild_totals.since + 900000
                     AND a.guild_id = guild_totals.guild_id
                     AND a.topic = guild_totals.topic)
    WHERE guild_id = OLD.guild_id
      AND since = OLD.created_at - ((OLD.created_at % 900000) + 900000) % 900000
      AND user_id = OLD.user_id
      AND topic = OLD.topic;
    DELETE FROM guild_totals
    WHERE guild_id = OLD.guild_id
      AND since = OLD.created_at - ((OLD.created_at % 900000) + 900000) % 900000
      AND user_id = OLD.user_id
      AND topic = OLD.topic
      AND answers = 0;
END;
