using Transcoder.Abstractions;

namespace Transcoder.Grains;

/// <summary>The persisted state of a job grain.</summary>
[GenerateSerializer, Alias("transcoder.job-state")]
public sealed class JobState
{
    /// <summary>Null until the job is submitted.</summary>
    [Id(0)] public JobSnapshot? Job { get; set; }

    /// <summary>Fencing token of the attempt that may report; null when none runs.</summary>
    [Id(1)] public Guid? CurrentRun { get; set; }

    /// <summary>The worker grain holding the current run.</summary>
    [Id(2)] public string? CurrentWorker { get; set; }

    /// <summary>When a queued job may be dispatched again (retry backoff).</summary>
    [Id(3)] public DateTimeOffset? NotBefore { get; set; }

    /// <summary>Object-key prefixes of runs that did not become the job's output and still need removing.</summary>
    [Id(4)] public List<string> Garbage { get; set; } = [];
}
