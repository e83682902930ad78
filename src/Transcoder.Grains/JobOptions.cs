using System.ComponentModel.DataAnnotations;
using Transcoder.Abstractions;

namespace Transcoder.Grains;

/// <summary>How jobs are driven. Section "Jobs".</summary>
public sealed class JobOptions
{
    public const string SectionName = "Jobs";

    /// <summary>Attempts before a job fails for good (retryable failures only). Default 3.</summary>
    [Range(1, JobSpec.MostAttempts)]
    public int MaxAttempts { get; set; } = JobSpec.DefaultMaxAttempts;

    /// <summary>Delay before the first retry; doubled each time, with jitter. Default 2 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// A running attempt that reports nothing for this long is presumed lost (its silo died) and retried.
    /// Workers report at least every few seconds while they run. Default 60 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:05", "01:00:00")]
    public TimeSpan LeaseTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often a running job checks that its run still reports. Default 10 s.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan WatchdogPeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Minimum time between two writes of progress to the job table. Default 5 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan ProgressPersistInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Most jobs a tenant may have queued or running; a submission beyond it is refused (HTTP 429) until some
    /// end. Checked per commit, so several silos committing at once may let a tenant exceed it by a batch.
    /// Default 100,000.
    /// </summary>
    [Range(1, int.MaxValue)]
    public int MaxJobsInFlightPerTenant { get; set; } = 100_000;

    /// <summary>Tenants with a cap of their own (a plan, say): <c>Jobs:TenantCaps:0:Tenant</c> and <c>:MaxJobsInFlight</c>.</summary>
    public List<TenantJobCap> TenantCaps { get; set; } = [];

    /// <summary>The in-flight cap of <paramref name="tenant"/>.</summary>
    public int JobsInFlightCap(string tenant) =>
        TenantCaps.FirstOrDefault(c => c.Tenant == tenant)?.MaxJobsInFlight ?? MaxJobsInFlightPerTenant;
}

/// <summary>One tenant's cap on jobs in flight.</summary>
public sealed class TenantJobCap
{
    [Required]
    public string Tenant { get; set; } = "";

    [Range(0, int.MaxValue)]
    public int MaxJobsInFlight { get; set; }
}

/// <summary>How many encodes this silo runs at once. Section "Worker".</summary>
public sealed class WorkerOptions
{
    public const string SectionName = "Worker";

    /// <summary>The meter the worker's instruments belong to; the hosts export it.</summary>
    public const string MeterName = "Transcoder";

    /// <summary>Concurrent encodes on this silo. Default: one per two cores, at least one.</summary>
    [Range(1, 256)]
    public int EncodeSlots { get; set; } = Math.Max(1, Environment.ProcessorCount / 2);

    /// <summary>Minimum time between two progress reports of one run. Default 500 ms.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Price of one vCPU-hour, for the cost reported on each job. Default 0.0425 (on-demand, compute-optimized).</summary>
    [Range(typeof(decimal), "0", "100")]
    public decimal DollarsPerVcpuHour { get; set; } = 0.0425m;

    /// <summary>How often a running encode's new segments and playlists are published. Default 1 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan LivePublishInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often an idle silo looks for queued work; submissions and finished runs wake it sooner. Default 500 ms.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// On shutdown, how long running encodes may go on before they are handed back to the queue for another silo.
    /// Keep it under the host's shutdown timeout (and Kubernetes' termination grace period). Default 20 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>A run reports at least this often, even with nothing new; keep it well under the job lease. Default 10 s.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(10);
}
