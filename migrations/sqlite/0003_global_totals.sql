-- Running totals for the global boards (every answer anywhere, weeks and months in UTC), so a
-- global top 10 or a rank reads a few index entries instead of aggregating a week of attempts.
-- One row per period bucket and user: `since` is the bucket's start in unix milliseconds (the
-- Monday 00:00 UTC of the week, the 1st 00:00 UTC of the month, 0 for all time).
-- Guild boards keep reading `attempts` directly: they are small, and their weeks follow the
-- guild's time zone, which can change.
CREATE TABLE global_totals (
    period   TEXT    NOT NULL,             -- all | week | month
    since    INTEGER NOT NULL,
    user_id  INTEGER NOT NULL,
    total    REAL    NOT NULL,             -- sum of scores
    answers  INTEGER NOT NULL,
    average  REAL    NOT NULL,             -- total / answers, stored so it can be indexed
    PRIMARY KEY (period, since, user_id)
);
-- One index per sort order, in display order (key, tie-break, user id), so a page is a range
-- read and a rank is a count over a range.
CREATE INDEX global_totals_by_total ON global_totals (period, since, total DESC, answers DESC, user_id);
CREATE INDEX global_totals_by_average
    ON global_totals (period, since, average DESC, answers DESC, user_id);
CREATE INDEX global_totals_by_answers
    ON global_totals (period, since, answers DESC, total DESC, user_id);
-- delete_user removes a user's totals.
CREATE INDEX global_totals_by_user ON global_totals (user_id);

INSERT INTO global_totals (period, since, user_id, total, answers, average)
SELECT 'all', 0, user_id, SUM(score), COUNT(*), SUM(score) / COUNT(*)
FROM attempts GROUP BY user_id;
INSERT INTO global_totals (period, since, user_id, total, answers, average)
SELECT 'week', since, user_id, SUM(score), COUNT(*), SUM(score) / COUNT(*)
FROM (SELECT user_id, score,
             created_at - (((created_at - 345600000) % 604800000) + 604800000) % 604800000 AS since
      FROM attempts)
GROUP BY since, user_id;
INSERT INTO global_totals (period, since, user_id, total, answers, average)
SELECT 'month', since, user_id, SUM(score), COUNT(*), SUM(score) / COUNT(*)
FROM (SELECT user_id, score,
             CAST(strftime('%s', created_at / 1000.0, 'unixepoch', 'start of month') AS INTEGER) * 1000
                 AS since
      FROM attempts)
GROUP BY since, user_id;

-- Counted in the statement that records the answer. An AFTER trigger runs only for a row that
-- was inserted, so a duplicate submission (ON CONFLICT DO NOTHING) counts nothing.
-- 345600000 ms after the epoch is Monday 1970-01-05 00:00 UTC, where weeks are counted from;
-- the double modulo floors for times before it.
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
    ON CONFLICT (period, since, user_id) DO UPDATE SET
        total = global_totals.total + excluded.total,
        answers = global_totals.answers + excluded.answers,
        average = (global_totals.total + excluded.total) / (global_totals.answers + excluded.answers);
END;

-- Attempts also disappear by cascade (a deleted drop, round or guild). Recount the buckets the
-- answer was in from what is left, rather than subtract, so totals stay exactly the sums a
-- board over `attempts` would compute. delete_user removes the totals first, so this finds
-- nothing to update there.
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
