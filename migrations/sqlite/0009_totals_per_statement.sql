-- Postgres only (migrations/postgres/0009): its running totals are counted once per statement.
-- SQLite has no statement-level triggers; its row-level triggers run inside the library, with
-- no function call or round trip to save. The number is kept so both backends count alike.
SELECT 1;
