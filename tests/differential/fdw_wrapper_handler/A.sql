-- a foreign-data wrapper with and without a handler
CREATE EXTENSION postgres_fdw;
CREATE FOREIGN DATA WRAPPER my_fdw HANDLER postgres_fdw_handler VALIDATOR postgres_fdw_validator;
