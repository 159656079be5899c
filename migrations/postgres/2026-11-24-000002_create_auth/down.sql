DROP TABLE sessions;
DROP TABLE auth_nonces;
