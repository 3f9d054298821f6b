-- a range type with a subtype_diff function vs without
CREATE TYPE dater AS RANGE (subtype = date, subtype_diff = daterange_subdiff);
CREATE TABLE t (id integer PRIMARY KEY);
