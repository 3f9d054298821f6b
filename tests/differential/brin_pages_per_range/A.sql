-- BRIN index WITH (pages_per_range=32) vs the default
CREATE TABLE t (id integer PRIMARY KEY, at timestamptz);
CREATE INDEX t_at_idx ON t USING brin (at) WITH (pages_per_range=32);
