-- integer DEFAULT 5 vs DEFAULT '5'
CREATE TABLE t (id integer PRIMARY KEY, n integer DEFAULT 5);
