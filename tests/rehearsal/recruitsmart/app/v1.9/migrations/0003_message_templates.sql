CREATE TABLE IF NOT EXISTS message_templates (
    key TEXT PRIMARY KEY,
    text TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
INSERT INTO message_templates (key, text) VALUES
    ('welcome', 'Hello! Let''s get you registered.'),
    ('slot_taken', 'Sorry, this slot is already booked.')
ON CONFLICT (key) DO NOTHING;
