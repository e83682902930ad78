namespace Transcoder.Abstractions;

/// <summary>The source of a job as its probe found it: what the job page shows about the input.</summary>
/// <param name="Container">ffprobe's name of the container format (e.g. "mov,mp4,m4a,3gp,3g2,mj2").</param>
/// <param name="SizeBytes">The input's size.</param>
/// <param name="DurationSeconds">The container's duration; 0 when unknown.</param>
/// <param name="VideoCodec">The codec of the video the ladder is made from; null for audio only.</param>
/// <param name="Width">Its coded width.</param>
/// <param name="Height">Its coded height.</param>
/// <param name="FrameRate">Its average frame rate; 0 when unknown.</param>
/// <param name="AudioCodec">The codec of the audio the ladder carries; null for none.</param>
/// <param name="AudioChannels">Its channels.</param>
/// <param name="AudioTracks">Audio streams in the input.</param>
/// <param name="TextTracks">Subtitle streams in the input.</param>
[GenerateSerializer, Immutable, Alias("transcoder.source-facts")]
public sealed record SourceFacts(
    [property: Id(0)] string Container,
    [property: Id(1)] long SizeBytes,
    [property: Id(2)] double DurationSeconds,
    [property: Id(3)] string? VideoCodec,
    [property: Id(4)] int? Width,
    [property: Id(5)] int? Height,
    [property: Id(6)] double? FrameRate,
    [property: Id(7)] string? AudioCodec,
    [property: Id(8)] int? AudioChannels,
    [property: Id(9)] int AudioTracks,
    [property: Id(10)] int TextTracks);
