-- a partitioned table (PARTITION BY RANGE) vs a plain one
CREATE TABLE t (id integer, at date) PARTITION BY RANGE (at);
