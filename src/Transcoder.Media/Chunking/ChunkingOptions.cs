using System.ComponentModel.DataAnnotations;

namespace Transcoder.Media.Chunking;

/// <summary>When a title's video is cut into chunks encoded apart, and how long they are. Section "Chunking".</summary>
public sealed class ChunkingOptions
{
    public const string SectionName = "Chunking";

    /// <summary>Videos at least this long are chunked; shorter ones are encoded in one piece. Default 120 s.</summary>
    [Range(1, 86_400)]
    public double MinSourceSeconds { get; set; } = 120;

    /// <summary>
    /// Length of a chunk in seconds: a whole number of segments (a multiple of the ladder's SegmentSeconds), so chunk
    /// edges are segment edges. Default 20.
    /// </summary>
    [Range(1, 3_600)]
    public int ChunkSeconds { get; set; } = 20;

    /// <summary>
    /// Length of the first chunk in seconds, a whole number of segments no longer than <see cref="ChunkSeconds"/>: short,
    /// so that it is encoded (and the title playable) soon after submission while the longer ones follow. Default 4.
    /// </summary>
    [Range(1, 3_600)]
    public int FirstChunkSeconds { get; set; } = 4;
}
