using System.Globalization;
using Microsoft.Extensions.Options;

namespace Transcoder.Media;

/// <summary>How close a rendition is to its source: PSNR (dB) and SSIM over the sampled frames.</summary>
public sealed record RenditionQuality(double Psnr, double Ssim, int SampledFrames);

/// <summary>The quality of every rendition of a finished encode, and what measuring it cost.</summary>
public sealed record QualityReport(IReadOnlyList<RenditionQuality> Renditions, double CpuSeconds);

/// <summary>
/// Measures quality instead of assuming it: each rendition (its segments joined into one file) against the
/// source conditioned and scaled exactly as the encode saw it, on evenly spaced sampled frames.
/// </summary>
public sealed class QualityMeter(FfmpegProcess ffmpeg, LadderEncoder encoder, IOptions<InputLimits> limits)
{
    /// <summary>At most this many frames are compared per rendition.</summary>
    public const int MaxSampledFrames = 120;

    public async Task<QualityReport> MeasureAsync(LadderPlan plan, string inputPath, string outputFolder, string workFolder,
        CancellationToken cancellationToken)
    {
        if (plan.Rungs.Length == 0)
        {
            return new QualityReport([], 0);
        }

        Directory.CreateDirectory(workFolder);
        var renditions = new List<string>();
        var stats = new List<(string Psnr, string Ssim)>();
        for (var i = 0; i < plan.Rungs.Length; i++)
        {
            renditions.Add(await JoinAsync(outputFolder, i, Path.Combine(workFolder, Invariant($"rendition-{i}.mp4")), cancellationToken));
            stats.Add((Path.Combine(workFolder, Invariant($"psnr-{i}.log")), Path.Combine(workFolder, Invariant($"ssim-{i}.log"))));
        }

        var windows = Windows(plan);
        var framesPerWindow = windows[0].Length * plan.FrameRate.ToDouble();
        var sampleEvery = Math.Max(1, (int)Math.Ceiling(framesPerWindow * windows.Count / MaxSampledFrames));
        var psnr = renditions.Select(_ => new List<string>()).ToList();
        var ssim = renditions.Select(_ => new List<string>()).ToList();
        double cpu = 0;
        foreach (var window in windows)
        {
            var arguments = FfmpegArguments.ForQuality(plan, inputPath, renditions, stats, window, sampleEvery, limits.Value.FormatAllowList);
            var run = await ffmpeg.RunAsync(arguments, TimeSpan.FromSeconds(window.Length), encoder.TimeLimit(plan.Duration),
                encoder.CpuTimeLimit(plan.Duration), workFolder, null, cancellationToken);
            cpu += run.CpuSeconds;
            for (var i = 0; i < stats.Count; i++)
            {
                psnr[i].AddRange(File.ReadAllLines(stats[i].Psnr));
                ssim[i].AddRange(File.ReadAllLines(stats[i].Ssim));
            }
        }

        return new QualityReport([.. psnr.Select((lines, i) => Summarize(lines, ssim[i]))], cpu);
    }

    /// <summary>
    /// Where quality is sampled: the whole video when it is short; otherwise a few seconds at four evenly
    /// spread points, starting on frame boundaries so source and rendition frames pair up exactly. Only those
    /// seconds are decoded, which keeps measurement cheap next to the encode however long the video is.
    /// </summary>
    internal static IReadOnlyList<(double Start, double Length)> Windows(LadderPlan plan)
    {
        const double Length = 3;
        var duration = plan.Duration.TotalSeconds;
        if (duration <= 4 * Length)
        {
            return [(0, duration)];
        }

        var rate = plan.FrameRate.ToDouble();
        return [.. new[] { 0.125, 0.375, 0.625, 0.875 }.Select(at => (Math.Floor(((duration * at) - (Length / 2)) * rate) / rate, Length))];
    }

    /// <summary>
    /// PSNR from the mean squared error over all sampled frames (not the mean of per-frame PSNR, which
    /// over-weights easy frames); SSIM as the mean of per-frame "All" values.
    /// </summary>
    internal static RenditionQuality Summarize(IReadOnlyList<string> psnrLines, IReadOnlyList<string> ssimLines)
    {
        var mse = psnrLines.Select(l => Field(l, "mse_avg:")).OfType<double>().ToList();
        var ssim = ssimLines.Select(l => Field(l, "All:")).OfType<double>().ToList();
        if (mse.Count == 0 || ssim.Count == 0)
        {
            throw new MediaException(MediaErrorKind.EncodeFailed, "Quality measurement produced no frames.");
        }

        var meanMse = mse.Average();
        var psnr = meanMse <= 0 ? 100 : Math.Min(100, 10 * Math.Log10(255.0 * 255.0 / meanMse));
        return new RenditionQuality(Math.Round(psnr, 2), Math.Round(ssim.Average(), 5), mse.Count);
    }

    private static double? Field(string line, string name)
    {
        var start = line.IndexOf(name, StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        start += name.Length;
        var end = line.IndexOf(' ', start);
        var text = end < 0 ? line[start..] : line[start..end];
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;
    }

    /// <summary>The init segment and every media segment of a rendition, in order, as one fragmented MP4.</summary>
    private static async Task<string> JoinAsync(string folder, int representation, string path, CancellationToken cancellationToken)
    {
        var (init, segments) = LadderPackager.ReadPlaylist(folder, representation);
        await using var joined = File.Create(path);
        foreach (var part in segments.Select(s => s.Uri).Prepend(init))
        {
            await using var source = File.OpenRead(Path.Combine(folder, part));
            await source.CopyToAsync(joined, cancellationToken);
        }

        return path;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
