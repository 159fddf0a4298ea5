-- Running totals for guild boards. A guild board of the week summed every answer given in the
-- guild that week on each call; in a busy guild that grew with the week (a five-minute load at
-- 200 interactions a second slowed /leaderboard from 9 to 800 ms, and the replies waiting behind
-- it held memory). Here each row sums one user's answers in one guild in one quarter of an hour
-- (UTC), so a board reads one row per user and active quarter hour instead of one per answer.
--
-- Why quarters of an hour rather than weeks and months: a guild's weeks and months start at
-- midnight in its time zone, which the trigger cannot compute and which the guild can change.
-- Every UTC offset in use today is a whole number of quarter hours (India +5:30, Nepal +5:45,
-- Chatham +12:45), so any local midnight is a quarter-hour boundary and a period is a range of
-- whole buckets, whatever the zone and whenever it changes. A period that does not start and end
-- on a boundary (historical offsets such as Amsterdam's +0:19:32 before 1937) is summed from
-- `attempts` as before (`leaderboard.rs`). Topic boards also read `attempts`.
--
-- `since` is the bucket's start in unix milliseconds. The key puts a guild's buckets in time
-- order, so a period is one range of the key's B-tree, and the answers of one quarter hour
-- update neighbouring rows.
CREATE TABLE guild_totals (
    guild_id INTEGER NOT NULL REFERENCES guilds (id) ON DELETE CASCADE,
    since    INTEGER NOT NULL,
    user_id  INTEGER NOT NULL,
    total    REAL    NOT NULL,             -- sum of scores
    answers  INTEGER NOT NULL,
    PRIMARY KEY (guild_id, since, user_id)
) WITHOUT ROWID;
-- delete_user removes a user's totals before their answers.
CREATE INDEX guild_totals_by_user ON guild_totals (user_id);

INSERT INTO guild_totals (guild_id, since, user_id, total, answers)
SELECT guild_id, created_at - ((created_at % 900000) + 900000) % 900000, user_id, SUM(score), COUNT(*)
FROM attempts WHERE guild_id IS NOT NULL
GROUP BY 1, 2, 3;

-- Counted in the statement that records the answer, as the global totals are (0003): an AFTER
-- trigger runs only for a row that was inserted, so a duplicate submission counts nothing. The
-- double modulo floors for times before 1970.
CREATE TRIGGER attempts_count_guild AFTER INSERT ON attempts WHEN NEW.guild_id IS NOT NULL
BEGIN
    INSERT INTO guild_totals (guild_id, since, user_id, total, answers)
    VALUES (NEW.guild_id, NEW.created_at - ((NEW.created_at % 900000) + 900000) % 900000,
            NEW.user_id, NEW.score, 1)
    ON CONFLICT (guild_id, since, user_id) DO UPDATE SET
        total = guild_totals.total + excluded.total,
        answers = guild_totals.answers + 1;
END;

-- Attempts also disappear by cascade (a deleted drop, round or guild): recount the user's bucket
-- from what is left, rather than subtract, so totals stay exactly the sums a board over
-- `attempts` would compute. A bucket is a quarter hour of one guild, so the recount reads a
-- short range of `attempts_guild_board`.
CREATE TRIGGER attempts_uncount_guild AFTER DELETE ON attempts WHEN OLD.guild_id IS NOT NULL
BEGIN
    UPDATE guild_totals SET
        total = COALESCE((SELECT SUM(a.score) FROM attempts a
                          WHERE a.guild_id = guild_totals.guild_id
                            AND a.created_at >= guild_totals.since
                            AND a.created_at < guild_totals.since + 900000
                            AND a.user_id = guild_totals.user_id), 0),
        answers = (SELECT COUNT(*) FROM attempts a
                   WHERE a.guild_id = guild_totals.guild_id
                     AND a.created_at >= guild_totals.since
                     AND a.created_at < guild_totals.since + 900000
                     AND a.user_id = guild_totals.user_id)
    WHERE guild_id = OLD.guild_id
      AND since = OLD.created_at - ((OLD.created_at % 900000) + 900000) % 900000
      AND user_id = OLD.user_id;
    DELETE FROM guild_totals
    WHERE guild_id = OLD.guild_id
      AND since = OLD.created_at - ((OLD.created_at % 900000) + 900000) % 900000
      AND user_id = OLD.user_id
      AND answers = 0;
END;
