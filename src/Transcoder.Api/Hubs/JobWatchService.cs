using Microsoft.AspNetCore.SignalR;
using Orleans.Streams;
using Transcoder.Abstractions;

namespace Transcoder.Api.Hubs;

/// <summary>
/// One Orleans stream subscription per watched job per API process, shared by every hub connection watching it,
/// forwarding each event to those connections in order (see <see cref="WatchedJob"/>).
/// </summary>
public sealed partial class JobWatchService(IClusterClient cluster, IHubContext<JobsHub> hub, ILogger<JobWatchService> logger) : IAsyncDisposable
{
    private readonly Dictionary<Guid, Watch> _watches = [];
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>
    /// Starts sending the job's changes to a connection, then the job as it stands (read after the subscription, so
    /// no change falls between the two) unless the connection already got something newer.
    /// </summary>
    public async Task AddAsync(Guid jobId, string connectionId, Func<Task<JobView?>> read)
    {
        var watch = await AcquireAsync(jobId);
        watch.Job.Add(connectionId);
        if (await read() is { } job)
        {
            await watch.Job.OfferAsync(connectionId, JobProgressEvent.From(job));
        }
    }

    /// <summary>Stops sending the job to a connection; the subscription goes with its last watcher.</summary>
    public async Task RemoveAsync(Guid jobId, string connectionId)
    {
        Watch? last = null;
        await _gate.WaitAsync();
        try
        {
            if (_watches.TryGetValue(jobId, out var watch) && watch.Job.Remove(connectionId))
            {
                _watches.Remove(jobId);
                last = watch;
            }
        }
        finally
        {
            _gate.Release();
        }

        if (last is not null)
        {
            await UnsubscribeQuietlyAsync(jobId, last);
        }
    }

    private async Task<Watch> AcquireAsync(Guid jobId)
    {
        await _gate.WaitAsync();
        try
        {
            if (_watches.TryGetValue(jobId, out var existing))
            {
                return existing;
            }

            var job = new WatchedJob((connection, e) => hub.Clients.Client(connection).SendAsync(JobsHub.ProgressMethod, JobLinks.ToMessage(e)));
            var stream = cluster.GetStreamProvider(JobStreams.ProviderName).GetStream<JobProgressEvent>(StreamId.Create(JobStreams.Namespace, jobId));
            var handle = await stream.SubscribeAsync((e, _) => job.ForwardAsync(e));
            var watch = new Watch(job, handle);
            _watches[jobId] = watch;
            return watch;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task UnsubscribeQuietlyAsync(Guid jobId, Watch watch)
    {
        try
        {
            await watch.Handle.UnsubscribeAsync();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogUnsubscribeFailed(logger, jobId, ex);
        }
        finally
        {
            watch.Job.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (jobId, watch) in _watches)
        {
            await UnsubscribeQuietlyAsync(jobId, watch);
        }

        _watches.Clear();
        _gate.Dispose();
    }

    [LoggerMessage(4001, LogLevel.Warning, "Could not unsubscribe from job {JobId}")]
    private static partial void LogUnsubscribeFailed(ILogger logger, Guid jobId, Exception exception);

    private sealed record Watch(WatchedJob Job, StreamSubscriptionHandle<JobProgressEvent> Handle);
}
