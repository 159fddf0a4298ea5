-- The running totals counted once per statement instead of once per answer.
--
-- A batch of answers is one multi-row INSERT (group commit, crates/store/src/attempts.rs). The
-- row-level triggers of 0003 and 0008 ran a PL/pgSQL function and an upsert per answer and per
-- kind of total. A statement-level trigger sees every row the statement inserted as a table
-- (`inserted`: only rows actually inserted, so a duplicate submission still counts nothing),
-- sums them per row of the totals, and upserts each total once. ON CONFLICT DO UPDATE may touch
-- a row only once per statement, hence the GROUP BY. Rows are upserted in key order, as the
-- batches were ordered by user before, so concurrent batches lock rows in the same order.
-- Deletes keep their row-level recount triggers: they are rare and recount from what is left.
DROP TRIGGER attempts_count_global ON attempts;
DROP TRIGGER attempts_count_guild ON attempts;
DROP FUNCTION attempts_count_global();
DROP FUNCTION attempts_count_guild();

CREATE FUNCTION attempts_count_totals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO global_totals (period, since, user_id, total, answers, average)
    SELECT period, since, user_id, SUM(score), COUNT(*), SUM(score) / COUNT(*)
    FROM (
        SELECT 'all' AS period, 0::BIGINT AS since, user_id, score FROM inserted
        UNION ALL
        SELECT 'week', utc_week_start(created_at), user_id, score FROM inserted
        UNION ALL
        SELECT 'month', utc_month_start(created_at), user_id, score FROM inserted
    ) answers
    GROUP BY user_id, period, since
    ORDER BY user_id, period, since
    ON CONFLICT (user_id, period, since) DO UPDATE SET
        total = global_totals.total + excluded.total,
        answers = global_totals.answers + excluded.answers,
        average = (global_totals.total + excluded.total) / (global_totals.answers + excluded.answers);
    INSERT INTO guild_totals (guild_id, since, user_id, topic, total, answers)
    SELECT guild_id, quarter_hour_start(created_at), user_id, topic, SUM(score), COUNT(*)
    FROM inserted
    WHERE guild_id IS NOT NULL
    GROUP BY 1, 2, 3, 4
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (guild_id, since, user_id, topic) DO UPDATE SET
        total = guild_totals.total + excluded.total,
        answers = guild_totals.answers + excluded.answers;
    RETURN NULL;
END;
$$;
CREATE TRIGGER attempts_count_totals AFTER INSERT ON attempts
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION attempts_count_totals();
