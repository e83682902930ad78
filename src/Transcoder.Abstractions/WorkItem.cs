namespace Transcoder.Abstractions;

/// <summary>One attempt at a job, handed to a worker.</summary>
/// <param name="JobId">The job.</param>
/// <param name="RunId">Fencing token of this attempt: reports carrying another run id are refused.</param>
/// <param name="Attempt">1 for the first attempt.</param>
/// <param name="Tenant">The owner; outputs go under this prefix.</param>
/// <param name="Input">The source.</param>
[GenerateSerializer, Immutable, Alias("transcoder.work-item")]
public sealed record WorkItem(
    [property: Id(0)] Guid JobId,
    [property: Id(1)] Guid RunId,
    [property: Id(2)] int Attempt,
    [property: Id(3)] string Tenant,
    [property: Id(4)] JobInput Input);

/// <summary>What a finished run produced.</summary>
/// <param name="Renditions">The ladder, highest first.</param>
/// <param name="HlsKey">Object key of the HLS master playlist.</param>
/// <param name="DashKey">Object key of the DASH manifest.</param>
/// <param name="DurationSeconds">Duration of the output.</param>
/// <param name="Cost">CPU time and its price.</param>
/// <param name="PosterKey">Object key of the poster image, if any.</param>
/// <param name="StoryboardKey">Object key of the WebVTT storyboard track, if any.</param>
/// <param name="ContentHash">SHA-256 of the input's bytes (hex).</param>
/// <param name="LadderHash">Fingerprint of the ladder settings the outputs were made with.</param>
/// <param name="ReusedFrom">The completed job whose outputs these are, when the run found the same input and ladder done already.</param>
[GenerateSerializer, Immutable, Alias("transcoder.transcode-output")]
public sealed record TranscodeOutput(
    [property: Id(0)] System.Collections.Immutable.ImmutableArray<Rendition> Renditions,
    [property: Id(1)] string HlsKey,
    [property: Id(2)] string DashKey,
    [property: Id(3)] double DurationSeconds,
    [property: Id(4)] JobCost? Cost = null,
    [property: Id(5)] string? PosterKey = null,
    [property: Id(6)] string? StoryboardKey = null,
    [property: Id(7)] string? ContentHash = null,
    [property: Id(8)] string? LadderHash = null,
    [property: Id(9)] Guid? ReusedFrom = null);
