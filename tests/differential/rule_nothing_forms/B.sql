CREATE TABLE t (a integer, b text);
create rule r as on delete to public.t do instead nothing;
CREATE RULE s AS ON UPDATE TO t DO NOTHING;
