-- WHEN TAG IN ('create table') vs ('CREATE TABLE') (the server upper-cases tags)
CREATE FUNCTION on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$;
CREATE EVENT TRIGGER watch ON ddl_command_end WHEN TAG IN ('create table') EXECUTE FUNCTION on_ddl();
