using System.Collections.Immutable;
using Transcoder.Abstractions;

namespace Transcoder.Grains.Lifecycle;

/// <summary>
/// What a decision asks the grain to do. The grain applies them in one fixed order, whatever order a decision lists
/// them in (see <see cref="TranscodeJobGrain"/>): stop runs, queue items, save the state, dequeue items, write the
/// row, publish, remove objects, then logs and metrics.
/// </summary>
public abstract record JobEffect;

/// <summary>Stop a run on its silo (bounded wait) before anything else, so it has removed what it wrote.</summary>
public sealed record StopRun(string Worker, WorkRun Run) : JobEffect;

/// <summary>Make the item's queue row wait for a claim from <paramref name="ReadyAt"/> on (added if missing, unclaimed if claimed).</summary>
public sealed record QueueItem(string ItemId, DateTimeOffset ReadyAt) : JobEffect;

/// <summary>Write the grain's state.</summary>
public sealed record SaveState : JobEffect;

/// <summary>Remove queue rows: these items', or every row of the job when <paramref name="ItemIds"/> is empty.</summary>
public sealed record DequeueItems(ImmutableArray<string> ItemIds) : JobEffect
{
    public static DequeueItems All { get; } = new([]);
}

/// <summary>Write the jobs row; <paramref name="ProgressOnly"/> rows are written at most once per persist interval.</summary>
public sealed record ProjectRow(bool ProgressOnly = false) : JobEffect;

/// <summary>Publish the job as it now stands on its stream.</summary>
public sealed record PublishProgress : JobEffect;

/// <summary>Remove what one run wrote to the bucket.</summary>
public sealed record DeleteRunOutputs(Guid RunId) : JobEffect;

/// <summary>Remove everything under the job's prefix, but its uploaded source when <paramref name="KeepSource"/>.</summary>
public sealed record DeleteJobObjects(bool KeepSource) : JobEffect;

/// <summary>Something worth a log line and a metric; changes nothing.</summary>
public abstract record JobNote : JobEffect;

public sealed record RunStarted(WorkRun Run, string Node, int Attempt) : JobNote;

/// <summary>Why a run was presumed lost.</summary>
public enum RunLoss
{
    /// <summary>Its silo stopped renewing the claim and another silo claimed the item.</summary>
    Reclaimed,

    /// <summary>It stopped reporting for longer than the heartbeat timeout.</summary>
    Silent,
}

public sealed record RunLost(WorkRun Run, string? Node, RunLoss Reason) : JobNote;

/// <summary>The silo running <paramref name="Run"/> claimed its item again and was given the same run.</summary>
public sealed record RunClaimedAgain(WorkRun Run, string Node) : JobNote;

public sealed record RetryScheduled(WorkRun Run, JobError Error, int Attempts, TimeSpan Delay) : JobNote;

public sealed record JobDeadLettered(JobError Error, int Attempts) : JobNote;

public sealed record JobFailed(JobError Error, int Attempts) : JobNote;

public sealed record JobCompleted(JobOutputs Outputs) : JobNote;

public sealed record JobCanceled : JobNote;

public sealed record JobRequeued : JobNote;

public sealed record SplitPlanned(WorkRun Run, ChunkSplit Split) : JobNote;

public sealed record RunHandedBackNote(WorkRun Run) : JobNote;

/// <summary>A run that is not current reported an ending; it was refused.</summary>
public sealed record StaleReport(WorkRun Run) : JobNote;

/// <summary>
/// The outcome of one event: the job's new state, what to do about it, whether a report was taken, and the run to
/// start (for a claim).
/// </summary>
public sealed record JobDecision(JobState? State, ImmutableArray<JobEffect> Effects, bool Accepted = true, WorkAssignment? Assignment = null)
{
    public static JobDecision Unchanged(JobState? state, bool accepted = true) => new(state, [], accepted);

    public bool Has<TEffect>() where TEffect : JobEffect => Effects.OfType<TEffect>().Any();
}
