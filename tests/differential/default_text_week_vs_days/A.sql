-- text DEFAULT '1 week' vs '7 days' (same interval, different text)
CREATE TABLE t (id integer PRIMARY KEY, span text DEFAULT '1 week');
