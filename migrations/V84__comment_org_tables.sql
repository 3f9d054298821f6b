-- Document the organization tables.

COMMENT ON COLUMN org.id IS 'Primary key';
COMMENT ON COLUMN org.name IS 'Organization name';
COMMENT ON COLUMN org.slug IS 'Unique URL slug';
COMMENT ON COLUMN org.description IS 'Free-text description shown on the organization page';
COMMENT ON COLUMN org.owner_id IS 'FK → user.id';
COMMENT ON COLUMN org.stripe_customer_id IS 'Stripe customer';
COMMENT ON COLUMN org.stripe_subscription_id IS 'Stripe subscription of the organization';
COMMENT ON COLUMN org.current_period_start IS 'Start of the current billing period';
COMMENT ON COLUMN org.current_period_end IS 'End of the current billing period';
COMMENT ON COLUMN org.auto_topup_enabled IS 'Auto credit top-up for the organization';
COMMENT ON COLUMN org.auto_topup_threshold IS 'Balance below which an automatic top-up is triggered';
COMMENT ON COLUMN org.auto_topup_amount IS 'Number of credits bought by each automatic top-up';
COMMENT ON COLUMN org.credit_limit IS 'Monthly credit cap';
COMMENT ON COLUMN org.billing_alerts IS 'Email billing alerts to owners and admins';
COMMENT ON COLUMN org.usage_alerts IS 'Email usage alerts when the credit cap is near';
COMMENT ON COLUMN org.weekly_reports IS 'Email a weekly usage report';
COMMENT ON COLUMN org.created_at IS 'When the organization was created';
COMMENT ON COLUMN org.updated_at IS 'When the organization was last changed';

COMMENT ON TABLE org_member IS 'Organization membership with roles. PK: (org_id, user_id). Roles: owner/admin/member.';
COMMENT ON COLUMN org_member.org_id IS 'FK → org.id';
COMMENT ON COLUMN org_member.user_id IS 'FK → user.id';
COMMENT ON COLUMN org_member.role IS 'Member role: owner, admin or member';
COMMENT ON COLUMN org_member.joined_at IS 'When the user joined the organization';

COMMENT ON TABLE org_invite IS 'Organization invitations with token-based acceptance.';
COMMENT ON COLUMN org_invite.id IS 'Primary key';
COMMENT ON COLUMN org_invite.org_id IS 'FK → org.id';
COMMENT ON COLUMN org_invite.email IS 'Email address the invitation was sent to';
COMMENT ON COLUMN org_invite.role IS 'Role granted on acceptance';
COMMENT ON COLUMN org_invite.token IS 'Unique acceptance token';
COMMENT ON COLUMN org_invite.invited_by IS 'FK → user.id (who sent the invitation)';
COMMENT ON COLUMN org_invite.expires_at IS 'When the invitation expires';
COMMENT ON COLUMN org_invite.created_at IS 'When the invitation was sent';
COMMENT ON COLUMN org_invite.accepted_at IS 'When the invitation was accepted';
COMMENT ON COLUMN org_invite.accepted_by IS 'FK → user.id (who accepted the invitation)';

COMMENT ON TABLE org_repo IS 'Tracked repositories per organization.';
COMMENT ON COLUMN org_repo.id IS 'Primary key';
COMMENT ON COLUMN org_repo.org_id IS 'FK → org.id';
COMMENT ON COLUMN org_repo.repo_url IS 'Normalised repository URL';
COMMENT ON COLUMN org_repo.repo_name IS 'Repository name';
COMMENT ON COLUMN org_repo.repo_owner IS 'Repository owner (user or organization on the forge)';
COMMENT ON COLUMN org_repo.approved_by IS 'FK → user.id (who approved the repository)';
COMMENT ON COLUMN org_repo.approved_at IS 'When the repository was approved';
COMMENT ON COLUMN org_repo.is_active IS 'Whether usage in this repository is billed to the organization';

COMMENT ON COLUMN org_feature.id IS 'Primary key';
COMMENT ON COLUMN org_feature.org_id IS 'FK → org.id';
COMMENT ON COLUMN org_feature.feature IS 'Feature flag name';
COMMENT ON COLUMN org_feature.config IS 'Feature configuration';
COMMENT ON COLUMN org_feature.is_active IS 'Whether the feature is enabled';
COMMENT ON COLUMN org_feature.created_at IS 'When the flag was created';
COMMENT ON COLUMN org_feature.updated_at IS 'When the flag was last changed';
