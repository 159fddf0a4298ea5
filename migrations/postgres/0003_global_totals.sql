-- Running totals for the global boards (every answer anywhere, weeks and months in UTC), so a
-- global top 10 or a rank reads a few index entries instead of aggregating a week of attempts.
-- One row per period bucket and user: `since` is the bucket's start in unix milliseconds (the
-- Monday 00:00 UTC of the week, the 1st 00:00 UTC of the month, 0 for all time).
-- Guild boards keep reading `attempts` directly: they are small, and their weeks follow the
-- guild's time zone, which can change.
CREATE TABLE global_totals (
    period   TEXT    NOT NULL,             -- all | week | month
    since    BIGINT  NOT NULL,
    user_id  BIGINT  NOT NULL,
    total    DOUBLE PRECISION NOT NULL,    -- sum of scores
    answers  BIGINT  NOT NULL,
    average  DOUBLE PRECISION NOT NULL,    -- total / answers, stored so it can be indexed
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

-- The start of the UTC week (Monday) and month holding `at` (unix milliseconds).
-- 345600000 ms after the epoch is Monday 1970-01-05 00:00 UTC, where weeks are counted from;
-- the double modulo floors for times before it.
CREATE FUNCTION utc_week_start(at BIGINT) RETURNS BIGINT LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN at - (((at - 345600000) % 604800000) + 604800000) % 604800000;
CREATE FUNCTION utc_month_start(at BIGINT) RETURNS BIGINT LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN (EXTRACT(EPOCH FROM date_trunc('month', to_timestamp(at / 1000.0) AT TIME ZONE 'UTC'))
            * 1000)::BIGINT;

INSERT INTO global_totals (period, since, user_id, total, answers, average)
SELECT 'all', 0, user_id, SUM(score), COUNT(*), SUM(score) / COUNT(*)
FROM attempts GROUP BY user_id;
INSERT INTO global_totals (period, since, user_id, total, answers, average)
SELECT 'week', utc_week_start(created_at), user_id, SUM(score), COUNT(*), SUM(score) / COUNT(*)
FROM attempts GROUP BY 2, user_id;
INSERT INTO global_totals (period, since, user_id, total, answers, average)
SELECT 'month', utc_month_start(created_at), user_id, SUM(score), COUNT(*), SUM(score) / COUNT(*)
FROM attempts GROUP BY 2, user_id;

-- Counted in the statement that records the answer. An AFTER trigger runs only for a row that
-- was inserted, so a duplicate submission (ON CONFLICT DO NOTHING) counts nothing.
CREATE FUNCTION attempts_count_global() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO global_totals (period, since, user_id, total, answers, average)
    VALUES
        ('all', 0, NEW.user_id, NEW.score, 1, NEW.score),
        ('week', utc_week_start(NEW.created_at), NEW.user_id, NEW.score, 1, NEW.score),
        ('month', utc_month_start(NEW.created_at), NEW.user_id, NEW.score, 1, NEW.score)
    ON CONFLICT (period, since, user_id) DO UPDATE SET
        total = global_totals.total + excluded.total,
        answers = global_totals.answers + excluded.answers,
        average = (global_totals.total + excluded.total) / (global_totals.answers + excluded.answers);
    RETURN NULL;
END;
$$;
CREATE TRIGGER attempts_count_global AFTER INSERT ON attempts
    FOR EACH ROW EXECUTE FUNCTION attempts_count_global();

-- Attempts also disappear by cascade (a deleted drop, round or guild). Recount the buckets the
-- answer was in from what is left, rather than subtract, so totals stay exactly the sums a
-- board over `attempts` would compute. delete_user removes the totals first, so this finds
-- nothing to update there.
CREATE FUNCTION attempts_uncount_global() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE global_totals t SET (total, answers) = (
        SELECT COALESCE(SUM(a.score), 0), COUNT(*) FROM attempts a
        WHERE a.user_id = t.user_id AND CASE t.period
            WHEN 'all' THEN 0
            WHEN 'week' THEN utc_week_start(a.created_at)
            ELSE utc_month_start(a.created_at)
        END = t.since)
    WHERE t.user_id = OLD.user_id AND (
        (t.period = 'all' AND t.since = 0)
        OR (t.period = 'week' AND t.since = utc_week_start(OLD.created_at))
        OR (t.period = 'month' AND t.since = utc_month_start(OLD.created_at)));
    DELETE FROM global_totals WHERE user_id = OLD.user_id AND answers = 0;
    UPDATE global_totals SET average = total / answers
    WHERE user_id = OLD.user_id AND average <> total / answers;
    RETURN NULL;
END;
$$;
CREATE TRIGGER attempts_uncount_global AFTER DELETE ON attempts
    FOR EACH ROW EXECUTE FUNCTION attempts_uncount_global();
