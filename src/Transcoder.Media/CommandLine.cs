using System.Text;

namespace Transcoder.Media;

/// <summary>
/// An argument list as one line a POSIX shell reads back into the same list: what the log shows of each ffmpeg run,
/// so an operator can paste it and run exactly what the service ran. (The process itself gets the list, unjoined.)
/// </summary>
public static class CommandLine
{
    /// <remarks>Signed URLs are shown without their signature (see <see cref="SignedUrls"/>).</remarks>
    public static string Join(IEnumerable<string> arguments) => string.Join(' ', arguments.Select(a => Quote(SignedUrls.Redact(a))));

    /// <summary>The argument as is when it holds nothing a shell treats specially, else in single quotes.</summary>
    public static string Quote(string argument)
    {
        if (argument.Length > 0 && argument.All(IsPlain))
        {
            return argument;
        }

        // Inside single quotes nothing is special but the quote itself, which is closed, escaped and reopened.
        return new StringBuilder(argument.Length + 2).Append('\'').Append(argument.Replace("'", "'\\''", StringComparison.Ordinal)).Append('\'').ToString();
    }

    private static bool IsPlain(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '/' or ':' or '=' or '+' or ',' or '@' or '%';
}
