using System.Globalization;
using System.Text.RegularExpressions;
using Transcoder.Testing;

namespace Transcoder.Media.Tests;

/// <summary>What ffmpeg and ffprobe say of pictures and streams, for comparing outputs with their sources.</summary>
internal static partial class Pictures
{
    /// <summary>PSNR of one image (or the first frame of a video) against another, as ffmpeg's psnr filter measures it.</summary>
    public static async Task<double> PsnrAsync(string reference, string image)
    {
        var log = await TestClips.RunAsync("ffmpeg", ["-hide_banner", "-v", "error", "-i", image, "-i", reference, "-lavfi", "[0:v]trim=end_frame=1[a];[1:v]trim=end_frame=1[b];[a][b]psnr=stats_file=-", "-f", "null", "-"]);
        var average = PsnrAverage().Match(log).Groups[1].Value;
        return average == "inf" ? double.PositiveInfinity : double.Parse(average, CultureInfo.InvariantCulture);
    }

    /// <summary>The frame of <paramref name="video"/> at <paramref name="seconds"/> as ffmpeg's own exact seek gives it, scaled if asked, as a PNG.</summary>
    public static async Task<string> FrameAtAsync(string video, double seconds, string path, string? scale = null)
    {
        await TestClips.RunAsync("ffmpeg", ["-hide_banner", "-v", "error", "-y", "-ss", seconds.ToString("0.######", CultureInfo.InvariantCulture), "-i", video,
            "-frames:v", "1", .. scale is null ? Array.Empty<string>() : ["-vf", $"scale={scale}:flags=bicubic"], path]);
        return path;
    }

    /// <summary>Frames in a video's first stream, decoded and counted.</summary>
    public static async Task<int> CountAsync(string path) => int.Parse(
        (await TestClips.RunAsync("ffprobe", ["-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", path])).Trim(),
        CultureInfo.InvariantCulture);

    [GeneratedRegex(@"psnr_avg:(\S+)")]
    private static partial Regex PsnrAverage();
}
