-- a foreign server's version
CREATE FOREIGN DATA WRAPPER plain_fdw;
CREATE SERVER s VERSION '15' FOREIGN DATA WRAPPER plain_fdw;
