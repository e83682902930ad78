using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Transcoder.Abstractions;
using Transcoder.Grains.Lifecycle;
using Transcoder.ServiceDefaults;
using Transcoder.Storage;

namespace Transcoder.Grains.Intake;

/// <summary>
/// New jobs on this silo, made durable by group commit: submissions wait in memory while the previous batch
/// commits, then go to the database together, in one transaction (job rows and the first work items of each plan),
/// and each caller is answered once that commit is done. Under a burst the batches grow and the cost per job falls;
/// a lone submission commits at once. A job is acknowledged only after its commit, so none is acknowledged and lost.
/// </summary>
/// <remarks>
/// A new job's grain is not activated here: the job row and its queue rows are the job's whole truth until a silo
/// claims an item, and the grain adopts the row when it first activates (see <see cref="JobLifecycle.Adopt"/>).
/// So 25,000 queued jobs cost the cluster rows in Postgres, not 25,000 activations in memory.
/// </remarks>
public sealed class JobIntake : BackgroundService
{
    /// <summary>How old a tenant's count of jobs in flight may be before it is read again.</summary>
    private static readonly TimeSpan InFlightRecount = TimeSpan.FromSeconds(1);

    private readonly IJobSubmissions _submissions;
    private readonly IWorkQueue _queue;
    private readonly IOptions<JobOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<JobIntake> _logger;
    private readonly BatchingQueue<Pending, JobView> _pending;
    private readonly IReadOnlyList<string> _initialItems = [.. JobLifecycle.InitialPlan().Select(i => i.Id)];

    // Each tenant's jobs in flight as last counted, plus what this silo admitted since; recounted once older
    // than InFlightRecount. Only the commit loop touches it, one batch at a time.
    private readonly Dictionary<string, (long Count, DateTimeOffset CountedAt)> _inFlight = new(StringComparer.Ordinal);

    public JobIntake(IJobSubmissions submissions, IWorkQueue queue, IOptions<JobOptions> options, TimeProvider time, ILogger<JobIntake> logger)
    {
        _submissions = submissions;
        _queue = queue;
        _options = options;
        _time = time;
        _logger = logger;

        // One commit at a time: a batch's queue turns follow from the rows committed before it.
        _pending = new(CommitAsync, IJobIntakeGrain.MaxBatch);
    }

    /// <summary>Queues a new job; completes once it is durable, with the job as stored.</summary>
    /// <exception cref="JobConflictException">The id is taken by a different request.</exception>
    /// <exception cref="JobsInFlightCapException">The tenant is at its cap.</exception>
    public Task<JobView> SubmitAsync(Guid id, JobSpec spec)
    {
        spec = spec with { MaxAttempts = spec.MaxAttempts ?? _options.Value.MaxAttempts };
        var job = JobLifecycle.View(JobLifecycle.Create(id, spec, _time.GetUtcNow()));
        if (!_pending.TryAdd(new Pending(job), out var stored))
        {
            throw new SiloUnavailableException("This silo is shutting down and takes no new jobs; submit again.");
        }

        return stored;
    }

    /// <summary>Commits until the silo stops; what was accepted into memory by then is still committed and answered.</summary>
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => _pending.RunAsync(stoppingToken);

    private async Task CommitAsync(IReadOnlyList<BatchEntry<Pending, JobView>> batch)
    {
        IReadOnlyDictionary<Guid, JobView> stored;
        List<BatchEntry<Pending, JobView>> admitted;
        try
        {
            admitted = await AdmitAsync(batch);
            stored = await _submissions.AddQueuedAsync([.. admitted.Select(p => p.Item.Job)], _initialItems, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Nothing of the batch was committed: every caller gets the error, nobody an acknowledgement.
            Log.BatchFailed(_logger, batch.Count, ex);
            throw;
        }

        foreach (var entry in admitted)
        {
            var job = entry.Item.Job;
            var existing = stored[job.Id];
            if (ReferenceEquals(existing, job))
            {
                using (JobLogScope.Begin(_logger, job.Id, job.Tenant))
                {
                    Log.JobSubmitted(_logger, job.Id, job.Tenant, job.Spec.Priority);
                }

                entry.Complete(existing);
            }
            else if (SameRequest(existing.Spec, job.Spec))
            {
                entry.Complete(existing);
            }
            else
            {
                entry.Fail(new JobConflictException($"Job {job.Id} already exists with a different request."));
            }
        }

        Log.BatchCommitted(_logger, batch.Count);
    }

    /// <summary>
    /// Refuses the submissions that would take their tenant past its cap on jobs in flight; returns the others.
    /// A tenant's count is read from the queue at most once per <see cref="InFlightRecount"/> (a burst commits
    /// hundreds of batches a second; counting a 20,000-job backlog for each would cost more than the inserts),
    /// and what this silo admits in between is added to it. A refusal, though, is only ever decided on a count
    /// read for this batch: a tenant whose jobs ended a moment ago is not turned away on an old figure. So the cap
    /// can be exceeded by other silos' admissions within that interval, never enforced too early.
    /// </summary>
    private async Task<List<BatchEntry<Pending, JobView>>> AdmitAsync(IReadOnlyList<BatchEntry<Pending, JobView>> batch)
    {
        var now = _time.GetUtcNow();
        var wanted = batch.GroupBy(e => e.Item.Job.Tenant, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var recount = wanted
            .Where(w => !_inFlight.TryGetValue(w.Key, out var known) || now - known.CountedAt >= InFlightRecount
                || (known.CountedAt < now && known.Count + w.Value > _options.Value.JobsInFlightCap(w.Key)))
            .Select(w => w.Key)
            .ToList();
        if (recount.Count > 0)
        {
            var counts = await _queue.CountInFlightAsync(recount, CancellationToken.None);
            foreach (var tenant in recount)
            {
                _inFlight[tenant] = (counts.GetValueOrDefault(tenant), now);
            }
        }

        var admitted = new List<BatchEntry<Pending, JobView>>(batch.Count);
        foreach (var entry in batch)
        {
            var tenant = entry.Item.Job.Tenant;
            var (count, countedAt) = _inFlight[tenant];
            if (count >= _options.Value.JobsInFlightCap(tenant))
            {
                entry.Fail(new JobsInFlightCapException($"The tenant has {count} jobs queued or running, its cap; submit again once some have ended."));
                continue;
            }

            _inFlight[tenant] = (count + 1, countedAt);
            admitted.Add(entry);
        }

        return admitted;
    }

    /// <summary>
    /// Whether a repeat asks for what the stored job asked: the same settings and, for a URL, the same URL. An
    /// upload's object key is the service's own (each request stores its file under its own), not the client's.
    /// </summary>
    private static bool SameRequest(JobSpec stored, JobSpec requested) => Comparable(stored) == Comparable(requested);

    private static JobSpec Comparable(JobSpec spec) => spec with
    {
        Input = spec.Input with
        {
            Location = spec.Input.Kind == JobInputKind.Upload ? "" : spec.Input.Location,
            FileName = null,
            SizeBytes = null,
        },

        // Caption files sent as parts are stored under the request's own keys too.
        Tracks = spec.Tracks is { } tracks
            ? tracks with { Captions = [.. tracks.Captions.Select(c => c.Kind == JobInputKind.Upload ? c with { Location = "" } : c)] }
            : null,
    };

    private sealed record Pending(JobView Job);
}
