CREATE TABLE p (id integer);
CREATE TABLE q (id integer);
CREATE TABLE c (id integer, extra text);
ALTER TABLE c INHERIT q;
