CREATE TABLE p (id integer);
CREATE TABLE c (id integer, extra text);
