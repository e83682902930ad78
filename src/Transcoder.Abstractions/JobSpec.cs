namespace Transcoder.Abstractions;

/// <summary>What a client asked for when it submitted a job.</summary>
/// <param name="Tenant">The owner: the token's subject. Every read checks it.</param>
/// <param name="Input">Where the source comes from.</param>
/// <param name="Priority">1 (most urgent) to 10, as BullMQ counts.</param>
/// <param name="MaxAttempts">Attempts before a retryable failure dead-letters the job; null for the service's default.</param>
/// <param name="CallbackUrl">An http(s) URL the service POSTs the job to, signed, when it ends; null for none.</param>
/// <param name="Name">What people call the video: given at submission, or the file's name or the URL's last segment.</param>
/// <param name="Tracks">What to do with the audio and text tracks; null for the defaults.</param>
/// <param name="Outputs">What the package is made of (codecs, rungs, downloads, a clip, stills); null for the defaults.</param>
[GenerateSerializer, Immutable, Alias("transcoder.job-spec")]
public sealed record JobSpec(
    [property: Id(0)] string Tenant,
    [property: Id(1)] JobInput Input,
    [property: Id(2)] int Priority,
    [property: Id(3)] int? MaxAttempts = null,
    [property: Id(4)] string? CallbackUrl = null,
    [property: Id(5)] string? Name = null,
    [property: Id(6)] TrackOptions? Tracks = null,
    [property: Id(7)] OutputOptions? Outputs = null)
{
    /// <summary>The longest name a job may have.</summary>
    public const int MaxNameLength = 200;

    /// <summary>The most attempts a job may ask for.</summary>
    public const int MostAttempts = 10;

    /// <summary>Attempts of a job that names none, unless the service is configured otherwise.</summary>
    public const int DefaultMaxAttempts = 3;

    /// <summary>The most urgent priority.</summary>
    public const int HighestPriority = 1;

    /// <summary>The least urgent priority.</summary>
    public const int LowestPriority = 10;

    /// <summary>The priority of a job that names none.</summary>
    public const int DefaultPriority = 5;
}
