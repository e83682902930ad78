using System.Diagnostics.Metrics;
using Transcoder.Abstractions;
using Transcoder.ServiceDefaults;

namespace Transcoder.Grains;

/// <summary>
/// How jobs end, as counters for Prometheus (names as exported): <c>transcoder_jobs_completed_total</c>,
/// <c>transcoder_jobs_failed_total{reason}</c> (ended failed: permanent failures and dead letters),
/// <c>transcoder_jobs_retried_total{reason}</c> (attempts failed and requeued with backoff),
/// <c>transcoder_jobs_dead_lettered_total{reason}</c>, and <c>transcoder_job_cost_dollars</c>, the compute cost of
/// each completed job. Counted by the silo whose job grain decided it: sum them across silos.
/// </summary>
public sealed class JobMetrics
{
    private readonly Counter<long> _completed;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _retried;
    private readonly Counter<long> _deadLettered;
    private readonly Histogram<double> _costDollars;

    public JobMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(ServiceDefaultsExtensions.MeterName);
        _completed = meter.CreateCounter<long>("transcoder.jobs.completed", "{job}", "Jobs completed.");
        _failed = meter.CreateCounter<long>("transcoder.jobs.failed", "{job}", "Jobs that ended failed, by error code.");
        _retried = meter.CreateCounter<long>("transcoder.jobs.retried", "{attempt}", "Failed attempts put back in the queue to retry, by error code.");
        _deadLettered = meter.CreateCounter<long>("transcoder.jobs.dead_lettered", "{job}", "Jobs out of attempts, moved to the dead-letter queue, by error code.");
        _costDollars = meter.CreateHistogram("transcoder.job.cost.dollars", "{USD}", "Compute cost of a completed transcode in US dollars.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5] });

        // Counters start at zero, so a rate or an increase over them is 0 rather than absent before the first event.
        foreach (var counter in new[] { _completed, _failed, _retried, _deadLettered })
        {
            counter.Add(0);
        }
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

    private static KeyValuePair<string, object?> Reason(string code) => new("reason", code);
}
