-- pop-nfvo VIM instances ("datacenters", reference §4.3, §6.2): one row per VIM instance of a
-- project, its whole JSON document (credentials included: the drivers need them; the file is
-- the NFVO's alone, mode 0600) next to the columns it is looked up by.

CREATE TABLE vims (
    id      TEXT PRIMARY KEY,  -- a uuid, assigned by the NFVO
    project TEXT NOT NULL,     -- the projectId of the caller who made it
    name    TEXT NOT NULL,     -- unique in its project: the launch names VIMs by name
    type    TEXT NOT NULL,     -- the VIM type: which driver serves it
    doc     TEXT NOT NULL,     -- the VIM instance JSON as the drivers get it
    UNIQUE (project, name)
);
CREATE INDEX vims_type ON vims (type);
