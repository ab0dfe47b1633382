-- pop-nfvo state, northbound security (reference §6.1): the token signing key, made at the
-- first start and kept so tokens survive a restart, and the projects every /api call names in
-- its project-id header (a `default` one is made at the first start, with a random UUID id).

CREATE TABLE auth_settings (
    key   TEXT PRIMARY KEY, -- 'token_key': the HMAC-SHA256 key of the bearer tokens
    value BLOB NOT NULL
);

CREATE TABLE projects (
    id          TEXT PRIMARY KEY,     -- a UUID, as NFVO 6's project ids
    name        TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT ''
);
