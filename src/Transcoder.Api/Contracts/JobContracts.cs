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

    /// <summary>What the package is made of: codecs, rungs, downloads, a clip, stills.</summary>
    [Description("What the package is made of: codecs, a height cap or the rungs, downloads, a clip of the source, stills. Default: the service's H.264 ladder up to the source's height.")]
    public OutputsRequest? Outputs { get; init; }
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

    /// <inheritdoc cref="JobSettingsRequest.Outputs"/>
    public OutputsRequest? Outputs { get; init; }
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

/// <summary>What the package is made of. Every field is optional; unknown fields are refused.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record OutputsRequest
{
    /// <summary>Video codecs: any of "h264", "hevc", "av1". H.264 is always made, as every player's fallback.</summary>
    [Description("Video codecs, any of \"h264\", \"hevc\" (x265, hvc1) and \"av1\" (SVT-AV1), encoded from the same decode into one package: players pick the codec they decode. H.264 is always made, as every player's fallback. Default [\"h264\"].")]
    public IReadOnlyList<string>? Codecs { get; init; }

    /// <summary>No rung taller than this many pixels (the short side of a portrait video), 144 to 4320.</summary>
    [Description("No rung taller than this, 144 to 4320 pixels (the short side of a portrait video). Default: the source's height.")]
    public int? MaxHeight { get; init; }

    /// <summary>The rungs to make instead of the service's ladder, at most 8, each no taller than the source.</summary>
    [Description("The rungs to make instead of the service's ladder, at most 8, each no taller than the source (never an upscale; the width keeps the source's aspect ratio).")]
    public IReadOnlyList<RenditionItemRequest>? Renditions { get; init; }

    /// <summary>Files beside the package: "mp4" (or {"format": "mp4", "height": 720}) and "m4a".</summary>
    [Description("Files beside the package: \"mp4\" (a progressive, faststart H.264/AAC MP4 of the top rung; {\"format\": \"mp4\", \"height\": 480} for another rung) and \"m4a\" (the default audio track).")]
    public IReadOnlyList<DownloadItemRequest>? Downloads { get; init; }

    /// <summary>Only this span of the source.</summary>
    [Description("Encode only this span of the source, frame-exact for video and sample-exact for audio.")]
    public ClipRequest? Clip { get; init; }

    /// <summary>Stills at chosen times, beside the poster and the storyboard.</summary>
    [Description("Stills at chosen times (of the clip, when there is one), beside the poster and the storyboard.")]
    public ThumbnailsRequest? Thumbnails { get; init; }

    /// <summary>The poster's time, in seconds (of the clip, when there is one).</summary>
    [Description("The poster's time in seconds (of the clip, when there is one). Default: a tenth of the way in, at most 10 s.")]
    public double? PosterSeconds { get; init; }
}

/// <summary>A rung. Unknown fields are refused.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record RenditionItemRequest
{
    /// <summary>Height in pixels (the short side of a portrait video), even, 144 to 4320.</summary>
    [Description("Height in pixels (the short side of a portrait video), even, 144 to 4320, no taller than the source.")]
    public int? Height { get; init; }

    /// <summary>Its peak bitrate in kbit/s, 100 to 100000.</summary>
    [Description("Its peak bitrate in kbit/s, 100 to 100000. Default: the service's rate for that height.")]
    public int? MaxBitrateKbps { get; init; }
}

/// <summary>A download: a format name, or an object with the format and (for mp4) the rung's height.</summary>
[JsonConverter(typeof(DownloadItemConverter))]
public sealed record DownloadItemRequest
{
    /// <summary>"mp4" or "m4a".</summary>
    [Description("\"mp4\" or \"m4a\".")]
    public string? Format { get; init; }

    /// <summary>For mp4: the height of the rung it is made of; default the top rung.</summary>
    [Description("For mp4: the height of the rung it is made of (one of the package's). Default: the top rung.")]
    public int? Height { get; init; }
}

/// <summary>A span of the source, in seconds. Unknown fields are refused.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ClipRequest
{
    /// <summary>Where the clip starts, in seconds from the source's start.</summary>
    [Description("Where the clip starts, in seconds of the source, 0 or more.")]
    public double? StartSeconds { get; init; }

    /// <summary>Where it ends, in seconds from the source's start; within the source.</summary>
    [Description("Where it ends, in seconds of the source: at least half a second after the start, within the source.")]
    public double? EndSeconds { get; init; }
}

/// <summary>Stills at chosen times. Unknown fields are refused.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ThumbnailsRequest
{
    /// <summary>Times in seconds, 1 to 50 of them.</summary>
    [Description("Times in seconds (of the clip, when there is one), 1 to 50 of them, each within the video.")]
    public IReadOnlyList<double>? Times { get; init; }

    /// <summary>Width of each still in pixels, 32 to 3840; the height follows the picture's aspect ratio.</summary>
    [Description("Width of each still in pixels, 32 to 3840, no wider than the top rung; the height follows the aspect ratio. Default 640.")]
    public int? Width { get; init; }

    /// <summary>"jpeg" (default) or "webp".</summary>
    [Description("\"jpeg\" (default) or \"webp\".")]
    public string? Format { get; init; }
}

/// <summary>Reads a download as "mp4" or as {"format": "mp4", "height": 720}; unknown fields are refused.</summary>
internal sealed class DownloadItemConverter : JsonConverter<DownloadItemRequest>
{
    public override DownloadItemRequest? Read(ref System.Text.Json.Utf8JsonReader reader, Type typeToConvert, System.Text.Json.JsonSerializerOptions options)
    {
        if (reader.TokenType == System.Text.Json.JsonTokenType.String)
        {
            return new DownloadItemRequest { Format = reader.GetString() };
        }

        if (reader.TokenType != System.Text.Json.JsonTokenType.StartObject)
        {
            throw new System.Text.Json.JsonException("A download is \"mp4\", \"m4a\" or an object like {\"format\": \"mp4\", \"height\": 720}.");
        }

        string? format = null;
        int? height = null;
        while (reader.Read() && reader.TokenType != System.Text.Json.JsonTokenType.EndObject)
        {
            var name = reader.GetString();
            reader.Read();
            switch (name)
            {
                case "format" when reader.TokenType is System.Text.Json.JsonTokenType.String or System.Text.Json.JsonTokenType.Null:
                    format = reader.GetString();
                    break;
                case "height" when reader.TokenType == System.Text.Json.JsonTokenType.Null:
                    break;
                case "height" when reader.TokenType == System.Text.Json.JsonTokenType.Number && reader.TryGetInt32(out var h):
                    height = h;
                    break;
                default:
                    throw new System.Text.Json.JsonException($"A download has only \"format\" and \"height\" (a whole number); '{name}' is not allowed there.");
            }
        }

        return new DownloadItemRequest { Format = format, Height = height };
    }

    public override void Write(System.Text.Json.Utf8JsonWriter writer, DownloadItemRequest value, System.Text.Json.JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteString("format", value.Format);
        if (value.Height is { } height)
        {
            writer.WriteNumber("height", height);
        }

        writer.WriteEndObject();
    }
}
