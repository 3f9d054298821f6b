CREATE TABLE t (id integer PRIMARY KEY, at timestamp);
CREATE INDEX ON t ((extract(year from at)));
