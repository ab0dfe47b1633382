-- pop-nfvo's catalogue (reference §4.1, §6.2): each onboarded NSD as the JSON document answered
-- at onboarding (VNFDs inline, every entity with its id), per project; and an index of its
-- VNFDs so /api/v1/vnf-descriptors/{id} finds the NSD holding one.

CREATE TABLE nsds (
    id         TEXT PRIMARY KEY,  -- the NSD's id (a uuid)
    project    TEXT NOT NULL,     -- the projectId of the caller who onboarded it
    name       TEXT NOT NULL,
    doc        TEXT NOT NULL,     -- the NSD, JSON
    created    INTEGER NOT NULL   -- Unix seconds, for the listing order
);
CREATE INDEX nsds_project ON nsds (project, created);

CREATE TABLE nsd_vnfds (
    id         TEXT PRIMARY KEY,  -- the VNFD's id
    nsd_id     TEXT NOT NULL REFERENCES nsds (id) ON DELETE CASCADE,
    project    TEXT NOT NULL,
    name       TEXT NOT NULL,
    position   INTEGER NOT NULL   -- its index in the NSD's vnfd array
);
CREATE INDEX nsd_vnfds_nsd ON nsd_vnfds (nsd_id);
CREATE INDEX nsd_vnfds_project ON nsd_vnfds (project);
