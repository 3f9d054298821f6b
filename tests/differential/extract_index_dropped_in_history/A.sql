-- B is a history: an unnamed index on extract(year from at) (at timestamp), which PostgreSQL names t_extract_idx, then DROP INDEX t_extract_idx
CREATE TABLE t (id integer PRIMARY KEY, at timestamp);
