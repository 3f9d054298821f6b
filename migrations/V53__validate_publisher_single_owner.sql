ALTER TABLE publisher VALIDATE CONSTRAINT publisher_single_owner;
