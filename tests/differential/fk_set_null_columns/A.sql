-- FK ON DELETE SET NULL (parent_id) (one column) vs ON DELETE SET NULL (every column)
CREATE TABLE p (tenant_id integer, id integer, PRIMARY KEY (tenant_id, id));
CREATE TABLE c (id integer PRIMARY KEY, tenant_id integer, parent_id integer,
    CONSTRAINT c_parent_fkey FOREIGN KEY (tenant_id, parent_id) REFERENCES p (tenant_id, id) ON DELETE SET NULL (parent_id));
