CREATE TYPE ty AS (id integer, name text);
CREATE TABLE t (id integer, name text);
