using System.ComponentModel.DataAnnotations;

namespace Transcoder.Media;

/// <summary>Where ffmpeg lives and how long it may run. Section "Media".</summary>
public sealed class MediaOptions
{
    public const string SectionName = "Media";

    /// <summary>Folder holding ffmpeg and ffprobe; empty to use PATH.</summary>
    public string? BinaryFolder { get; set; }

    /// <summary>Per-job scratch folders are made under this folder. Default: the system temp folder.</summary>
    public string ScratchRoot { get; set; } = Path.Combine(Path.GetTempPath(), "transcoder");

    /// <summary>Time ffmpeg gets to quit after 'q' before it is killed. Default 2 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan StopGracePeriod { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>ffprobe's time limit. Default 30 s.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>An encode may take this many times the input's duration before it is stopped. Default 20.</summary>
    [Range(1.0, 1000.0)]
    public double EncodeTimeFactor { get; set; } = 20;

    /// <summary>
    /// An encode may use this many CPU-seconds per second of input before the kernel stops it. Default 60
    /// (a full 2160p ladder at a slow preset stays well under it).
    /// </summary>
    [Range(1.0, 10000.0)]
    public double CpuTimeFactor { get; set; } = 60;

    /// <summary>Added to every encode's time limit, for start-up and short inputs. Default 2 min.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan EncodeTimeFloor { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Wall-clock limit of an ffmpeg run over <paramref name="inputDuration"/> of media: proportional, plus the floor.</summary>
    public TimeSpan TimeLimit(TimeSpan inputDuration) => EncodeTimeFloor + (inputDuration * EncodeTimeFactor);

    /// <summary>CPU-time limit of an ffmpeg run over <paramref name="inputDuration"/> of media: proportional, plus the floor.</summary>
    public TimeSpan CpuTimeLimit(TimeSpan inputDuration) => EncodeTimeFloor + (inputDuration * CpuTimeFactor);
}
