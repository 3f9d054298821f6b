-- ALTER COLUMN SET COMPRESSION lz4 vs the default (this server lists lz4 in default_toast_compression's values)
CREATE TABLE t (id integer PRIMARY KEY, body text);
ALTER TABLE t ALTER COLUMN body SET COMPRESSION lz4;
