-- generated amount * qty (numeric × int) vs amount * qty::numeric: the same expression written two ways
CREATE TABLE t (id integer PRIMARY KEY, amount numeric, qty integer, total numeric GENERATED ALWAYS AS (amount * qty) STORED);
