CREATE TYPE textr AS RANGE (subtype = text);
CREATE TABLE t (id integer PRIMARY KEY);
