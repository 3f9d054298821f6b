-- timestamptz DEFAULT now()::date (midnight) vs DEFAULT now()
CREATE TABLE t (id integer PRIMARY KEY, at timestamptz DEFAULT now()::date);
