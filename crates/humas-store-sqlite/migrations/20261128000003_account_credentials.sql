-- Platform credentials, sealed by the application (ChaCha20-Poly1305 under a key derived from
-- the server secret); the database never holds them in plain text.
CREATE TABLE account_credentials (
    account_id BLOB PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    sealed BLOB NOT NULL,
    updated_at_us INTEGER NOT NULL
);
