using System.Globalization;
using System.Text.Json;

namespace Transcoder.Media;

/// <summary>
/// Reads the JSON of <c>ffprobe -show_format -show_streams</c>. Kept apart from running ffprobe so planning
/// can be tested on recorded output.
/// </summary>
public static class ProbeParser
{
    /// <exception cref="MediaException">The JSON is not ffprobe output.</exception>
    public static SourceInfo Parse(string json, long sizeBytes)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new MediaException(MediaErrorKind.InputUnreadable, "ffprobe did not describe the input.", ex);
        }

        using (document)
        {
            var root = document.RootElement;
            if (!root.TryGetProperty("format", out var format))
            {
                throw new MediaException(MediaErrorKind.InputUnreadable, "The input is not a media file ffmpeg can read.");
            }

            var streams = root.TryGetProperty("streams", out var list) && list.ValueKind == JsonValueKind.Array
                ? list.EnumerateArray().ToList()
                : [];

            return new SourceInfo
            {
                FormatName = GetString(format, "format_name") ?? "unknown",
                Duration = TimeSpan.FromSeconds(GetDouble(format, "duration")),
                SizeBytes = sizeBytes,
                Video = PickVideo(streams),
                Audio = PickAudio(streams),
            };
        }
    }

    private static VideoStreamInfo? PickVideo(List<JsonElement> streams)
    {
        // Cover art and thumbnails are "video" streams too; they are not what the user wants transcoded.
        var candidates = streams
            .Where(s => GetString(s, "codec_type") == "video" && !IsAttachedPicture(s)
                && GetInt(s, "width") > 0 && GetInt(s, "height") > 0)
            .ToList();
        var chosen = candidates.FirstOrDefault(IsDefault);
        if (chosen.ValueKind == JsonValueKind.Undefined)
        {
            chosen = candidates.FirstOrDefault();
        }

        if (chosen.ValueKind == JsonValueKind.Undefined)
        {
            return null;
        }

        var sar = Rational.Parse(GetString(chosen, "sample_aspect_ratio"));
        var fieldOrder = GetString(chosen, "field_order");
        return new VideoStreamInfo
        {
            Index = GetInt(chosen, "index"),
            Codec = GetString(chosen, "codec_name") ?? "unknown",
            Width = GetInt(chosen, "width"),
            Height = GetInt(chosen, "height"),
            SampleAspectRatio = sar.IsPositive ? sar.Reduce() : Rational.One,
            Rotation = ReadRotation(chosen),
            FrameRate = PickFrameRate(chosen),
            PixelFormat = GetString(chosen, "pix_fmt"),
            Interlaced = fieldOrder is "tt" or "bb" or "tb" or "bt",
        };
    }

    private static AudioStreamInfo? PickAudio(List<JsonElement> streams)
    {
        var candidates = streams.Where(s => GetString(s, "codec_type") == "audio").ToList();
        var chosen = candidates.FirstOrDefault(IsDefault);
        if (chosen.ValueKind == JsonValueKind.Undefined)
        {
            chosen = candidates.FirstOrDefault();
        }

        if (chosen.ValueKind == JsonValueKind.Undefined)
        {
            return null;
        }

        return new AudioStreamInfo
        {
            Index = GetInt(chosen, "index"),
            Codec = GetString(chosen, "codec_name") ?? "unknown",
            Channels = GetInt(chosen, "channels"),
            SampleRate = (int)GetDouble(chosen, "sample_rate"),
        };
    }

    private static Rational PickFrameRate(JsonElement stream)
    {
        // avg_frame_rate is the true mean for variable-rate sources; r_frame_rate can be a timebase artefact.
        var average = Rational.Parse(GetString(stream, "avg_frame_rate"));
        return average.IsPositive ? average : Rational.Parse(GetString(stream, "r_frame_rate")) is { IsPositive: true } real ? real : Rational.Zero;
    }

    /// <summary>Clockwise display rotation from the display matrix (or the legacy rotate tag).</summary>
    private static int ReadRotation(JsonElement stream)
    {
        double? degrees = null;
        if (stream.TryGetProperty("side_data_list", out var sideData) && sideData.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in sideData.EnumerateArray())
            {
                if (item.TryGetProperty("rotation", out var rotation) && rotation.TryGetDouble(out var value))
                {
                    // The display matrix states the counter-clockwise rotation to apply; -90 means "turn right".
                    degrees = -value;
                }
            }
        }

        if (degrees is null && stream.TryGetProperty("tags", out var tags) && GetString(tags, "rotate") is { } tag
            && double.TryParse(tag, NumberStyles.Float, CultureInfo.InvariantCulture, out var tagged))
        {
            degrees = tagged;
        }

        var normalized = (int)Math.Round((degrees ?? 0) / 90.0) * 90 % 360;
        return normalized < 0 ? normalized + 360 : normalized;
    }

    private static bool IsDefault(JsonElement stream) =>
        stream.TryGetProperty("disposition", out var disposition) && GetInt(disposition, "default") == 1;

    private static bool IsAttachedPicture(JsonElement stream) =>
        stream.TryGetProperty("disposition", out var disposition) && GetInt(disposition, "attached_pic") == 1;

    private static string? GetString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static int GetInt(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value))
        {
            return 0;
        }

        return value.ValueKind switch
        {
            JsonValueKind.Number when value.TryGetInt32(out var number) => number,
            JsonValueKind.String when int.TryParse(value.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) => parsed,
            _ => 0,
        };
    }

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

    private static double GetDouble(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value))
        {
            return 0;
        }

        var parsed = value.ValueKind switch
        {
            JsonValueKind.Number => value.GetDouble(),
            JsonValueKind.String => ParseNumberOrClock(value.GetString()),
            _ => 0,
        };
        return double.IsFinite(parsed) && parsed > 0 ? parsed : 0;
    }
}
