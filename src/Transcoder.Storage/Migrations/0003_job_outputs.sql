-- What a completed job measured and made besides the ladder: the run's CPU cost, a poster, a storyboard.
ALTER TABLE transcode_jobs
    ADD COLUMN cost jsonb,
    ADD COLUMN poster_key text,
    ADD COLUMN storyboard_key text;
