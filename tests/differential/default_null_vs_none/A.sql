-- DEFAULT NULL vs no default (the judge decides)
CREATE TABLE t (id integer PRIMARY KEY, n integer DEFAULT NULL);
