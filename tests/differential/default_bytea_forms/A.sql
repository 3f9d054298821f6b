-- bytea DEFAULT '\x6869' (hex) vs 'hi' (escape form): the same bytes
CREATE TABLE t (id integer PRIMARY KEY, b bytea DEFAULT '\x6869');
