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
