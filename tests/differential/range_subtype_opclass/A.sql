-- a range type with a non-default subtype operator class vs the default one
CREATE TYPE textr AS RANGE (subtype = text, subtype_opclass = text_pattern_ops);
CREATE TABLE t (id integer PRIMARY KEY);
