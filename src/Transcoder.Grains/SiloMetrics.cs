using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Transcoder.Abstractions;
using Transcoder.Storage;

namespace Transcoder.Grains;

/// <summary>
/// What autoscaling and dashboards read from each silo: its encode slots, busy and free
/// (<c>transcoder.worker.slots</c>), the cluster's queue depth per priority (<c>transcoder.queue.depth</c>), and
/// how long the longest-waiting ready job has waited for a slot (<c>transcoder.queue.oldest_age</c>).
/// The queue figures are read from Postgres every few seconds rather than at every scrape, so any number of
/// scrapers cost the database the same; every silo reports the same figures, so aggregate it with max, not sum.
/// </summary>
public sealed partial class SiloMetrics : BackgroundService
{
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(5);

    private readonly IJobQueue _queue;
    private readonly ILogger<SiloMetrics> _logger;
    private readonly TimeProvider _time;
    private IReadOnlyDictionary<int, long>? _counts;
    private DateTimeOffset? _oldestReady;

    public SiloMetrics(IMeterFactory meters, IJobQueue queue, TranscodeRunner runner, TimeProvider time, ILogger<SiloMetrics> logger)
    {
        _queue = queue;
        _time = time;
        _logger = logger;
        var meter = meters.Create(WorkerOptions.MeterName);
        meter.CreateObservableGauge("transcoder.queue.depth", ObserveQueue,
            unit: "{job}", description: "Jobs waiting for an encode slot, per priority (1 is the most urgent).");
        meter.CreateObservableGauge("transcoder.worker.slots", () => new[]
        {
            new Measurement<int>(runner.BusySlots, new KeyValuePair<string, object?>("state", "busy")),
            new Measurement<int>(runner.Slots - runner.BusySlots, new KeyValuePair<string, object?>("state", "free")),
        }, unit: "{slot}", description: "Encode slots of this silo, busy and free.");
        meter.CreateObservableGauge("transcoder.queue.oldest_age", ObserveOldest,
            unit: "s", description: "How long the longest-waiting job that is ready to run has waited for an encode slot; 0 when none waits.");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(RefreshInterval);
        do
        {
            try
            {
                _counts = await _queue.CountWaitingAsync(null, stoppingToken);
                _oldestReady = await _queue.OldestReadyAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is Npgsql.NpgsqlException or TimeoutException)
            {
                // Keep the last figures; the next tick tries again.
                QueueDepthUnavailable(_logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private IEnumerable<Measurement<double>> ObserveOldest()
    {
        if (_counts is null)
        {
            yield break;
        }

        yield return new Measurement<double>(_oldestReady is { } since ? Math.Max(0, (_time.GetUtcNow() - since).TotalSeconds) : 0);
    }

    private IEnumerable<Measurement<long>> ObserveQueue()
    {
        if (_counts is not { } counts)
        {
            yield break;
        }

        for (var priority = JobSpec.HighestPriority; priority <= JobSpec.LowestPriority; priority++)
        {
            yield return new Measurement<long>(counts.GetValueOrDefault(priority), new KeyValuePair<string, object?>("priority", priority));
        }
    }

    [LoggerMessage(4101, LogLevel.Warning, "Could not read the queue depth")]
    private static partial void QueueDepthUnavailable(ILogger logger, Exception exception);
}
