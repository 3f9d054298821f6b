-- jsonb DEFAULT '{"a":1}' vs '{"a": 1}' (jsonb normalizes: the judge says equal)
CREATE TABLE t (id integer PRIMARY KEY, doc jsonb DEFAULT '{"a":1}');
