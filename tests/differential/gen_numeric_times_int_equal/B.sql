CREATE TABLE t (id integer PRIMARY KEY, amount numeric, qty integer, total numeric GENERATED ALWAYS AS (amount * qty::numeric) STORED);
