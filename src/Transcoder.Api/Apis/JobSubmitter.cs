using Transcoder.Abstractions;
using Transcoder.ServiceDefaults;

namespace Transcoder.Api.Apis;

/// <summary>
/// Sends new jobs to the cluster in batches: submissions that arrive while earlier calls are in flight go in
/// one <see cref="IJobIntakeGrain.SubmitManyAsync"/> message. Under a burst this turns thousands of grain calls
/// (each with its own message, serialization and scheduling on both ends) into a few dozen; the silo commits
/// a batch in one transaction either way. Each request still gets its own answer, after its job is durable.
/// </summary>
public sealed class JobSubmitter : BackgroundService
{
    // Two calls in flight: while the silo commits one batch, the next is already on its way.
    private const int CallsInFlight = 2;

    private readonly IClusterClient _cluster;
    private readonly BatchingQueue<JobSubmission, JobView> _queue;

    // Made once the client has connected: before that it does not know which grain implements the interface.
    private IJobIntakeGrain? _intake;

    public JobSubmitter(IClusterClient cluster)
    {
        _cluster = cluster;
        _queue = new(SendAsync, IJobIntakeGrain.MaxBatch, CallsInFlight);
    }

    /// <summary>Submits a job; completes once it is durable, with the job as stored.</summary>
    /// <exception cref="JobConflictException">The id is taken by a different request.</exception>
    /// <exception cref="JobsInFlightCapException">The tenant is at its cap on jobs queued or running.</exception>
    /// <exception cref="SubmissionUnavailableException">The job could not be stored now; nothing was.</exception>
    public Task<JobView> SubmitAsync(Guid id, JobSpec spec) =>
        _queue.TryAdd(new JobSubmission(id, spec), out var stored)
            ? stored
            : throw new SubmissionUnavailableException("The API is shutting down; submit again.");

    /// <summary>Sends until the API stops; what was accepted by then is still sent and answered.</summary>
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => _queue.RunAsync(stoppingToken);

    private async Task SendAsync(IReadOnlyList<BatchEntry<JobSubmission, JobView>> batch)
    {
        _intake ??= _cluster.GetGrain<IJobIntakeGrain>(0);
        var outcomes = await _intake.SubmitManyAsync([.. batch.Select(e => e.Item)]);
        for (var i = 0; i < batch.Count; i++)
        {
            var outcome = outcomes[i];
            switch (outcome.Error)
            {
                case SubmissionError.None when outcome.Job is { } job:
                    batch[i].Complete(job);
                    break;
                case SubmissionError.Conflict:
                    batch[i].Fail(new JobConflictException(outcome.Message ?? "The job exists with a different request."));
                    break;
                case SubmissionError.TooManyJobsInFlight:
                    batch[i].Fail(new JobsInFlightCapException(outcome.Message ?? "The tenant is at its cap on jobs in flight."));
                    break;
                default:
                    batch[i].Fail(new SubmissionUnavailableException(outcome.Message ?? "The job could not be stored."));
                    break;
            }
        }
    }
}

/// <summary>A submission could not be made durable now (database or cluster unavailable); nothing of it was stored. Answered 503.</summary>
public sealed class SubmissionUnavailableException : Exception
{
    public SubmissionUnavailableException()
    {
    }

    public SubmissionUnavailableException(string message)
        : base(message)
    {
    }

    public SubmissionUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
