-- Supplier questions (SPEC §2 rule 10, issue 6): a supplier asks, staff
-- answer within 5 working days (due_at, computed by the application with
-- support.Calendar), or close a question as not answerable with a reason.

-- +goose Up
CREATE TABLE support_questions (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    supplier_id   bigint NOT NULL REFERENCES suppliers (id),
    asked_by      bigint NOT NULL REFERENCES users (id),
    subject       text NOT NULL CHECK (subject <> '' AND char_length(subject) <= 200),
    received_at   timestamptz NOT NULL DEFAULT now(),
    due_at        timestamptz NOT NULL,
    status        text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'answered', 'closed_not_answerable')),
    closed_reason text NOT NULL DEFAULT '',
    answered_at   timestamptz,
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX support_questions_supplier_idx ON support_questions (supplier_id, received_at DESC);
CREATE INDEX support_questions_queue_idx ON support_questions (status, due_at);

CREATE TABLE support_messages (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    question_id bigint NOT NULL REFERENCES support_questions (id) ON DELETE CASCADE,
    author_id   bigint NOT NULL REFERENCES users (id),
    body        text NOT NULL CHECK (body <> '' AND char_length(body) <= 10000),
    created_at  timestamptz NOT NULL DEFAULT now(),
    from_staff  boolean NOT NULL DEFAULT false
);
CREATE INDEX support_messages_question_idx ON support_messages (question_id, id);

-- +goose Down
DROP TABLE support_messages;
DROP TABLE support_questions;
