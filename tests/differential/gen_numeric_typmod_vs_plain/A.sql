-- generated price::numeric(10,2) (rounds) vs price
CREATE TABLE t (id integer PRIMARY KEY, price numeric, p numeric GENERATED ALWAYS AS (price::numeric(10,2)) STORED);
