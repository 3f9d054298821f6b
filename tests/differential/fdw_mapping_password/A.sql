-- a user mapping's password (compared, never printed nor written)
CREATE EXTENSION postgres_fdw;
CREATE SERVER loop FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '127.0.0.1');
CREATE USER MAPPING FOR PUBLIC SERVER loop OPTIONS (user 'app', password 'first-secret');
