-- SIWE nonces are single use: consuming one is an UPDATE ... WHERE used_at IS NULL.
CREATE TABLE auth_nonces (
    nonce TEXT PRIMARY KEY NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX auth_nonces_expires_at ON auth_nonces (expires_at);

-- Server-side sessions (actix-session's store), so logging out really ends a session:
-- the cookie carries only an opaque key, kept here as its SHA-256 so a database leak
-- reveals no usable cookie.
CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY NOT NULL,
    state TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_expires_at ON sessions (expires_at);
