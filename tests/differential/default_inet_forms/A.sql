-- inet DEFAULT '10.0.0.1/32' vs '10.0.0.1' (the same value)
CREATE TABLE t (id integer PRIMARY KEY, addr inet DEFAULT '10.0.0.1/32');
