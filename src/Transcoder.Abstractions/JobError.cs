namespace Transcoder.Abstractions;

/// <summary>Why a job failed: a stable machine-readable code and a message for people.</summary>
/// <param name="Code">A snake_case code from <see cref="JobErrorCodes"/>.</param>
/// <param name="Message">What went wrong, for a person.</param>
/// <param name="Detail">The tail of ffmpeg's stderr or similar diagnostics, when there is one.</param>
[GenerateSerializer, Immutable, Alias("transcoder.job-error")]
public sealed record JobError(
    [property: Id(0)] string Code,
    [property: Id(1)] string Message,
    [property: Id(2)] string? Detail = null);

/// <summary>The error codes a job can end with.</summary>
public static class JobErrorCodes
{
    public const string DownloadFailed = "download_failed";
    public const string InputUnreadable = "input_unreadable";
    public const string NoVideoOrAudio = "no_video_or_audio";
    public const string InputTooLarge = "input_too_large";
    public const string InputTooLong = "input_too_long";
    public const string UnsupportedCodec = "unsupported_codec";
    public const string UnsupportedContainer = "unsupported_container";
    public const string InputRefused = "input_refused";
    public const string EncodeFailed = "encode_failed";
    public const string EncodeTimedOut = "encode_timed_out";
    public const string StorageFailed = "storage_failed";
    public const string WorkerLost = "worker_lost";
    public const string Internal = "internal_error";
    public const string AudioLanguageNotFound = "audio_language_not_found";
    public const string TooManyTracks = "too_many_tracks";
    public const string SubtitleUnreadable = "subtitle_unreadable";
    public const string CaptionInvalid = "caption_invalid";
    public const string InputTruncated = "input_truncated";

    /// <summary>The chunks of a title encoded apart could not be joined (their encoders wrote different initialization segments, or left a gap).</summary>
    public const string ChunkMismatch = "chunk_mismatch";

    /// <summary>The job's outputs ask for what the source cannot give (a rung above its height, a clip past its end); the message names the field.</summary>
    public const string InvalidOutputs = "invalid_outputs";
}
