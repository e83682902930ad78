-- Every track a title carries: what the job asked of its audio and text tracks (languages, surround, loudness,
-- caption files), and what the package says about them beside its renditions (tracks skipped and why, warnings
-- such as a truncated input, whether an HDR picture was tone mapped).
ALTER TABLE transcode_jobs ADD COLUMN tracks jsonb;
ALTER TABLE transcode_jobs ADD COLUMN package_notes jsonb;
