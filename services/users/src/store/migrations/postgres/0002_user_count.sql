-- The total behind X-Total-Count, kept by triggers: count(*) over the whole
-- table on every page of GET /users cost far more than the page itself.
-- Statement-level triggers with transition tables, so a bulk INSERT ... SELECT
-- updates the counter once, not once per row.
CREATE TABLE user_count (
    id    SMALLINT PRIMARY KEY CONSTRAINT user_count_one_row CHECK (id = 1),
    total BIGINT   NOT NULL
);
INSERT INTO user_count (id, total) SELECT 1, count(*) FROM users;

CREATE FUNCTION user_count_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE user_count SET total = total + (SELECT count(*) FROM added_rows) WHERE id = 1;
    RETURN NULL;
END
$$;

CREATE FUNCTION user_count_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE user_count SET total = total - (SELECT count(*) FROM removed_rows) WHERE id = 1;
    RETURN NULL;
END
$$;

CREATE TRIGGER users_count_insert AFTER INSERT ON users
    REFERENCING NEW TABLE AS added_rows
    FOR EACH STATEMENT EXECUTE FUNCTION user_count_added();
CREATE TRIGGER users_count_delete AFTER DELETE ON users
    REFERENCING OLD TABLE AS removed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION user_count_removed();
