using Transcoder.Abstractions;

namespace Transcoder.Grains.Lifecycle;

/// <summary>Something that happened to a job: a call to its grain, or its watchdog noticing a silent run.</summary>
public abstract record JobEvent;

/// <summary>A silo claimed an item from the queue; <paramref name="RunId"/> is the run it would start.</summary>
public sealed record WorkClaimed(WorkClaim Claim, Guid RunId) : JobEvent;

public sealed record RunProgressed(WorkRun Run, double Percent, string Stage) : JobEvent;

public sealed record RunPlayable(WorkRun Run, string HlsKey, string DashKey) : JobEvent;

public sealed record RunCompleted(WorkRun Run, JobOutputs Outputs) : JobEvent;

/// <summary>The title run asks for its video to be chunked; <paramref name="Split"/> carries the package id the grain drew.</summary>
public sealed record SplitRequested(WorkRun Run, ChunkSplit Split) : JobEvent;

public sealed record ChunkCompleted(WorkRun Run, ChunkOutput Output) : JobEvent;

public sealed record RunFailed(WorkRun Run, JobError Error, bool Retryable) : JobEvent;

/// <summary>The run's silo is shutting down and gave the item back unfinished.</summary>
public sealed record RunHandedBack(WorkRun Run) : JobEvent;

/// <summary>The run has not reported for longer than the heartbeat timeout.</summary>
public sealed record RunSilent(WorkRun Run) : JobEvent;

public sealed record CancelRequested : JobEvent;

/// <summary>The owner or an operator asks a dead letter to run again.</summary>
public sealed record RetryRequested : JobEvent;

/// <summary>What a decision may rely on besides the state and the event: the time, a random draw, and the rules.</summary>
/// <param name="Now">The current time.</param>
/// <param name="Jitter">A draw from [0, 1), spreading retries so they do not fall in step.</param>
/// <param name="Rules">The job settings that shape decisions.</param>
public sealed record DecisionContext(DateTimeOffset Now, double Jitter, JobRules Rules);

/// <summary>The settings that shape a job's decisions.</summary>
/// <param name="DefaultMaxAttempts">Attempts of an item whose job names none (jobs older than the setting).</param>
/// <param name="RetryBaseDelay">The wait before the first retry; each later one doubles.</param>
public sealed record JobRules(int DefaultMaxAttempts, TimeSpan RetryBaseDelay)
{
    /// <summary>The longest exponent of the backoff: past it, retries wait the same.</summary>
    public const int MaxBackoffDoublings = 16;

    /// <summary>
    /// The wait after an item's <paramref name="attempts"/>-th failed attempt: the base delay doubled for each
    /// attempt after the first, plus up to a quarter more by <paramref name="jitter"/> (0..1).
    /// </summary>
    public TimeSpan Backoff(int attempts, double jitter) =>
        RetryBaseDelay * Math.Pow(2, Math.Clamp(attempts - 1, 0, MaxBackoffDoublings)) * (1 + (Math.Clamp(jitter, 0, 1) * 0.25));
}
