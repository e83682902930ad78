namespace Transcoder.Abstractions;

/// <summary>How the source of a job reaches the service.</summary>
public enum JobInputKind
{
    /// <summary>An http(s) URL the worker fetches itself, with SSRF protection.</summary>
    Url = 0,

    /// <summary>A file the API already stored in the object store; <see cref="JobInput.Location"/> is its key.</summary>
    Upload = 1,
}

/// <summary>The source of a job.</summary>
/// <param name="Kind">Whether <paramref name="Location"/> is a URL or an object key.</param>
/// <param name="Location">The URL, or the object key of an uploaded file.</param>
/// <param name="FileName">The name the client gave the upload, for display only.</param>
/// <param name="SizeBytes">The upload's size when known.</param>
[GenerateSerializer, Immutable, Alias("transcoder.job-input")]
public sealed record JobInput(
    [property: Id(0)] JobInputKind Kind,
    [property: Id(1)] string Location,
    [property: Id(2)] string? FileName = null,
    [property: Id(3)] long? SizeBytes = null);
