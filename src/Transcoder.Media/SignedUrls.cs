using System.Text.RegularExpressions;

namespace Transcoder.Media;

/// <summary>
/// The object store's signed URLs (a chunk run reads its span of the source through one) carry a signature in their
/// query string: whatever is logged or kept of ffmpeg's command line and output shows them without it.
/// </summary>
public static partial class SignedUrls
{
    public static bool IsRemote(string input) =>
        input.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || input.StartsWith("https://", StringComparison.OrdinalIgnoreCase);

    /// <summary><paramref name="text"/> with the query string of every http(s) URL in it cut to "?…".</summary>
    public static string Redact(string text) => text.Contains("://", StringComparison.Ordinal) ? Query().Replace(text, "$1?…") : text;

    [GeneratedRegex(@"(https?://[^\s'""?]+)\?[^\s'""]*", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Query();
}
