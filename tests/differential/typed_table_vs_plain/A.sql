-- a typed table (OF type) vs a plain table with the same columns
CREATE TYPE ty AS (id integer, name text);
CREATE TABLE t OF ty;
