-- a foreign-data wrapper's option value
CREATE FOREIGN DATA WRAPPER plain_fdw OPTIONS (mode 'a');
