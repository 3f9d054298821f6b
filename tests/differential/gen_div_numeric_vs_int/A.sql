-- generated column: cents / 100::numeric (A) vs cents / 100 (B, integer division then cast)
CREATE TABLE t (id integer PRIMARY KEY, cents integer, d numeric GENERATED ALWAYS AS (cents / 100::numeric) STORED);
