using System.Collections.Immutable;
using System.Globalization;
using Transcoder.Abstractions;
using Transcoder.Media.Packaging;

namespace Transcoder.Media;

/// <summary>
/// Plans a package's audio and text renditions from the probed source and the job's track options. Pure: no I/O.
/// Every decodable audio stream (or those in the languages the job selects) becomes a stereo AAC rendition, plus a 5.1
/// one where the source is surround and the job asks; every text subtitle stream and every caption file becomes a
/// WebVTT rendition. Picture subtitles and unselected or undecodable audio are listed as skipped, never dropped silently.
/// </summary>
public static class TrackPlanner
{
    private const int StereoChannels = 2;
    private const int SurroundChannels = 6;
    private const int SampleRate = 48_000;

    /// <summary>The audio renditions, the text renditions and the skipped tracks.</summary>
    /// <exception cref="MediaException">A selected language is not in the source, or there are too many tracks.</exception>
    public static (ImmutableArray<PlannedAudio> Audio, ImmutableArray<PlannedText> Text, ImmutableArray<SkippedTrack> Skipped) Plan(
        SourceInfo source, TrackOptions tracks, LadderOptions options)
    {
        var skipped = new List<SkippedTrack>();
        var audio = PlanAudio(source, tracks, options, skipped);
        var text = PlanText(source, tracks, skipped);
        return (audio, text, [.. skipped]);
    }

    private static ImmutableArray<PlannedAudio> PlanAudio(SourceInfo source, TrackOptions tracks, LadderOptions options, List<SkippedTrack> skipped)
    {
        var kept = new List<AudioStreamInfo>();
        foreach (var stream in source.AudioStreams)
        {
            var language = Languages.Normalize(stream.Language);
            if (!stream.Decodable)
            {
                skipped.Add(new SkippedTrack("audio", stream.Index, stream.Codec, language, SkipReasons.Undecodable,
                    $"The audio codec '{stream.Codec}' cannot be decoded."));
            }
            else if (!tracks.AudioLanguages.IsEmpty && !tracks.AudioLanguages.Any(wanted => Languages.Matches(language, wanted)))
            {
                skipped.Add(new SkippedTrack("audio", stream.Index, stream.Codec, language, SkipReasons.NotSelected,
                    $"Its language ({language}) is not among those the job selected."));
            }
            else
            {
                kept.Add(stream);
            }
        }

        var missing = tracks.AudioLanguages.Where(wanted => !kept.Any(s => Languages.Matches(Languages.Normalize(s.Language), wanted))).ToList();
        if (missing.Count > 0)
        {
            var present = source.AudioStreams.Select(s => Languages.Normalize(s.Language)).Distinct().ToList();
            throw new MediaException(MediaErrorKind.LanguageNotInSource,
                $"The source has no audio in {string.Join(", ", missing)}; its audio is in {(present.Count == 0 ? "no language (it has no audio)" : string.Join(", ", present))}.");
        }

        var surround = tracks.Surround ? kept.Count(s => s.Channels > StereoChannels) : 0;
        if (kept.Count + surround > TrackOptions.MaxAudioTracks)
        {
            throw new MediaException(MediaErrorKind.TooManyTracks,
                $"The package would carry {kept.Count + surround} audio tracks; at most {TrackOptions.MaxAudioTracks} are made. Select languages with audio.languages.");
        }

        // The source's default track, else the first (with a selection: the first of the first language asked for).
        var preferred = tracks.AudioLanguages.IsEmpty ? null : kept.FirstOrDefault(s => Languages.Matches(Languages.Normalize(s.Language), tracks.AudioLanguages[0]));
        var chosen = kept.FirstOrDefault(s => s.Default && (preferred is null || Languages.Normalize(s.Language) == Languages.Normalize(preferred.Language)))
            ?? preferred ?? kept.FirstOrDefault();
        var names = new UniqueNames();
        var planned = ImmutableArray.CreateBuilder<PlannedAudio>();
        foreach (var stream in kept)
        {
            var language = Languages.Normalize(stream.Language);
            var role = stream.Description ? Rendition.Roles.Description : stream.Commentary ? Rendition.Roles.Commentary : null;
            var name = stream.Title ?? (language == Languages.Undetermined ? "Audio" : Languages.DisplayName(language)) + role switch
            {
                Rendition.Roles.Description => " (audio description)",
                Rendition.Roles.Commentary => " (commentary)",
                _ => "",
            };
            var isDefault = ReferenceEquals(stream, chosen);
            planned.Add(new PlannedAudio(PackageLayout.AudioId(planned.Count), stream.Index, options.AudioBitrate, StereoChannels, SampleRate,
                language, names.Take(name), isDefault, role) { Loudness = Loudness(tracks) });
            if (tracks.Surround && stream.Channels > StereoChannels)
            {
                planned.Add(new PlannedAudio(PackageLayout.AudioId(planned.Count), stream.Index, options.SurroundBitrate, SurroundChannels, SampleRate,
                    language, names.Take(name + " 5.1"), isDefault, role) { Loudness = Loudness(tracks) });
            }
        }

        return planned.ToImmutable();
    }

    private static ImmutableArray<PlannedText> PlanText(SourceInfo source, TrackOptions tracks, List<SkippedTrack> skipped)
    {
        var names = new UniqueNames();
        var planned = ImmutableArray.CreateBuilder<PlannedText>();
        var chosenDefault = source.TextStreams.FirstOrDefault(s => s.IsText && s.Default && !s.Forced);
        foreach (var stream in source.TextStreams)
        {
            var language = Languages.Normalize(stream.Language);
            if (!stream.IsText)
            {
                skipped.Add(new SkippedTrack("text", stream.Index, stream.Codec, language, SkipReasons.ImageSubtitles,
                    $"'{stream.Codec}' subtitles are pictures, not text; the package carries text (WebVTT) subtitles only."));
                continue;
            }

            var role = stream.HearingImpaired ? Rendition.Roles.Captions : null;
            var name = stream.Title ?? TextName(language, stream.Forced, role);
            planned.Add(new PlannedText(PackageLayout.TextId(planned.Count), language, names.Take(name), ReferenceEquals(stream, chosenDefault),
                stream.Forced, role, stream.Index, null));
        }

        for (var i = 0; i < tracks.Captions.Length; i++)
        {
            var caption = tracks.Captions[i];
            var language = Languages.Normalize(caption.Language);
            var name = caption.Name ?? TextName(language, caption.Forced, null);
            planned.Add(new PlannedText(PackageLayout.TextId(planned.Count), language, names.Take(name), false, caption.Forced, null, null, i));
        }

        if (planned.Count > TrackOptions.MaxTextTracks)
        {
            throw new MediaException(MediaErrorKind.TooManyTracks,
                $"The package would carry {planned.Count} text tracks (the source's and the job's caption files); at most {TrackOptions.MaxTextTracks} are made.");
        }

        return planned.ToImmutable();
    }

    private static string TextName(string language, bool forced, string? role) =>
        (language == Languages.Undetermined ? "Subtitles" : Languages.DisplayName(language)) + (forced ? " (forced)" : "") + (role == Rendition.Roles.Captions ? " (SDH)" : "");

    private static LoudnessPlan? Loudness(TrackOptions tracks) => tracks.Loudness is { } target ? new LoudnessPlan(target) : null;

    /// <summary>Names made unique in the order they are taken: a second "English" is "English 2".</summary>
    private sealed class UniqueNames
    {
        private readonly HashSet<string> _taken = new(StringComparer.OrdinalIgnoreCase);

        public string Take(string wanted)
        {
            var clean = new string([.. wanted.Where(c => !char.IsControl(c) && c != '"')]).Trim();
            clean = clean.Length == 0 ? "Track" : clean[..Math.Min(clean.Length, 100)];
            var name = clean;
            for (var n = 2; !_taken.Add(name); n++)
            {
                name = string.Create(CultureInfo.InvariantCulture, $"{clean} {n}");
            }

            return name;
        }
    }
}
