using Microsoft.AspNetCore.SignalR;
using Orleans.Streams;
using Transcoder.Abstractions;

namespace Transcoder.Api.Hubs;

/// <summary>
/// One Orleans stream subscription per watched job per API process, shared by every hub connection
/// watching it (reference counted), forwarding each event to the job's SignalR group.
/// </summary>
public sealed partial class JobWatchService(IClusterClient cluster, IHubContext<JobsHub> hub, ILogger<JobWatchService> logger) : IAsyncDisposable
{
    private readonly Dictionary<Guid, Watch> _watches = [];
    private readonly SemaphoreSlim _gate = new(1, 1);

    public static string Group(Guid jobId) => $"job:{jobId:D}";

    public async Task AcquireAsync(Guid jobId)
    {
        await _gate.WaitAsync();
        try
        {
            if (_watches.TryGetValue(jobId, out var existing))
            {
                existing.Count++;
                return;
            }

            var stream = cluster.GetStreamProvider(JobStreams.ProviderName)
                .GetStream<JobProgressEvent>(StreamId.Create(JobStreams.Namespace, jobId));
            var handle = await stream.SubscribeAsync((e, _) => ForwardAsync(e));
            _watches[jobId] = new Watch(handle) { Count = 1 };
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task ReleaseAsync(Guid jobId)
    {
        StreamSubscriptionHandle<JobProgressEvent>? toRemove = null;
        await _gate.WaitAsync();
        try
        {
            if (_watches.TryGetValue(jobId, out var watch) && --watch.Count <= 0)
            {
                _watches.Remove(jobId);
                toRemove = watch.Handle;
            }
        }
        finally
        {
            _gate.Release();
        }

        if (toRemove is not null)
        {
            await UnsubscribeQuietlyAsync(jobId, toRemove);
        }
    }

    private Task ForwardAsync(JobProgressEvent e) =>
        hub.Clients.Group(Group(e.JobId)).SendAsync(JobsHub.ProgressMethod, JobLinks.ToMessage(e));

    private async Task UnsubscribeQuietlyAsync(Guid jobId, StreamSubscriptionHandle<JobProgressEvent> handle)
    {
        try
        {
            await handle.UnsubscribeAsync();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogUnsubscribeFailed(logger, jobId, ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (jobId, watch) in _watches)
        {
            await UnsubscribeQuietlyAsync(jobId, watch.Handle);
        }

        _watches.Clear();
        _gate.Dispose();
    }

    [LoggerMessage(4001, LogLevel.Warning, "Could not unsubscribe from job {JobId}")]
    private static partial void LogUnsubscribeFailed(ILogger logger, Guid jobId, Exception exception);

    private sealed class Watch(StreamSubscriptionHandle<JobProgressEvent> handle)
    {
        public StreamSubscriptionHandle<JobProgressEvent> Handle { get; } = handle;

        public int Count { get; set; }
    }
}
