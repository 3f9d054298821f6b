-- Public leaderboard.
ALTER TABLE git_eval_results ADD COLUMN is_public boolean NOT NULL DEFAULT false;

CREATE INDEX git_eval_results_created_at_idx ON git_eval_results (created_at);

COMMENT ON COLUMN git_eval_results.is_public IS 'Shown on the public leaderboard';
