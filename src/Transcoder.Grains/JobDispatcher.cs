using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Transcoder.Abstractions;
using Transcoder.Storage;

namespace Transcoder.Grains;

/// <summary>
/// Pulls work for this silo: whenever the silo has a free encode slot it claims the next job from the durable
/// queue and asks the job's grain to start an attempt here, then runs it on the <see cref="TranscodeRunner"/>.
/// It renews the leases on the jobs it runs, and frees the leases of silos that stopped renewing theirs.
/// </summary>
/// <remarks>
/// Why pull instead of an Orleans placement strategy: placement picks a silo when a grain activates, from
/// statistics that are seconds old, so a burst of submissions lands on whichever silo looked idle a moment ago
/// (and stateless workers simply activate on the caller's silo). Here a silo asks for work only for a slot it
/// actually has free, so it never runs more encodes than its slots, a silo that joins takes work at once, and
/// one that is shutting down just stops asking. The queue's order (priority, then fairness across tenants) is
/// kept by the database, which every silo shares.
/// On shutdown the dispatcher stops claiming, lets running encodes finish for <see cref="WorkerOptions.DrainTimeout"/>,
/// then hands the rest back to the queue (without spending an attempt) for other silos to run.
/// </remarks>
public sealed partial class JobDispatcher(
    IJobQueue queue,
    IGrainFactory grains,
    TranscodeRunner runner,
    ILocalSiloDetails silo,
    IOptions<WorkerOptions> worker,
    IOptions<JobOptions> jobs,
    TimeProvider time,
    ILogger<JobDispatcher> logger) : BackgroundService
{
    private readonly SemaphoreSlim _wake = new(0, 1);
    private volatile bool _draining;

    /// <summary>This silo's name in the queue: its worker key, which changes when the silo restarts.</summary>
    private string Owner => WorkerKeys.For(silo.SiloAddress);

    /// <summary>Asks the dispatcher to look at the queue now (a job was submitted or a slot freed) instead of at its next poll.</summary>
    public void Nudge()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already nudged.
        }
    }

    /// <summary>
    /// Stops claiming work and waits, at most <paramref name="within"/>, for the running encodes to finish; returns
    /// how many still run. For a node about to go away (Kubernetes' preStop hook): the SIGTERM that follows then
    /// finds little or nothing to hand back. Leases keep being renewed meanwhile.
    /// </summary>
    public async Task<int> StopTakingWorkAsync(TimeSpan within, CancellationToken cancellationToken)
    {
        if (!_draining)
        {
            _draining = true;
            Draining(logger, runner.ActiveRuns);
        }

        var deadline = time.GetUtcNow() + within;
        while (runner.ActiveRuns > 0 && time.GetUtcNow() < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
        }

        return runner.ActiveRuns;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        runner.RunEnded += Nudge;
        var lease = jobs.Value.LeaseTimeout;
        var nextUpkeep = time.GetUtcNow();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (time.GetUtcNow() >= nextUpkeep)
                {
                    await UpkeepAsync(lease, stoppingToken);
                    nextUpkeep = time.GetUtcNow() + (lease / 4);
                }

                var claimed = await ClaimAndStartAsync(lease, stoppingToken);
                if (claimed == 0)
                {
                    // Nothing to do until a job is submitted here, a run ends here, or the next poll.
                    await _wake.WaitAsync(worker.Value.PollInterval, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        finally
        {
            runner.RunEnded -= Nudge;
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await DrainAsync(cancellationToken);
    }

    /// <summary>Claims as many jobs as there are free slots and starts them; returns how many were claimed.</summary>
    private async Task<int> ClaimAndStartAsync(TimeSpan lease, CancellationToken cancellationToken)
    {
        var free = runner.Slots - runner.ActiveRuns;
        if (free <= 0 || _draining)
        {
            return 0;
        }

        IReadOnlyList<QueueClaim> claims;
        try
        {
            claims = await queue.ClaimAsync(Owner, free, lease, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            ClaimFailed(logger, ex);
            return 0;
        }

        foreach (var claim in claims)
        {
            await StartAsync(claim);
        }

        return claims.Count;
    }

    private async Task StartAsync(QueueClaim claim)
    {
        if (await StartRunAsync(claim) is { } item)
        {
            // Outside the claim's log scope: the run opens its own.
            runner.Start(item);
        }
    }

    /// <summary>Asks the claimed job's grain to start a run; null if there is none to start now.</summary>
    private async Task<WorkItem?> StartRunAsync(QueueClaim claim)
    {
        using var scope = JobLogScope.Begin(logger, claim.JobId, claim.Tenant);
        try
        {
            var item = await grains.GetGrain<ITranscodeJobGrain>(claim.JobId).StartRunAsync(Owner, silo.Name);
            if (item is null)
            {
                // The job ended (or was never fully submitted): its row has no more use.
                await queue.RemoveAsync(claim.JobId, CancellationToken.None);
            }

            return item;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The grain could not start the attempt (its storage or silo is unavailable): give the job back
            // shortly rather than hold a slot for it.
            Log.DispatchFailed(logger, claim.JobId, silo.Name, ex);
            await ReleaseQuietlyAsync(claim.JobId, time.GetUtcNow() + worker.Value.PollInterval);
            return null;
        }
    }

    /// <summary>Renews this silo's leases and frees the leases of silos that stopped renewing theirs.</summary>
    private async Task UpkeepAsync(TimeSpan lease, CancellationToken cancellationToken)
    {
        try
        {
            await queue.RenewAsync(Owner, runner.ActiveJobIds, lease, cancellationToken);
            if (await queue.ExpireLeasesAsync(cancellationToken) is > 0 and var expired)
            {
                LeasesExpired(logger, expired);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            UpkeepFailed(logger, ex);
        }
    }

    /// <summary>Lets running encodes finish for a while, then hands the rest back to the queue.</summary>
    private async Task DrainAsync(CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + worker.Value.DrainTimeout;
        while (runner.ActiveRuns > 0 && time.GetUtcNow() < deadline && !cancellationToken.IsCancellationRequested)
        {
            await queue.RenewAsync(Owner, runner.ActiveJobIds, jobs.Value.LeaseTimeout, CancellationToken.None);
            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        foreach (var item in runner.ActiveItems)
        {
            using var scope = JobLogScope.Begin(logger, item.JobId, item.Tenant);
            HandingBack(logger, item.JobId, item.RunId);
            try
            {
                await grains.GetGrain<ITranscodeJobGrain>(item.JobId).HandBackAsync(item.RunId);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The lease runs out instead and another silo takes the job.
                Log.DispatchFailed(logger, item.JobId, silo.Name, ex);
            }

            await runner.CancelAsync(item.JobId, item.RunId);
        }
    }

    private async Task ReleaseQuietlyAsync(Guid jobId, DateTimeOffset readyAt)
    {
        try
        {
            await queue.ReleaseAsync(jobId, readyAt, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The lease runs out instead.
            UpkeepFailed(logger, ex);
        }
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }

    [LoggerMessage(3201, LogLevel.Warning, "Could not claim work from the queue")]
    private static partial void ClaimFailed(ILogger logger, Exception exception);

    [LoggerMessage(3202, LogLevel.Warning, "Could not renew or expire queue leases")]
    private static partial void UpkeepFailed(ILogger logger, Exception exception);

    [LoggerMessage(3203, LogLevel.Warning, "Freed {Count} queue claims whose silo stopped renewing them")]
    private static partial void LeasesExpired(ILogger logger, int count);

    [LoggerMessage(3205, LogLevel.Information, "Draining: this silo takes no more work; {Running} encodes still run")]
    private static partial void Draining(ILogger logger, int running);

    [LoggerMessage(3204, LogLevel.Information, "Shutting down: handing job {JobId} run {RunId} back to the queue")]
    private static partial void HandingBack(ILogger logger, Guid jobId, Guid runId);
}
