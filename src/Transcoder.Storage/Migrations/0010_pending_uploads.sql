-- Uploads not yet owned by a job: resumable uploads from their start until their job is made (or they are
-- aborted), and streamed form uploads while their request runs. Each tenant's open uploads and the bytes they
-- declare are capped from here, and the sweeper removes what stayed too long: an abandoned multipart upload, or
-- the file of a submission that never made a job.
CREATE TABLE pending_uploads (
    object_key     text PRIMARY KEY,          -- where the file is (to be) stored
    tenant         text NOT NULL,
    job_id         uuid NOT NULL,             -- the job the file is for
    upload_id      text,                      -- the bucket's multipart upload id; null for a streamed upload
    declared_bytes bigint NOT NULL,           -- the size the client announced (what the cap counts)
    created_at     timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX pending_uploads_tenant ON pending_uploads (tenant);
CREATE INDEX pending_uploads_age ON pending_uploads (created_at);

-- What the sweeper prunes: webhooks that are done (delivered or given up), by when.
CREATE INDEX webhook_deliveries_done ON webhook_deliveries (coalesce(delivered_at, abandoned_at))
    WHERE delivered_at IS NOT NULL OR abandoned_at IS NOT NULL;
