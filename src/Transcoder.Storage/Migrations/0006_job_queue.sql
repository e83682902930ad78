-- The queue of jobs waiting for an encode slot, and the claims silos hold on the jobs they run. Every job
-- that has not ended has exactly one row here: unclaimed while it waits, claimed while a silo runs it.
-- Silos pull: a silo with a free slot claims the next job (FOR UPDATE SKIP LOCKED), so no silo holds more
-- than it can run and a silo that joins starts pulling at once. A claim is a lease the silo keeps renewing;
-- if the silo dies the lease runs out and another silo claims the job.
-- Order: priority 1 first; within a priority, start-time fair queueing across tenants: a job's virtual time
-- is one past the later of its tenant's previous job and the priority's clock (the virtual time of the last
-- job claimed), so a tenant with a deep backlog cannot push back a job another tenant submits later by more
-- than one turn; then arrival order.
CREATE TABLE job_queue (
    job_id      uuid        PRIMARY KEY,
    tenant      text        NOT NULL,
    priority    smallint    NOT NULL CHECK (priority BETWEEN 1 AND 10),
    vtime       bigint      NOT NULL,
    enqueued_at timestamptz NOT NULL DEFAULT now(),
    ready_at    timestamptz NOT NULL DEFAULT now(),
    claimed_by  text,
    lease_until timestamptz
);

CREATE INDEX job_queue_next ON job_queue (priority, vtime, enqueued_at) WHERE claimed_by IS NULL;
CREATE INDEX job_queue_leases ON job_queue (lease_until) WHERE claimed_by IS NOT NULL;

-- The virtual time of each tenant's latest job, per priority.
CREATE TABLE job_queue_tenants (
    priority smallint NOT NULL,
    tenant   text     NOT NULL,
    vtime    bigint   NOT NULL,
    PRIMARY KEY (priority, tenant)
);

-- Per priority: the virtual time of the latest claimed job.
CREATE TABLE job_queue_clock (
    priority smallint PRIMARY KEY,
    vtime    bigint   NOT NULL
);

INSERT INTO job_queue_clock (priority, vtime) SELECT p, 0 FROM generate_series(1, 10) AS p;
