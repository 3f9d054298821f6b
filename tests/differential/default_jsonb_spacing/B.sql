CREATE TABLE t (id integer PRIMARY KEY, doc jsonb DEFAULT '{"a": 1}');
