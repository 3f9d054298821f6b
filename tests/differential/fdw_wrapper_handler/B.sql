CREATE EXTENSION postgres_fdw;
CREATE FOREIGN DATA WRAPPER my_fdw VALIDATOR postgres_fdw_validator;
