-- Free tier: users earn credits by viewing sponsored suggestions.
CREATE TABLE ad_impression (
    id                   text          NOT NULL DEFAULT gen_random_uuid()::text,
    user_id              text          NOT NULL,
    ad_text              text          NOT NULL,
    title                text          NOT NULL,
    url                  text          NOT NULL,
    favicon              text          NOT NULL,
    click_url            text          NOT NULL,
    imp_url              text          NOT NULL,
    payout               numeric(10,6) NOT NULL,
    credits_granted      integer       NOT NULL,
    grant_operation_id   text,
    served_at            timestamptz   NOT NULL DEFAULT now(),
    impression_fired_at  timestamptz,
    clicked_at           timestamptz,
    CONSTRAINT ad_impression_pkey PRIMARY KEY (id),
    CONSTRAINT ad_impression_imp_url_key UNIQUE (imp_url),
    CONSTRAINT ad_impression_user_id_fkey FOREIGN KEY (user_id) REFERENCES "user" (id) ON DELETE CASCADE
);

CREATE INDEX idx_ad_impression_user ON ad_impression (user_id, served_at);

COMMENT ON TABLE ad_impression IS 'Ad impression and click tracking with credit grants.';
COMMENT ON COLUMN ad_impression.id IS 'Primary key';
COMMENT ON COLUMN ad_impression.user_id IS 'FK → user.id (viewer)';
COMMENT ON COLUMN ad_impression.ad_text IS 'Ad copy shown to the user';
COMMENT ON COLUMN ad_impression.title IS 'Ad title';
COMMENT ON COLUMN ad_impression.url IS 'Advertised URL';
COMMENT ON COLUMN ad_impression.favicon IS 'Favicon URL of the advertiser';
COMMENT ON COLUMN ad_impression.click_url IS 'Tracking URL opened on click';
COMMENT ON COLUMN ad_impression.imp_url IS 'Impression pixel URL (unique per impression)';
COMMENT ON COLUMN ad_impression.payout IS 'Dollar payout reported by the ad network';
COMMENT ON COLUMN ad_impression.credits_granted IS 'Credits granted to the user for this impression';
COMMENT ON COLUMN ad_impression.grant_operation_id IS 'credit_ledger.operation_id of the grant, if any';
COMMENT ON COLUMN ad_impression.served_at IS 'When the ad was served';
COMMENT ON COLUMN ad_impression.impression_fired_at IS 'When the impression pixel was fired';
COMMENT ON COLUMN ad_impression.clicked_at IS 'When the user clicked the ad';
