-- Recording an answer is the hot path: one statement instead of three. The user's and guild's
-- rows are created by the insert itself; foreign keys are checked at the end of the statement,
-- after this trigger has run.
CREATE TRIGGER attempts_create_parents BEFORE INSERT ON attempts
BEGIN
    INSERT OR IGNORE INTO users (id, created_at) VALUES (NEW.user_id, NEW.created_at);
    INSERT OR IGNORE INTO guilds (id, created_at)
        SELECT NEW.guild_id, NEW.created_at WHERE NEW.guild_id IS NOT NULL;
END;
