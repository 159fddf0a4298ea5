-- As in migrations/sqlite/0007: the idempotency key's index is keyed by the key first, which
-- grows with time (interaction snowflakes), so new entries go to the index's end instead of a
-- random page per user; and guild_totals_by_user goes, because delete_user finds a user's
-- totals through their answers and the table's key. Each index entry on a random page is a
-- page to write at the next checkpoint (and a full-page image in the log after it).
DROP INDEX attempts_one_per_request;
CREATE UNIQUE INDEX attempts_one_per_request ON attempts (request_key, user_id)
    WHERE request_key IS NOT NULL;
DROP INDEX guild_totals_by_user;
