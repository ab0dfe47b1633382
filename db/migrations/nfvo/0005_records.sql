-- pop-nfvo state: Network Service Records and the operations in flight on them (reference §3.6,
-- §3.7, §4.2). An NSR is kept as its JSON document (VNFRs, VLRs and dependency records inside),
-- rewritten whole under the NSR's lock at every step, so a reader always sees one consistent
-- record. An operation row exists from the moment an operation is accepted until it ended; a
-- pop-nfvo that starts and finds one knows it was interrupted. A pending server is written
-- before the driver is asked to launch it and removed once the VNFC instance is in the record:
-- what a crash left between the two is found (and released) at the next start.

CREATE TABLE nsrs (
    id      TEXT PRIMARY KEY,
    project TEXT NOT NULL,
    nsd_id  TEXT NOT NULL,
    status  TEXT NOT NULL,
    doc     TEXT NOT NULL,   -- the NetworkServiceRecord JSON
    created INTEGER NOT NULL,
    updated INTEGER NOT NULL
);
CREATE INDEX nsrs_by_project ON nsrs (project);

CREATE TABLE operations (
    nsr_id  TEXT PRIMARY KEY REFERENCES nsrs (id) ON DELETE CASCADE,
    kind    TEXT NOT NULL,   -- 'launch', 'terminate'
    started INTEGER NOT NULL
);

CREATE TABLE pending_servers (
    nsr_id   TEXT NOT NULL,
    vim      TEXT NOT NULL,  -- the VIM instance JSON the launch went to (with its credentials)
    hostname TEXT NOT NULL,
    started  INTEGER NOT NULL,
    PRIMARY KEY (nsr_id, hostname)
);
