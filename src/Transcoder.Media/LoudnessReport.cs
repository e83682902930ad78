using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Transcoder.Media;

/// <summary>
/// Collects what ffmpeg's loudnorm filters print on stderr with <c>print_format=json</c>: per filter instance
/// ("[Parsed_loudnorm_N @ 0x...]"), a JSON object of its measurements, in the order the instances were made.
/// </summary>
public sealed partial class LoudnessReport
{
    private readonly SortedDictionary<int, LoudnessMeasurement> _measured = [];
    private readonly Lock _gate = new();
    private StringBuilder? _json;
    private int _instance;

    /// <summary>Gives one stderr line.</summary>
    public void Add(string line)
    {
        lock (_gate)
        {
            if (Header().Match(line) is { Success: true } header)
            {
                _instance = int.Parse(header.Groups[1].Value, CultureInfo.InvariantCulture);
                _json = new StringBuilder();
                return;
            }

            if (_json is null)
            {
                return;
            }

            _json.Append(line).Append('\n');
            if (line.TrimStart().StartsWith('}'))
            {
                if (TryParse(_json.ToString()) is { } measurement)
                {
                    _measured[_instance] = measurement;
                }

                _json = null;
            }
        }
    }

    /// <summary>The measurements, by instance in order.</summary>
    public IReadOnlyList<LoudnessMeasurement> Measurements
    {
        get
        {
            lock (_gate)
            {
                return [.. _measured.Values];
            }
        }
    }

    internal static LoudnessMeasurement? TryParse(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            return new LoudnessMeasurement(
                Number(root, "input_i"), Number(root, "input_tp"), Number(root, "input_lra"), Number(root, "input_thresh"), Number(root, "target_offset"));
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or FormatException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>loudnorm writes numbers as strings, and "-inf" for silence.</summary>
    private static double Number(JsonElement root, string name)
    {
        var text = root.GetProperty(name).GetString() ?? "";
        return text switch
        {
            "-inf" => -70,
            "inf" => 0,
            _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
        };
    }

    [GeneratedRegex(@"^\[Parsed_loudnorm_(\d+) @ [^\]]+\]\s*$")]
    private static partial Regex Header();
}
