-- Foundation: supplier organisations, users and roles, sessions, one-time
-- tokens, login throttling, audit log and the mail outbox.

-- +goose Up
CREATE TABLE suppliers (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text NOT NULL CHECK (name <> ''),
    created_at timestamptz NOT NULL DEFAULT now()
);
-- Two organisations that differ only in case would confuse everyone.
CREATE UNIQUE INDEX suppliers_name_key ON suppliers (lower(name));

CREATE TABLE users (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email         text NOT NULL CHECK (email = lower(email) AND email LIKE '%@%'),
    name          text NOT NULL DEFAULT '',
    role          text NOT NULL CHECK (role IN ('admin', 'curator', 'support', 'supplier')),
    supplier_id   bigint REFERENCES suppliers (id),
    -- NULL until an invited user has chosen a password.
    password_hash text,
    active        boolean NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    last_login_at timestamptz,
    -- The login before the last, shown as "vorige keer ingelogd".
    previous_login_at timestamptz,
    -- A supplier user belongs to exactly one supplier; staff to none.
    CONSTRAINT users_supplier_role CHECK ((role = 'supplier') = (supplier_id IS NOT NULL))
);
CREATE UNIQUE INDEX users_email_key ON users (email);
CREATE INDEX users_supplier_id_idx ON users (supplier_id) WHERE supplier_id IS NOT NULL;

-- A session row is what the cookie names. Only a hash of the cookie token is
-- stored, so a read of this table does not hand out live sessions.
CREATE TABLE sessions (
    token_hash   bytea PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    ip           text NOT NULL DEFAULT '',
    user_agent   text NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user_id_idx ON sessions (user_id);

-- One-time links: password reset and invitations. Hash only, single use.
CREATE TABLE user_tokens (
    token_hash bytea PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    text NOT NULL CHECK (purpose IN ('reset', 'invite')),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);
CREATE INDEX user_tokens_user_id_idx ON user_tokens (user_id);

-- Failed logins, per account (email as typed, lowercased) and per client
-- address; rows are pruned by a periodic job.
CREATE TABLE login_failures (
    id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL,
    ip    text NOT NULL,
    at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_email_at_idx ON login_failures (email, at);
CREATE INDEX login_failures_ip_at_idx ON login_failures (ip, at);

CREATE TABLE audit_log (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at           timestamptz NOT NULL DEFAULT now(),
    actor_id     bigint REFERENCES users (id),
    -- Kept as text too, so the trail survives renames and stays readable.
    actor_email  text NOT NULL DEFAULT '',
    action       text NOT NULL,
    subject_type text NOT NULL DEFAULT '',
    subject_id   text NOT NULL DEFAULT '',
    supplier_id  bigint REFERENCES suppliers (id),
    ip           text NOT NULL DEFAULT '',
    detail       jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at_idx ON audit_log (at DESC, id DESC);
CREATE INDEX audit_log_action_idx ON audit_log (action, at DESC);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, at DESC);

CREATE TABLE mail_outbox (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    created_at  timestamptz NOT NULL DEFAULT now(),
    to_addr     text NOT NULL,
    subject     text NOT NULL,
    body_text   text NOT NULL,
    -- pending: waiting for delivery; sent: accepted by the SMTP server;
    -- failed: permanently refused or out of attempts; stored: no SMTP
    -- configured, readable by admins in the portal only.
    status      text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'stored')),
    attempts    integer NOT NULL DEFAULT 0,
    last_error  text NOT NULL DEFAULT '',
    sent_at     timestamptz
);
CREATE INDEX mail_outbox_created_at_idx ON mail_outbox (created_at DESC, id DESC);

-- +goose Down
DROP TABLE mail_outbox;
DROP TABLE audit_log;
DROP TABLE login_failures;
DROP TABLE user_tokens;
DROP TABLE sessions;
DROP TABLE users;
DROP TABLE suppliers;
