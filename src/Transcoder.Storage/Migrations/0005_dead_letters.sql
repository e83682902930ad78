-- Per-job attempt limits, and the dead-letter queue (jobs out of attempts on retryable failures) with the
-- error detail operators need (ffmpeg's stderr tail).
ALTER TABLE transcode_jobs ADD COLUMN max_attempts smallint CHECK (max_attempts BETWEEN 1 AND 10);
ALTER TABLE transcode_jobs ADD COLUMN dead_lettered_at timestamptz;
ALTER TABLE transcode_jobs ADD COLUMN error_detail text;

CREATE INDEX transcode_jobs_dead_letters ON transcode_jobs (dead_lettered_at DESC, id DESC) WHERE dead_lettered_at IS NOT NULL;
