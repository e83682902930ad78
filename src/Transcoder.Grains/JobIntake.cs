using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Transcoder.Abstractions;
using Transcoder.Storage;

namespace Transcoder.Grains;

/// <summary>
/// New jobs on this silo, made durable by group commit: submissions wait in memory while the previous batch
/// commits, then go to the database together, in one transaction (job rows and queue rows), and each caller
/// is answered once that commit is done. Under a burst the batches grow and the cost per job falls; a lone
/// submission commits at once. A job is acknowledged only after its commit, so none is acknowledged and lost.
/// </summary>
/// <remarks>
/// A new job's grain is not activated here: the job row and its queue row are the job's whole truth until
/// a silo claims it, and the grain adopts the row when it first activates (see <see cref="TranscodeJobGrain"/>).
/// So 25,000 queued jobs cost the cluster rows in Postgres, not 25,000 activations in memory.
/// </remarks>
public sealed partial class JobIntake(
    IJobSubmissions submissions,
    JobDispatcher dispatcher,
    IOptions<JobOptions> options,
    TimeProvider time,
    ILogger<JobIntake> logger) : BackgroundService
{
    /// <summary>Most jobs committed in one transaction.</summary>
    public const int MaxBatch = 1000;

    private readonly Channel<Pending> _pending = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Queues a new job; completes once it is durable, with the job as stored.</summary>
    public Task<JobSnapshot> SubmitAsync(Guid id, JobSpec spec)
    {
        var now = time.GetUtcNow();
        spec = Resolved(spec);
        var pending = new Pending(spec, new JobSnapshot
        {
            Id = id,
            Tenant = spec.Tenant,
            Input = spec.Input,
            Priority = spec.Priority,
            MaxAttempts = spec.MaxAttempts,
            Status = JobStatus.Queued,
            Stage = JobStages.Queued,
            CreatedAt = now,
            UpdatedAt = now,
        });
        if (!_pending.Writer.TryWrite(pending))
        {
            throw new SiloUnavailableException("This silo is shutting down and takes no new jobs; submit again.");
        }

        return pending.Completion.Task;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Pending>(MaxBatch);
        try
        {
            while (await _pending.Reader.WaitToReadAsync(stoppingToken))
            {
                await CommitAvailableAsync(batch);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: what was accepted into memory is still committed and answered.
            _pending.Writer.TryComplete();
            await CommitAvailableAsync(batch);
        }
    }

    private async Task CommitAvailableAsync(List<Pending> batch)
    {
        while (true)
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _pending.Reader.TryRead(out var next))
            {
                batch.Add(next);
            }

            if (batch.Count == 0)
            {
                return;
            }

            await CommitAsync(batch);
        }
    }

    private async Task CommitAsync(List<Pending> batch)
    {
        IReadOnlyDictionary<Guid, JobSnapshot> stored;
        try
        {
            stored = await submissions.AddQueuedAsync([.. batch.Select(p => p.Job)], CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Nothing of the batch was committed: every caller gets the error, nobody an acknowledgement.
            BatchFailed(logger, batch.Count, ex);
            foreach (var pending in batch)
            {
                pending.Completion.TrySetException(ex);
            }

            return;
        }

        foreach (var pending in batch)
        {
            var job = stored[pending.Job.Id];
            if (ReferenceEquals(job, pending.Job) || SameRequest(job, pending.Spec))
            {
                if (ReferenceEquals(job, pending.Job))
                {
                    Log.JobSubmitted(logger, job.Id, job.Tenant, job.Priority);
                }

                pending.Completion.TrySetResult(job);
            }
            else
            {
                pending.Completion.TrySetException(new JobConflictException($"Job {job.Id} already exists with a different request."));
            }
        }

        BatchCommitted(logger, batch.Count);
        dispatcher.Nudge();
    }

    /// <summary>The request with its defaults filled in, as a job made from it would be.</summary>
    public JobSpec Resolved(JobSpec spec) => spec with { MaxAttempts = spec.MaxAttempts ?? options.Value.MaxAttempts };

    /// <summary>Whether a stored job is what this (resolved) request would have made: a replay of the same request.</summary>
    public static bool SameRequest(JobSnapshot stored, JobSpec resolved) =>
        stored.Tenant == resolved.Tenant && stored.Input == resolved.Input && stored.Priority == resolved.Priority
        && stored.MaxAttempts == resolved.MaxAttempts;

    [LoggerMessage(3101, LogLevel.Debug, "Committed {Count} new jobs")]
    private static partial void BatchCommitted(ILogger logger, int count);

    [LoggerMessage(3102, LogLevel.Error, "Could not commit {Count} new jobs; their submissions fail")]
    private static partial void BatchFailed(ILogger logger, int count, Exception exception);

    private sealed record Pending(JobSpec Spec, JobSnapshot Job)
    {
        public TaskCompletionSource<JobSnapshot> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
