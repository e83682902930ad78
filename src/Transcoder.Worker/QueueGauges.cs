using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Transcoder.Abstractions;
using Transcoder.ServiceDefaults;
using Transcoder.Storage;

namespace Transcoder.Worker;

/// <summary>
/// What autoscaling and dashboards read from each silo: its slots, busy and free (<c>transcoder.worker.slots</c>),
/// the cluster's queue depth per priority (<c>transcoder.queue.depth</c>: jobs with work waiting), and how long the
/// longest-waiting ready item has waited for a slot (<c>transcoder.queue.oldest_age</c>). The queue figures are read
/// from Postgres every few seconds rather than at every scrape, so any number of scrapers cost the database the same;
/// every silo reports the same figures, so aggregate them with max, not sum.
/// </summary>
public sealed partial class QueueGauges : BackgroundService
{
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(5);

    private readonly IWorkQueue _queue;
    private readonly ILogger<QueueGauges> _logger;
    private readonly TimeProvider _time;
    private IReadOnlyDictionary<int, long>? _counts;
    private DateTimeOffset? _oldestReady;

    public QueueGauges(IMeterFactory meters, IWorkQueue queue, WorkRunner runner, TimeProvider time, ILogger<QueueGauges> logger)
    {
        _queue = queue;
        _time = time;
        _logger = logger;
        var meter = meters.Create(ServiceDefaultsExtensions.MeterName);
        meter.CreateObservableGauge("transcoder.queue.depth", ObserveQueue,
            unit: "{job}", description: "Jobs waiting for a slot, per priority (1 is the most urgent).");
        meter.CreateObservableGauge("transcoder.worker.slots", () => new[]
        {
            new Measurement<int>(runner.BusySlots, new KeyValuePair<string, object?>("state", "busy")),
            new Measurement<int>(runner.Slots - runner.BusySlots, new KeyValuePair<string, object?>("state", "free")),
        }, unit: "{slot}", description: "Slots of this silo, busy and free.");
        meter.CreateObservableGauge("transcoder.queue.oldest_age", ObserveOldest,
            unit: "s", description: "How long the longest-waiting work that is ready to run has waited for a slot; 0 when none waits.");
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
            catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
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
