using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Transcoder.Abstractions;

namespace Transcoder.Storage;

/// <summary>
/// New jobs in bulk: their rows in <c>transcode_jobs</c> and their first work items in the queue, many jobs in one
/// transaction, so that a burst of submissions costs the database one commit per batch instead of several per job.
/// </summary>
public interface IJobSubmissions
{
    /// <summary>
    /// Stores these queued jobs and queues <paramref name="itemIds"/> of each, all or none. A job whose id is taken is
    /// left as it is. Returns, by id, every job as stored: the new one, or the one that had the id already.
    /// </summary>
    Task<IReadOnlyDictionary<Guid, JobView>> AddQueuedAsync(IReadOnlyList<JobView> jobs, IReadOnlyList<string> itemIds, CancellationToken cancellationToken);
}

/// <inheritdoc />
public sealed class JobSubmissions(NpgsqlDataSource dataSource, WorkSignal signal) : IJobSubmissions
{
    public async Task<IReadOnlyDictionary<Guid, JobView>> AddQueuedAsync(IReadOnlyList<JobView> jobs, IReadOnlyList<string> itemIds, CancellationToken cancellationToken)
    {
        var stored = new Dictionary<Guid, JobView>(jobs.Count);
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
            INSERT INTO transcode_jobs (id, tenant, status, stage, priority, input_kind, input_location, input_file_name, input_size_bytes,
                                        created_at, updated_at, max_attempts, callback_url, name, tracks, outputs)
            SELECT * FROM unnest(@ids, @tenants, @statuses, @stages, @priorities, @kinds, @locations, @file_names, @sizes,
                                 @times, @times, @max_attempts, @callback_urls, @names, @tracks, @outputs)
            ON CONFLICT (id) DO NOTHING
            RETURNING id
            """, connection, transaction))
        {
            var p = insert.Parameters;
            p.Add(Array("ids", NpgsqlDbType.Uuid, distinct.Select(j => j.Id)));
            p.Add(Array("tenants", NpgsqlDbType.Text, distinct.Select(j => j.Spec.Tenant)));
            p.Add(Array("statuses", NpgsqlDbType.Text, distinct.Select(j => j.Status.ToWire())));
            p.Add(Array("stages", NpgsqlDbType.Text, distinct.Select(j => j.Stage)));
            p.Add(Array("priorities", NpgsqlDbType.Smallint, distinct.Select(j => (short)j.Spec.Priority)));
            p.Add(Array("kinds", NpgsqlDbType.Text, distinct.Select(j => JobRecordRepository.InputKind(j.Spec.Input))));
            p.Add(Array("locations", NpgsqlDbType.Text, distinct.Select(j => j.Spec.Input.Location)));
            p.Add(Array("file_names", NpgsqlDbType.Text, distinct.Select(j => j.Spec.Input.FileName)));
            p.Add(Array("sizes", NpgsqlDbType.Bigint, distinct.Select(j => j.Spec.Input.SizeBytes)));
            p.Add(Array("times", NpgsqlDbType.TimestampTz, distinct.Select(j => j.CreatedAt.UtcDateTime)));
            p.Add(Array("max_attempts", NpgsqlDbType.Smallint, distinct.Select(j => j.Spec.MaxAttempts is { } max ? (short?)max : null)));
            p.Add(Array("callback_urls", NpgsqlDbType.Text, distinct.Select(j => j.Spec.CallbackUrl)));
            p.Add(Array("names", NpgsqlDbType.Text, distinct.Select(j => j.Spec.Name)));
            p.Add(Array("tracks", NpgsqlDbType.Jsonb, distinct.Select(j => j.Spec.Tracks is { } tracks ? JsonSerializer.Serialize(tracks, JobRecordRepository.Json) : null)));
            p.Add(Array("outputs", NpgsqlDbType.Jsonb, distinct.Select(j => j.Spec.Outputs is { } outputs ? JsonSerializer.Serialize(outputs, JobRecordRepository.Json) : null)));
            await using var reader = await insert.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                created.Add(reader.GetGuid(0));
            }
        }

        // 2. Their work items, by the queue's own fairness rule.
        var fresh = distinct.Where(j => created.Contains(j.Id)).ToList();
        if (fresh.Count > 0)
        {
            await WorkQueue.EnqueueAsync(connection, transaction,
                [.. fresh.SelectMany(j => itemIds.Select(item => new WorkQueue.NewItem(j.Id, item, j.Spec.Tenant, j.Spec.Priority)))],
                readyAt: null, cancellationToken);
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

        if (fresh.Count > 0)
        {
            signal.Raise();
        }

        return stored;
    }

    private static NpgsqlParameter Array<T>(string name, NpgsqlDbType type, IEnumerable<T> values) =>
        new(name, NpgsqlDbType.Array | type) { Value = values.ToArray() };
}
