-- Test schema: a UNIQUE name, a nullable note, and a table with a foreign key.
CREATE TABLE items (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    note TEXT
);
CREATE TABLE tags (
    item_id INTEGER NOT NULL REFERENCES items(id),
    tag TEXT NOT NULL
);
