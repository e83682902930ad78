-- Jobs made of work items. A job's plan holds one or more items (today one, the whole ladder; chunks, audio,
-- text and stitching later); each waiting item has its own queue row, so silos claim, lease and run items, not
-- jobs. Rows queued before this migration are the whole-ladder item of their job.
ALTER TABLE job_queue ADD COLUMN item_id text NOT NULL DEFAULT 'ladder';
ALTER TABLE job_queue DROP CONSTRAINT job_queue_pkey;
ALTER TABLE job_queue ADD PRIMARY KEY (job_id, item_id);
ALTER TABLE job_queue ALTER COLUMN item_id DROP DEFAULT;

-- The jobs row is the job's read model: the whole request (the upload's file name and size too), its status and
-- what it published.
ALTER TABLE transcode_jobs ADD COLUMN input_file_name text;
ALTER TABLE transcode_jobs ADD COLUMN input_size_bytes bigint;
ALTER TABLE transcode_jobs ADD COLUMN duration_seconds double precision;

-- Renditions are typed (video, audio, text) and name their playlist by a URL reference; rows written before
-- held video rungs with a playlist key.
UPDATE transcode_jobs
SET renditions = (
    SELECT jsonb_agg((r - 'playlistKey') || jsonb_build_object('kind', 'video', 'playlistUrl', r -> 'playlistKey', 'sizeBytes', 0))
    FROM jsonb_array_elements(renditions) AS r)
WHERE jsonb_array_length(renditions) > 0 AND renditions -> 0 ? 'playlistKey';
