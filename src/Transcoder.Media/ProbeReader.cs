using System.Globalization;
using System.Text.Json;
using FFMpegCore;
using FFMpegCore.Exceptions;

namespace Transcoder.Media;

/// <summary>
/// Reads what ffprobe said about a file (<c>-show_format -show_streams</c>, as FFMpegCore runs and parses it, once)
/// into a <see cref="SourceInfo"/>. It works on FFMpegCore's raw model, where rates and aspect ratios are still the
/// exact fractions ffprobe wrote, so recorded ffprobe output can be read the same way in tests.
/// </summary>
public static class ProbeReader
{
    /// <summary>Reads recorded ffprobe JSON (what <c>ffprobe -of json -show_format -show_streams</c> prints).</summary>
    /// <exception cref="MediaException">The text is not ffprobe's description of a media file.</exception>
    public static SourceInfo FromJson(string json, long sizeBytes)
    {
        IMediaAnalysis analysis;
        try
        {
            analysis = FFProbe.FromJson(json);
        }
        catch (Exception ex) when (ex is JsonException or FormatNullException or FFMpegException or ArgumentException)
        {
            throw new MediaException(MediaErrorKind.InputUnreadable, "ffprobe did not describe the input.", ex);
        }

        return Read(analysis, sizeBytes);
    }

    /// <exception cref="MediaException">ffprobe found no container format.</exception>
    public static SourceInfo Read(IMediaAnalysis analysis, long sizeBytes)
    {
        var raw = analysis.Raw;
        if (raw?.Format is not { } format)
        {
            throw new MediaException(MediaErrorKind.InputUnreadable, "The input is not a media file ffmpeg can read.");
        }

        var streams = raw.Streams ?? [];
        return new SourceInfo
        {
            FormatName = format.FormatName ?? "unknown",
            Duration = TimeSpan.FromSeconds(Positive(ParseNumberOrClock(format.Duration))),
            SizeBytes = sizeBytes,
            VideoStreams = [.. streams.Where(IsPicture).Select(ReadVideo)],
            AudioStreams = [.. streams.Where(s => s.CodecType == "audio").Select(ReadAudio)],
            TextStreams = [.. streams.Where(s => s.CodecType == "subtitle").Select(ReadText)],
        };
    }

    /// <summary>A video stream that is a picture to transcode: cover art and thumbnails are "video" too, but not that.</summary>
    private static bool IsPicture(FFProbeStream stream) =>
        stream.CodecType == "video" && !Flag(stream, "attached_pic") && stream.Width > 0 && stream.Height > 0;

    private static VideoStreamInfo ReadVideo(FFProbeStream stream)
    {
        var sar = Rational.Parse(stream.SampleAspectRatio);
        return new VideoStreamInfo
        {
            Index = stream.Index,
            Codec = stream.CodecName ?? "unknown",
            Width = stream.Width ?? 0,
            Height = stream.Height ?? 0,
            SampleAspectRatio = sar.IsPositive ? sar.Reduce() : Rational.One,
            Rotation = ReadRotation(stream),
            Duration = TimeSpan.FromSeconds(Positive(ParseNumberOrClock(stream.Duration))),
            FrameRate = ReadFrameRate(stream),
            PixelFormat = stream.PixelFormat,
            Interlaced = stream.FieldOrder is "tt" or "bb" or "tb" or "bt",
            ColorTransfer = stream.ColorTransfer,
            ColorPrimaries = stream.ColorPrimaries,
            ColorSpace = stream.ColorSpace,
            Default = Flag(stream, "default"),
        };
    }

    private static AudioStreamInfo ReadAudio(FFProbeStream stream) => new()
    {
        Index = stream.Index,
        Codec = stream.CodecName ?? "unknown",
        Channels = stream.Channels ?? 0,
        SampleRate = (int)Positive(ParseNumberOrClock(stream.SampleRate)),
        Duration = TimeSpan.FromSeconds(Positive(ParseNumberOrClock(stream.Duration))),
        Language = Language(stream),
        Title = Title(stream),
        Default = Flag(stream, "default"),
        Description = Flag(stream, "visual_impaired") || Flag(stream, "descriptions"),
        Commentary = Flag(stream, "comment"),
    };

    private static TextStreamInfo ReadText(FFProbeStream stream) => new()
    {
        Index = stream.Index,
        Codec = stream.CodecName ?? "unknown",
        Language = Language(stream),
        Default = Flag(stream, "default"),
        Forced = Flag(stream, "forced"),
        HearingImpaired = Flag(stream, "hearing_impaired") || Flag(stream, "captions"),
        Title = Title(stream),
    };

    private static Rational ReadFrameRate(FFProbeStream stream)
    {
        // avg_frame_rate is the true mean for variable-rate sources; r_frame_rate can be a timebase artefact.
        var average = Rational.Parse(stream.AvgFrameRate);
        return average.IsPositive ? average : Rational.Parse(stream.FrameRate) is { IsPositive: true } real ? real : Rational.Zero;
    }

    /// <summary>Clockwise display rotation from the display matrix (or the legacy rotate tag).</summary>
    private static int ReadRotation(FFProbeStream stream)
    {
        double? degrees = null;
        foreach (var item in stream.SideData ?? [])
        {
            if (item.TryGetValue("rotation", out var rotation) && rotation.TryGetValue<double>(out var value))
            {
                // The display matrix states the counter-clockwise rotation to apply; -90 means "turn right".
                degrees = -value;
            }
        }

        if (degrees is null && stream.Tags?.GetValueOrDefault("rotate") is { } tag
            && double.TryParse(tag, NumberStyles.Float, CultureInfo.InvariantCulture, out var tagged))
        {
            degrees = tagged;
        }

        var normalized = (int)Math.Round((degrees ?? 0) / 90.0) * 90 % 360;
        return normalized < 0 ? normalized + 360 : normalized;
    }

    /// <summary>The stream's language tag when it names one (not "und").</summary>
    private static string? Language(FFProbeStream stream) =>
        stream.Tags?.GetValueOrDefault("language") is { Length: > 0 } language && language != "und" ? language : null;

    private static string? Title(FFProbeStream stream) =>
        stream.Tags?.GetValueOrDefault("title") is { } title && !string.IsNullOrWhiteSpace(title) ? title.Trim() : null;

    private static bool Flag(FFProbeStream stream, string name) =>
        stream.Disposition is { } disposition && disposition.TryGetValue(name, out var value) && value == 1;

    /// <summary>Reads "12.5" or, as ffprobe writes with -sexagesimal, "0:00:12.500000".</summary>
    internal static double ParseNumberOrClock(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return 0;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return number;
        }

        var parts = text.Split(':');
        if (parts.Length == 3
            && int.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var hours)
            && int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var minutes)
            && double.TryParse(parts[2], NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            return (hours * 3600) + (minutes * 60) + seconds;
        }

        return 0;
    }

    private static double Positive(double value) => double.IsFinite(value) && value > 0 ? value : 0;
}
