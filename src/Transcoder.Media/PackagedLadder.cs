using System.Collections.Immutable;

namespace Transcoder.Media;

/// <summary>A rendition as packaged, with bandwidth measured from the segments ffmpeg wrote.</summary>
/// <param name="Name">E.g. "720p".</param>
/// <param name="Width">Coded width.</param>
/// <param name="Height">Coded height.</param>
/// <param name="Bandwidth">Peak bits per second of any segment (audio included).</param>
/// <param name="AverageBandwidth">Mean bits per second over the whole rendition (audio included).</param>
/// <param name="Codecs">RFC 6381 codecs of video and audio, comma separated.</param>
/// <param name="Playlist">File name of the HLS media playlist.</param>
/// <param name="FrameRate">Frames per second.</param>
public sealed record PackagedRendition(
    string Name,
    int Width,
    int Height,
    long Bandwidth,
    long AverageBandwidth,
    string Codecs,
    string Playlist,
    double FrameRate);

/// <summary>The packaged outputs of one job, ready to upload.</summary>
public sealed record PackagedLadder(
    ImmutableArray<PackagedRendition> Renditions,
    string? AudioPlaylist,
    string HlsMaster,
    string DashManifest,
    double DurationSeconds)
{
    /// <summary>User plus system CPU seconds of the ffmpeg run, as ffmpeg measured them.</summary>
    public double CpuSeconds { get; init; }

    /// <summary>PSNR and SSIM of each video rendition against its scaled source, in rendition order.</summary>
    public IReadOnlyList<RenditionQuality> Quality { get; init; } = [];

    /// <summary>File name of the poster image, if one was made.</summary>
    public string? Poster { get; init; }

    /// <summary>File name of the WebVTT storyboard track (seek previews), if one was made.</summary>
    public string? StoryboardTrack { get; init; }
}
