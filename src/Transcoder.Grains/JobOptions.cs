using System.ComponentModel.DataAnnotations;
using Transcoder.Abstractions;
using Transcoder.Grains.Lifecycle;

namespace Transcoder.Grains;

/// <summary>How jobs are driven. Section "Jobs".</summary>
public sealed class JobOptions
{
    public const string SectionName = "Jobs";

    /// <summary>Attempts of each work item before a job fails for good (retryable failures only). Default 3.</summary>
    [Range(1, JobSpec.MostAttempts)]
    public int MaxAttempts { get; set; } = JobSpec.DefaultMaxAttempts;

    /// <summary>Delay before the first retry; doubled each time, with jitter. Default 2 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// A run that reports nothing for this long is presumed lost (stuck, or its reports cannot arrive) and its item
    /// is retried. Runs report at least every <c>Worker:HeartbeatInterval</c>, which must fit in it three times.
    /// Apart from <c>Worker:LeaseTimeout</c>, which frees the queue claims of a silo that stopped renewing them.
    /// Default 60 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:03", "01:00:00")]
    public TimeSpan HeartbeatTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often a job with running items checks that their runs still report. Default 10 s.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan WatchdogPeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Minimum time between two writes of progress to the jobs row. Default 5 s.</summary>
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

    /// <summary>The settings the job lifecycle decides by.</summary>
    public JobRules Rules => new(MaxAttempts, RetryBaseDelay);
}

/// <summary>One tenant's cap on jobs in flight.</summary>
public sealed class TenantJobCap
{
    [Required]
    public string Tenant { get; set; } = "";

    [Range(0, int.MaxValue)]
    public int MaxJobsInFlight { get; set; }
}
