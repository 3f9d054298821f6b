-- uuid DEFAULT in upper case vs lower case
CREATE TABLE t (id integer PRIMARY KEY, u uuid DEFAULT 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11');
