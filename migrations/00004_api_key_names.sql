-- A supplier's live API keys have distinct names per environment, so a
-- double submit of the "new key" form cannot leave an unseen second key.

-- +goose Up
CREATE UNIQUE INDEX api_keys_live_name_key ON api_keys (supplier_id, environment, lower(name))
    WHERE revoked_at IS NULL;

-- +goose Down
DROP INDEX api_keys_live_name_key;
