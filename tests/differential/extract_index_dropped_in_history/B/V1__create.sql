CREATE TABLE t (id integer PRIMARY KEY, at timestamptz);
CREATE INDEX ON t ((extract(year from at)));
