-- Admins can manage members and billing but cannot delete the organization.
ALTER TYPE org_role ADD VALUE 'admin' BEFORE 'member';
