ALTER TYPE grant_type ADD VALUE 'subscription' AFTER 'referral';
