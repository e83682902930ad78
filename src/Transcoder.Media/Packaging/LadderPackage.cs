using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Transcoder.Abstractions;
using Transcoder.Captions;

namespace Transcoder.Media.Packaging;

/// <summary>The playlists and manifest of a package that is still being encoded.</summary>
/// <param name="MediaPlaylists">Each rendition's EVENT media playlist, by file name.</param>
/// <param name="DashManifest">The dynamic MPD; null until every rendition has an initialization segment.</param>
/// <param name="HlsMaster">The master playlist; null until every rendition has a segment (then viewers may start).</param>
public sealed record LiveDocuments(IReadOnlyDictionary<string, string> MediaPlaylists, string? DashManifest, string? HlsMaster);

/// <summary>A finished package: its renditions (playlists relative to the package) and the files besides them.</summary>
/// <param name="Renditions">Video largest first, then audio, then text.</param>
/// <param name="DurationSeconds">Duration of the title.</param>
/// <param name="Poster">File name of the poster, if one was made.</param>
/// <param name="StoryboardTrack">File name of the WebVTT storyboard track, if one was made.</param>
public sealed record PackagedTitle(ImmutableArray<Rendition> Renditions, double DurationSeconds, string? Poster, string? StoryboardTrack)
{
    public string HlsMaster => PackageLayout.HlsMaster;

    public string DashManifest => PackageLayout.DashManifest;
}

/// <summary>
/// The project's packager for one ladder: it follows what the encoder writes (one fragmented MP4 per rendition),
/// cuts each into CMAF segments on the plan's grid, and writes the HLS media and master playlists and the DASH
/// manifest from the segment index: bandwidth measured from the segments, codec strings read from the
/// initialization segments. One set of segments serves both. While the title encodes the playlists are EVENT and the
/// manifest dynamic; <see cref="Finish"/> writes them VOD and static.
/// </summary>
public sealed class LadderPackage : IDisposable
{
    private readonly LadderPlan _plan;
    private readonly List<Member> _members = [];
    private readonly List<TextMember> _texts = [];
    private bool _textFilesListed;

    /// <param name="plan">What is encoded.</param>
    /// <param name="encodeFolder">Where the encoder writes.</param>
    /// <param name="packageFolder">Where the package is made.</param>
    /// <param name="textCues">The cues of each of the plan's text tracks, by representation id.</param>
    public LadderPackage(LadderPlan plan, string encodeFolder, string packageFolder, IReadOnlyDictionary<string, IReadOnlyList<Cue>>? textCues = null)
        : this(plan, encodeFolder, packageFolder, joinedVideo: false, textCues)
    {
    }

    private LadderPackage(LadderPlan plan, string encodeFolder, string packageFolder, bool joinedVideo, IReadOnlyDictionary<string, IReadOnlyList<Cue>>? textCues)
    {
        _plan = plan;
        EncodeFolder = encodeFolder;
        Folder = packageFolder;
        Directory.CreateDirectory(encodeFolder);
        Directory.CreateDirectory(packageFolder);
        foreach (var rendition in plan.Renditions)
        {
            IRenditionIndex index = joinedVideo && rendition.Kind == RenditionKind.Video
                ? new JoinedRendition(rendition.Id)
                : new Segmenter(rendition.Id, Path.Combine(encodeFolder, PackageLayout.EncoderOutput(rendition.Id)), packageFolder, plan.SegmentStart);
            _members.Add(new Member(rendition, index));
        }

        foreach (var text in plan.TextTracks)
        {
            var cues = Clipped(plan, textCues?.GetValueOrDefault(text.Id) ?? []);
            _texts.Add(new TextMember(text, cues));
            Write(PackageLayout.TextFile(text.Id), WebVtt.Document(cues));
        }
    }

    /// <summary>
    /// A clip's cues on its own timeline: those shown within it, moved by its start and cut at its edges.
    /// </summary>
    internal static IReadOnlyList<Cue> Clipped(LadderPlan plan, IReadOnlyList<Cue> cues)
    {
        if (plan.ClipEndSeconds is not { } end)
        {
            return cues;
        }

        var (from, to) = (TimeSpan.FromSeconds(plan.ClipStartSeconds), TimeSpan.FromSeconds(end));
        return [.. cues.Where(c => c.End > from && c.Start < to)
            .Select(c => c with { Start = (c.Start < from ? from : c.Start) - from, End = (c.End > to ? to : c.End) - from })];
    }

    /// <summary>
    /// A package whose video was encoded in chunks (each already published its segments under their final names) and
    /// is joined here chunk by chunk (<see cref="Join"/>), while the encoder writes the audio whole into
    /// <paramref name="encodeFolder"/>.
    /// </summary>
    public static LadderPackage Joined(LadderPlan plan, string encodeFolder, string packageFolder, IReadOnlyDictionary<string, IReadOnlyList<Cue>>? textCues = null) =>
        new(plan, encodeFolder, packageFolder, joinedVideo: true, textCues);

    /// <summary>How many chunks are joined.</summary>
    public int JoinedChunks { get; private set; }

    /// <summary>Grows with every change not made by cutting a file here (a chunk joined): the documents may have changed.</summary>
    public int Revision { get; private set; }

    /// <summary>
    /// Joins the next chunk's video (chunks join in order). <paramref name="inits"/>, the initialization segments by
    /// representation id, are needed with the first chunk only.
    /// </summary>
    /// <exception cref="MediaException">The chunk does not join the ones before it.</exception>
    public void Join(ChunkOutput chunk, IReadOnlyDictionary<string, byte[]>? inits = null)
    {
        if (chunk.Index != JoinedChunks)
        {
            throw new MediaException(MediaErrorKind.ChunksDiffer, $"Chunk {chunk.Index + 1} cannot follow {JoinedChunks} chunks.");
        }

        foreach (var member in _members.Where(m => m.Index is JoinedRendition))
        {
            var part = chunk.Renditions.FirstOrDefault(r => r.Id == member.Planned.Id)
                ?? throw new MediaException(MediaErrorKind.ChunksDiffer, $"Chunk {chunk.Index + 1} has no rendition {member.Planned.Id}.");
            ((JoinedRendition)member.Index).Join(chunk.Index, part, inits?.GetValueOrDefault(member.Planned.Id));
        }

        JoinedChunks++;
        Revision++;
    }

    /// <summary>The representation ids of the video joined from chunks, whose initialization segments the first chunk published.</summary>
    public IEnumerable<string> JoinedIds => _members.Where(m => m.Index is JoinedRendition).Select(m => m.Planned.Id);

    /// <summary>Where the encoder writes its own outputs.</summary>
    public string EncodeFolder { get; }

    /// <summary>The package: what is published, file for file.</summary>
    public string Folder { get; }

    /// <summary>True once every rendition has a segment: viewers may start while the rest encodes.</summary>
    public bool Playable => _members.All(m => m.Index.Segments.Count > 0);

    /// <summary>
    /// Cuts what the encoder has finished since the last call; returns the files written (initialization and media
    /// segments, text segments as far as the video, and the whole text files the first time).
    /// </summary>
    public IReadOnlyList<string> Cut()
    {
        var written = _members.SelectMany(m => m.Cutter?.Cut(final: false) ?? []).ToList();
        if (!_textFilesListed)
        {
            written.AddRange(_texts.Select(t => PackageLayout.TextFile(t.Planned.Id)));
            _textFilesListed = true;
        }

        written.AddRange(CutText(final: false));
        return written;
    }

    /// <summary>
    /// Writes each text track's segments up to the video's (the first rendition's): a segment per segment of it, with
    /// the same boundaries, so every playlist of the package has one timeline. The last takes every cue left.
    /// </summary>
    private List<string> CutText(bool final)
    {
        var written = new List<string>();
        var reference = _members.Count > 0 ? _members[0].Index : null;
        if (reference?.Track is not { } track)
        {
            return written;
        }

        foreach (var text in _texts)
        {
            for (var k = text.Segments.Count; k < reference.Segments.Count; k++)
            {
                var segment = reference.Segments[k];
                var last = final && k == reference.Segments.Count - 1;
                var from = TimeSpan.FromSeconds(_plan.SegmentStart(k));
                TimeSpan? to = last ? null : TimeSpan.FromSeconds(_plan.SegmentStart(k + 1));
                var uri = PackageLayout.TextSegment(text.Planned.Id, k + 1);
                var bytes = Write(uri, WebVtt.Segment(text.Cues, from, to));
                text.Segments.Add(new HlsSegment(uri, (double)segment.Duration / track.Timescale));
                text.Bytes.Add(bytes);
                written.Add(uri);
            }
        }

        return written;
    }

    /// <summary>The EVENT playlists, the dynamic manifest and, once playable, a master whose bandwidths bound what the rest may bring.</summary>
    public LiveDocuments Live(DateTimeOffset availabilityStart, DateTimeOffset now)
    {
        var playlists = _members
            .Where(m => m.Index.Track is not null && m.Index.Segments.Count > 0)
            .ToDictionary(m => PackageLayout.MediaPlaylist(m.Planned.Id), m => MediaPlaylist(m, complete: false), StringComparer.Ordinal);
        foreach (var text in _texts.Where(t => t.Segments.Count > 0))
        {
            playlists[PackageLayout.MediaPlaylist(text.Planned.Id)] = TextPlaylist(text, complete: false);
        }

        if (_members.Any(m => m.Index.Track is null))
        {
            return new LiveDocuments(playlists, null, null);
        }

        var renditions = _members.Select(m => Describe(m, live: true)).Concat(_texts.Select(DescribeText)).ToList();
        var dash = DashManifest.Dynamic(Representations(renditions), PictureAspect(), _plan.SegmentSeconds, availabilityStart, now);
        return new LiveDocuments(playlists, dash, Playable ? HlsPlaylists.Master(renditions) : null);
    }

    /// <summary>
    /// After the encoder exited: cuts the last segments, then writes the VOD media playlists, the static manifest, the
    /// master playlist (playlists before the manifests that name them) and the storyboard track.
    /// </summary>
    /// <param name="quality">PSNR and SSIM of each video rendition, in rung order.</param>
    /// <param name="loudness">Loudness figures of audio renditions, by representation id.</param>
    /// <exception cref="MediaException">The encoder's outputs are missing or malformed.</exception>
    public PackagedTitle Finish(IReadOnlyList<RenditionQuality> quality, IReadOnlyDictionary<string, LoudnessFigures>? loudness = null)
    {
        foreach (var member in _members)
        {
            member.Cutter?.Cut(final: true);
        }

        CutText(final: true);
        var renditions = _members
            .Select(m => Describe(m, live: false) with { Loudness = loudness?.GetValueOrDefault(m.Planned.Id) })
            .Concat(_texts.Select(DescribeText))
            .ToList();
        for (var i = 0; i < renditions.Count && i < quality.Count; i++)
        {
            if (renditions[i].Kind == RenditionKind.Video)
            {
                renditions[i] = renditions[i] with { Psnr = quality[i].Psnr, Ssim = quality[i].Ssim };
            }
        }

        foreach (var member in _members)
        {
            Write(PackageLayout.MediaPlaylist(member.Planned.Id), MediaPlaylist(member, complete: true));
        }

        foreach (var text in _texts)
        {
            Write(PackageLayout.MediaPlaylist(text.Planned.Id), TextPlaylist(text, complete: true));
        }

        Write(PackageLayout.DashManifest, DashManifest.Static(Representations(renditions), PictureAspect(), _plan.SegmentSeconds));
        Write(PackageLayout.HlsMaster, HlsPlaylists.Master(renditions));
        var duration = Duration();
        var storyboard = _plan.Thumbnails is { } thumbnails && File.Exists(Path.Combine(Folder, PackageLayout.StoryboardImage))
            ? WriteStoryboard(thumbnails, duration)
            : null;
        var poster = File.Exists(Path.Combine(Folder, PackageLayout.Poster)) ? PackageLayout.Poster : null;
        return new PackagedTitle([.. renditions], duration, poster, storyboard);
    }

    /// <summary>Every file of the package that is not a playlist or manifest: what to upload before them.</summary>
    public IEnumerable<string> MediaFiles() =>
        Directory.EnumerateFiles(Folder)
            .Select(Path.GetFileName)
            .OfType<string>()
            .Where(name => !name.EndsWith(".tmp", StringComparison.Ordinal) && !IsDocument(name));

    /// <summary>The playlists and manifests, in the order to publish them: media playlists, then the manifests that name them.</summary>
    public IEnumerable<string> Documents() =>
        _members.Select(m => m.Planned.Id).Concat(_texts.Select(t => t.Planned.Id)).Select(PackageLayout.MediaPlaylist).Order(StringComparer.Ordinal)
            .Concat([PackageLayout.DashManifest, PackageLayout.HlsMaster]);

    public void Dispose()
    {
        foreach (var member in _members)
        {
            member.Cutter?.Dispose();
        }
    }

    private bool IsDocument(string name) => name.EndsWith(".m3u8", StringComparison.Ordinal) || name == PackageLayout.DashManifest;

    private string MediaPlaylist(Member member, bool complete)
    {
        var track = member.Index.Track!;
        var segments = member.Index.Segments.Select(s => new HlsSegment(s.Uri, (double)s.Duration / track.Timescale)).ToList();
        return HlsPlaylists.Media(member.Index.InitUri, segments, TargetDuration(segments), complete);
    }

    /// <summary>
    /// The rendition as the manifests describe it. Bandwidth is the peak over its segments; while it encodes, no less
    /// than what its encoder settings allow a full segment to carry, so the early master never understates it.
    /// </summary>
    private Rendition Describe(Member member, bool live)
    {
        var segmenter = member.Index;
        var track = segmenter.Track!;
        var planned = member.Planned;
        long peak = 0, bytes = 0;
        double seconds = 0;
        foreach (var segment in segmenter.Segments)
        {
            var duration = (double)segment.Duration / track.Timescale;
            bytes += segment.Bytes;
            seconds += duration;
            if (duration > 0)
            {
                peak = Math.Max(peak, (long)Math.Ceiling(segment.Bytes * 8 / duration));
            }
        }

        var average = seconds > 0 ? (long)Math.Ceiling(bytes * 8 / seconds) : planned.Bitrate;
        if (live)
        {
            peak = Math.Max(peak, planned.PeakBound(_plan.SegmentSeconds));
        }

        var audio = _plan.AudioTracks.FirstOrDefault(a => a.Id == planned.Id);
        return new Rendition
        {
            Kind = planned.Kind,
            Name = planned.Name,
            Codecs = track.Codecs,
            Language = audio?.Language,
            Default = audio?.Default ?? false,
            Role = audio?.Role,
            Width = planned.Kind == RenditionKind.Video ? planned.Width : null,
            Height = planned.Kind == RenditionKind.Video ? planned.Height : null,
            FrameRate = planned.Kind == RenditionKind.Video ? Math.Round(_plan.FrameRate.ToDouble(), 3) : null,
            VideoRange = planned.Kind == RenditionKind.Video ? track.VideoRange : null,
            Channels = audio?.Channels ?? track.Channels,
            Bandwidth = peak,
            AverageBandwidth = average,
            SizeBytes = segmenter.InitBytes + bytes,
            PlaylistUrl = PackageLayout.MediaPlaylist(planned.Id),
        };
    }

    /// <summary>A text rendition: its bandwidth is the peak over its segments, its size that of the whole file.</summary>
    private Rendition DescribeText(TextMember text)
    {
        long peak = 0;
        for (var i = 0; i < text.Segments.Count; i++)
        {
            if (text.Segments[i].Duration > 0)
            {
                peak = Math.Max(peak, (long)Math.Ceiling(text.Bytes[i] * 8 / text.Segments[i].Duration));
            }
        }

        var seconds = text.Segments.Sum(s => s.Duration);
        var file = new FileInfo(Path.Combine(Folder, PackageLayout.TextFile(text.Planned.Id))).Length;
        var planned = text.Planned;
        return new Rendition
        {
            Kind = RenditionKind.Text,
            Name = planned.Name,
            Codecs = "wvtt",
            Language = planned.Language,
            Default = planned.Default,
            Forced = planned.Forced,
            Role = planned.Role,
            Bandwidth = Math.Max(peak, 1),
            AverageBandwidth = seconds > 0 ? Math.Max(1, (long)Math.Ceiling(text.Bytes.Sum() * 8 / seconds)) : 1,
            SizeBytes = file,
            PlaylistUrl = PackageLayout.MediaPlaylist(planned.Id),
            FileUrl = PackageLayout.TextFile(planned.Id),
        };
    }

    private string TextPlaylist(TextMember text, bool complete) => HlsPlaylists.Media(null, text.Segments, TargetDuration(text.Segments), complete);

    /// <summary>
    /// A playlist's target duration, fixed up front as it may not change; a segment longer than the grid (an encoder that
    /// missed a keyframe) raises it rather than break the rule that none exceeds it.
    /// </summary>
    private int TargetDuration(IReadOnlyList<HlsSegment> segments) =>
        Math.Max(_plan.SegmentSeconds + 1, segments.Count == 0 ? 0 : (int)Math.Round(segments.Max(s => s.Duration), MidpointRounding.AwayFromZero));

    private List<DashRepresentation> Representations(List<Rendition> renditions) =>
    [
        .. _members.Select((m, i) => new DashRepresentation(m.Planned.Id, renditions[i], m.Index.Track!, m.Index.Segments,
            m.Planned.Kind == RenditionKind.Video ? FrameRate() : null)),
        .. _texts.Select((t, i) => new DashRepresentation(t.Planned.Id, renditions[_members.Count + i], null, [], null)),
    ];

    private string FrameRate() => _plan.FrameRate.Denominator == 1
        ? _plan.FrameRate.Numerator.ToString(CultureInfo.InvariantCulture)
        : _plan.FrameRate.ToString();

    private string? PictureAspect() => _plan.Rungs.IsEmpty ? null : $"{_plan.DisplayAspect.Numerator}:{_plan.DisplayAspect.Denominator}";

    /// <summary>The title's duration: the end of its first rendition (video when there is video).</summary>
    private double Duration()
    {
        var first = _members[0].Index;
        return first.Segments.Count == 0 ? 0 : (double)(first.Segments[^1].Start + first.Segments[^1].Duration) / first.Track!.Timescale;
    }

    /// <summary>A WebVTT track whose cues point into the sprite (#xywh=), as players' seek previews expect.</summary>
    private string WriteStoryboard(ThumbnailPlan plan, double durationSeconds)
    {
        var text = new StringBuilder("WEBVTT\n");
        var count = Math.Min(plan.Count, Math.Max(1, (int)Math.Ceiling(durationSeconds / plan.IntervalSeconds)));
        for (var i = 0; i < count; i++)
        {
            var start = i * plan.IntervalSeconds;
            var end = Math.Min((i + 1) * plan.IntervalSeconds, durationSeconds);
            var x = i % plan.Columns * plan.Width;
            var y = i / plan.Columns * plan.Height;
            text.Append(CultureInfo.InvariantCulture,
                $"\n{Timestamp(start)} --> {Timestamp(end)}\n{PackageLayout.StoryboardImage}#xywh={x},{y},{plan.Width},{plan.Height}\n");
        }

        Write(PackageLayout.StoryboardTrack, text.ToString());
        return PackageLayout.StoryboardTrack;
    }

    private static string Timestamp(double seconds) =>
        TimeSpan.FromSeconds(seconds).ToString(@"hh\:mm\:ss\.fff", CultureInfo.InvariantCulture);

    private long Write(string name, string text)
    {
        var path = Path.Combine(Folder, name);
        var bytes = new UTF8Encoding(false).GetBytes(text);
        File.WriteAllBytes(path + ".tmp", bytes);
        File.Move(path + ".tmp", path, overwrite: true);
        return bytes.Length;
    }

    /// <summary>A rendition of the package: what it was planned as, and its segment index (cut here, or joined from chunks).</summary>
    private sealed record Member(PlannedRendition Planned, IRenditionIndex Index)
    {
        /// <summary>The segmenter that cuts it from the encoder's file as it grows; null for a rendition joined from chunks.</summary>
        public Segmenter? Cutter => Index as Segmenter;
    }

    private sealed record TextMember(PlannedText Planned, IReadOnlyList<Cue> Cues)
    {
        public List<HlsSegment> Segments { get; } = [];

        public List<long> Bytes { get; } = [];
    }
}
