-- text DEFAULT 'yes' vs 'on' (same boolean, different text)
CREATE TABLE t (id integer PRIMARY KEY, flag text DEFAULT 'yes');
