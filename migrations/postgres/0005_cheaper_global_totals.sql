-- Recording an answer got much slower with global_totals (0003): each answer updated three
-- rows there, and every update (none can be HOT: the indexed totals change) adds an entry to
-- each of the table's five indexes. Now:
-- * The key is (user_id, period, since): it serves delete_user, so global_totals_by_user goes.
-- * Only boards by total score (the only order cuecard shows) keep an index. Boards by average
--   or by answers read the period's rows through it and sort them: slower (a few ms for a
--   week, tens for all time at 100,000 players), but correct, and no answer pays for them.
-- * Every answer leaves three dead row versions here, and ranks count index entries that are
--   only answered without a visit to the table while the pages are marked all-visible: vacuum
--   after 2% of the rows changed rather than autovacuum's default 20%.
ALTER TABLE global_totals DROP CONSTRAINT global_totals_pkey;
ALTER TABLE global_totals ADD PRIMARY KEY (user_id, period, since);
DROP INDEX global_totals_by_user;
DROP INDEX global_totals_by_average;
DROP INDEX global_totals_by_answers;
ALTER TABLE global_totals SET (
    autovacuum_vacuum_scale_factor = 0.02,
    autovacuum_vacuum_insert_scale_factor = 0.02,
    autovacuum_analyze_scale_factor = 0.02
);
