using Npgsql;
using NpgsqlTypes;

namespace Transcoder.Storage;

/// <summary>A job a silo claimed from the queue, to run in one of its slots.</summary>
public sealed record QueueClaim(Guid JobId, string Tenant, int Priority);

/// <summary>
/// The durable queue of jobs waiting for an encode slot, in Postgres (<c>job_queue</c>; the order and the
/// fairness rule are described in its migration). Silos with a free slot claim the next job and hold it by a
/// lease they renew while it runs; a job's grain removes its row when the job ends, or puts it back when an
/// attempt fails and the job waits to retry.
/// </summary>
public interface IJobQueue
{
    /// <summary>Adds a job unless it is already queued. Idempotent.</summary>
    Task EnqueueAsync(Guid jobId, string tenant, int priority, CancellationToken cancellationToken);

    /// <summary>Claims up to <paramref name="count"/> ready jobs for <paramref name="owner"/>, next in order first.</summary>
    Task<IReadOnlyList<QueueClaim>> ClaimAsync(string owner, int count, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>Extends the leases <paramref name="owner"/> holds on these jobs; returns how many it still holds.</summary>
    Task<int> RenewAsync(string owner, IReadOnlyCollection<Guid> jobIds, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>Frees claims whose lease ran out (their silo stopped renewing); returns how many.</summary>
    Task<int> ExpireLeasesAsync(CancellationToken cancellationToken);

    /// <summary>Unclaims a job so it is claimed again from <paramref name="readyAt"/> on (a retry's backoff).</summary>
    Task ReleaseAsync(Guid jobId, DateTimeOffset readyAt, CancellationToken cancellationToken);

    /// <summary>Removes a job that ended. Idempotent.</summary>
    Task RemoveAsync(Guid jobId, CancellationToken cancellationToken);

    /// <summary>Jobs waiting (not claimed) per priority: one tenant's, or every tenant's when <paramref name="tenant"/> is null.</summary>
    Task<IReadOnlyDictionary<int, long>> CountWaitingAsync(string? tenant, CancellationToken cancellationToken);

    /// <summary>Jobs in the queue (waiting, in backoff or running) of each of these tenants; a tenant with none is absent.</summary>
    Task<IReadOnlyDictionary<string, long>> CountInFlightAsync(IReadOnlyCollection<string> tenants, CancellationToken cancellationToken);

    /// <summary>Since when the longest-waiting job that is ready to run (past any backoff) has waited; null if none waits.</summary>
    Task<DateTimeOffset?> OldestReadyAsync(CancellationToken cancellationToken);
}

/// <inheritdoc />
public sealed class JobQueue(NpgsqlDataSource dataSource) : IJobQueue
{
    public async Task EnqueueAsync(Guid jobId, string tenant, int priority, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await EnqueueAsync(connection, null, [(jobId, tenant, priority)], cancellationToken);
    }

    /// <summary>
    /// Queues jobs that are not queued yet, in one statement (inside <paramref name="transaction"/> if given).
    /// Within a priority, a tenant's jobs take consecutive turns from one past the later of its last turn and
    /// the clock, in the order given; jobs already queued are left as they are and take no turn.
    /// </summary>
    internal static async Task EnqueueAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction,
        IReadOnlyList<(Guid JobId, string Tenant, int Priority)> jobs, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            WITH input AS (
                SELECT * FROM unnest(@ids, @tenants, @priorities) WITH ORDINALITY AS t(job_id, tenant, priority, ord)
                WHERE NOT EXISTS (SELECT 1 FROM job_queue q WHERE q.job_id = t.job_id)
            ), numbered AS (
                SELECT job_id, tenant, priority, row_number() OVER (PARTITION BY priority, tenant ORDER BY ord) AS n FROM input
            ), turns AS (
                SELECT n.job_id, n.tenant, n.priority, GREATEST(COALESCE(t.vtime, 0), c.vtime) + n.n AS vtime
                FROM numbered n
                JOIN job_queue_clock c ON c.priority = n.priority
                LEFT JOIN job_queue_tenants t ON t.priority = n.priority AND t.tenant = n.tenant
            ), last_turns AS (
                INSERT INTO job_queue_tenants (priority, tenant, vtime)
                SELECT priority, tenant, max(vtime) FROM turns GROUP BY priority, tenant
                ON CONFLICT (priority, tenant) DO UPDATE SET vtime = GREATEST(job_queue_tenants.vtime, EXCLUDED.vtime)
            )
            INSERT INTO job_queue (job_id, tenant, priority, vtime)
            SELECT job_id, tenant, priority, vtime FROM turns
            ON CONFLICT (job_id) DO NOTHING
            """, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = jobs.Select(j => j.JobId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("tenants", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = jobs.Select(j => j.Tenant).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("priorities", NpgsqlDbType.Array | NpgsqlDbType.Smallint) { Value = jobs.Select(j => (short)j.Priority).ToArray() });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<QueueClaim>> ClaimAsync(string owner, int count, TimeSpan lease, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            WITH next AS (
                SELECT job_id FROM job_queue
                WHERE claimed_by IS NULL AND ready_at <= now()
                ORDER BY priority, vtime, enqueued_at
                LIMIT @count
                FOR UPDATE SKIP LOCKED
            ), claimed AS (
                UPDATE job_queue q SET claimed_by = @owner, lease_until = now() + @lease
                FROM next WHERE q.job_id = next.job_id
                RETURNING q.job_id, q.tenant, q.priority, q.vtime, q.enqueued_at
            ), tick AS (
                UPDATE job_queue_clock c SET vtime = GREATEST(c.vtime, m.vtime)
                FROM (SELECT priority, max(vtime) AS vtime FROM claimed GROUP BY priority) m
                WHERE c.priority = m.priority
            )
            SELECT job_id, tenant, priority FROM claimed ORDER BY priority, vtime, enqueued_at
            """);
        command.Parameters.AddWithValue("owner", owner);
        command.Parameters.AddWithValue("count", count);
        command.Parameters.AddWithValue("lease", lease);
        var claims = new List<QueueClaim>(count);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            claims.Add(new QueueClaim(reader.GetGuid(0), reader.GetString(1), reader.GetInt16(2)));
        }

        return claims;
    }

    public async Task<int> RenewAsync(string owner, IReadOnlyCollection<Guid> jobIds, TimeSpan lease, CancellationToken cancellationToken)
    {
        if (jobIds.Count == 0)
        {
            return 0;
        }

        await using var command = dataSource.CreateCommand(
            "UPDATE job_queue SET lease_until = now() + @lease WHERE claimed_by = @owner AND job_id = ANY(@ids)");
        command.Parameters.AddWithValue("owner", owner);
        command.Parameters.AddWithValue("lease", lease);
        command.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = jobIds.ToArray() });
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<int> ExpireLeasesAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "UPDATE job_queue SET claimed_by = NULL, lease_until = NULL WHERE claimed_by IS NOT NULL AND lease_until < now()");
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task ReleaseAsync(Guid jobId, DateTimeOffset readyAt, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "UPDATE job_queue SET claimed_by = NULL, lease_until = NULL, ready_at = @ready_at WHERE job_id = @job_id");
        command.Parameters.AddWithValue("job_id", jobId);
        command.Parameters.AddWithValue("ready_at", readyAt.UtcDateTime);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task RemoveAsync(Guid jobId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM job_queue WHERE job_id = @job_id");
        command.Parameters.AddWithValue("job_id", jobId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyDictionary<int, long>> CountWaitingAsync(string? tenant, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT priority, count(*) FROM job_queue
            WHERE claimed_by IS NULL AND (@tenant::text IS NULL OR tenant = @tenant)
            GROUP BY priority
            """);
        command.Parameters.Add(new NpgsqlParameter("tenant", NpgsqlDbType.Text) { Value = (object?)tenant ?? DBNull.Value });
        var counts = new Dictionary<int, long>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            counts[reader.GetInt16(0)] = reader.GetInt64(1);
        }

        return counts;
    }

    public async Task<IReadOnlyDictionary<string, long>> CountInFlightAsync(IReadOnlyCollection<string> tenants, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT tenant, count(*) FROM job_queue WHERE tenant = ANY(@tenants) GROUP BY tenant");
        command.Parameters.Add(new NpgsqlParameter("tenants", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = tenants.ToArray() });
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            counts[reader.GetString(0)] = reader.GetInt64(1);
        }

        return counts;
    }

    public async Task<DateTimeOffset?> OldestReadyAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT min(ready_at) FROM job_queue WHERE claimed_by IS NULL AND ready_at <= now()");
        return await command.ExecuteScalarAsync(cancellationToken) is DateTime oldest ? new DateTimeOffset(oldest, TimeSpan.Zero) : null;
    }
}
