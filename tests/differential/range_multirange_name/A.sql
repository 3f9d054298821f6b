-- a range type whose multirange has the chosen name vs a given one
CREATE TYPE floatrange AS RANGE (subtype = float8);
CREATE TABLE t (id integer PRIMARY KEY);
