namespace Transcoder.Media.Packaging;

/// <summary>
/// Joins the spans of one rendition that were encoded apart (chunks) into one rendition without re-encoding: each
/// span's file is cut into segments under their global numbers with their decode times moved to the span's place, and
/// the joins are checked: one initialization segment for all (byte for byte), segment numbers in order, and each span
/// starting exactly where the one before it ended. Spans are added in order.
/// </summary>
internal sealed class SpanStitcher(string id, string packageFolder, Func<int, double> boundarySeconds) : IRenditionIndex
{
    private readonly List<MediaSegment> _segments = [];

    /// <summary>The representation id.</summary>
    public string Id { get; } = id;

    /// <summary>The track, once the first span is in.</summary>
    public TrackInfo? Track { get; private set; }

    /// <summary>The rendition's one initialization segment: the first span's.</summary>
    public byte[]? Init { get; private set; }

    public IReadOnlyList<MediaSegment> Segments => _segments;

    public string InitUri => PackageLayout.Init(Id);

    public long InitBytes => Init?.Length ?? 0;

    /// <summary>Cuts a finished span's file into the package; returns the files written.</summary>
    /// <exception cref="MediaException">The span does not join the ones before it.</exception>
    public IReadOnlyList<string> Add(string encoderOutput, SpanPlacement span)
    {
        if (span.FirstSegment != _segments.Count)
        {
            throw new MediaException(MediaErrorKind.EncodeFailed,
                $"Rendition {Id}: a span from segment {span.FirstSegment + 1} cannot follow {_segments.Count} segments.");
        }

        Directory.CreateDirectory(packageFolder);
        using var segmenter = new Segmenter(Id, encoderOutput, packageFolder, boundarySeconds, span, Init);
        var written = segmenter.Cut(final: true);
        var first = segmenter.Segments[0];
        if (_segments.Count > 0 && _segments[^1].Start + _segments[^1].Duration != first.Start)
        {
            throw new MediaException(MediaErrorKind.EncodeFailed,
                $"Rendition {Id}: segment {first.Number} starts at {first.Start} but the one before it ends at {_segments[^1].Start + _segments[^1].Duration} (timescale {segmenter.Track!.Timescale}).");
        }

        Track ??= segmenter.Track;
        Init ??= segmenter.Init;
        _segments.AddRange(segmenter.Segments);
        return written;
    }
}
