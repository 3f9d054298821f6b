-- a partition added to a range-partitioned table with a key, an index and a foreign key
CREATE TABLE city (id integer PRIMARY KEY);
CREATE TABLE m (city integer NOT NULL REFERENCES city (id), logdate date NOT NULL, PRIMARY KEY (city, logdate)) PARTITION BY RANGE (logdate);
CREATE INDEX ON m (city);
CREATE TABLE m_2020 PARTITION OF m FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
