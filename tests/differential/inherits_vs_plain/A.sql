-- a child with INHERITS (p) vs a plain table with the same columns
CREATE TABLE p (id integer);
CREATE TABLE c (extra text) INHERITS (p);
