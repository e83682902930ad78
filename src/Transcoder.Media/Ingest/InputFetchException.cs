namespace Transcoder.Media.Ingest;

/// <summary>Why fetching an input failed.</summary>
public enum FetchErrorKind
{
    /// <summary>The URL or an address it resolves to is not allowed.</summary>
    Refused,

    /// <summary>The input is larger than allowed.</summary>
    TooLarge,

    /// <summary>The server answered with an error or the transfer broke.</summary>
    Failed,
}

/// <summary>A failed fetch; <see cref="Retryable"/> tells whether trying again may help.</summary>
public sealed class InputFetchException(FetchErrorKind kind, string message, bool retryable, Exception? innerException = null)
    : Exception(message, innerException)
{
    public FetchErrorKind Kind { get; } = kind;

    public bool Retryable { get; } = retryable;
}
