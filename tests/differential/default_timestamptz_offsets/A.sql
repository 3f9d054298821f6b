-- timestamptz DEFAULT '2020-01-01 00:00:00+00' vs '2020-01-01 01:00:00+01' (the same instant)
CREATE TABLE t (id integer PRIMARY KEY, at timestamptz DEFAULT '2020-01-01 00:00:00+00');
