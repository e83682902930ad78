using System.Collections.Immutable;
using System.Globalization;
using Transcoder.Abstractions;

namespace Transcoder.Media;

/// <summary>Turns a probed source into the ladder to encode. Pure: no I/O.</summary>
public static class LadderPlanner
{
    private const int FallbackFrameRate = 30;

    /// <exception cref="MediaException">
    /// The source has neither video nor audio to encode, lacks a selected language, or has too many tracks.
    /// </exception>
    public static LadderPlan Plan(SourceInfo source, LadderOptions options, TrackOptions? tracks = null)
    {
        if (source.Video is null && source.Audio is null)
        {
            throw new MediaException(MediaErrorKind.NoVideoOrAudio, "The input has no video or audio stream.");
        }

        var (audio, text, skipped) = TrackPlanner.Plan(source, tracks ?? TrackOptions.Default, options);
        if (source.Video is null && audio.IsEmpty)
        {
            throw new MediaException(MediaErrorKind.UnsupportedCodec, $"The audio codec '{source.Audio!.Codec}' cannot be decoded.");
        }

        var rungs = source.Video is { } video ? PlanRungs(video, options) : [];
        var frameRate = source.Video is { } v ? PlanFrameRate(v.FrameRate, options.MaxFrameRate) : Rational.Zero;
        return new LadderPlan
        {
            Thumbnails = rungs.Length > 0 ? PlanThumbnails(rungs[0], frameRate, source.Duration, options) : null,
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
            Duration = source.Duration,
            SegmentSeconds = options.SegmentSeconds,
            FirstSegmentSeconds = options.FirstSegmentSeconds,
            Preset = options.Preset,
            Crf = options.Crf,
        };
    }

    private static ImmutableArray<PlannedRung> PlanRungs(VideoStreamInfo video, LadderOptions options)
    {
        var displayWidth = video.DisplayWidth;
        var displayHeight = video.DisplayHeight;
        var portrait = displayHeight > displayWidth;
        var sourceShort = Math.Min(displayWidth, displayHeight);
        var sourceLong = Math.Max(displayWidth, displayHeight);
        var aspect = sourceLong / sourceShort;

        // Never upscale: a rung is kept only if the source is at least its size.
        var ordered = options.Rungs.OrderByDescending(r => r.ShortSide).ToList();
        var kept = ordered.Where(r => r.ShortSide <= sourceShort + 0.5).ToList();
        var result = ImmutableArray.CreateBuilder<PlannedRung>();

        var largestKept = kept.Count > 0 ? kept[0].ShortSide : 0;
        if (kept.Count == 0 || sourceShort >= largestKept * options.NativeRungThreshold)
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

    private static PlannedRung MakeRung(int shortSide, int longSide, bool portrait, RungSpec spec) =>
        new(
            string.Create(CultureInfo.InvariantCulture, $"{shortSide}p"),
            portrait ? shortSide : longSide,
            portrait ? longSide : shortSide,
            spec.Bitrate,
            spec.MaxRate,
            spec.BufferSize);

    /// <summary>
    /// A poster from about a tenth of the way in (at most 10 s), and up to MaxThumbnails storyboard thumbnails
    /// spread evenly, at least one second apart, shaped like the top rung.
    /// </summary>
    internal static ThumbnailPlan PlanThumbnails(PlannedRung top, Rational frameRate, TimeSpan duration, LadderOptions options)
    {
        var seconds = Math.Max(duration.TotalSeconds, 0.1);
        var posterSeconds = Math.Min(seconds * 0.1, 10);
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
