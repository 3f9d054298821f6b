-- Unconstrained numeric made reports inconsistent; fix the scale, keep plenty of precision.
ALTER TABLE message ALTER COLUMN cost SET DATA TYPE numeric(100,20) USING cost::numeric(100,20);
