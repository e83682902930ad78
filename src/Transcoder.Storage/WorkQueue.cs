using Npgsql;
using NpgsqlTypes;

namespace Transcoder.Storage;

/// <summary>A work item a silo claimed from the queue, to run in one of its slots.</summary>
public sealed record QueueClaim(Guid JobId, string ItemId, string Tenant, int Priority);

/// <summary>
/// The durable queue of work items waiting for a slot, in Postgres (<c>job_queue</c>, one row per (job, item); the
/// order and the fairness rule are described in its migration), and the leases silos hold on the items they run.
/// This module is the only code that writes those rows: the intake adds a new job's items (in its own transaction),
/// the job grain queues, requeues and removes items, and silos claim, renew and give up leases.
/// </summary>
public interface IWorkQueue
{
    /// <summary>
    /// Makes an item wait for a claim from <paramref name="readyAt"/> on: adds its row (taking a fair turn) if it has
    /// none, or unclaims it if it has one (a retry's backoff, a run handed back). Idempotent.
    /// </summary>
    Task QueueAsync(Guid jobId, string itemId, string tenant, int priority, DateTimeOffset readyAt, CancellationToken cancellationToken);

    /// <summary>Removes these items' rows, or every row of the job when <paramref name="itemIds"/> is empty. Idempotent.</summary>
    Task RemoveAsync(Guid jobId, IReadOnlyCollection<string> itemIds, CancellationToken cancellationToken);

    /// <summary>Claims up to <paramref name="count"/> ready items for <paramref name="owner"/>, next in order first.</summary>
    Task<IReadOnlyList<QueueClaim>> ClaimAsync(string owner, int count, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>Extends the leases <paramref name="owner"/> holds on these items; returns how many it still holds.</summary>
    Task<int> RenewAsync(string owner, IReadOnlyCollection<(Guid JobId, string ItemId)> items, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>Frees claims whose lease ran out (their silo stopped renewing); returns how many.</summary>
    Task<int> ExpireLeasesAsync(CancellationToken cancellationToken);

    /// <summary>Gives up <paramref name="owner"/>'s claim on an item it could not start, to be claimed again from <paramref name="readyAt"/> on.</summary>
    Task ReleaseClaimAsync(string owner, Guid jobId, string itemId, DateTimeOffset readyAt, CancellationToken cancellationToken);

    /// <summary>Jobs with an item waiting (not claimed), per priority: one tenant's, or every tenant's when <paramref name="tenant"/> is null.</summary>
    Task<IReadOnlyDictionary<int, long>> CountWaitingAsync(string? tenant, CancellationToken cancellationToken);

    /// <summary>Jobs in the queue (waiting, in backoff or running) of each of these tenants; a tenant with none is absent.</summary>
    Task<IReadOnlyDictionary<string, long>> CountInFlightAsync(IReadOnlyCollection<string> tenants, CancellationToken cancellationToken);

    /// <summary>Since when the longest-waiting item that is ready to run (past any backoff) has waited; null if none waits.</summary>
    Task<DateTimeOffset?> OldestReadyAsync(CancellationToken cancellationToken);
}

/// <inheritdoc />
public sealed class WorkQueue(NpgsqlDataSource dataSource, WorkSignal signal) : IWorkQueue
{
    public async Task QueueAsync(Guid jobId, string itemId, string tenant, int priority, DateTimeOffset readyAt, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var release = new NpgsqlCommand(
            "UPDATE job_queue SET claimed_by = NULL, lease_until = NULL, ready_at = @ready_at WHERE job_id = @job_id AND item_id = @item_id", connection))
        {
            release.Parameters.AddWithValue("job_id", jobId);
            release.Parameters.AddWithValue("item_id", itemId);
            release.Parameters.AddWithValue("ready_at", readyAt.UtcDateTime);
            if (await release.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                await EnqueueAsync(connection, null, [new NewItem(jobId, itemId, tenant, priority)], readyAt, cancellationToken);
            }
        }

        signal.Raise();
    }

    /// <summary>
    /// Queues items that are not queued yet, in one statement (inside <paramref name="transaction"/> if given). Within
    /// a priority, a tenant's items take consecutive turns from one past the later of its last turn and the clock, in
    /// the order given; items already queued are left as they are and take no turn.
    /// </summary>
    internal static async Task EnqueueAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction,
        IReadOnlyList<NewItem> items, DateTimeOffset? readyAt, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            WITH input AS (
                SELECT * FROM unnest(@ids, @items, @tenants, @priorities) WITH ORDINALITY AS t(job_id, item_id, tenant, priority, ord)
                WHERE NOT EXISTS (SELECT 1 FROM job_queue q WHERE q.job_id = t.job_id AND q.item_id = t.item_id)
            ), numbered AS (
                SELECT job_id, item_id, tenant, priority, row_number() OVER (PARTITION BY priority, tenant ORDER BY ord) AS n FROM input
            ), turns AS (
                SELECT n.job_id, n.item_id, n.tenant, n.priority, GREATEST(COALESCE(t.vtime, 0), c.vtime) + n.n AS vtime
                FROM numbered n
                JOIN job_queue_clock c ON c.priority = n.priority
                LEFT JOIN job_queue_tenants t ON t.priority = n.priority AND t.tenant = n.tenant
            ), last_turns AS (
                INSERT INTO job_queue_tenants (priority, tenant, vtime)
                SELECT priority, tenant, max(vtime) FROM turns GROUP BY priority, tenant
                ON CONFLICT (priority, tenant) DO UPDATE SET vtime = GREATEST(job_queue_tenants.vtime, EXCLUDED.vtime)
            )
            INSERT INTO job_queue (job_id, item_id, tenant, priority, vtime, ready_at)
            SELECT job_id, item_id, tenant, priority, vtime, COALESCE(@ready_at, now()) FROM turns
            ON CONFLICT (job_id, item_id) DO NOTHING
            """, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = items.Select(i => i.JobId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("items", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = items.Select(i => i.ItemId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("tenants", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = items.Select(i => i.Tenant).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("priorities", NpgsqlDbType.Array | NpgsqlDbType.Smallint) { Value = items.Select(i => (short)i.Priority).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("ready_at", NpgsqlDbType.TimestampTz) { Value = (object?)readyAt?.UtcDateTime ?? DBNull.Value });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task RemoveAsync(Guid jobId, IReadOnlyCollection<string> itemIds, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "DELETE FROM job_queue WHERE job_id = @job_id AND (cardinality(@items) = 0 OR item_id = ANY(@items))");
        command.Parameters.AddWithValue("job_id", jobId);
        command.Parameters.Add(new NpgsqlParameter("items", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = itemIds.ToArray() });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<QueueClaim>> ClaimAsync(string owner, int count, TimeSpan lease, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            WITH next AS (
                SELECT job_id, item_id FROM job_queue
                WHERE claimed_by IS NULL AND ready_at <= now()
                ORDER BY priority, vtime, enqueued_at
                LIMIT @count
                FOR UPDATE SKIP LOCKED
            ), claimed AS (
                UPDATE job_queue q SET claimed_by = @owner, lease_until = now() + @lease
                FROM next WHERE q.job_id = next.job_id AND q.item_id = next.item_id
                RETURNING q.job_id, q.item_id, q.tenant, q.priority, q.vtime, q.enqueued_at
            ), tick AS (
                UPDATE job_queue_clock c SET vtime = GREATEST(c.vtime, m.vtime)
                FROM (SELECT priority, max(vtime) AS vtime FROM claimed GROUP BY priority) m
                WHERE c.priority = m.priority
            )
            SELECT job_id, item_id, tenant, priority FROM claimed ORDER BY priority, vtime, enqueued_at
            """);
        command.Parameters.AddWithValue("owner", owner);
        command.Parameters.AddWithValue("count", count);
        command.Parameters.AddWithValue("lease", lease);
        var claims = new List<QueueClaim>(count);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            claims.Add(new QueueClaim(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetInt16(3)));
        }

        return claims;
    }

    public async Task<int> RenewAsync(string owner, IReadOnlyCollection<(Guid JobId, string ItemId)> items, TimeSpan lease, CancellationToken cancellationToken)
    {
        if (items.Count == 0)
        {
            return 0;
        }

        await using var command = dataSource.CreateCommand("""
            UPDATE job_queue q SET lease_until = now() + @lease
            FROM unnest(@ids, @items) AS t(job_id, item_id)
            WHERE q.claimed_by = @owner AND q.job_id = t.job_id AND q.item_id = t.item_id
            """);
        command.Parameters.AddWithValue("owner", owner);
        command.Parameters.AddWithValue("lease", lease);
        command.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = items.Select(i => i.JobId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("items", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = items.Select(i => i.ItemId).ToArray() });
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<int> ExpireLeasesAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "UPDATE job_queue SET claimed_by = NULL, lease_until = NULL WHERE claimed_by IS NOT NULL AND lease_until < now()");
        var expired = await command.ExecuteNonQueryAsync(cancellationToken);
        if (expired > 0)
        {
            signal.Raise();
        }

        return expired;
    }

    public async Task ReleaseClaimAsync(string owner, Guid jobId, string itemId, DateTimeOffset readyAt, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "UPDATE job_queue SET claimed_by = NULL, lease_until = NULL, ready_at = @ready_at WHERE job_id = @job_id AND item_id = @item_id AND claimed_by = @owner");
        command.Parameters.AddWithValue("owner", owner);
        command.Parameters.AddWithValue("job_id", jobId);
        command.Parameters.AddWithValue("item_id", itemId);
        command.Parameters.AddWithValue("ready_at", readyAt.UtcDateTime);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyDictionary<int, long>> CountWaitingAsync(string? tenant, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT priority, count(DISTINCT job_id) FROM job_queue
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
        await using var command = dataSource.CreateCommand("SELECT tenant, count(DISTINCT job_id) FROM job_queue WHERE tenant = ANY(@tenants) GROUP BY tenant");
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

    /// <summary>One item to add to the queue.</summary>
    internal sealed record NewItem(Guid JobId, string ItemId, string Tenant, int Priority);
}

/// <summary>
/// Tells this process's dispatcher that the queue has new work (an item queued here, or leases freed) so it looks
/// now rather than at its next poll. Other silos find the work at their next poll.
/// </summary>
public sealed class WorkSignal : IDisposable
{
    private readonly SemaphoreSlim _raised = new(0, 1);

    public void Raise()
    {
        try
        {
            _raised.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already raised.
        }
    }

    /// <summary>Waits until <see cref="Raise"/> is called or <paramref name="timeout"/> passes.</summary>
    public Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _raised.WaitAsync(timeout, cancellationToken);

    public void Dispose() => _raised.Dispose();
}
