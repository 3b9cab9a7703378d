-- Platform credentials, sealed by the application (ChaCha20-Poly1305 under a key derived from
-- the server secret); the database never holds them in plain text.
CREATE TABLE account_credentials (
    account_id UUID PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    sealed BYTEA NOT NULL,
    updated_at_us BIGINT NOT NULL
);
