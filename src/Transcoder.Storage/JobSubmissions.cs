using Npgsql;
using NpgsqlTypes;
using Transcoder.Abstractions;

namespace Transcoder.Storage;

/// <summary>
/// New jobs in bulk: their rows in <c>transcode_jobs</c> and <c>job_queue</c>, many jobs in one transaction,
/// so that a burst of submissions costs the database one commit per batch instead of several per job.
/// </summary>
public interface IJobSubmissions
{
    /// <summary>
    /// Stores these queued jobs and queues them, all or none. A job whose id is taken is left as it is. Returns,
    /// by id, every job as stored: the new one, or the one that had the id already.
    /// </summary>
    Task<IReadOnlyDictionary<Guid, JobSnapshot>> AddQueuedAsync(IReadOnlyList<JobSnapshot> jobs, CancellationToken cancellationToken);
}

/// <inheritdoc />
public sealed class JobSubmissions(NpgsqlDataSource dataSource) : IJobSubmissions
{
    public async Task<IReadOnlyDictionary<Guid, JobSnapshot>> AddQueuedAsync(IReadOnlyList<JobSnapshot> jobs, CancellationToken cancellationToken)
    {
        var stored = new Dictionary<Guid, JobSnapshot>(jobs.Count);
        if (jobs.Count == 0)
        {
            return stored;
        }

        var distinct = jobs.DistinctBy(j => j.Id).ToList();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        // 1. The job rows; ids already taken (a replayed Idempotency-Key) are skipped.
        var created = new HashSet<Guid>();
        await using (var insert = new NpgsqlCommand("""
            INSERT INTO transcode_jobs (id, tenant, status, stage, priority, input_kind, input_location, created_at, updated_at, max_attempts, callback_url)
            SELECT * FROM unnest(@ids, @tenants, @statuses, @stages, @priorities, @kinds, @locations, @times, @times, @max_attempts, @callback_urls)
            ON CONFLICT (id) DO NOTHING
            RETURNING id
            """, connection, transaction))
        {
            var p = insert.Parameters;
            p.Add(Array("ids", NpgsqlDbType.Uuid, distinct.Select(j => j.Id)));
            p.Add(Array("tenants", NpgsqlDbType.Text, distinct.Select(j => j.Tenant)));
            p.Add(Array("statuses", NpgsqlDbType.Text, distinct.Select(j => j.Status.ToWire())));
            p.Add(Array("stages", NpgsqlDbType.Text, distinct.Select(j => j.Stage)));
            p.Add(Array("priorities", NpgsqlDbType.Smallint, distinct.Select(j => (short)j.Priority)));
            p.Add(Array("kinds", NpgsqlDbType.Text, distinct.Select(j => j.Input.Kind == JobInputKind.Url ? "url" : "upload")));
            p.Add(Array("locations", NpgsqlDbType.Text, distinct.Select(j => j.Input.Location)));
            p.Add(Array("times", NpgsqlDbType.TimestampTz, distinct.Select(j => j.CreatedAt.UtcDateTime)));
            p.Add(Array("max_attempts", NpgsqlDbType.Smallint, distinct.Select(j => j.MaxAttempts is { } max ? (short?)max : null)));
            p.Add(Array("callback_urls", NpgsqlDbType.Text, distinct.Select(j => j.CallbackUrl)));
            await using var reader = await insert.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                created.Add(reader.GetGuid(0));
            }
        }

        // 2. Their queue rows, by the queue's own fairness rule.
        var fresh = distinct.Where(j => created.Contains(j.Id)).ToList();
        if (fresh.Count > 0)
        {
            await JobQueue.EnqueueAsync(connection, transaction, [.. fresh.Select(j => (j.Id, j.Tenant, j.Priority))], cancellationToken);
        }

        // 3. The jobs that had their id already, as they are.
        var taken = distinct.Where(j => !created.Contains(j.Id)).Select(j => j.Id).ToArray();
        if (taken.Length > 0)
        {
            await using var find = new NpgsqlCommand($"SELECT {JobRecordRepository.Columns} FROM transcode_jobs WHERE id = ANY(@ids)", connection, transaction);
            find.Parameters.Add(Array("ids", NpgsqlDbType.Uuid, taken));
            await using var reader = await find.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var job = JobRecordRepository.Read(reader);
                stored[job.Id] = job;
            }
        }

        await transaction.CommitAsync(cancellationToken);
        foreach (var job in fresh)
        {
            stored[job.Id] = job;
        }

        return stored;
    }

    private static NpgsqlParameter Array<T>(string name, NpgsqlDbType type, IEnumerable<T> values) =>
        new(name, NpgsqlDbType.Array | type) { Value = values.ToArray() };
}
