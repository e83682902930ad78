using System.Security.Cryptography;
using Transcoder.Abstractions;

namespace Transcoder.Media.Packaging;

/// <summary>
/// A rendition whose video was encoded in chunks on any silo: its segment index is joined from the chunks' reports, in
/// order, and every join is checked: one initialization segment for all (by hash), segment numbers in order, each
/// chunk starting exactly where the one before it ended. The segments themselves are already in the bucket.
/// </summary>
internal sealed class JoinedRendition(string id) : IRenditionIndex
{
    private readonly List<MediaSegment> _segments = [];
    private string? _initHash;

    public string Id { get; } = id;

    public TrackInfo? Track { get; private set; }

    public string InitUri => PackageLayout.Init(Id);

    public long InitBytes { get; private set; }

    public IReadOnlyList<MediaSegment> Segments => _segments;

    /// <summary>Joins the next chunk's part of this rendition.</summary>
    /// <param name="chunk">The chunk's index, for messages.</param>
    /// <param name="part">What the chunk reported of this rendition.</param>
    /// <param name="init">The initialization segment, needed with the first chunk only.</param>
    /// <exception cref="MediaException">The chunk does not join the ones before it.</exception>
    public void Join(int chunk, ChunkRendition part, byte[]? init)
    {
        if (_initHash is null)
        {
            if (init is null || Convert.ToHexStringLower(SHA256.HashData(init)) != part.InitSha256)
            {
                throw new MediaException(MediaErrorKind.ChunksDiffer, $"Rendition {Id}: the stored initialization segment is not the one chunk {chunk + 1} wrote.");
            }

            Track = Fmp4.ReadInit(init);
            InitBytes = init.Length;
            _initHash = part.InitSha256;
        }
        else if (part.InitSha256 != _initHash)
        {
            throw new MediaException(MediaErrorKind.ChunksDiffer,
                $"Rendition {Id}: chunk {chunk + 1} was encoded with another initialization segment than the first chunk; the chunks cannot be joined.");
        }

        if (part.Segments.IsEmpty || part.Segments[0].Number != _segments.Count + 1)
        {
            throw new MediaException(MediaErrorKind.ChunksDiffer,
                $"Rendition {Id}: chunk {chunk + 1} starts at segment {(part.Segments.IsEmpty ? 0 : part.Segments[0].Number)}, not {_segments.Count + 1}.");
        }

        var end = _segments.Count == 0 ? part.Segments[0].Start : _segments[^1].Start + _segments[^1].Duration;
        foreach (var segment in part.Segments)
        {
            if (segment.Start != end || segment.Number != _segments.Count + 1)
            {
                throw new MediaException(MediaErrorKind.ChunksDiffer,
                    $"Rendition {Id}: segment {segment.Number} of chunk {chunk + 1} starts at {segment.Start}, but the one before it ends at {end} (timescale {Track!.Timescale}).");
            }

            _segments.Add(new MediaSegment(segment.Number, PackageLayout.Segment(Id, segment.Number), segment.Start, segment.Duration, segment.Bytes));
            end = segment.Start + segment.Duration;
        }
    }
}
