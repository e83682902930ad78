namespace Transcoder.Abstractions;

/// <summary>An output option the source cannot give: the field ("outputs.renditions[0].height") and why.</summary>
[GenerateSerializer, Immutable, Alias("transcoder.output-refusal")]
public sealed record OutputRefusal([property: Id(0)] string Field, [property: Id(1)] string Message);

/// <summary>
/// Checks a submission's outputs against its source before the job exists (an upload, already in the bucket), so a
/// rung above the source's height or a clip past its end is a 400 naming the field rather than a failed job. A
/// stateless worker on any silo: silos have the prober.
/// </summary>
public interface IOutputCheckGrain : IGrainWithIntegerKey
{
    /// <summary>The first output the source cannot give, or null (also when the source cannot be read here: the job then fails as it would).</summary>
    Task<OutputRefusal?> CheckAsync(JobInput input, TrackOptions? tracks, OutputOptions outputs);
}

/// <summary>What the check grain runs on its silo.</summary>
public interface IOutputChecks
{
    /// <inheritdoc cref="IOutputCheckGrain.CheckAsync"/>
    Task<OutputRefusal?> CheckAsync(JobInput input, TrackOptions? tracks, OutputOptions outputs, CancellationToken cancellationToken);
}
