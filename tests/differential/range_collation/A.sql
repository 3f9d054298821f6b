-- a range type over text with collation C vs POSIX
CREATE TYPE textr AS RANGE (subtype = text, collation = "C");
CREATE TABLE t (id integer PRIMARY KEY);
