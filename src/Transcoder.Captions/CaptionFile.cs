using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using System.Text.Unicode;

namespace Transcoder.Captions;

/// <summary>The caption formats a job may send.</summary>
public enum CaptionFormat
{
    /// <summary>SubRip (.srt): numbered cues, "00:00:01,000 --> 00:00:02,000".</summary>
    SubRip,

    /// <summary>WebVTT (.vtt), as W3C WebVTT defines it.</summary>
    WebVtt,
}

/// <summary>
/// Reads a SubRip or WebVTT file into cues and checks it: a size cap, its text encoding (UTF-8, or a declared charset
/// converted, or a byte-order mark), its syntax, and every cue's timing. A fault names the file and the line. SubRip
/// text becomes WebVTT cue text (italics, bold and underline kept; font tags and SSA override codes dropped; markup
/// characters escaped).
/// </summary>
public static partial class CaptionFile
{
    /// <summary>The largest caption file accepted: a feature film's subtitles are well under 200 KiB.</summary>
    public const int MaxBytes = 2 << 20;

    /// <summary>The most cues a file may hold.</summary>
    public const int MaxCues = 50_000;

    static CaptionFile() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    /// <summary>The format a file's name says it is in (".srt" or ".vtt", any case), or null.</summary>
    public static CaptionFormat? FormatOf(string fileName) =>
        Path.GetExtension(fileName).ToLowerInvariant() switch
        {
            ".srt" => CaptionFormat.SubRip,
            ".vtt" => CaptionFormat.WebVtt,
            _ => null,
        };

    /// <summary>The cues of a caption file, in order of their start.</summary>
    /// <param name="bytes">The file.</param>
    /// <param name="fileName">Its name, for messages.</param>
    /// <param name="format">Its format.</param>
    /// <param name="charset">The charset it declared (a Content-Type parameter), or null for UTF-8.</param>
    /// <exception cref="CaptionException">The file is too large, not text in its charset, or not valid in its format.</exception>
    public static IReadOnlyList<Cue> Read(ReadOnlySpan<byte> bytes, string fileName, CaptionFormat format, string? charset = null)
    {
        if (bytes.Length > MaxBytes)
        {
            throw new CaptionException(fileName, 0, $"The file is {bytes.Length} bytes; at most {MaxBytes} are accepted.");
        }

        var text = Decode(bytes, fileName, charset);
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Split('\n');
        var cues = format == CaptionFormat.SubRip ? ReadSubRip(lines, fileName) : ReadWebVtt(lines, fileName);
        return [.. cues.OrderBy(c => c.Start).ThenBy(c => c.Line)];
    }

    private static string Decode(ReadOnlySpan<byte> bytes, string fileName, string? charset)
    {
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            return DecodeUtf8(bytes[3..], fileName);
        }

        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]))
        {
            return Encoding.Unicode.GetString(bytes[2..]);
        }

        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            return Encoding.BigEndianUnicode.GetString(bytes[2..]);
        }

        if (string.IsNullOrWhiteSpace(charset) || charset.Trim().Equals("utf-8", StringComparison.OrdinalIgnoreCase)
            || charset.Trim().Equals("utf8", StringComparison.OrdinalIgnoreCase))
        {
            return DecodeUtf8(bytes, fileName);
        }

        Encoding encoding;
        try
        {
            encoding = Encoding.GetEncoding(charset.Trim());
        }
        catch (ArgumentException)
        {
            throw new CaptionException(fileName, 0, $"The charset '{charset}' is not one this service knows; send UTF-8.");
        }

        return encoding.GetString(bytes);
    }

    private static string DecodeUtf8(ReadOnlySpan<byte> bytes, string fileName)
    {
        var chars = ArrayPool<char>.Shared.Rent(bytes.Length + 1);
        try
        {
            var status = Utf8.ToUtf16(bytes, chars, out var read, out var written, replaceInvalidSequences: false);
            if (status != OperationStatus.Done)
            {
                var line = 1 + bytes[..read].Count((byte)'\n');
                throw new CaptionException(fileName, line,
                    "The text is not UTF-8. Send UTF-8, or declare the file's charset (e.g. Content-Type: text/plain; charset=windows-1252).");
            }

            return new string(chars, 0, written);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    private static List<Cue> ReadSubRip(string[] lines, string fileName)
    {
        var cues = new List<Cue>();
        var i = 0;
        while (i < lines.Length)
        {
            if (string.IsNullOrWhiteSpace(lines[i]))
            {
                i++;
                continue;
            }

            // A block: its number (usual, not required), the timing, then its text up to a blank line.
            if (IsNumber(lines[i]) && i + 1 < lines.Length && !string.IsNullOrWhiteSpace(lines[i + 1]))
            {
                i++;
            }

            var timingLine = i + 1;
            var match = SubRipTiming().Match(lines[i]);
            if (!match.Success)
            {
                throw new CaptionException(fileName, timingLine,
                    $"Expected a cue's timing like '00:00:01,000 --> 00:00:02,500', found '{Shorten(lines[i])}'.");
            }

            var start = Time(match, 1);
            var end = Time(match, 5);
            i++;
            var text = new List<string>();
            while (i < lines.Length && !string.IsNullOrWhiteSpace(lines[i]))
            {
                text.Add(lines[i]);
                i++;
            }

            Add(cues, fileName, timingLine, start, end, string.Join('\n', text.Select(SubRipToWebVtt)).Trim('\n'), null);
        }

        return cues;
    }

    private static List<Cue> ReadWebVtt(string[] lines, string fileName)
    {
        if (lines.Length == 0 || !WebVttSignature().IsMatch(lines[0]))
        {
            throw new CaptionException(fileName, 1, "A WebVTT file starts with the line 'WEBVTT'.");
        }

        var cues = new List<Cue>();
        var i = 1;

        // The header's other lines run to the first blank line.
        while (i < lines.Length && !string.IsNullOrWhiteSpace(lines[i]))
        {
            i++;
        }

        while (i < lines.Length)
        {
            if (string.IsNullOrWhiteSpace(lines[i]))
            {
                i++;
                continue;
            }

            var first = lines[i];
            if (first.StartsWith("NOTE", StringComparison.Ordinal) || first.StartsWith("STYLE", StringComparison.Ordinal)
                || first.StartsWith("REGION", StringComparison.Ordinal))
            {
                while (i < lines.Length && !string.IsNullOrWhiteSpace(lines[i]))
                {
                    i++;
                }

                continue;
            }

            // A cue: an optional identifier, the timing, then its text up to a blank line.
            if (!first.Contains("-->", StringComparison.Ordinal) && i + 1 < lines.Length && lines[i + 1].Contains("-->", StringComparison.Ordinal))
            {
                i++;
            }

            var timingLine = i + 1;
            var match = WebVttTiming().Match(lines[i]);
            if (!match.Success)
            {
                throw new CaptionException(fileName, timingLine,
                    $"Expected a cue's timing like '00:01.000 --> 00:02.500', found '{Shorten(lines[i])}'.");
            }

            var start = VttTime(match.Groups[1].Value);
            var end = VttTime(match.Groups[2].Value);
            var settings = match.Groups[3].Success && match.Groups[3].Value.Trim().Length > 0 ? match.Groups[3].Value.Trim() : null;
            i++;
            var text = new List<string>();
            while (i < lines.Length && !string.IsNullOrWhiteSpace(lines[i]))
            {
                if (lines[i].Contains("-->", StringComparison.Ordinal))
                {
                    throw new CaptionException(fileName, i + 1, "Cue text may not contain '-->': is a blank line missing before this cue?");
                }

                text.Add(lines[i]);
                i++;
            }

            Add(cues, fileName, timingLine, start, end, string.Join('\n', text), settings);
        }

        return cues;
    }

    private static void Add(List<Cue> cues, string fileName, int line, TimeSpan start, TimeSpan end, string text, string? settings)
    {
        if (end <= start)
        {
            throw new CaptionException(fileName, line, $"The cue ends ({Clock(end)}) before it starts ({Clock(start)}).");
        }

        if (cues.Count >= MaxCues)
        {
            throw new CaptionException(fileName, line, $"The file has more than {MaxCues} cues.");
        }

        if (text.Length > 0)
        {
            cues.Add(new Cue(start, end, text, line, settings));
        }
    }

    /// <summary>SubRip text as WebVTT cue text: i, b and u kept, font tags and SSA override codes dropped, the rest escaped.</summary>
    internal static string SubRipToWebVtt(string line)
    {
        var text = SsaOverride().Replace(line, "");
        text = FontTag().Replace(text, "");
        text = Ampersand().Replace(text, "&amp;");
        text = OtherTag().Replace(text, "&lt;");
        return text.Replace("-->", "--&gt;", StringComparison.Ordinal);
    }

    private static bool IsNumber(string line) => line.Trim().Length > 0 && line.Trim().All(char.IsAsciiDigit);

    private static TimeSpan Time(Match match, int group)
    {
        var hours = int.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture);
        var minutes = int.Parse(match.Groups[group + 1].Value, CultureInfo.InvariantCulture);
        var seconds = int.Parse(match.Groups[group + 2].Value, CultureInfo.InvariantCulture);
        var fraction = match.Groups[group + 3].Value.PadRight(3, '0');
        return new TimeSpan(0, hours, minutes, seconds, int.Parse(fraction, CultureInfo.InvariantCulture));
    }

    private static TimeSpan VttTime(string text)
    {
        var parts = text.Split(':');
        var hours = parts.Length == 3 ? int.Parse(parts[0], CultureInfo.InvariantCulture) : 0;
        var minutes = int.Parse(parts[^2], CultureInfo.InvariantCulture);
        var secondsAndMillis = parts[^1].Split('.');
        return new TimeSpan(0, hours, minutes, int.Parse(secondsAndMillis[0], CultureInfo.InvariantCulture),
            int.Parse(secondsAndMillis[1], CultureInfo.InvariantCulture));
    }

    private static string Clock(TimeSpan time) => WebVtt.Timestamp(time);

    private static string Shorten(string line) => line.Length <= 60 ? line : line[..60] + "...";

    [GeneratedRegex(@"^\s*(\d{1,3}):([0-5]\d):([0-5]\d)[,.](\d{1,3})\s*-->\s*(\d{1,3}):([0-5]\d):([0-5]\d)[,.](\d{1,3})(?:\s.*)?$")]
    private static partial Regex SubRipTiming();

    [GeneratedRegex(@"^((?:\d{2,}:)?[0-5]\d:[0-5]\d\.\d{3})[ \t]+-->[ \t]+((?:\d{2,}:)?[0-5]\d:[0-5]\d\.\d{3})([ \t].*)?$")]
    private static partial Regex WebVttTiming();

    [GeneratedRegex(@"^\uFEFF?WEBVTT(?:[ \t].*)?$")]
    private static partial Regex WebVttSignature();

    [GeneratedRegex(@"\{\\[^}]*\}")]
    private static partial Regex SsaOverride();

    [GeneratedRegex(@"</?font\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex FontTag();

    [GeneratedRegex(@"&(?!(?:amp|lt|gt|nbsp|lrm|rlm|#\d+|#x[0-9a-fA-F]+);)")]
    private static partial Regex Ampersand();

    [GeneratedRegex(@"<(?!/?[ibu]>)")]
    private static partial Regex OtherTag();
}
