using System.Text;
using System.Text.RegularExpressions;

namespace Transcoder.Media;

/// <summary>
/// Makes ffmpeg's stderr tail fit to show the tenant: what it says about the input stays; what it says about the
/// silo goes. Paths keep only their last segment (<c>/var/scratch/…/input</c> reads <c>input</c>), the host name
/// and memory addresses are masked, and the banner lines (build, configuration, library versions) are dropped.
/// The unscrubbed tail stays in the operator's log.
/// </summary>
public static partial class TenantDiagnostics
{
    /// <summary>Longest detail a tenant is shown; a tail is cut from its start, the end being what matters.</summary>
    public const int MaxLength = 4096;

    public static string? Scrub(string? text) => Scrub(text, Environment.MachineName);

    public static string? Scrub(string? text, string hostName)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var host = hostName.Length > 0
            ? new Regex($@"(?<![\w-]){Regex.Escape(hostName)}(?![\w-])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1))
            : null;
        var kept = new StringBuilder(text.Length);
        foreach (var line in text.Split('\n'))
        {
            if (IsBanner(line))
            {
                continue;
            }

            var scrubbed = AbsolutePath().Replace(line, m => m.Groups["last"].Value);
            scrubbed = MemoryAddress().Replace(scrubbed, "");
            scrubbed = host?.Replace(scrubbed, "[host]") ?? scrubbed;

            kept.Append(scrubbed.TrimEnd('\r')).Append('\n');
        }

        var result = kept.ToString().TrimEnd('\n');
        if (result.Length > MaxLength)
        {
            result = result[^MaxLength..];
        }

        return result.Length == 0 ? null : result;
    }

    private static bool IsBanner(string line)
    {
        var trimmed = line.TrimStart();
        return trimmed.StartsWith("ffmpeg version", StringComparison.Ordinal)
            || trimmed.StartsWith("ffprobe version", StringComparison.Ordinal)
            || trimmed.StartsWith("built with", StringComparison.Ordinal)
            || trimmed.StartsWith("configuration:", StringComparison.Ordinal)
            || LibraryVersion().IsMatch(trimmed);
    }

    /// <summary>
    /// An absolute path (optionally as a file: URL) not inside a URL: preceded by neither a word character, a dot,
    /// a colon nor a slash, so <c>https://host/a/b</c> is left alone.
    /// </summary>
    [GeneratedRegex(@"(?:(?<![\w.:/~-])file:(?://)?|(?<![\w.:/~-]))(?:/[^\s/'"",;:()\[\]<>]+)+/(?<last>[^\s/'"",;:()\[\]<>]*)", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex AbsolutePath();

    /// <summary>" @ 0x55d5c1a2b2c0" in ffmpeg's "[mov,mp4 @ 0x…]" context prefix, or any bare address.</summary>
    [GeneratedRegex(@"(?: @ )?0x[0-9a-fA-F]{6,16}", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex MemoryAddress();

    [GeneratedRegex(@"^lib(?:av|sw|postproc)\w*\s+\d+\.\s*\d+\.", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex LibraryVersion();
}
