CREATE TYPE floatrange AS RANGE (subtype = float8, multirange_type_name = floatranges);
CREATE TABLE t (id integer PRIMARY KEY);
