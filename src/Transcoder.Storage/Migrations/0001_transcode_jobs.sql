-- Job metadata the API lists and operators query. The job grain owns the truth (its persisted state);
-- this table is its queryable projection, written on every status change.
CREATE TABLE transcode_jobs (
    id               uuid        PRIMARY KEY,
    tenant           text        NOT NULL,
    status           text        NOT NULL CHECK (status IN ('queued', 'processing', 'completed', 'failed', 'canceled')),
    stage            text        NOT NULL,
    progress         real        NOT NULL DEFAULT 0,
    priority         smallint    NOT NULL CHECK (priority BETWEEN 1 AND 10),
    input_kind       text        NOT NULL,
    input_location   text        NOT NULL,
    created_at       timestamptz NOT NULL,
    started_at       timestamptz,
    completed_at     timestamptz,
    updated_at       timestamptz NOT NULL,
    processing_node  text,
    attempts         integer     NOT NULL DEFAULT 0,
    renditions       jsonb       NOT NULL DEFAULT '[]'::jsonb,
    hls_key          text,
    dash_key         text,
    error_code       text,
    error_message    text
);

-- The tenant's jobs, newest first, with (created_at, id) as the paging cursor.
CREATE INDEX transcode_jobs_tenant_created ON transcode_jobs (tenant, created_at DESC, id DESC);
CREATE INDEX transcode_jobs_tenant_status_created ON transcode_jobs (tenant, status, created_at DESC, id DESC);
