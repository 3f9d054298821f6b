CREATE TYPE textr AS RANGE (subtype = text, collation = "POSIX");
CREATE TABLE t (id integer PRIMARY KEY);
