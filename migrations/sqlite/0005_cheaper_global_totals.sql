-- Recording an answer got 2.5 times slower with global_totals (0003): each answer updated
-- three rows there, and each of those six B-trees (the table, its key and four indexes). The
-- all-time row of a user sits anywhere in all of them, so every answer dirtied about eight
-- random pages. Now:
-- * The table is keyed by (user_id, period, since) WITHOUT ROWID: the rows are the key's
--   B-tree, a user's rows (all time, months, weeks) are neighbours in one page, and the key
--   serves delete_user, so global_totals_by_user goes.
-- * Only boards by total score (the only order cuecard shows) keep an index. Boards by average
--   or by answers read the period's rows through it and sort them: slower (a few ms for a
--   week, tens for all time at 100,000 players), but correct, and no answer pays for them.
-- The triggers are dropped first: SQLite checks them when a table they name is renamed.
DROP TRIGGER attempts_count_global;
DROP TRIGGER attempts_uncount_global;

CREATE TABLE global_totals_keyed (
    period   TEXT    NOT NULL,             -- all | week | month
    since    INTEGER NOT NULL,
    user_id  INTEGER NOT NULL,
    total    REAL    NOT NULL,             -- sum of scores
    answers  INTEGER NOT NULL,
    average  REAL    NOT NULL,             -- total / answers
    PRIMARY KEY (user_id, period, since)
) WITHOUT ROWID;
INSERT INTO global_totals_keyed (period, since, user_id, total, answers, average)
SELECT period, since, user_id, total, answers, average FROM global_totals;
DROP TABLE global_totals;
ALTER TABLE global_totals_keyed RENAME TO global_totals;
-- In display order (key, tie-break, user id), so a page is a range read and a rank is a count
-- over a range.
CREATE INDEX global_totals_by_total ON global_totals (period, since, total DESC, answers DESC, user_id);

-- As in 0003.
CREATE TRIGGER attempts_count_global AFTER INSERT ON attempts
BEGIN
    INSERT INTO global_totals (period, since, user_id, total, answers, average)
    VALUES
        ('all', 0, NEW.user_id, NEW.score, 1, NEW.score),
        ('week',
         NEW.created_at - (((NEW.created_at - 345600000) % 604800000) + 604800000) % 604800000,
         NEW.user_id, NEW.score, 1, NEW.score),
        ('month',
         CAST(strftime('%s', NEW.created_at / 1000.0, 'unixepoch', 'start of month') AS INTEGER) * 1000,
         NEW.user_id, NEW.score, 1, NEW.score)
    ON CONFLICT (user_id, period, since) DO UPDATE SET
        total = global_totals.total + excluded.total,
        answers = global_totals.answers + excluded.answers,
        average = (global_totals.total + excluded.total) / (global_totals.answers + excluded.answers);
END;

CREATE TRIGGER attempts_uncount_global AFTER DELETE ON attempts
BEGIN
    UPDATE global_totals SET
        total = COALESCE((SELECT SUM(a.score) FROM attempts a
                          WHERE a.user_id = global_totals.user_id AND CASE global_totals.period
                              WHEN 'all' THEN 0
                              WHEN 'week' THEN a.created_at
                                  - (((a.created_at - 345600000) % 604800000) + 604800000) % 604800000
                              ELSE CAST(strftime('%s', a.created_at / 1000.0, 'unixepoch', 'start of month')
                                        AS INTEGER) * 1000
                          END = global_totals.since), 0),
        answers = (SELECT COUNT(*) FROM attempts a
                   WHERE a.user_id = global_totals.user_id AND CASE global_totals.period
                       WHEN 'all' THEN 0
                       WHEN 'week' THEN a.created_at
                           - (((a.created_at - 345600000) % 604800000) + 604800000) % 604800000
                       ELSE CAST(strftime('%s', a.created_at / 1000.0, 'unixepoch', 'start of month')
                                 AS INTEGER) * 1000
                   END = global_totals.since)
    WHERE user_id = OLD.user_id AND (
        (period = 'all' AND since = 0)
        OR (period = 'week' AND since = OLD.created_at
            - (((OLD.created_at - 345600000) % 604800000) + 604800000) % 604800000)
        OR (period = 'month' AND since = CAST(strftime('%s', OLD.created_at / 1000.0, 'unixepoch',
                                                       'start of month') AS INTEGER) * 1000));
    DELETE FROM global_totals WHERE user_id = OLD.user_id AND answers = 0;
    UPDATE global_totals SET average = total / answers
    WHERE user_id = OLD.user_id AND average <> total / answers;
END;
