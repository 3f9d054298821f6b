CREATE TABLE t (id int, v varchar(10));
CREATE INDEX t_v ON t (v);
ALTER TABLE t ALTER COLUMN v TYPE text;
ALTER TABLE t ADD COLUMN r float8 DEFAULT random(); -- strata:allow adding-field-with-default
BEGIN;
ALTER TABLE t ADD CONSTRAINT c CHECK (id > 0) NOT VALID;
ALTER TABLE t VALIDATE CONSTRAINT c;
COMMIT;
