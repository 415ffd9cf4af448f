CREATE TABLE IF NOT EXISTS questions (
    id SERIAL PRIMARY KEY,
    test_no INTEGER NOT NULL,
    position INTEGER NOT NULL,
    text TEXT NOT NULL,
    UNIQUE (test_no, position)
);
CREATE TABLE IF NOT EXISTS test_results (
    id SERIAL PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    test_no INTEGER NOT NULL,
    score INTEGER NOT NULL,
    finished_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
