using System.Diagnostics.Metrics;
using Transcoder.ServiceDefaults;

namespace Transcoder.Worker;

/// <summary>
/// What this silo's runs do, for Prometheus (names as exported):
/// <c>transcoder_transcode_duration_seconds{top_rung}</c>, the wall time of a ladder encode by its highest rendition
/// (one ffmpeg process encodes every rung of a job together, so that is the resolution a time belongs to);
/// <c>transcoder_storage_uploaded_bytes_total</c>, bytes of renditions written to the bucket; and
/// <c>transcoder_webhooks_deliveries_total{outcome}</c>. Per silo: sum them across silos.
/// </summary>
public sealed class WorkerMetrics
{
    private readonly Histogram<double> _transcodeSeconds;
    private readonly Counter<long> _uploadedBytes;
    private readonly Counter<long> _webhooks;

    public WorkerMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(ServiceDefaultsExtensions.MeterName);
        _transcodeSeconds = meter.CreateHistogram("transcoder.transcode.duration", "s", "Wall time of a ladder encode, by its highest rendition.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 2, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200] });
        _uploadedBytes = meter.CreateCounter<long>("transcoder.storage.uploaded", "By", "Bytes of renditions written to the bucket.");
        _webhooks = meter.CreateCounter<long>("transcoder.webhooks.deliveries", "{attempt}", "Webhook delivery attempts, by outcome: delivered, retried or abandoned.");

        // Counters start at zero, so a rate or an increase over them is 0 rather than absent before the first event.
        _uploadedBytes.Add(0);
        foreach (var outcome in new[] { "delivered", "retried", "abandoned" })
        {
            _webhooks.Add(0, new KeyValuePair<string, object?>("outcome", outcome));
        }
    }

    public void Transcoded(string topRung, TimeSpan elapsed) =>
        _transcodeSeconds.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("top_rung", topRung));

    public void Uploaded(long bytes) => _uploadedBytes.Add(bytes);

    public void WebhookAttempted(string outcome) => _webhooks.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
}
