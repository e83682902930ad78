namespace Transcoder.Media;

/// <summary>The kinds of media failure, each mapped to one job error code by the caller.</summary>
public enum MediaErrorKind
{
    InputUnreadable,
    NoVideoOrAudio,
    UnsupportedCodec,
    UnsupportedContainer,
    InputTooLarge,
    InputTooLong,
    EncodeFailed,
    TimedOut,

    /// <summary>The job asked for an audio language the source does not have.</summary>
    LanguageNotInSource,

    /// <summary>The package would carry more audio or text tracks than allowed.</summary>
    TooManyTracks,

    /// <summary>A subtitle stream of the source could not be read as text.</summary>
    SubtitleUnreadable,

    /// <summary>A caption file sent with the job cannot be used.</summary>
    CaptionInvalid,

    /// <summary>The input holds less than its header declares, and nothing (or too little) of it decodes.</summary>
    InputTruncated,

    /// <summary>Chunks of one title encoded apart do not join: another init segment, a gap or an overlap.</summary>
    ChunksDiffer,

    /// <summary>The job's outputs ask for what the source cannot give: a rung above its height, a clip or time past its end.</summary>
    OutputsInvalid,
}

/// <summary>A media failure with a kind the job can report, and the tail of ffmpeg's stderr when there is one.</summary>
public sealed class MediaException : Exception
{
    public MediaException(MediaErrorKind kind, string message, Exception? innerException = null, string? stderrTail = null)
        : base(message, innerException)
    {
        Kind = kind;
        StderrTail = stderrTail;
    }

    public MediaErrorKind Kind { get; }

    public string? StderrTail { get; }

    /// <summary>Permanent failures come from the input itself; running again would fail the same way.</summary>
    public bool IsPermanent => Kind is not (MediaErrorKind.EncodeFailed or MediaErrorKind.TimedOut);
}
