using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using Transcoder.Abstractions;

namespace Transcoder.Media.Packaging;

/// <summary>A representation as the MPD describes it: the rendition, its track and its segment index.</summary>
/// <remarks>A text representation has no track: it is one WebVTT file.</remarks>
internal sealed record DashRepresentation(string Id, Rendition Rendition, TrackInfo? Track, IReadOnlyList<MediaSegment> Segments, string? FrameRate);

/// <summary>
/// The DASH manifest (ISO/IEC 23009-1, DASH-IF interoperability points, isoff-live profile) written from the segment
/// index: one adaptation set per video codec (and dynamic range; HDR ones with their CICP descriptors), each representation with a SegmentTemplate and a SegmentTimeline
/// that lists its segments as they are, so the same segments serve HLS and DASH; one adaptation set per audio track
/// (each language and channel layout its own, with lang and Role); and one per text track, a WebVTT file (as DASH-IF
/// IOP allows for subtitles: an adaptation set of mimeType text/vtt whose representation's BaseURL is the file). Static once the title is complete; dynamic while it
/// encodes (the timeline grows, clients reload it), as the DASH-IF guidelines describe for content still being made.
/// </summary>
internal static class DashManifest
{
    private static readonly XNamespace Mpd = "urn:mpeg:dash:schema:mpd:2011";

    /// <summary>The manifest of a complete title.</summary>
    public static string Static(IReadOnlyList<DashRepresentation> representations, string? pictureAspect, int segmentSeconds) =>
        Write(representations, pictureAspect, segmentSeconds, live: null);

    /// <summary>The manifest while the title encodes: what is published so far, and when to look again.</summary>
    public static string Dynamic(IReadOnlyList<DashRepresentation> representations, string? pictureAspect, int segmentSeconds,
        DateTimeOffset availabilityStart, DateTimeOffset publishTime) =>
        Write(representations, pictureAspect, segmentSeconds, (availabilityStart, publishTime));

    private static string Write(IReadOnlyList<DashRepresentation> representations, string? pictureAspect, int segmentSeconds,
        (DateTimeOffset AvailabilityStart, DateTimeOffset PublishTime)? live)
    {
        var root = new XElement(Mpd + "MPD",
            new XAttribute("profiles", "urn:mpeg:dash:profile:isoff-live:2011"),
            new XAttribute("minBufferTime", Duration(segmentSeconds)));
        if (live is { } timing)
        {
            root.Add(
                new XAttribute("type", "dynamic"),
                new XAttribute("availabilityStartTime", Time(timing.AvailabilityStart)),
                new XAttribute("publishTime", Time(timing.PublishTime)),
                new XAttribute("minimumUpdatePeriod", Duration(segmentSeconds)),
                new XAttribute("suggestedPresentationDelay", Duration(segmentSeconds * 2)),
                new XAttribute("timeShiftBufferDepth", Duration(TimeSpan.FromDays(1).TotalSeconds)));
        }
        else
        {
            root.Add(
                new XAttribute("type", "static"),
                new XAttribute("mediaPresentationDuration", Duration(representations.Where(r => r.Track is not null).Max(End))));
        }

        var period = new XElement(Mpd + "Period", new XAttribute("id", "0"), new XAttribute("start", "PT0S"));
        var setId = 0;
        // One adaptation set per codec (and dynamic range): a player plays the set it decodes. With several, each says
        // how much it is preferred (fewer bits for the picture first), so a player that decodes AV1 picks it.
        var videoSets = representations.Where(r => r.Rendition.Kind == RenditionKind.Video)
            .GroupBy(r => (Family: r.Rendition.Codecs.Split('.')[0], Range: r.Track?.VideoRange ?? "SDR"))
            .ToList();
        foreach (var set in videoSets)
        {
            var element = AdaptationSet(setId++, RenditionKind.Video, [.. set], pictureAspect);
            if (videoSets.Count > 1)
            {
                element.Add(new XAttribute("selectionPriority", Preference(set.Key.Family)));
            }

            period.Add(element);
        }

        foreach (var audio in representations.Where(r => r.Rendition.Kind == RenditionKind.Audio))
        {
            period.Add(AdaptationSet(setId++, RenditionKind.Audio, [audio], pictureAspect));
        }

        foreach (var text in representations.Where(r => r.Rendition.Kind == RenditionKind.Text))
        {
            period.Add(TextAdaptationSet(setId++, text));
        }

        root.Add(period);
        var document = new XDocument(new XDeclaration("1.0", "utf-8", null), root);
        using var writer = new Utf8StringWriter();
        using (var xml = XmlWriter.Create(writer, new XmlWriterSettings { Indent = true, IndentChars = "  ", NewLineChars = "\n" }))
        {
            document.Save(xml);
        }

        return writer + "\n";
    }

    private static XElement AdaptationSet(int id, RenditionKind kind, List<DashRepresentation> members, string? pictureAspect)
    {
        var video = kind == RenditionKind.Video;
        var set = new XElement(Mpd + "AdaptationSet",
            new XAttribute("id", id),
            new XAttribute("contentType", video ? "video" : "audio"),
            new XAttribute("mimeType", video ? "video/mp4" : "audio/mp4"),
            new XAttribute("segmentAlignment", "true"),
            new XAttribute("startWithSAP", "1"));
        if (video)
        {
            set.Add(new XAttribute("maxWidth", members.Max(m => m.Rendition.Width ?? 0)), new XAttribute("maxHeight", members.Max(m => m.Rendition.Height ?? 0)));
            if (members[0].FrameRate is { } rate)
            {
                set.Add(new XAttribute("maxFrameRate", rate));
            }

            if (pictureAspect is not null)
            {
                set.Add(new XAttribute("par", pictureAspect));
            }

            if (members[0].Track?.Transfer is 16 or 18)
            {
                // HDR (DASH-IF IOP, ISO/IEC 23091-2 code points): a player that cannot show PQ or HLG leaves the set alone.
                set.Add(
                    new XElement(Mpd + "EssentialProperty", new XAttribute("schemeIdUri", "urn:mpeg:mpegB:cicp:TransferCharacteristics"), new XAttribute("value", members[0].Track!.Transfer!.Value)),
                    new XElement(Mpd + "SupplementalProperty", new XAttribute("schemeIdUri", "urn:mpeg:mpegB:cicp:ColourPrimaries"), new XAttribute("value", 9)),
                    new XElement(Mpd + "SupplementalProperty", new XAttribute("schemeIdUri", "urn:mpeg:mpegB:cicp:MatrixCoefficients"), new XAttribute("value", 9)));
            }
        }
        else
        {
            var audio = members[0].Rendition;
            if (audio.Language is { } language)
            {
                set.Add(new XAttribute("lang", language));
            }

            // In the schema's order: Label, then Accessibility, then Role.
            set.Add(new XElement(Mpd + "Label", audio.Name));
            if (audio.Role == Rendition.Roles.Description)
            {
                // Audio description for the visually impaired (TV-Anytime AudioPurposeCS, as DASH-IF IOP signals it).
                set.Add(new XElement(Mpd + "Accessibility", new XAttribute("schemeIdUri", "urn:tva:metadata:cs:AudioPurposeCS:2007"), new XAttribute("value", "1")));
            }

            set.Add(Role(audio.Role switch
            {
                Rendition.Roles.Description => "description",
                Rendition.Roles.Commentary => "commentary",
                _ => audio.Default ? "main" : "alternate",
            }));
        }

        foreach (var member in members)
        {
            set.Add(Representation(member));
        }

        return set;
    }

    /// <summary>A text track as one WebVTT file, with its language and role (forced-subtitle, caption or subtitle).</summary>
    private static XElement TextAdaptationSet(int id, DashRepresentation member)
    {
        var text = member.Rendition;
        var set = new XElement(Mpd + "AdaptationSet",
            new XAttribute("id", id),
            new XAttribute("contentType", "text"),
            new XAttribute("mimeType", "text/vtt"));
        if (text.Language is { } language)
        {
            set.Add(new XAttribute("lang", language));
        }

        set.Add(new XElement(Mpd + "Label", text.Name));
        set.Add(Role(text.Forced ? "forced-subtitle" : text.Role == Rendition.Roles.Captions ? "caption" : "subtitle"));
        set.Add(new XElement(Mpd + "Representation",
            new XAttribute("id", member.Id),
            new XAttribute("bandwidth", text.Bandwidth),
            new XElement(Mpd + "BaseURL", text.FileUrl)));
        return set;
    }

    /// <summary>How much a codec's set is preferred: the fewer bits it needs for a picture, the more.</summary>
    private static int Preference(string family) => family switch
    {
        "av01" => 3,
        "hvc1" or "hev1" => 2,
        _ => 1,
    };

    private static XElement Role(string value) =>
        new(Mpd + "Role", new XAttribute("schemeIdUri", "urn:mpeg:dash:role:2011"), new XAttribute("value", value));

    private static XElement Representation(DashRepresentation member)
    {
        var rendition = member.Rendition;
        var element = new XElement(Mpd + "Representation",
            new XAttribute("id", member.Id),
            new XAttribute("bandwidth", rendition.Bandwidth),
            new XAttribute("codecs", rendition.Codecs));
        if (rendition.Kind == RenditionKind.Video)
        {
            element.Add(new XAttribute("width", rendition.Width ?? 0), new XAttribute("height", rendition.Height ?? 0));
            if (member.FrameRate is { } rate)
            {
                element.Add(new XAttribute("frameRate", rate));
            }
        }
        else
        {
            if (member.Track!.SampleRate is { } sampleRate)
            {
                element.Add(new XAttribute("audioSamplingRate", sampleRate));
            }

            if (rendition.Channels is { } channels)
            {
                element.Add(new XElement(Mpd + "AudioChannelConfiguration",
                    new XAttribute("schemeIdUri", "urn:mpeg:dash:23003:3:audio_channel_configuration:2011"),
                    new XAttribute("value", channels)));
            }
        }

        element.Add(new XElement(Mpd + "SegmentTemplate",
            new XAttribute("timescale", member.Track!.Timescale),
            new XAttribute("initialization", PackageLayout.InitTemplate),
            new XAttribute("media", PackageLayout.SegmentTemplate),
            new XAttribute("startNumber", 1),
            Timeline(member.Segments)));
        return element;
    }

    /// <summary>The segments as S elements: a run of equal, back-to-back segments is one element with a repeat count.</summary>
    private static XElement Timeline(IReadOnlyList<MediaSegment> segments)
    {
        var timeline = new XElement(Mpd + "SegmentTimeline");
        ulong? expected = null;
        XElement? last = null;
        var repeats = 0;
        foreach (var segment in segments)
        {
            if (last is not null && expected == segment.Start && (ulong)last.Attribute("d")! == segment.Duration)
            {
                repeats++;
                last.SetAttributeValue("r", repeats);
            }
            else
            {
                last = new XElement(Mpd + "S");
                if (expected != segment.Start)
                {
                    last.Add(new XAttribute("t", segment.Start));
                }

                last.Add(new XAttribute("d", segment.Duration));
                timeline.Add(last);
                repeats = 0;
            }

            expected = segment.Start + segment.Duration;
        }

        return timeline;
    }

    private static double End(DashRepresentation member) =>
        member.Segments.Count == 0 ? 0 : (double)(member.Segments[^1].Start + member.Segments[^1].Duration) / member.Track!.Timescale;

    private static string Duration(double seconds) => string.Create(CultureInfo.InvariantCulture, $"PT{seconds:0.###}S");

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private sealed class Utf8StringWriter : StringWriter
    {
        public Utf8StringWriter()
            : base(CultureInfo.InvariantCulture)
        {
        }

        public override System.Text.Encoding Encoding => new System.Text.UTF8Encoding(false);
    }
}
