-- pop-nfvo state, first part: the managers (VNF managers and VIM driver plugins) registered on
-- nfvo.manager.handling and the broker users made for them (reference §1.2). The password is
-- kept because NFVO 6 answers a re-registration with the existing credentials; the database
-- file is the NFVO's alone (mode 0600).

CREATE TABLE managers (
    username   TEXT PRIMARY KEY,  -- the registration's type: the broker user's name
    password   TEXT NOT NULL,     -- the broker user's password (16 alphanumerics)
    kind       TEXT NOT NULL,     -- 'vnfm' or 'plugin'
    queue      TEXT NOT NULL,     -- t of §1.2: a VNFM's endpoint, a plugin's id
    endpoint   TEXT,              -- a VNFM's VnfmManagerEndpoint, as JSON
    id         TEXT NOT NULL,     -- the ManagerCredentials id answered (a uuid)
    registered INTEGER NOT NULL   -- Unix seconds of the first registration
);
