-- a foreign table column's options
CREATE EXTENSION postgres_fdw;
CREATE SERVER loop FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '127.0.0.1');
CREATE FOREIGN TABLE items (id integer OPTIONS (column_name 'item_id')) SERVER loop;
