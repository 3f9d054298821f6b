-- a range partition's bound changed (FOR VALUES FROM … TO …)
CREATE TABLE m (city integer NOT NULL, logdate date NOT NULL, PRIMARY KEY (city, logdate)) PARTITION BY RANGE (logdate);
CREATE INDEX ON m (city);
CREATE TABLE m_2020 PARTITION OF m FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
