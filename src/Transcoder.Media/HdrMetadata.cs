using System.Globalization;
using System.Text.Json;

namespace Transcoder.Media;

/// <summary>Reads HDR10's static metadata from what ffprobe says of a frame (<c>-show_frames -show_entries frame=side_data_list -of json</c>).</summary>
public static class HdrMetadata
{
    public static (MasteringDisplay? Display, (int MaxCll, int MaxFall)? Light) Read(string json)
    {
        MasteringDisplay? display = null;
        (int, int)? light = null;
        try
        {
            using var document = JsonDocument.Parse(json);
            if (!document.RootElement.TryGetProperty("frames", out var frames) || frames.GetArrayLength() == 0
                || !frames[0].TryGetProperty("side_data_list", out var list))
            {
                return (null, null);
            }

            foreach (var item in list.EnumerateArray())
            {
                switch (item.TryGetProperty("side_data_type", out var type) ? type.GetString() : null)
                {
                    case "Mastering display metadata" when item.TryGetProperty("max_luminance", out _):
                        display = new MasteringDisplay(
                            Fraction(item, "green_x"), Fraction(item, "green_y"), Fraction(item, "blue_x"), Fraction(item, "blue_y"),
                            Fraction(item, "red_x"), Fraction(item, "red_y"), Fraction(item, "white_point_x"), Fraction(item, "white_point_y"),
                            Fraction(item, "max_luminance"), Fraction(item, "min_luminance"));
                        break;
                    case "Content light level metadata":
                        light = (Whole(item, "max_content"), Whole(item, "max_average"));
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or KeyNotFoundException)
        {
            // Metadata that does not read is left out: the picture is kept HDR without it.
            return (display, light);
        }

        return (display, light);
    }

    /// <summary>"34000/50000" (or a plain number) as a number.</summary>
    private static double Fraction(JsonElement item, string name)
    {
        var text = item.GetProperty(name).ToString();
        var parts = text.Split('/');
        var numerator = double.Parse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture);
        return parts.Length == 2 ? numerator / double.Parse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture) : numerator;
    }

    private static int Whole(JsonElement item, string name) =>
        item.GetProperty(name) is { ValueKind: JsonValueKind.Number } number ? number.GetInt32() : int.Parse(item.GetProperty(name).GetString()!, CultureInfo.InvariantCulture);
}
