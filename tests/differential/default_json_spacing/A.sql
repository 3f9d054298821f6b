-- json DEFAULT '{"a":1}' vs '{"a": 1}' (json keeps its text)
CREATE TABLE t (id integer PRIMARY KEY, doc json DEFAULT '{"a":1}');
