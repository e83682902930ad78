using System.Globalization;
using Transcoder.Abstractions;

namespace Transcoder.Media.Packaging;

/// <summary>
/// File names inside a package (and so under its prefix in the bucket), and of the encoder's own outputs in the run's
/// scratch folder. Representations are named by kind and order: "v0" the largest H.264 rendition ("vh0" HEVC's,
/// "va0" AV1's), "a0" the first audio track.
/// </summary>
public static class PackageLayout
{
    public const string HlsMaster = "master.m3u8";
    public const string DashManifest = "manifest.mpd";
    public const string Poster = "poster.jpg";
    public const string StoryboardImage = "storyboard.jpg";
    public const string StoryboardTrack = "storyboard.vtt";

    /// <summary>Where chunks put the stills the title run makes its poster and storyboard from; removed once it has.</summary>
    public const string PartsFolder = "parts";

    /// <summary>A storyboard thumbnail as a chunk writes it, numbered title-wide from 0 (an image2 pattern).</summary>
    public const string ThumbnailPattern = "thumb-%05d.jpg";

    /// <summary>Thumbnail <paramref name="number"/> (title-wide, from 0) as <see cref="ThumbnailPattern"/> names it.</summary>
    public static string Thumbnail(int number) => string.Create(CultureInfo.InvariantCulture, $"thumb-{number:00000}.jpg");

    /// <summary>The DASH templates matching <see cref="Init"/> and <see cref="Segment"/>.</summary>
    public const string InitTemplate = "init-$RepresentationID$.m4s";
    public const string SegmentTemplate = "chunk-$RepresentationID$-$Number%05d$.m4s";

    public static string VideoId(int rung) => string.Create(CultureInfo.InvariantCulture, $"v{rung}");

    /// <summary>A rung's id in a codec: "v0" in H.264, "vh0" in HEVC, "va0" in AV1.</summary>
    public static string VideoId(VideoCodec codec, int rung) => string.Create(CultureInfo.InvariantCulture, $"{codec.IdPrefix}{rung}");

    public static string AudioId(int track) => string.Create(CultureInfo.InvariantCulture, $"a{track}");

    public static string TextId(int track) => string.Create(CultureInfo.InvariantCulture, $"t{track}");

    /// <summary>A text rendition as one WebVTT file.</summary>
    public static string TextFile(string representation) => $"text-{representation}.vtt";

    /// <summary>A WebVTT segment of a text rendition.</summary>
    public static string TextSegment(string representation, int number) =>
        string.Create(CultureInfo.InvariantCulture, $"chunk-{representation}-{number:00000}.vtt");

    public static string Init(string representation) => $"init-{representation}.m4s";

    public static string Segment(string representation, int number) =>
        string.Create(CultureInfo.InvariantCulture, $"chunk-{representation}-{number:00000}.m4s");

    /// <summary>A representation's HLS media playlist.</summary>
    public static string MediaPlaylist(string representation) => $"media_{representation}.m3u8";

    /// <summary>An MP4 download of a rung ("download-720p.mp4"), or the audio download ("download-audio.m4a").</summary>
    public static string Download(DownloadFormat format, string? rungName) =>
        format == DownloadFormat.M4a ? "download-audio.m4a" : $"download-{rungName}.mp4";

    /// <summary>The <paramref name="number"/>-th still (from 1, in time order) the job asked for.</summary>
    public static string Still(int number, StillFormat format) =>
        string.Create(CultureInfo.InvariantCulture, $"still-{number:000}.{(format == StillFormat.Webp ? "webp" : "jpg")}");

    /// <summary>What the encoder writes for a representation, in its own folder: fragmented MP4 the segmenter cuts.</summary>
    public static string EncoderOutput(string representation) => $"{representation}.mp4";
}
