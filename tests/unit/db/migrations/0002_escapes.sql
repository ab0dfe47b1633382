-- Exercises the embedder's escaping: "double quotes", a backslash \ and ??= (a trigraph).
CREATE TABLE notes (body TEXT NOT NULL);
INSERT INTO notes (body) VALUES ('say "hi"; C:\dir\n ??=	tab
second line');
