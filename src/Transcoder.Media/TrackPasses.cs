using Microsoft.Extensions.Options;
using Transcoder.Abstractions;
using Transcoder.Captions;
using Transcoder.Media.Packaging;

namespace Transcoder.Media;

/// <summary>What a pass over the source's tracks found, and the CPU time it took.</summary>
public sealed record TrackPassResult<T>(T Value, double CpuSeconds);

/// <summary>
/// The short ffmpeg passes beside the ladder's encode: reading the source's text subtitles as WebVTT, and measuring
/// loudness (of the source before the encode, of the renditions after it). Each reads only the streams it needs.
/// </summary>
public sealed class TrackPasses(FfmpegProcess ffmpeg, IOptions<MediaOptions> options, IOptions<InputLimits> limits)
{
    /// <summary>The cues of each of the plan's text tracks that come from the source, by representation id.</summary>
    /// <exception cref="MediaException">A subtitle stream cannot be read as text.</exception>
    public async Task<TrackPassResult<Dictionary<string, IReadOnlyList<Cue>>>> ReadSourceTextAsync(
        LadderPlan plan, string inputPath, string folder, CancellationToken cancellationToken)
    {
        var tracks = plan.TextTracks.Where(t => t.StreamIndex is not null).ToList();
        var cues = new Dictionary<string, IReadOnlyList<Cue>>(StringComparer.Ordinal);
        if (tracks.Count == 0)
        {
            return new(cues, 0);
        }

        Directory.CreateDirectory(folder);
        var files = tracks.Select(t => (Stream: t.StreamIndex!.Value, Path: Path.Combine(folder, $"source-{t.Id}.vtt"))).ToList();
        FfmpegRun run;
        try
        {
            run = await ffmpeg.RunAsync(Request(FfmpegArguments.ForTextTracks(inputPath, files, limits.Value.FormatAllowList), plan.Duration), cancellationToken);
        }
        catch (MediaException ex) when (ex.Kind == MediaErrorKind.EncodeFailed)
        {
            throw new MediaException(MediaErrorKind.SubtitleUnreadable,
                $"A subtitle stream (of {string.Join(", ", files.Select(f => $"#{f.Stream}"))}) could not be read as text.", ex, ex.StderrTail);
        }

        for (var i = 0; i < tracks.Count; i++)
        {
            var bytes = File.Exists(files[i].Path) ? await File.ReadAllBytesAsync(files[i].Path, cancellationToken) : [];
            try
            {
                // What ffmpeg wrote is WebVTT; cues past the end of the title are not shown by anyone.
                var read = bytes.Length == 0 ? [] : CaptionFile.Read(bytes, $"stream #{files[i].Stream}", CaptionFormat.WebVtt);
                var end = plan.ClipEndSeconds is { } clipEnd ? TimeSpan.FromSeconds(clipEnd) : plan.Duration;
                cues[tracks[i].Id] = [.. read.Where(c => end <= TimeSpan.Zero || c.Start < end)];
            }
            catch (CaptionException ex)
            {
                throw new MediaException(MediaErrorKind.SubtitleUnreadable, $"Subtitle stream #{files[i].Stream} could not be read: {ex.Message}", ex);
            }
        }

        return new(cues, run.CpuSeconds);
    }

    /// <summary>The plan with the source loudness of every audio track measured, for the encode's second pass.</summary>
    public async Task<TrackPassResult<LadderPlan>> MeasureSourceLoudnessAsync(LadderPlan plan, string inputPath, CancellationToken cancellationToken)
    {
        var tracks = plan.AudioTracks.Where(a => a.Loudness is not null).ToList();
        if (tracks.Count == 0)
        {
            return new(plan, 0);
        }

        // Each rendition is measured as it will be made: its stream in its own channel layout.
        var target = tracks[0].Loudness!.Target;
        var (measured, cpu) = await MeasureAsync([inputPath], [.. tracks.Select(t => (0, t.StreamIndex, t.Channels))], target, plan.Duration, cancellationToken, plan);
        var byId = tracks.Select((t, i) => (t.Id, i)).ToDictionary(p => p.Id, p => measured[p.i], StringComparer.Ordinal);
        return new(plan with
        {
            AudioTracks = [.. plan.AudioTracks.Select(a => a.Loudness is { } l ? a with { Loudness = l with { Source = byId[a.Id] } } : a)],
        }, cpu);
    }

    /// <summary>
    /// After the encode, for the tracks the job normalised: each rendition's loudness beside its source's, by
    /// representation id. Linear is whether one gain could reach the target within its true peak (loudnorm's own rule).
    /// </summary>
    public async Task<TrackPassResult<Dictionary<string, LoudnessFigures>>> MeasureRenditionLoudnessAsync(
        LadderPlan plan, string encodeFolder, CancellationToken cancellationToken)
    {
        var normalised = plan.AudioTracks.Where(a => a.Loudness is { Source: not null }).ToList();
        var figures = new Dictionary<string, LoudnessFigures>(StringComparer.Ordinal);
        if (normalised.Count == 0)
        {
            return new(figures, 0);
        }

        var target = normalised[0].Loudness!.Target;
        var files = normalised.Select(a => Path.Combine(encodeFolder, PackageLayout.EncoderOutput(a.Id))).ToList();
        var (output, cpu) = await MeasureAsync(files, [.. normalised.Select((a, i) => (i, 0, a.Channels))], target, plan.Duration, cancellationToken);
        for (var i = 0; i < normalised.Count; i++)
        {
            var source = normalised[i].Loudness!.Source!;
            var linear = source.TruePeakDb + (target.TargetLufs - source.IntegratedLufs) <= target.TruePeakDb;
            figures[normalised[i].Id] = new LoudnessFigures(Math.Round(source.IntegratedLufs, 2), Math.Round(source.TruePeakDb, 2),
                Math.Round(output[i].IntegratedLufs, 2), Math.Round(output[i].TruePeakDb, 2), linear);
        }

        return new(figures, cpu);
    }

    private async Task<(IReadOnlyList<LoudnessMeasurement> Measured, double CpuSeconds)> MeasureAsync(
        IReadOnlyList<string> inputs, IReadOnlyList<(int Input, int Stream, int Channels)> streams, LoudnessTarget target, TimeSpan duration, CancellationToken cancellationToken,
        LadderPlan? clip = null)
    {
        var report = new LoudnessReport();
        var arguments = FfmpegArguments.ForLoudness(inputs, streams, target, limits.Value.FormatAllowList + ",mov", clip);
        var run = await ffmpeg.RunAsync(Request(arguments, duration) with { OnStderr = report.Add }, cancellationToken);
        var measured = report.Measurements;
        if (measured.Count != streams.Count)
        {
            throw new MediaException(MediaErrorKind.EncodeFailed,
                $"The loudness pass measured {measured.Count} of {streams.Count} audio streams.", stderrTail: run.StderrTail);
        }

        return (measured, run.CpuSeconds);
    }

    private FfmpegRequest Request(IReadOnlyList<string> arguments, TimeSpan duration) =>
        new(arguments, duration, options.Value.TimeLimit(duration), options.Value.CpuTimeLimit(duration));
}
