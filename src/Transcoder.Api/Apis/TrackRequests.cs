using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Transcoder.Abstractions;
using Transcoder.Api.Contracts;
using Transcoder.Captions;

namespace Transcoder.Api.Apis;

/// <summary>A caption file sent as a multipart part: its name, bytes and declared charset.</summary>
internal sealed record CaptionPart(string FileName, byte[] Bytes, string? Charset);

/// <summary>
/// Checks what a submission asks of its audio and text tracks and turns it into the job's <see cref="TrackOptions"/>:
/// BCP 47 languages, a loudness target in range (or the tenant's default), caption URLs and caption files (named
/// <c>NAME.LANG.srt</c> or <c>NAME.LANG.vtt</c>, optionally <c>NAME.LANG.forced.srt</c>), each file read and checked
/// here so a bad one is a 400 that names the file and the line.
/// </summary>
internal static class TrackRequests
{
    public const int MaxNameLength = 100;

    private static readonly JsonSerializerOptions OptionsJson = new(JsonSerializerDefaults.Web);

    /// <summary>The multipart field of track options, read as JSON (unknown fields refused); null if absent or bad (an error added).</summary>
    public static JobOptionsRequest? ReadOptionsField(string? text, string field, Dictionary<string, string[]> errors)
    {
        if (text is null)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<JobOptionsRequest>(text, OptionsJson);
        }
        catch (JsonException ex)
        {
            errors[field] = [$"Must be a JSON object like {{\"audio\": {{\"loudness\": {{\"targetLufs\": -16}}}}}}: {ex.Message}"];
            return null;
        }
    }

    /// <summary>The track options, or null when they are the defaults; adds an error per bad field to <paramref name="errors"/>.</summary>
    public static TrackOptions? Check(AudioOptionsRequest? audio, IReadOnlyList<CaptionRequest>? captions, IReadOnlyList<CaptionPart> parts,
        LoudnessTarget? tenantLoudness, Dictionary<string, string[]> errors, out IReadOnlyList<IReadOnlyList<Cue>> partCues)
    {
        var languages = ImmutableArray.CreateBuilder<string>();
        foreach (var (language, i) in (audio?.Languages ?? []).Select((l, i) => (l, i)))
        {
            if (!IsLanguage(language))
            {
                errors[$"audio.languages[{i}]"] = [$"'{language}' is not a BCP 47 language tag (e.g. \"en\", \"pt-BR\")."];
            }
            else if (!languages.Contains(Languages.Normalize(language)))
            {
                languages.Add(Languages.Normalize(language));
            }
        }

        if (languages.Count > TrackOptions.MaxAudioTracks)
        {
            errors["audio.languages"] = [$"At most {TrackOptions.MaxAudioTracks} languages."];
        }

        var loudness = tenantLoudness;
        if (audio?.Loudness is { } asked)
        {
            loudness = CheckLoudness(asked, errors);
        }

        var inputs = ImmutableArray.CreateBuilder<CaptionInput>();
        var requested = captions ?? [];
        if (requested.Count + parts.Count > TrackOptions.MaxTextTracks)
        {
            errors["captions"] = [$"At most {TrackOptions.MaxTextTracks} caption files; {requested.Count + parts.Count} were sent."];
        }

        for (var i = 0; i < requested.Count; i++)
        {
            if (CheckCaption(requested[i], i, errors) is { } input)
            {
                inputs.Add(input);
            }
        }

        var cues = new List<IReadOnlyList<Cue>>();
        foreach (var part in parts)
        {
            if (CheckPart(part, errors) is { } read)
            {
                inputs.Add(read.Input);
                cues.Add(read.Cues);
            }
        }

        partCues = cues;
        var options = new TrackOptions
        {
            AudioLanguages = languages.ToImmutable(),
            Surround = audio?.Surround ?? false,
            Loudness = loudness,
            Captions = inputs.ToImmutable(),
        };
        return options.IsDefault ? null : options;
    }

    private static LoudnessTarget? CheckLoudness(LoudnessRequest asked, Dictionary<string, string[]> errors)
    {
        var ok = true;
        if (asked.TargetLufs is not (>= LoudnessTarget.LowestLufs and <= LoudnessTarget.HighestLufs))
        {
            errors["audio.loudness.targetLufs"] = [Invariant($"Required: the integrated loudness in LUFS, from {LoudnessTarget.LowestLufs} to {LoudnessTarget.HighestLufs} (e.g. -23, -16, -14).")];
            ok = false;
        }

        if (asked.TruePeakDb is { } peak && peak is not (>= LoudnessTarget.LowestTruePeakDb and <= LoudnessTarget.HighestTruePeakDb))
        {
            errors["audio.loudness.truePeakDb"] = [Invariant($"Must be from {LoudnessTarget.LowestTruePeakDb} to {LoudnessTarget.HighestTruePeakDb} dBTP.")];
            ok = false;
        }

        return ok ? new LoudnessTarget(asked.TargetLufs!.Value, asked.TruePeakDb ?? LoudnessTarget.DefaultTruePeakDb) : null;
    }

    private static CaptionInput? CheckCaption(CaptionRequest caption, int i, Dictionary<string, string[]> errors)
    {
        var ok = true;
        if (!JobValidation.TryValidateUrl(caption.Url, out var urlError, $"captions[{i}].url"))
        {
            errors[$"captions[{i}].url"] = [urlError!];
            ok = false;
        }

        if (!IsLanguage(caption.Language))
        {
            errors[$"captions[{i}].language"] = [$"Required: the file's BCP 47 language (e.g. \"fr\", \"es-419\"); '{caption.Language}' is not one."];
            ok = false;
        }

        if (caption.Name is { } name && (name.Length > MaxNameLength || name.Any(char.IsControl)))
        {
            errors[$"captions[{i}].name"] = [$"At most {MaxNameLength} characters, without control characters."];
            ok = false;
        }

        var fileName = ok ? Path.GetFileName(new Uri(caption.Url!).AbsolutePath) : null;
        return ok
            ? new CaptionInput(JobInputKind.Url, caption.Url!, Languages.Normalize(caption.Language), string.IsNullOrWhiteSpace(caption.Name) ? null : caption.Name.Trim(),
                caption.Forced ?? false, string.IsNullOrEmpty(fileName) ? null : fileName)
            : null;
    }

    /// <summary>A caption part: its language (and "forced") from its name, its text read and checked.</summary>
    private static (CaptionInput Input, IReadOnlyList<Cue> Cues)? CheckPart(CaptionPart part, Dictionary<string, string[]> errors)
    {
        var format = CaptionFile.FormatOf(part.FileName);
        var tokens = Path.GetFileNameWithoutExtension(part.FileName).Split('.');
        var forced = tokens.Length > 2 && tokens[^1].Equals("forced", StringComparison.OrdinalIgnoreCase);
        var language = tokens.Length >= 2 ? tokens[forced ? ^2 : ^1] : null;
        if (format is null || !IsLanguage(language))
        {
            errors["captions"] = [$"'{part.FileName}': name caption files NAME.LANG.srt or NAME.LANG.vtt, LANG a BCP 47 language tag (e.g. movie.fr.srt, movie.pt-BR.forced.vtt)."];
            return null;
        }

        try
        {
            var cues = CaptionFile.Read(part.Bytes, part.FileName, format.Value, part.Charset);
            return (new CaptionInput(JobInputKind.Upload, "", Languages.Normalize(language), null, forced, part.FileName), cues);
        }
        catch (CaptionException ex)
        {
            errors["captions"] = [ex.Message];
            return null;
        }
    }

    /// <summary>A language a caller may name: a well-formed BCP 47 tag of a language ("und" says none).</summary>
    private static bool IsLanguage(string? tag) => Languages.IsWellFormed(tag) && Languages.Normalize(tag) != Languages.Undetermined;

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
