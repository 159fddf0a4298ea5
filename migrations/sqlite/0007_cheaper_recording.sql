-- Recording an answer writes an entry into every index of `attempts` and of the running totals.
-- An entry that lands on a random page dirties that page, and SQLite copies every dirtied page
-- into its log at commit and back into the file at the checkpoint: at thousands of answers a
-- second that copying is most of what recording costs. Two indexes put their entries on a
-- random page for no reader's benefit:
--
-- * attempts_one_per_request was keyed (user_id, request_key), so each answer's entry went to
--   its user's place in the index. The bot's keys are interaction snowflakes, which grow with
--   time: keyed (request_key, user_id) the entries of new answers go to the index's end, a few
--   pages shared by a whole batch. Uniqueness is the same pair's.
-- * guild_totals_by_user served only delete_user, which now finds a user's totals through
--   their answers (attempts_by_user) and the table's key.
DROP INDEX attempts_one_per_request;
CREATE UNIQUE INDEX attempts_one_per_request ON attempts (request_key, user_id)
    WHERE request_key IS NOT NULL;
DROP INDEX guild_totals_by_user;
