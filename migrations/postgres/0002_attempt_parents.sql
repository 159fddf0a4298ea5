-- Recording an answer is the hot path: one statement instead of three. The user's and guild's
-- rows are created by the insert itself; foreign keys are checked after this trigger has run.
CREATE FUNCTION attempts_create_parents() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO users (id, created_at) VALUES (NEW.user_id, NEW.created_at)
        ON CONFLICT (id) DO NOTHING;
    IF NEW.guild_id IS NOT NULL THEN
        INSERT INTO guilds (id, created_at) VALUES (NEW.guild_id, NEW.created_at)
            ON CONFLICT (id) DO NOTHING;
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER attempts_create_parents BEFORE INSERT ON attempts
    FOR EACH ROW EXECUTE FUNCTION attempts_create_parents();
