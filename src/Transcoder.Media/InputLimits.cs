using System.ComponentModel.DataAnnotations;

namespace Transcoder.Media;

/// <summary>What inputs are accepted at all, checked before anything is decoded. Section "Limits".</summary>
public sealed class InputLimits
{
    public const string SectionName = "Limits";

    /// <summary>
    /// Demuxers ffprobe and ffmpeg may use. Formats that reference further files (HLS and DASH playlists,
    /// concat lists, image sequences) are deliberately absent. Default: the common upload containers.
    /// </summary>
    [MinLength(1)]
    public List<string> Containers { get; set; } =
    [
        "mov", "mp4", "m4a", "3gp", "3g2", "mj2", "matroska", "webm", "avi", "mpegts", "mpeg", "mpegvideo",
        "flv", "ogg", "asf", "mxf", "dv", "wav", "mp3", "aac", "flac", "h264", "hevc", "m4v",
    ];

    /// <summary>Largest input in bytes. Default 10 GiB.</summary>
    [Range(1, long.MaxValue)]
    public long MaxBytes { get; set; } = 10L * 1024 * 1024 * 1024;

    /// <summary>Longest input. Default 6 hours.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan MaxDuration { get; set; } = TimeSpan.FromHours(6);

    /// <summary>Largest picture, in pixels per frame. Default 8K UHD (7680x4320).</summary>
    [Range(1, 1L << 30)]
    public long MaxPixels { get; set; } = 7680L * 4320;

    /// <summary>Highest source frame rate accepted (output is capped lower by the ladder). Default 240.</summary>
    [Range(1, 1000)]
    public double MaxFrameRate { get; set; } = 240;

    /// <summary>The allow-list as ffmpeg's -format_whitelist takes it.</summary>
    public string FormatAllowList => string.Join(',', Containers);
}
