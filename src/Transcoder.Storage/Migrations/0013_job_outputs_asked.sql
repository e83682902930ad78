-- Outputs chosen per job: what the job asked its package to be made of (codecs, a height cap or the rungs,
-- downloads, a clip, stills). What was made (downloads and stills with their sizes) is in package_notes.
ALTER TABLE transcode_jobs ADD COLUMN outputs jsonb;
