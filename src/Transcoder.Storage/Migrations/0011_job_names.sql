-- Jobs people can find: a name (given at submission, or the file's name or the URL's last segment) the list
-- shows and searches, and what the probe found about the source (container, codecs, size, frame rate, channels).
ALTER TABLE transcode_jobs ADD COLUMN name text;
ALTER TABLE transcode_jobs ADD COLUMN source jsonb;

-- Jobs written before have the name their input gives them.
UPDATE transcode_jobs
SET name = coalesce(input_file_name, nullif(regexp_replace(split_part(split_part(input_location, '?', 1), '#', 1), '^.*/', ''), ''))
WHERE input_kind = 'url' OR input_file_name IS NOT NULL;
