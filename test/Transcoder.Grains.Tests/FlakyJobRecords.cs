using System.Collections.Concurrent;
using Transcoder.Abstractions;
using Transcoder.Storage;

namespace Transcoder.Grains.Tests;

/// <summary>
/// The real job table, with faults injected on request: the next writes of a job's row that end the job
/// (its terminal status) fail as a database outage would, a given number of times.
/// </summary>
public sealed class FlakyJobRecords(JobRecordRepository inner) : IJobRecordRepository
{
    private static readonly ConcurrentDictionary<Guid, int> FailuresLeft = new();

    /// <summary>Makes the next <paramref name="times"/> terminal writes of job <paramref name="id"/>'s row fail.</summary>
    public static void FailTerminalWrites(Guid id, int times) => FailuresLeft[id] = times;

    public Task UpsertAsync(JobView job, CancellationToken cancellationToken)
    {
        if (job.Status.IsTerminal() && FailuresLeft.TryGetValue(job.Id, out var left) && left > 0)
        {
            FailuresLeft[job.Id] = left - 1;
            throw new TimeoutException($"Injected: the row of job {job.Id} could not be written.");
        }

        return inner.UpsertAsync(job, cancellationToken);
    }

    public Task<JobPage> ListAsync(string tenant, JobStatus? status, string? nameContains, int limit, JobCursor? cursor, CancellationToken cancellationToken) =>
        inner.ListAsync(tenant, status, nameContains, limit, cursor, cancellationToken);

    public Task<JobView?> FindAsync(Guid id, CancellationToken cancellationToken) => inner.FindAsync(id, cancellationToken);

    public Task<JobView?> FindReusableAsync(string tenant, string contentHash, string ladderHash, CancellationToken cancellationToken) =>
        inner.FindReusableAsync(tenant, contentHash, ladderHash, cancellationToken);

    public Task<JobPage> ListDeadLettersAsync(string? tenant, int limit, JobCursor? cursor, CancellationToken cancellationToken) =>
        inner.ListDeadLettersAsync(tenant, limit, cursor, cancellationToken);
}
