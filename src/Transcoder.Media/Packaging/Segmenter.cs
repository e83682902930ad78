using Microsoft.Win32.SafeHandles;

namespace Transcoder.Media.Packaging;

/// <summary>One media segment of a rendition, as the index the manifests are written from records it.</summary>
/// <param name="Number">1 for the first segment.</param>
/// <param name="Uri">Its file name, relative to the package.</param>
/// <param name="Start">Decode time of its first sample, in the track's timescale.</param>
/// <param name="Duration">Its duration, in the track's timescale.</param>
/// <param name="Bytes">Its size.</param>
public sealed record MediaSegment(int Number, string Uri, ulong Start, ulong Duration, long Bytes);

/// <summary>A rendition's segment index, which the playlists and the manifest are written from.</summary>
internal interface IRenditionIndex
{
    /// <summary>The representation id, e.g. "v0".</summary>
    string Id { get; }

    /// <summary>The track, once its initialization segment is known.</summary>
    TrackInfo? Track { get; }

    /// <summary>Its initialization segment, relative to the package.</summary>
    string InitUri { get; }

    /// <summary>Bytes of its initialization segment.</summary>
    long InitBytes { get; }

    /// <summary>Its media segments, in order.</summary>
    IReadOnlyList<MediaSegment> Segments { get; }
}

/// <summary>Where a span of a title (a chunk encoded on its own) sits in the whole: its first segment and its start.</summary>
/// <param name="FirstSegment">The global index (0-based) of the span's first segment.</param>
/// <param name="StartSeconds">Where the span starts on the title's timeline; its own timeline starts at 0.</param>
internal sealed record SpanPlacement(int FirstSegment, double StartSeconds)
{
    /// <summary>A whole title: segments from the first, times as they are.</summary>
    public static SpanPlacement Whole { get; } = new(0, 0);
}

/// <summary>
/// Cuts one rendition, as an encoder writes it (fragmented MP4: an initialization segment, then movie fragments), into
/// the package's initialization segment and media segments on the plan's time grid (in presentation time, so the
/// audio encoder's priming does not shift audio against video). It reads only whole boxes, so it can follow the file
/// while the encoder still writes it; each segment file appears complete (written aside, then renamed). Video arrives
/// as one fragment per keyframe interval, which is one segment; audio arrives a frame at a time, and a segment's
/// frames are merged into one fragment. A span encoded on its own (<see cref="SpanPlacement"/>) is cut the same way and
/// written under the global segment numbers, each fragment's decode time moved to the span's place on the title's
/// timeline, so spans encoded apart join into one continuous rendition without re-encoding.
/// </summary>
/// <param name="id">The representation id.</param>
/// <param name="source">The encoder's file.</param>
/// <param name="packageFolder">Where segments are written.</param>
/// <param name="boundarySeconds">Where segment n (0-based, global) starts on the title's timeline.</param>
/// <param name="span">Where the encoder's file sits in the title; null for the whole title.</param>
/// <param name="initOfFirstSpan">
/// For a later span: the initialization segment the first span's encoder wrote, which this one's must equal byte for
/// byte (one init segment serves the whole rendition); it is then not written again.
/// </param>
internal sealed class Segmenter(string id, string source, string packageFolder, Func<int, double> boundarySeconds, SpanPlacement? span = null,
    byte[]? initOfFirstSpan = null) : IRenditionIndex, IDisposable
{
    private readonly SpanPlacement _span = span ?? SpanPlacement.Whole;
    private readonly List<MediaSegment> _segments = [];
    private readonly List<Fragment> _pending = [];
    private readonly List<byte> _header = [];
    private SafeFileHandle? _file;
    private long _position;
    private int _nextBoundary = (span ?? SpanPlacement.Whole).FirstSegment + 1;

    /// <summary>The representation id, e.g. "v0".</summary>
    public string Id { get; } = id;

    /// <summary>The track, once its initialization segment is written.</summary>
    public TrackInfo? Track { get; private set; }

    public string InitUri => PackageLayout.Init(Id);

    public IReadOnlyList<MediaSegment> Segments => _segments;

    public long InitBytes { get; private set; }

    /// <summary>The initialization segment as the encoder wrote it (spans of one rendition must write the same).</summary>
    public byte[]? Init { get; private set; }

    /// <summary>
    /// Reads what the encoder added since the last call, and writes the initialization segment and every media segment
    /// now complete; returns the files written (relative to the package), in the order they may be published. With
    /// <paramref name="final"/> (the encoder has exited) what is left becomes the last segment.
    /// </summary>
    /// <exception cref="MediaException">The encoder's file is malformed, or ended without a track.</exception>
    public IReadOnlyList<string> Cut(bool final)
    {
        var written = new List<string>();
        if (_file is null && File.Exists(source))
        {
            _file = File.OpenHandle(source, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }

        if (_file is not null)
        {
            while (ReadBox() is { } box)
            {
                Take(box, written);
            }
        }

        if (final)
        {
            if (Track is null)
            {
                throw new MediaException(MediaErrorKind.EncodeFailed, $"The encoder wrote no track for rendition {Id}.");
            }

            if (_pending.Count > 0)
            {
                written.Add(Close());
            }

            if (_segments.Count == 0)
            {
                throw new MediaException(MediaErrorKind.EncodeFailed, $"The encoder wrote no media for rendition {Id}.");
            }
        }

        return written;
    }

    /// <summary>The next whole top-level box (a moof with its mdat, as one), or null if the encoder has not finished writing it.</summary>
    private (string Type, byte[] Bytes)? ReadBox()
    {
        var length = RandomAccess.GetLength(_file!);
        Span<byte> header = stackalloc byte[16];
        if (length - _position < 8)
        {
            return null;
        }

        RandomAccess.Read(_file!, header, _position);
        var (type, size, _) = Mp4Boxes.ReadHeader(header, 0) ?? throw Mp4Boxes.Malformed("truncated box header");
        if (size < 8)
        {
            throw Mp4Boxes.Malformed($"box '{type}' of size {size}");
        }

        var end = _position + size;
        if (type == "moof")
        {
            // A fragment is whole once the mdat after it is.
            if (length - end < 8)
            {
                return null;
            }

            RandomAccess.Read(_file!, header, end);
            var (next, dataSize, _) = Mp4Boxes.ReadHeader(header, 0) ?? throw Mp4Boxes.Malformed("truncated box header");
            if (next != "mdat")
            {
                throw Mp4Boxes.Malformed($"a fragment followed by '{next}' instead of its media data");
            }

            end += dataSize;
        }

        if (length < end)
        {
            return null;
        }

        var bytes = new byte[end - _position];
        RandomAccess.Read(_file!, bytes, _position);
        _position = end;
        return (type, bytes);
    }

    private void Take((string Type, byte[] Bytes) box, List<string> written)
    {
        switch (box.Type)
        {
            case "ftyp":
                _header.AddRange(box.Bytes);
                break;
            case "moov":
                _header.AddRange(box.Bytes);
                var init = _header.ToArray();
                Track = Fmp4.ReadInit(init);
                Init = init;
                InitBytes = init.Length;
                if (initOfFirstSpan is not null)
                {
                    if (!init.AsSpan().SequenceEqual(initOfFirstSpan))
                    {
                        throw new MediaException(MediaErrorKind.EncodeFailed,
                            $"Rendition {Id}: the span from segment {_span.FirstSegment + 1} was encoded with another initialization segment than the first span; the spans cannot be joined.");
                    }

                    break;
                }

                WriteAtomically(InitUri, init);
                written.Add(InitUri);
                break;
            case "moof" when Track is { } track:
                var fragment = Fmp4.ReadFragment(box.Bytes, track.Defaults);
                if (fragment.Samples.Count == 0)
                {
                    break;
                }

                _pending.Add(fragment);
                if (fragment.PresentationEnd(track) >= Ticks(boundarySeconds(_nextBoundary) - _span.StartSeconds, track))
                {
                    written.Add(Close());
                }

                break;
            case "moof":
                throw Mp4Boxes.Malformed("a fragment before the initialization segment");
            default:
                // styp, sidx, free, mfra...: nothing a segment needs.
                break;
        }
    }

    /// <summary>Writes the pending fragments as the next segment, and moves the grid past its end.</summary>
    private string Close()
    {
        var track = Track!;
        var number = _span.FirstSegment + _segments.Count + 1;
        var uri = PackageLayout.Segment(Id, number);
        var offset = (ulong)Ticks(_span.StartSeconds, track);
        var bytes = Fmp4.Merge(_pending, track.TrackId, (uint)number, offset);
        var start = _pending[0].BaseTime + offset;
        var end = _pending[^1].EndTime + offset;
        var presentationEnd = _pending[^1].PresentationEnd(track);
        WriteAtomically(uri, bytes);
        _segments.Add(new MediaSegment(number, uri, start, end - start, bytes.Length));
        _pending.Clear();
        while (Ticks(boundarySeconds(_nextBoundary) - _span.StartSeconds, track) <= presentationEnd)
        {
            _nextBoundary++;
        }

        return uri;
    }

    private void WriteAtomically(string name, byte[] bytes)
    {
        var path = Path.Combine(packageFolder, name);
        File.WriteAllBytes(path + ".tmp", bytes);
        File.Move(path + ".tmp", path, overwrite: true);
    }

    private static long Ticks(double seconds, TrackInfo track) => (long)Math.Round(seconds * track.Timescale);

    public void Dispose() => _file?.Dispose();
}
