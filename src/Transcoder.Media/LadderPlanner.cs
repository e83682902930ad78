using System.Collections.Immutable;
using System.Globalization;
using Transcoder.Abstractions;

namespace Transcoder.Media;

/// <summary>Turns a probed source into the ladder to encode. Pure: no I/O.</summary>
public static class LadderPlanner
{
    private const int FallbackFrameRate = 30;

    /// <exception cref="MediaException">
    /// The source has neither video nor audio to encode, lacks a selected language, has too many tracks, or cannot give
    /// what the outputs ask (a rung above its height, a clip or a time past its end; the message names the field).
    /// </exception>
    public static LadderPlan Plan(SourceInfo source, LadderOptions options, TrackOptions? tracks = null, OutputOptions? outputs = null)
    {
        outputs ??= OutputOptions.Default;
        if (source.Video is null && source.Audio is null)
        {
            throw new MediaException(MediaErrorKind.NoVideoOrAudio, "The input has no video or audio stream.");
        }

        var (audio, text, skipped) = TrackPlanner.Plan(source, tracks ?? TrackOptions.Default, options);
        if (source.Video is null && audio.IsEmpty)
        {
            throw new MediaException(MediaErrorKind.UnsupportedCodec, $"The audio codec '{source.Audio!.Codec}' cannot be decoded.");
        }

        var rungs = source.Video is { } video ? PlanRungs(video, options, outputs) : [];
        var frameRate = source.Video is { } v ? PlanFrameRate(v.FrameRate, options.MaxFrameRate) : Rational.Zero;
        var (clipStart, clipEnd, duration) = PlanClip(source, outputs.Clip);
        CheckTimes(outputs, duration, rungs, hasAudio: !audio.IsEmpty);
        var codecs = rungs.IsEmpty ? [VideoCodec.H264] : outputs.Codecs.Select(VideoCodec.For).Distinct().ToImmutableArray();
        var keepsHdr = source.Video is { Hdr: true } && codecs.Any(c => c.KeepsHdr);
        var fixedGop = codecs.Any(c => !c.ForcesKeyframes);
        return new LadderPlan
        {
            Thumbnails = rungs.Length > 0 ? PlanThumbnails(rungs[0], frameRate, duration, options, outputs.PosterSeconds) : null,
            Codecs = codecs,
            Hdr = keepsHdr ? source.Video!.HdrSignal : null,
            ClipStartSeconds = clipStart,
            ClipEndSeconds = clipEnd,
            Rungs = rungs,
            VideoStreamIndex = source.Video?.Index,
            AudioTracks = audio,
            TextTracks = text,
            Skipped = skipped,
            ToneMapFrom = source.Video is { Hdr: true } hdr ? hdr.ColorTransfer : null,
            FrameRate = frameRate,
            DisplayAspect = source.Video is { } d ? DisplayAspect(d) : Rational.One,
            Deinterlace = source.Video?.Interlaced ?? false,
            SquarePixels = source.Video is not { } sv || sv.SampleAspectRatio.Reduce() == Rational.One,
            Duration = duration,
            SegmentSeconds = options.SegmentSeconds,
            FirstSegmentSeconds = fixedGop ? options.SegmentSeconds : options.FirstSegmentSeconds,
            Preset = options.Preset,
            Crf = options.Crf,
            HevcPreset = options.HevcPreset,
            HevcCrf = options.HevcCrf,
            Av1Preset = options.Av1Preset.ToString(CultureInfo.InvariantCulture),
            Av1Crf = options.Av1Crf,
        };
    }

    private static ImmutableArray<PlannedRung> PlanRungs(VideoStreamInfo video, LadderOptions options, OutputOptions outputs)
    {
        var displayWidth = video.DisplayWidth;
        var displayHeight = video.DisplayHeight;
        var portrait = displayHeight > displayWidth;
        var sourceShort = Math.Min(displayWidth, displayHeight);
        var sourceLong = Math.Max(displayWidth, displayHeight);
        var aspect = sourceLong / sourceShort;
        var ordered = options.Rungs.OrderByDescending(r => r.ShortSide).ToList();
        if (!outputs.Renditions.IsEmpty)
        {
            return PlanAskedRungs(outputs.Renditions, ordered, sourceShort, sourceLong, portrait);
        }

        // Never upscale: a rung is kept only if the source is at least its size (and, with a cap, the cap is).
        var cap = outputs.MaxHeight is { } maxHeight && maxHeight < sourceShort ? maxHeight : (int?)null;
        var kept = ordered.Where(r => r.ShortSide <= sourceShort + 0.5 && r.ShortSide <= (cap ?? int.MaxValue)).ToList();
        var result = ImmutableArray.CreateBuilder<PlannedRung>();

        var largestKept = kept.Count > 0 ? kept[0].ShortSide : 0;
        if (cap is { } height && kept.Count == 0)
        {
            // A cap under every rung of the ladder: one rung at the cap, with the smallest rung's rates.
            var shortSide = EvenFloor(height);
            result.Add(MakeRung(shortSide, Math.Min(EvenRound(shortSide * aspect), EvenFloor(sourceLong)), portrait, ordered[^1]));
        }
        else if (cap is null && (kept.Count == 0 || sourceShort >= largestKept * options.NativeRungThreshold))
        {
            // The source sits between rungs (or under the smallest): give it a rung at its own size, with the
            // bitrates of the next rung up so it is not starved.
            // Its size is the source's display size (even, as 4:2:0 needs), not one derived from the aspect ratio: a
            // rounding there would make its pixels other than square.
            var template = ordered.LastOrDefault(r => r.ShortSide > sourceShort) ?? ordered[^1];
            result.Add(MakeRung(EvenFloor(sourceShort), EvenFloor(sourceLong), portrait, template) with { Native = true });
        }

        foreach (var spec in kept)
        {
            var shortSide = EvenFloor(Math.Min(spec.ShortSide, sourceShort));
            var longSide = Math.Min(EvenRound(shortSide * aspect), EvenFloor(sourceLong));
            result.Add(MakeRung(shortSide, longSide, portrait, spec));
        }

        return result.ToImmutable();
    }

    /// <summary>
    /// The rungs a job listed, each no larger than the source: rates from the job, or from the ladder's rung of that
    /// height (scaled by pixels from the nearest taller one when the ladder has none); the source's own size is cut,
    /// not resampled.
    /// </summary>
    private static ImmutableArray<PlannedRung> PlanAskedRungs(ImmutableArray<RenditionRequest> asked, List<RungSpec> ladder, double sourceShort, double sourceLong, bool portrait)
    {
        var result = ImmutableArray.CreateBuilder<PlannedRung>();
        var aspect = sourceLong / sourceShort;
        for (var i = 0; i < asked.Length; i++)
        {
            var height = asked[i].Height;
            if (height > EvenFloor(sourceShort))
            {
                throw Invalid($"outputs.renditions[{i}].height", Invariant($"{height} is above the source's {(portrait ? "width" : "height")} ({EvenFloor(sourceShort)}): a rung is never upscaled."));
            }

            var template = ladder.LastOrDefault(r => r.ShortSide >= height) ?? ladder[^1];
            var scale = Math.Min(1, (double)height * height / ((double)template.ShortSide * template.ShortSide));
            var spec = asked[i].MaxBitrateKbps is { } kbps
                ? new RungSpec { ShortSide = height, MaxRate = kbps * 1000L, Bitrate = kbps * 850L, BufferSize = kbps * 2000L }
                : new RungSpec
                {
                    ShortSide = height,
                    Bitrate = (long)(template.Bitrate * scale),
                    MaxRate = (long)(template.MaxRate * scale),
                    BufferSize = (long)(template.BufferSize * scale),
                };
            var native = height == EvenFloor(sourceShort);
            var longSide = native ? EvenFloor(sourceLong) : Math.Min(EvenRound(height * aspect), EvenFloor(sourceLong));
            result.Add(MakeRung(height, longSide, portrait, spec) with { Native = native });
        }

        return result.ToImmutable();
    }

    /// <summary>The span to encode: the clip (checked against the source), or all of it.</summary>
    private static (double Start, double? End, TimeSpan Duration) PlanClip(SourceInfo source, ClipRange? clip)
    {
        if (clip is null)
        {
            return (0, null, source.Duration);
        }

        var total = source.Duration.TotalSeconds;
        if (total > 0 && clip.StartSeconds >= total)
        {
            throw Invalid("outputs.clip.startSeconds", Invariant($"{clip.StartSeconds} s is past the source's end ({total:0.###} s)."));
        }

        if (total > 0 && clip.EndSeconds > total + 0.001)
        {
            throw Invalid("outputs.clip.endSeconds", Invariant($"{clip.EndSeconds} s is past the source's end ({total:0.###} s)."));
        }

        return (clip.StartSeconds, clip.EndSeconds, TimeSpan.FromSeconds(clip.DurationSeconds));
    }

    /// <summary>Stills and the poster within the package's duration; an MP4 download of one of its rungs.</summary>
    private static void CheckTimes(OutputOptions outputs, TimeSpan duration, ImmutableArray<PlannedRung> rungs, bool hasAudio)
    {
        var seconds = duration.TotalSeconds;
        if (outputs.PosterSeconds is { } poster && seconds > 0 && poster >= seconds)
        {
            throw Invalid("outputs.posterSeconds", Invariant($"{poster} s is past the video's end ({seconds:0.###} s)."));
        }

        if (outputs.Thumbnails is { } stills)
        {
            if (rungs.IsEmpty)
            {
                throw Invalid("outputs.thumbnails", "The source has no video to take stills of.");
            }

            for (var i = 0; i < stills.Times.Length; i++)
            {
                if (seconds > 0 && stills.Times[i] >= seconds)
                {
                    throw Invalid($"outputs.thumbnails.times[{i}]", Invariant($"{stills.Times[i]} s is past the video's end ({seconds:0.###} s)."));
                }
            }
        }

        for (var i = 0; i < outputs.Downloads.Length; i++)
        {
            var download = outputs.Downloads[i];
            if (download.Format == DownloadFormat.Mp4 && rungs.IsEmpty)
            {
                throw Invalid($"outputs.downloads[{i}].format", "The source has no video for an MP4 download; ask for \"m4a\".");
            }

            if (download.Format == DownloadFormat.M4a && !hasAudio)
            {
                throw Invalid($"outputs.downloads[{i}].format", "The source has no audio for an M4A download.");
            }

            if (download.Height is { } height && !rungs.Any(r => Math.Min(r.Width, r.Height) == height))
            {
                throw Invalid($"outputs.downloads[{i}].height", Invariant($"{height} is not one of the package's rungs ({string.Join(", ", rungs.Select(r => Math.Min(r.Width, r.Height)))})."));
            }
        }
    }

    private static MediaException Invalid(string field, string message) => new(MediaErrorKind.OutputsInvalid, $"{field}: {message}");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static PlannedRung MakeRung(int shortSide, int longSide, bool portrait, RungSpec spec) =>
        new(
            string.Create(CultureInfo.InvariantCulture, $"{shortSide}p"),
            portrait ? shortSide : longSide,
            portrait ? longSide : shortSide,
            spec.Bitrate,
            spec.MaxRate,
            spec.BufferSize);

    /// <summary>
    /// A poster from the job's time or about a tenth of the way in (at most 10 s), and up to MaxThumbnails storyboard thumbnails
    /// spread evenly, at least one second apart, shaped like the top rung.
    /// </summary>
    internal static ThumbnailPlan PlanThumbnails(PlannedRung top, Rational frameRate, TimeSpan duration, LadderOptions options, double? posterAt = null)
    {
        var seconds = Math.Max(duration.TotalSeconds, 0.1);
        var posterSeconds = posterAt ?? Math.Min(seconds * 0.1, 10);
        var posterFrame = (int)Math.Floor(posterSeconds * frameRate.ToDouble());
        var posterWidth = Math.Min(top.Width, options.MaxPosterWidth);
        var posterHeight = EvenRound(posterWidth * (double)top.Height / top.Width);

        var interval = Math.Max(1, Math.Ceiling(seconds / options.MaxThumbnails));
        var count = Math.Max(1, (int)Math.Ceiling(seconds / interval));
        var columns = Math.Min(10, count);
        var rows = (int)Math.Ceiling(count / (double)columns);
        var width = EvenRound(Math.Min(options.ThumbnailWidth, top.Width));
        var height = EvenRound(width * (double)top.Height / top.Width);
        return new ThumbnailPlan(posterFrame, posterWidth, posterHeight, interval, count, columns, rows, width, height);
    }

    /// <summary>The source rate if it fits under the cap, else halved until it does; 30 when unknown.</summary>
    internal static Rational PlanFrameRate(Rational source, int maxFrameRate)
    {
        if (!source.IsPositive || source.ToDouble() < 1 || source.ToDouble() > 1000)
        {
            return new Rational(FallbackFrameRate, 1);
        }

        var rate = source.Reduce();
        while (rate.ToDouble() > maxFrameRate + 0.01)
        {
            rate = new Rational(rate.Numerator, rate.Denominator * 2).Reduce();
        }

        return rate;
    }

    private static Rational DisplayAspect(VideoStreamInfo video)
    {
        var sar = video.SampleAspectRatio.IsPositive ? video.SampleAspectRatio : Rational.One;
        var rotated = video.Rotation is 90 or 270;
        var aspect = rotated
            ? new Rational(video.Height * sar.Denominator, video.Width * sar.Numerator)
            : new Rational(video.Width * sar.Numerator, video.Height * sar.Denominator);
        return aspect.Reduce();
    }

    private static int EvenFloor(double value) => Math.Max(2, (int)Math.Floor(value / 2) * 2);

    private static int EvenRound(double value) => Math.Max(2, (int)Math.Round(value / 2, MidpointRounding.AwayFromZero) * 2);
}
