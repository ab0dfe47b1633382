-- popd-rest state: every Pop fact that must survive a kill -9.
-- Addresses are IPv4 in host byte order as INTEGER, so allocation reads them without parsing.

CREATE TABLE networks (
    id          TEXT PRIMARY KEY,           -- Pop network id (uuid)
    name        TEXT NOT NULL UNIQUE,       -- virtual link name, e.g. "private"
    docker_name TEXT NOT NULL UNIQUE,       -- name of the backing Docker network
    docker_id   TEXT,                       -- engine id once the Docker network exists
    base        INTEGER NOT NULL,           -- subnet network address
    prefix      INTEGER NOT NULL,
    gateway     INTEGER NOT NULL,
    internal    INTEGER NOT NULL DEFAULT 0,
    created     INTEGER NOT NULL
);

CREATE TABLE containers (
    id              TEXT PRIMARY KEY,       -- Pop container id (uuid)
    name            TEXT NOT NULL UNIQUE,
    image_id        TEXT NOT NULL,
    flavour_id      TEXT NOT NULL,
    status          INTEGER NOT NULL,       -- enum pop_status
    extended_status TEXT NOT NULL DEFAULT '',
    docker_id       TEXT,                   -- set only while a Docker container backs it
    created         INTEGER NOT NULL,
    started         INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE endpoints (
    container_id TEXT NOT NULL REFERENCES containers(id) ON DELETE CASCADE,
    network_id   TEXT NOT NULL REFERENCES networks(id),
    position     INTEGER NOT NULL,          -- 0 is the primary network
    endpoint_id  TEXT NOT NULL,
    ipv4         INTEGER NOT NULL,
    PRIMARY KEY (container_id, network_id)
);

CREATE TABLE metadata (
    container_id TEXT NOT NULL REFERENCES containers(id) ON DELETE CASCADE,
    key          TEXT NOT NULL,
    value        TEXT NOT NULL,
    PRIMARY KEY (container_id, key)
);

-- An address is reserved at most once per network. holder is the Pop container id, or
-- "docker:<id>" for a container that was on the network before popd-rest knew it.
CREATE TABLE reservations (
    network_id   TEXT NOT NULL REFERENCES networks(id) ON DELETE CASCADE,
    address      INTEGER NOT NULL,
    container_id TEXT REFERENCES containers(id) ON DELETE CASCADE,
    holder       TEXT NOT NULL,
    PRIMARY KEY (network_id, address)
);
CREATE INDEX reservations_by_container ON reservations(container_id);

CREATE TABLE revoked_tokens (
    jti        TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL
);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
