using System.Globalization;

namespace Transcoder.Media;

/// <summary>
/// File names inside a job's output folder. ffmpeg's DASH muxer names representations by output stream
/// order: the video rungs first (0..n-1), then audio (n).
/// </summary>
public static class LadderLayout
{
    public const string DashManifest = "manifest.mpd";
    public const string HlsMaster = "master.m3u8";
    public const string InitTemplate = "init-$RepresentationID$.m4s";
    public const string SegmentTemplate = "chunk-$RepresentationID$-$Number%05d$.m4s";
    public const string Poster = "poster.jpg";
    public const string StoryboardImage = "storyboard.jpg";
    public const string StoryboardTrack = "storyboard.vtt";

    /// <summary>The HLS media playlist ffmpeg writes for a representation.</summary>
    public static string MediaPlaylist(int representation) =>
        string.Create(CultureInfo.InvariantCulture, $"media_{representation}.m3u8");
}
