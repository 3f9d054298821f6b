CREATE TABLE t (id integer PRIMARY KEY, cents integer, d numeric GENERATED ALWAYS AS (cents / 100) STORED);
