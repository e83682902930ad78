using System.ComponentModel.DataAnnotations;

namespace Transcoder.Worker;

/// <summary>How this silo runs work. Section "Worker".</summary>
public sealed class WorkerOptions : IValidatableObject
{
    public const string SectionName = "Worker";

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

    /// <summary>How often an idle silo looks for queued work; work queued on this silo and finished runs wake it sooner. Default 500 ms.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// On shutdown, how long running encodes may go on before they are handed back to the queue for another silo.
    /// Keep it under the host's shutdown timeout (and Kubernetes' termination grace period). Default 20 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// The cadence of a run's life signs: each run reports to its job at least this often, and the silo renews its
    /// queue leases as often. Default 10 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long this silo's claim on a work item lasts without renewal: when a silo dies, its items are claimed again
    /// by others after this. Must hold at least three heartbeat intervals. Default 60 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:03", "01:00:00")]
    public TimeSpan LeaseTimeout { get; set; } = TimeSpan.FromSeconds(60);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (LeaseTimeout < HeartbeatInterval * 3)
        {
            yield return new ValidationResult(
                $"Worker:{nameof(LeaseTimeout)} ({LeaseTimeout}) must be at least three Worker:{nameof(HeartbeatInterval)}s ({HeartbeatInterval}): leases are renewed once per heartbeat.",
                [nameof(LeaseTimeout)]);
        }
    }
}
