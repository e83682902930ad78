namespace Transcoder.Captions;

/// <summary>One caption: when it shows, its text (WebVTT cue text), and where it was in its file.</summary>
/// <param name="Start">When it appears.</param>
/// <param name="End">When it goes; after <paramref name="Start"/>.</param>
/// <param name="Text">Its lines, joined by '\n', as WebVTT cue text (only i, b, u, c, v, lang, ruby and rt tags; '&amp;' and '&lt;' escaped).</param>
/// <param name="Line">The line of its timing in the file it came from (1 for the first line).</param>
/// <param name="Settings">WebVTT cue settings ("line:0 align:start"), when the file had them.</param>
public sealed record Cue(TimeSpan Start, TimeSpan End, string Text, int Line, string? Settings = null);

/// <summary>A caption file that cannot be used, with the file and the line at fault (0 for the file as a whole).</summary>
public sealed class CaptionException : Exception
{
    public CaptionException(string fileName, int line, string problem)
        : base(line > 0 ? $"{fileName}, line {line}: {problem}" : $"{fileName}: {problem}")
    {
        FileName = fileName;
        LineNumber = line;
        Problem = problem;
    }

    /// <summary>The file's name as it was sent.</summary>
    public string FileName { get; }

    /// <summary>The line at fault, 1-based; 0 when the fault is the file's as a whole.</summary>
    public int LineNumber { get; }

    /// <summary>What is wrong, without the file and line.</summary>
    public string Problem { get; }
}
