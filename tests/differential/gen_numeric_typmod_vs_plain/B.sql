CREATE TABLE t (id integer PRIMARY KEY, price numeric, p numeric GENERATED ALWAYS AS (price) STORED);
