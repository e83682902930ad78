-- Webhooks: a job may name a callback URL; when it ends, a delivery is queued in this outbox (by the same
-- statement that writes the ended row) and silos deliver it, signed, retrying with backoff.
ALTER TABLE transcode_jobs ADD COLUMN callback_url text;

CREATE TABLE webhook_deliveries (
    id              text PRIMARY KEY,              -- the webhook-id header: one per ending of a job (its status and time)
    job_id          uuid NOT NULL,
    tenant          text NOT NULL,
    event           text NOT NULL,                 -- job.completed, job.failed or job.canceled
    url             text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    claimed_until   timestamptz,                   -- a silo delivering it holds it until then
    delivered_at    timestamptz,
    abandoned_at    timestamptz,                   -- out of attempts, or refused for good (a private address)
    last_status     integer,
    last_error      text
);

-- What silos poll: deliveries still to make, by when they are due.
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
    WHERE delivered_at IS NULL AND abandoned_at IS NULL;
CREATE INDEX webhook_deliveries_job ON webhook_deliveries (job_id);
