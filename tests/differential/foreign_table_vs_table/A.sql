-- a foreign table against an ordinary table with the same columns
CREATE EXTENSION postgres_fdw;
CREATE SERVER loop FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '127.0.0.1');
CREATE FOREIGN TABLE items (id integer NOT NULL, name text) SERVER loop;
