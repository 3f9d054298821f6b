-- B is a history: an unnamed index on extract(year from at), which PostgreSQL names t_extract_idx, then DROP INDEX t_extract_idx
CREATE TABLE t (id integer PRIMARY KEY, at timestamptz);
