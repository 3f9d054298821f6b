CREATE TABLE t (id integer PRIMARY KEY, u uuid DEFAULT 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
