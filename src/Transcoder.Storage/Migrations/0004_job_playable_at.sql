-- When a job's first segments were published and playback could start, before it completed.
ALTER TABLE transcode_jobs ADD COLUMN playable_at timestamptz;
