CREATE TYPE dater AS RANGE (subtype = date);
CREATE TABLE t (id integer PRIMARY KEY);
