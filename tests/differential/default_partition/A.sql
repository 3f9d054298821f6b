-- a default partition added to a list-partitioned table
CREATE TABLE o (id bigint, region text) PARTITION BY LIST (region);
CREATE TABLE o_eu PARTITION OF o FOR VALUES IN ('de', 'fr');
