-- The total behind X-Total-Count, kept by triggers: count(*) over the whole
-- table on every page of GET /users cost far more than the page itself.
CREATE TABLE user_count (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    total INTEGER NOT NULL
);
INSERT INTO user_count (id, total) SELECT 1, count(*) FROM users;

CREATE TRIGGER users_count_insert AFTER INSERT ON users
BEGIN
    UPDATE user_count SET total = total + 1 WHERE id = 1;
END;

CREATE TRIGGER users_count_delete AFTER DELETE ON users
BEGIN
    UPDATE user_count SET total = total - 1 WHERE id = 1;
END;
