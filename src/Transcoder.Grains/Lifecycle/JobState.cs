using System.Collections.Immutable;
using Transcoder.Abstractions;

namespace Transcoder.Grains.Lifecycle;

/// <summary>Where one work item is.</summary>
public enum WorkItemStatus
{
    /// <summary>In the queue, waiting for a silo to claim it (possibly not before a retry's backoff).</summary>
    Waiting = 0,

    /// <summary>A run is going on somewhere; <see cref="WorkItem.RunId"/> is the only run whose reports count.</summary>
    Running = 1,

    /// <summary>Finished; its run's outputs belong to the job.</summary>
    Done = 2,
}

/// <summary>One unit of a job's plan, and its current (or last) run.</summary>
[GenerateSerializer, Immutable, Alias("transcoder.work-item")]
public sealed record WorkItem
{
    /// <summary>Unique within the job; the queue row's key with the job id.</summary>
    [Id(0)] public required string Id { get; init; }

    [Id(1)] public required WorkItemKind Kind { get; init; }

    [Id(2)] public WorkItemStatus Status { get; init; }

    /// <summary>The fencing token of the item's current run while it runs; of its last run once done.</summary>
    [Id(3)] public Guid? RunId { get; init; }

    /// <summary>The worker key of the silo running the item (where to stop it).</summary>
    [Id(4)] public string? Worker { get; init; }

    /// <summary>The readable name of the silo that runs, or last ran, the item.</summary>
    [Id(5)] public string? Node { get; init; }

    /// <summary>Runs started, less those handed back by a silo shutting down.</summary>
    [Id(6)] public int Attempts { get; init; }

    /// <summary>0 to 100 of this item.</summary>
    [Id(7)] public double Progress { get; init; }

    [Id(8)] public string Stage { get; init; } = JobStages.Queued;

    /// <summary>Its share of the job's progress, relative to the other items.</summary>
    [Id(9)] public double Weight { get; init; } = 1;

    /// <summary>For a chunk item: which chunk of the job's split.</summary>
    [Id(10)] public int? ChunkIndex { get; init; }

    /// <summary>For a chunk item that is done: what it published.</summary>
    [Id(11)] public ChunkOutput? ChunkOutput { get; init; }

    public bool IsRunning(Guid runId) => Status == WorkItemStatus.Running && RunId == runId;
}

/// <summary>The persisted state of a job: what was asked, its plan of work items, and what it has published.</summary>
[GenerateSerializer, Immutable, Alias("transcoder.job-state.v2")]
public sealed record JobState
{
    [Id(0)] public required Guid Id { get; init; }

    [Id(1)] public required JobSpec Spec { get; init; }

    [Id(2)] public required JobStatus Status { get; init; }

    [Id(3)] public required ImmutableArray<WorkItem> Items { get; init; }

    [Id(4)] public required DateTimeOffset CreatedAt { get; init; }

    [Id(5)] public DateTimeOffset UpdatedAt { get; init; }

    [Id(6)] public DateTimeOffset? StartedAt { get; init; }

    [Id(7)] public DateTimeOffset? PlayableAt { get; init; }

    [Id(8)] public DateTimeOffset? CompletedAt { get; init; }

    [Id(9)] public DateTimeOffset? DeadLetteredAt { get; init; }

    [Id(10)] public JobOutputs? Outputs { get; init; }

    [Id(11)] public JobError? Error { get; init; }

    /// <summary>How the title's video was cut into chunks; null for a title encoded whole (or not planned yet).</summary>
    [Id(12)] public ChunkSplit? Split { get; init; }

    /// <summary>The chunk items, in order.</summary>
    public IEnumerable<WorkItem> Chunks => Items.Where(i => i.Kind == WorkItemKind.Chunk).OrderBy(i => i.ChunkIndex);

    public WorkItem? Item(string id) => Items.FirstOrDefault(i => i.Id == id);

    /// <summary>The same job with one item replaced.</summary>
    public JobState With(WorkItem item) => this with { Items = Items.Select(i => i.Id == item.Id ? item : i).ToImmutableArray() };
}

/// <summary>What the job grain persists: the job, null until the grain has seen it.</summary>
[GenerateSerializer, Alias("transcoder.job-grain-state")]
public sealed class JobGrainState
{
    [Id(0)] public JobState? Job { get; set; }
}
