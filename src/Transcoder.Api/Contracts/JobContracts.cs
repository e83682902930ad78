using System.ComponentModel;
using System.Text.Json.Serialization;
using Transcoder.Contracts;

namespace Transcoder.Api.Contracts;

/// <summary>What every way of submitting a job may set besides its input.</summary>
public abstract record JobSettingsRequest
{
    /// <summary>1 (most urgent) to 10. Default 5.</summary>
    [Description("1 (most urgent) to 10. Default 5.")]
    public int? Priority { get; init; }

    /// <summary>Attempts before a retryable failure sends the job to the dead-letter queue, 1 to 10. Default 3.</summary>
    [Description("Attempts before a retryable failure sends the job to the dead-letter queue, 1 to 10. Default 3.")]
    public int? MaxAttempts { get; init; }

    /// <summary>An http(s) URL the service POSTs the job to, signed, when it ends (a webhook).</summary>
    [Description("An https URL the service POSTs the job to, signed, when it ends (a webhook).")]
    public string? CallbackUrl { get; init; }

    /// <summary>What to call the video, up to 200 characters. Default: the uploaded file's name, or the URL's last segment.</summary>
    [Description("What to call the video, up to 200 characters. Default: the uploaded file's name, or the URL's last segment.")]
    public string? Name { get; init; }

    /// <summary>Which audio tracks to keep, a 5.1 track beside the stereo one, and a loudness target.</summary>
    [Description("Which audio tracks to keep (languages), a 5.1 AAC track beside the stereo one (surround), and a loudness target.")]
    public AudioOptionsRequest? Audio { get; init; }

    /// <summary>Caption or subtitle files (SRT or WebVTT) to fetch and carry as text renditions.</summary>
    [Description("Caption or subtitle files (SRT or WebVTT) to fetch and carry as text renditions, at most 32.")]
    public IReadOnlyList<CaptionRequest>? Captions { get; init; }
}

/// <summary>What a job asks of its audio tracks. Unknown fields are refused.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record AudioOptionsRequest
{
    /// <summary>BCP 47 languages of the source's audio to keep ("en", "pt-BR"); absent or empty keeps every track.</summary>
    [Description("BCP 47 languages of the source's audio to keep (\"en\", \"pt-BR\"), the first the default; absent keeps every track. A language the source lacks fails the job (audio_language_not_found).")]
    public IReadOnlyList<string>? Languages { get; init; }

    /// <summary>Also make a 5.1 AAC track from every surround source track. Default false.</summary>
    [Description("Also make a 5.1 AAC track from every surround source track. Default false: surround is mixed down to stereo.")]
    public bool? Surround { get; init; }

    /// <summary>Normalise every audio track to this loudness (EBU R128, two passes).</summary>
    [Description("Normalise every audio track to this integrated loudness (EBU R128 / ITU-R BS.1770, two passes).")]
    public LoudnessRequest? Loudness { get; init; }
}

/// <summary>A loudness target. Unknown fields are refused.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record LoudnessRequest
{
    /// <summary>Integrated loudness, LUFS, -70 to -5: -23 (EBU R128 broadcast), -16 or -14 (streaming).</summary>
    [Description("Integrated loudness in LUFS, -70 to -5: -23 (EBU R128 broadcast), -16 or -14 (streaming).")]
    public double? TargetLufs { get; init; }

    /// <summary>Highest true peak, dBTP, -9 to 0. Default -1.</summary>
    [Description("Highest true peak in dBTP, -9 to 0. Default -1.")]
    public double? TruePeakDb { get; init; }
}

/// <summary>A caption or subtitle file to fetch. Unknown fields are refused.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CaptionRequest
{
    /// <summary>An http(s) URL of an SRT or WebVTT file (fetched as inputs are: public addresses only).</summary>
    [Description("An http(s) URL of an SRT or WebVTT file, UTF-8 or with a declared charset (fetched as inputs are: public addresses only).")]
    public string? Url { get; init; }

    /// <summary>Its BCP 47 language ("fr", "es-419").</summary>
    [Description("Its BCP 47 language (\"fr\", \"es-419\").")]
    public string? Language { get; init; }

    /// <summary>What players list it as; default the language's name.</summary>
    [Description("What players list it as, up to 100 characters; default the language's name.")]
    public string? Name { get; init; }

    /// <summary>Shown even when the viewer chose no subtitles (foreign dialogue, signs). Default false.</summary>
    [Description("Shown even when the viewer chose no subtitles (foreign dialogue, signs). Default false.")]
    public bool? Forced { get; init; }
}

/// <summary>
/// The track options of a multipart submission, sent as one JSON form field named 'options' beside the file and its
/// caption parts. Unknown fields are refused.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record JobOptionsRequest
{
    /// <inheritdoc cref="JobSettingsRequest.Audio"/>
    public AudioOptionsRequest? Audio { get; init; }

    /// <inheritdoc cref="JobSettingsRequest.Captions"/>
    public IReadOnlyList<CaptionRequest>? Captions { get; init; }
}

/// <summary>A job submitted by URL. Unknown fields are refused.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CreateJobRequest : JobSettingsRequest
{
    /// <summary>An http(s) URL the service fetches the source from.</summary>
    [Description("An http(s) URL the service fetches the source from.")]
    public string? InputUrl { get; init; }
}

/// <summary>A page of jobs, newest first.</summary>
/// <param name="Items">The jobs.</param>
/// <param name="Next">Pass as <c>after</c> to get the next page; null on the last page.</param>
public sealed record JobListResponse(IReadOnlyList<JobResponse> Items, string? Next);

/// <summary>Jobs waiting for an encode slot.</summary>
/// <param name="Queued">All queued jobs.</param>
/// <param name="ByPriority">Queued jobs per priority, "1" (most urgent) to "10"; every priority is listed.</param>
/// <param name="Scope">"tenant" for the caller's own jobs, "cluster" for every tenant's (operators).</param>
public sealed record QueueResponse(long Queued, IReadOnlyDictionary<string, long> ByPriority, string Scope);

/// <summary>A progress message sent to hub clients watching a job.</summary>
public sealed record ProgressMessage(Guid JobId, string Status, double Percent, string Stage, DateTimeOffset At);
