using System.Collections.Frozen;
using System.Text.RegularExpressions;

namespace Transcoder.Abstractions;

/// <summary>
/// Language tags as packages carry them: BCP 47 (RFC 5646), with the shortest ISO 639 code for the language (what
/// HLS LANGUAGE and DASH lang expect), from the ISO 639-2 codes media files use ("eng", "fre"/"fra"). "und" is a
/// track whose language is not known; it is never guessed.
/// </summary>
public static partial class Languages
{
    /// <summary>The tag of a track whose language is not known.</summary>
    public const string Undetermined = "und";

    // ISO 639-1, ISO 639-2/T, ISO 639-2/B where it differs, and the English name.
    private static readonly (string Two, string Three, string? Bibliographic, string Name)[] Known =
    [
        ("af", "afr", null, "Afrikaans"), ("am", "amh", null, "Amharic"), ("ar", "ara", null, "Arabic"), ("az", "aze", null, "Azerbaijani"),
        ("be", "bel", null, "Belarusian"), ("bg", "bul", null, "Bulgarian"), ("bn", "ben", null, "Bengali"), ("bs", "bos", null, "Bosnian"),
        ("ca", "cat", null, "Catalan"), ("cs", "ces", "cze", "Czech"), ("cy", "cym", "wel", "Welsh"), ("da", "dan", null, "Danish"),
        ("de", "deu", "ger", "German"), ("el", "ell", "gre", "Greek"), ("en", "eng", null, "English"), ("eo", "epo", null, "Esperanto"),
        ("es", "spa", null, "Spanish"), ("et", "est", null, "Estonian"), ("eu", "eus", "baq", "Basque"), ("fa", "fas", "per", "Persian"),
        ("fi", "fin", null, "Finnish"), ("fr", "fra", "fre", "French"), ("ga", "gle", null, "Irish"), ("gl", "glg", null, "Galician"),
        ("gu", "guj", null, "Gujarati"), ("he", "heb", null, "Hebrew"), ("hi", "hin", null, "Hindi"), ("hr", "hrv", null, "Croatian"),
        ("hu", "hun", null, "Hungarian"), ("hy", "hye", "arm", "Armenian"), ("id", "ind", null, "Indonesian"), ("is", "isl", "ice", "Icelandic"),
        ("it", "ita", null, "Italian"), ("ja", "jpn", null, "Japanese"), ("ka", "kat", "geo", "Georgian"), ("kk", "kaz", null, "Kazakh"),
        ("km", "khm", null, "Khmer"), ("kn", "kan", null, "Kannada"), ("ko", "kor", null, "Korean"), ("la", "lat", null, "Latin"),
        ("lt", "lit", null, "Lithuanian"), ("lv", "lav", null, "Latvian"), ("mk", "mkd", "mac", "Macedonian"), ("ml", "mal", null, "Malayalam"),
        ("mn", "mon", null, "Mongolian"), ("mr", "mar", null, "Marathi"), ("ms", "msa", "may", "Malay"), ("mt", "mlt", null, "Maltese"),
        ("my", "mya", "bur", "Burmese"), ("nb", "nob", null, "Norwegian Bokmål"), ("ne", "nep", null, "Nepali"), ("nl", "nld", "dut", "Dutch"),
        ("nn", "nno", null, "Norwegian Nynorsk"), ("no", "nor", null, "Norwegian"), ("pa", "pan", null, "Punjabi"), ("pl", "pol", null, "Polish"),
        ("ps", "pus", null, "Pashto"), ("pt", "por", null, "Portuguese"), ("ro", "ron", "rum", "Romanian"), ("ru", "rus", null, "Russian"),
        ("sk", "slk", "slo", "Slovak"), ("sl", "slv", null, "Slovenian"), ("so", "som", null, "Somali"), ("sq", "sqi", "alb", "Albanian"),
        ("sr", "srp", null, "Serbian"), ("sv", "swe", null, "Swedish"), ("sw", "swa", null, "Swahili"), ("ta", "tam", null, "Tamil"),
        ("te", "tel", null, "Telugu"), ("th", "tha", null, "Thai"), ("tl", "tgl", null, "Tagalog"), ("tr", "tur", null, "Turkish"),
        ("uk", "ukr", null, "Ukrainian"), ("ur", "urd", null, "Urdu"), ("uz", "uzb", null, "Uzbek"), ("vi", "vie", null, "Vietnamese"),
        ("yi", "yid", null, "Yiddish"), ("zh", "zho", "chi", "Chinese"), ("zu", "zul", null, "Zulu"),
    ];

    private static readonly FrozenDictionary<string, string> ShortCodes = Known
        .SelectMany(l => new[] { (l.Three, l.Two), (l.Bibliographic ?? l.Three, l.Two) })
        .DistinctBy(p => p.Item1)
        .ToFrozenDictionary(p => p.Item1, p => p.Item2, StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, string> Names = Known.ToFrozenDictionary(l => l.Two, l => l.Name, StringComparer.Ordinal);

    /// <summary>
    /// True when <paramref name="tag"/> is a well-formed BCP 47 language tag (RFC 5646 section 2.1: language, extended
    /// languages, script, region, variants, extensions, private use), e.g. "fr", "pt-BR", "zh-Hant", "sr-Latn-RS", "yue",
    /// with a primary language of two or three letters (the longer forms the grammar reserves are registered for no
    /// language, so "english" is refused rather than taken for a tag).
    /// </summary>
    public static bool IsWellFormed(string? tag) => tag is { Length: > 0 and <= 64 } && LanguageTag().IsMatch(tag);

    /// <summary>
    /// The tag a package carries for a track: the shortest ISO 639 code of its language ("eng" and "en" both "en"), the
    /// script in title case and the region in upper case; "und" for none or a tag that is not well-formed.
    /// </summary>
    public static string Normalize(string? tag)
    {
        if (string.IsNullOrWhiteSpace(tag) || !IsWellFormed(tag.Trim()))
        {
            return Undetermined;
        }

        var parts = tag.Trim().Split('-');
        var language = parts[0].ToLowerInvariant();
        parts[0] = ShortCodes.GetValueOrDefault(language, language);
        for (var i = 1; i < parts.Length; i++)
        {
            parts[i] = parts[i].Length switch
            {
                4 when char.IsLetter(parts[i][0]) => char.ToUpperInvariant(parts[i][0]) + parts[i][1..].ToLowerInvariant(),
                2 => parts[i].ToUpperInvariant(),
                _ => parts[i].ToLowerInvariant(),
            };
        }

        return string.Join('-', parts);
    }

    /// <summary>True when a track in <paramref name="trackLanguage"/> is one a viewer asking for <paramref name="wanted"/> gets ("pt" matches "pt-BR").</summary>
    public static bool Matches(string trackLanguage, string wanted)
    {
        var track = Normalize(trackLanguage);
        var asked = Normalize(wanted);
        return track == asked || track.StartsWith(asked + "-", StringComparison.Ordinal);
    }

    /// <summary>The English name of the tag's language ("French", "Portuguese (BR)"); the tag itself when it is not in the table.</summary>
    public static string DisplayName(string tag)
    {
        var normalized = Normalize(tag);
        if (normalized == Undetermined)
        {
            return "Unknown language";
        }

        var parts = normalized.Split('-', 2);
        return Names.TryGetValue(parts[0], out var name) ? (parts.Length > 1 ? $"{name} ({parts[1]})" : name) : normalized;
    }

    [GeneratedRegex(
        "^(?:[a-z]{2,3}(?:-[a-z]{3}){0,3})(?:-[a-z]{4})?(?:-(?:[a-z]{2}|[0-9]{3}))?(?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*(?:-[0-9a-wy-z](?:-[a-z0-9]{2,8})+)*(?:-x(?:-[a-z0-9]{1,8})+)?$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex LanguageTag();
}
