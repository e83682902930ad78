using System.Diagnostics.Metrics;
using Transcoder.Abstractions;

namespace Transcoder.Grains;

/// <summary>
/// What happens to jobs on this silo, as counters and histograms for Prometheus (names as exported):
/// <list type="bullet">
/// <item><c>transcoder_jobs_completed_total</c>, <c>transcoder_jobs_failed_total{reason}</c> (ended failed:
/// permanent failures and dead letters), <c>transcoder_jobs_retried_total{reason}</c> (attempts failed and
/// requeued with backoff), <c>transcoder_jobs_dead_lettered_total{reason}</c>;</item>
/// <item><c>transcoder_transcode_duration_seconds{top_rung}</c>: wall time of a ladder encode, by the ladder's
/// highest rendition (one ffmpeg process encodes every rung of a job together, so that is the resolution a
/// time belongs to);</item>
/// <item><c>transcoder_storage_uploaded_bytes_total</c>: bytes of renditions written to the bucket;</item>
/// <item><c>transcoder_job_cost_dollars</c>: the compute cost of each completed transcode.</item>
/// </list>
/// Counters are per silo: sum them across silos.
/// </summary>
public sealed class JobMetrics
{
    private readonly Counter<long> _completed;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _retried;
    private readonly Counter<long> _deadLettered;
    private readonly Histogram<double> _transcodeSeconds;
    private readonly Counter<long> _uploadedBytes;
    private readonly Histogram<double> _costDollars;
    private readonly Counter<long> _webhooks;

    public JobMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(WorkerOptions.MeterName);
        _completed = meter.CreateCounter<long>("transcoder.jobs.completed", "{job}", "Jobs completed.");
        _failed = meter.CreateCounter<long>("transcoder.jobs.failed", "{job}", "Jobs that ended failed, by error code.");
        _retried = meter.CreateCounter<long>("transcoder.jobs.retried", "{attempt}", "Failed attempts put back in the queue to retry, by error code.");
        _deadLettered = meter.CreateCounter<long>("transcoder.jobs.dead_lettered", "{job}", "Jobs out of attempts, moved to the dead-letter queue, by error code.");
        _transcodeSeconds = meter.CreateHistogram("transcoder.transcode.duration", "s", "Wall time of a ladder encode, by its highest rendition.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 2, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200] });
        _uploadedBytes = meter.CreateCounter<long>("transcoder.storage.uploaded", "By", "Bytes of renditions written to the bucket.");

        _webhooks = meter.CreateCounter<long>("transcoder.webhooks.deliveries", "{attempt}", "Webhook delivery attempts, by outcome: delivered, retried or abandoned.");

        // Counters start at zero, so a rate or an increase over them is 0 rather than absent before the first event.
        foreach (var counter in new[] { _completed, _failed, _retried, _deadLettered, _uploadedBytes })
        {
            counter.Add(0);
        }

        foreach (var outcome in new[] { "delivered", "retried", "abandoned" })
        {
            _webhooks.Add(0, new KeyValuePair<string, object?>("outcome", outcome));
        }

        _costDollars = meter.CreateHistogram("transcoder.job.cost.dollars", "{USD}", "Compute cost of a completed transcode in US dollars.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5] });
    }

    public void Completed(JobCost? cost)
    {
        _completed.Add(1);
        if (cost is not null)
        {
            _costDollars.Record((double)cost.Dollars);
        }
    }

    public void Failed(string reason, bool deadLettered)
    {
        _failed.Add(1, Reason(reason));
        if (deadLettered)
        {
            _deadLettered.Add(1, Reason(reason));
        }
    }

    public void Retried(string reason) => _retried.Add(1, Reason(reason));

    public void Transcoded(string topRung, TimeSpan elapsed) =>
        _transcodeSeconds.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("top_rung", topRung));

    public void Uploaded(long bytes) => _uploadedBytes.Add(bytes);

    public void WebhookAttempted(string outcome) => _webhooks.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    private static KeyValuePair<string, object?> Reason(string code) => new("reason", code);
}
