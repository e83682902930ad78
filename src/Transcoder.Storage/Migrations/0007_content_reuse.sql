-- Reuse of outputs: a job whose input bytes and ladder settings match a completed job of the same tenant
-- points at that job's outputs instead of transcoding again.
ALTER TABLE transcode_jobs ADD COLUMN content_hash text;
ALTER TABLE transcode_jobs ADD COLUMN ladder_hash text;
ALTER TABLE transcode_jobs ADD COLUMN reused_from uuid;

CREATE INDEX transcode_jobs_reusable ON transcode_jobs (tenant, content_hash, ladder_hash, completed_at DESC)
    WHERE status = 'completed' AND content_hash IS NOT NULL;
