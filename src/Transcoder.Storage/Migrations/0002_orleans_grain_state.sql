-- Grain state for Orleans' ADO.NET persistence provider (invariant "Npgsql").
--
-- The provider names no table: at start-up it loads the SQL it runs from orleansquery by key, binds
-- @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString, @GrainIdExtensionString and
-- @ServiceId (plus @GrainStateVersion and @PayloadBinary on writes), and reads back the payload/version
-- (reads) or the new version (writes, clears). Identifiers are unquoted so Postgres folds them to the lower
-- case the provider's own lookup query uses.
CREATE TABLE orleansquery (
    querykey  varchar(64) PRIMARY KEY,
    querytext text        NOT NULL
);

CREATE TABLE orleans_grain_state (
    service_id         text        NOT NULL,
    grain_type_hash    integer     NOT NULL,
    grain_type         text        NOT NULL,
    grain_id_hash      integer     NOT NULL,
    grain_id_n0        bigint      NOT NULL,
    grain_id_n1        bigint      NOT NULL,
    grain_id_extension text,
    payload            bytea,
    version            integer     NOT NULL,
    modified_at        timestamptz NOT NULL DEFAULT now()
);

-- One row per grain and state name. Without it two racing first writes could both insert, leaving a grain
-- that can never be read again; with it the loser's insert does nothing and it gets a version conflict.
CREATE UNIQUE INDEX orleans_grain_state_key ON orleans_grain_state
    (service_id, grain_type_hash, grain_id_hash, grain_id_n0, grain_id_n1, grain_type, grain_id_extension)
    NULLS NOT DISTINCT;

INSERT INTO orleansquery (querykey, querytext) VALUES
('ReadFromStorageKey', $sql$
SELECT payload AS payloadbinary, version
FROM orleans_grain_state
WHERE service_id = @ServiceId::text
  AND grain_type_hash = @GrainTypeHash::integer
  AND grain_id_hash = @GrainIdHash::integer
  AND grain_id_n0 = @GrainIdN0::bigint
  AND grain_id_n1 = @GrainIdN1::bigint
  AND grain_type = @GrainTypeString::text
  AND grain_id_extension IS NOT DISTINCT FROM @GrainIdExtensionString::text
$sql$),

-- No version: first write, insert at version 1. A version: update only if it still matches, bumping it.
-- Any other case returns no row, which the provider reports as an inconsistent-state conflict.
('WriteToStorageKey', $sql$
WITH updated AS (
    UPDATE orleans_grain_state
    SET payload = @PayloadBinary::bytea, version = version + 1, modified_at = now()
    WHERE @GrainStateVersion::integer IS NOT NULL
      AND version = @GrainStateVersion::integer
      AND service_id = @ServiceId::text
      AND grain_type_hash = @GrainTypeHash::integer
      AND grain_id_hash = @GrainIdHash::integer
      AND grain_id_n0 = @GrainIdN0::bigint
      AND grain_id_n1 = @GrainIdN1::bigint
      AND grain_type = @GrainTypeString::text
      AND grain_id_extension IS NOT DISTINCT FROM @GrainIdExtensionString::text
    RETURNING version
), inserted AS (
    INSERT INTO orleans_grain_state
        (service_id, grain_type_hash, grain_type, grain_id_hash, grain_id_n0, grain_id_n1, grain_id_extension, payload, version)
    SELECT @ServiceId::text, @GrainTypeHash::integer, @GrainTypeString::text, @GrainIdHash::integer,
           @GrainIdN0::bigint, @GrainIdN1::bigint, @GrainIdExtensionString::text, @PayloadBinary::bytea, 1
    WHERE @GrainStateVersion::integer IS NULL
    ON CONFLICT DO NOTHING
    RETURNING version
)
SELECT version AS newgrainstateversion FROM updated
UNION ALL
SELECT version FROM inserted
$sql$),

-- Clearing keeps the row (so the version keeps counting) and drops the payload.
('ClearStorageKey', $sql$
UPDATE orleans_grain_state
SET payload = NULL, version = version + 1, modified_at = now()
WHERE version = @GrainStateVersion::integer
  AND service_id = @ServiceId::text
  AND grain_type_hash = @GrainTypeHash::integer
  AND grain_id_hash = @GrainIdHash::integer
  AND grain_id_n0 = @GrainIdN0::bigint
  AND grain_id_n1 = @GrainIdN1::bigint
  AND grain_type = @GrainTypeString::text
  AND grain_id_extension IS NOT DISTINCT FROM @GrainIdExtensionString::text
RETURNING version AS newgrainstateversion
$sql$),

-- Used instead of ClearStorageKey when the provider is configured to delete state on clear.
('DeleteStorageKey', $sql$
DELETE FROM orleans_grain_state
WHERE version = @GrainStateVersion::integer
  AND service_id = @ServiceId::text
  AND grain_type_hash = @GrainTypeHash::integer
  AND grain_id_hash = @GrainIdHash::integer
  AND grain_id_n0 = @GrainIdN0::bigint
  AND grain_id_n1 = @GrainIdN1::bigint
  AND grain_type = @GrainTypeString::text
  AND grain_id_extension IS NOT DISTINCT FROM @GrainIdExtensionString::text
RETURNING version + 1 AS newgrainstateversion
$sql$);
