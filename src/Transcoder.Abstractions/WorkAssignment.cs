namespace Transcoder.Abstractions;

/// <summary>The kinds of work a job's plan is made of.</summary>
public enum WorkItemKind
{
    /// <summary>
    /// The title: fetch, probe, plan; a short title is encoded whole here (every rendition from one decode), a long one
    /// is split into <see cref="Chunk"/> items while this run encodes the audio and text, then joins the chunks'
    /// segments into the package and publishes it.
    /// </summary>
    Ladder = 0,

    /// <summary>A span of a long title's video, encoded into every rung from one decode of that span.</summary>
    Chunk = 1,
}

/// <summary>
/// One run of one work item: the item's id within its job, and the run id that fences it. A job accepts reports
/// only from the current run of each item, so a run presumed lost that reports late changes nothing.
/// </summary>
[GenerateSerializer, Immutable, Alias("transcoder.work-run")]
public readonly record struct WorkRun([property: Id(0)] string ItemId, [property: Id(1)] Guid RunId);

/// <summary>A silo's claim on a queued work item: which item, and where it would run.</summary>
/// <param name="ItemId">The item the silo claimed.</param>
/// <param name="Worker">The worker key of the claiming silo (see <see cref="WorkerKeys"/>).</param>
/// <param name="Node">The silo's readable name, shown as the job's processing node.</param>
[GenerateSerializer, Immutable, Alias("transcoder.work-claim")]
public sealed record WorkClaim([property: Id(0)] string ItemId, [property: Id(1)] string Worker, [property: Id(2)] string Node);

/// <summary>What a silo is to do: one run of one work item of a job.</summary>
/// <param name="JobId">The job.</param>
/// <param name="Run">The item and the run id every report must carry.</param>
/// <param name="Kind">What the item is.</param>
/// <param name="Attempt">1 for the item's first attempt.</param>
/// <param name="Tenant">The owner; outputs go under its prefix.</param>
/// <param name="Input">The job's source.</param>
/// <param name="Tracks">What the job asks of its audio and text tracks; null for the defaults.</param>
/// <param name="Chunk">For a chunk item: which chunk of which split.</param>
/// <param name="Outputs">What the job asks its package to be made of; null for the defaults.</param>
[GenerateSerializer, Immutable, Alias("transcoder.work-assignment")]
public sealed record WorkAssignment(
    [property: Id(0)] Guid JobId,
    [property: Id(1)] WorkRun Run,
    [property: Id(2)] WorkItemKind Kind,
    [property: Id(3)] int Attempt,
    [property: Id(4)] string Tenant,
    [property: Id(5)] JobInput Input,
    [property: Id(6)] TrackOptions? Tracks = null,
    [property: Id(7)] ChunkAssignment? Chunk = null,
    [property: Id(8)] OutputOptions? Outputs = null);

/// <summary>Worker keys: the parsable address of a silo, which changes when the silo restarts.</summary>
public static class WorkerKeys
{
    public static string For(SiloAddress silo) => silo.ToParsableString();
}
