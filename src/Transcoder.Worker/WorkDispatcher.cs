using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Transcoder.Abstractions;
using Transcoder.ServiceDefaults;
using Transcoder.Storage;

namespace Transcoder.Worker;

/// <summary>
/// Pulls work for this silo: whenever the silo has a free slot it claims the next work item from the durable queue,
/// asks the item's job to start a run here, and hands the run to the <see cref="WorkRunner"/>. It renews the leases on
/// the items it runs, and frees the leases of silos that stopped renewing theirs.
/// </summary>
/// <remarks>
/// Why pull instead of an Orleans placement strategy: placement picks a silo when a grain activates, from
/// statistics that are seconds old, so a burst of submissions lands on whichever silo looked idle a moment ago
/// (and stateless workers simply activate on the caller's silo). Here a silo asks for work only for a slot it
/// actually has free, so it never runs more than its slots, a silo that joins takes work at once, and one that is
/// shutting down just stops asking. The queue's order (priority, then fairness across tenants) is kept by the
/// database, which every silo shares.
/// On shutdown the dispatcher stops claiming, lets running work finish for <see cref="WorkerOptions.DrainTimeout"/>,
/// then hands the rest back to the queue (without spending an attempt) for other silos to run.
/// </remarks>
public sealed partial class WorkDispatcher(
    IWorkQueue queue,
    WorkSignal signal,
    IGrainFactory grains,
    WorkRunner runner,
    ILocalSiloDetails silo,
    IOptions<WorkerOptions> options,
    TimeProvider time,
    ILogger<WorkDispatcher> logger) : BackgroundService
{
    private readonly WorkerOptions _options = options.Value;
    private volatile bool _draining;

    /// <summary>This silo's name in the queue: its worker key, which changes when the silo restarts.</summary>
    private string Owner => WorkerKeys.For(silo.SiloAddress);

    /// <summary>
    /// Stops claiming work and waits, at most <paramref name="within"/>, for the running work to finish; returns how
    /// many runs still go on. For a node about to go away (Kubernetes' preStop hook): the SIGTERM that follows then
    /// finds little or nothing to hand back. Leases keep being renewed meanwhile.
    /// </summary>
    public async Task<int> StopTakingWorkAsync(TimeSpan within, CancellationToken cancellationToken)
    {
        if (!_draining)
        {
            _draining = true;
            Draining(logger, runner.ActiveRuns);
        }

        await runner.WaitIdleAsync(within, cancellationToken);
        return runner.ActiveRuns;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        runner.RunEnded += signal.Raise;
        var nextUpkeep = time.GetUtcNow();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (time.GetUtcNow() >= nextUpkeep)
                {
                    await UpkeepAsync(stoppingToken);
                    nextUpkeep = time.GetUtcNow() + _options.HeartbeatInterval;
                }

                if (await ClaimAndStartAsync(stoppingToken) == 0)
                {
                    // Nothing to do until work is queued on this silo, a run ends here, or the next poll.
                    await signal.WaitAsync(_options.PollInterval, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        finally
        {
            runner.RunEnded -= signal.Raise;
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await DrainAsync(cancellationToken);
    }

    /// <summary>Claims as many items as there are free slots and starts them; returns how many were claimed.</summary>
    private async Task<int> ClaimAndStartAsync(CancellationToken cancellationToken)
    {
        var free = runner.Slots - runner.SlottedRuns;
        if (free <= 0 || _draining)
        {
            return 0;
        }

        IReadOnlyList<QueueClaim> claims;
        try
        {
            claims = await queue.ClaimAsync(Owner, free, _options.LeaseTimeout, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            ClaimFailed(logger, ex);
            return 0;
        }

        foreach (var claim in claims)
        {
            if (await StartRunAsync(claim) is { } assignment)
            {
                // Outside the claim's log scope: the run opens its own.
                runner.Start(assignment);
            }
        }

        return claims.Count;
    }

    /// <summary>Asks the claimed item's job to start a run; null if there is none to start now.</summary>
    private async Task<WorkAssignment?> StartRunAsync(QueueClaim claim)
    {
        using var scope = JobLogScope.Begin(logger, claim.JobId, claim.Tenant);
        try
        {
            // A job with nothing to run (it ended) removes the row itself.
            return await grains.GetGrain<ITranscodeJobGrain>(claim.JobId).StartRunAsync(new WorkClaim(claim.ItemId, Owner, silo.Name));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The job could not start the run (its storage or silo is unavailable): give the claim back shortly
            // rather than hold a slot for it.
            DispatchFailed(logger, claim.JobId, claim.ItemId, silo.Name, ex);
            await ReleaseQuietlyAsync(claim, time.GetUtcNow() + _options.PollInterval);
            return null;
        }
    }

    /// <summary>Renews this silo's leases and frees the leases of silos that stopped renewing theirs.</summary>
    private async Task UpkeepAsync(CancellationToken cancellationToken)
    {
        try
        {
            await queue.RenewAsync(Owner, runner.ActiveItems, _options.LeaseTimeout, cancellationToken);
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

    /// <summary>Lets running work finish for a while (leases renewed), then hands the rest back to the queue.</summary>
    private async Task DrainAsync(CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + _options.DrainTimeout;
        while (runner.ActiveRuns > 0 && time.GetUtcNow() < deadline && !cancellationToken.IsCancellationRequested)
        {
            await UpkeepAsync(CancellationToken.None);
            await runner.WaitIdleAsync(Min(_options.HeartbeatInterval, deadline - time.GetUtcNow()), cancellationToken);
        }

        foreach (var assignment in runner.ActiveAssignments)
        {
            using var scope = JobLogScope.Begin(logger, assignment.JobId, assignment.Tenant);
            HandingBack(logger, assignment.JobId, assignment.Run.ItemId, assignment.Run.RunId);
            try
            {
                await grains.GetGrain<ITranscodeJobGrain>(assignment.JobId).HandBackAsync(assignment.Run);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The lease runs out instead and another silo takes the item.
                DispatchFailed(logger, assignment.JobId, assignment.Run.ItemId, silo.Name, ex);
            }

            await runner.StopAsync(assignment.JobId, assignment.Run);
        }
    }

    private async Task ReleaseQuietlyAsync(QueueClaim claim, DateTimeOffset readyAt)
    {
        try
        {
            await queue.ReleaseClaimAsync(Owner, claim.JobId, claim.ItemId, readyAt, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The lease runs out instead.
            UpkeepFailed(logger, ex);
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    [LoggerMessage(3201, LogLevel.Warning, "Could not claim work from the queue")]
    private static partial void ClaimFailed(ILogger logger, Exception exception);

    [LoggerMessage(3202, LogLevel.Warning, "Could not renew or expire queue leases")]
    private static partial void UpkeepFailed(ILogger logger, Exception exception);

    [LoggerMessage(3203, LogLevel.Warning, "Freed {Count} queue claims whose silo stopped renewing them")]
    private static partial void LeasesExpired(ILogger logger, int count);

    [LoggerMessage(3204, LogLevel.Information, "Shutting down: handing job {JobId} item {ItemId} run {RunId} back to the queue")]
    private static partial void HandingBack(ILogger logger, Guid jobId, string itemId, Guid runId);

    [LoggerMessage(3205, LogLevel.Information, "Draining: this silo takes no more work; {Running} runs still go on")]
    private static partial void Draining(ILogger logger, int running);

    [LoggerMessage(3206, LogLevel.Warning, "Job {JobId} item {ItemId} could not be started on {Node}")]
    private static partial void DispatchFailed(ILogger logger, Guid jobId, string itemId, string node, Exception exception);
}
