using System.Collections.Immutable;

namespace Transcoder.Abstractions;

/// <summary>
/// How a title's video was cut into chunks encoded apart. Fixed the first time the title run asks for it: a title
/// run that starts over (its silo died) gets the same split back, so chunks already done stay done.
/// </summary>
/// <param name="Count">How many chunks.</param>
/// <param name="ChunkSeconds">Their length (a whole number of segments); the last runs to the end.</param>
/// <param name="SourceKey">The source in the object store: every chunk reads the very bytes the title was planned from.</param>
/// <param name="LadderHash">The ladder settings the title was planned with; a silo planning otherwise refuses a chunk.</param>
/// <param name="PackageId">Names the package's prefix, where every chunk writes its segments under their final names.</param>
/// <param name="ContentHash">SHA-256 of the source's bytes: a title run that starts over must have fetched the same.</param>
/// <param name="FirstChunkSeconds">The first chunk's length (shorter, so the title is soon playable).</param>
[GenerateSerializer, Immutable, Alias("transcoder.chunk-split")]
public sealed record ChunkSplit(
    [property: Id(0)] int Count,
    [property: Id(1)] int ChunkSeconds,
    [property: Id(2)] string SourceKey,
    [property: Id(3)] string LadderHash,
    [property: Id(4)] Guid PackageId = default,
    [property: Id(5)] string? ContentHash = null,
    [property: Id(6)] int FirstChunkSeconds = 0);

/// <summary>What a chunk run is to encode: which chunk of which split.</summary>
[GenerateSerializer, Immutable, Alias("transcoder.chunk-assignment")]
public sealed record ChunkAssignment([property: Id(0)] int Index, [property: Id(1)] ChunkSplit Split);

/// <summary>One media segment a chunk wrote: its global number, decode time and duration (track timescale), size.</summary>
[GenerateSerializer, Immutable, Alias("transcoder.chunk-segment")]
public readonly record struct ChunkSegment(
    [property: Id(0)] int Number,
    [property: Id(1)] ulong Start,
    [property: Id(2)] ulong Duration,
    [property: Id(3)] long Bytes);

/// <summary>One rendition of a chunk: the hash of the initialization segment its encoder wrote, and its segments.</summary>
/// <param name="Id">The representation id ("v0").</param>
/// <param name="InitSha256">SHA-256 (hex) of its initialization segment: every chunk's must be the same.</param>
/// <param name="Segments">Its segments, in order.</param>
/// <param name="Psnr">PSNR over the chunk's frames (x264's global figure).</param>
/// <param name="Ssim">Mean SSIM over the chunk's frames.</param>
[GenerateSerializer, Immutable, Alias("transcoder.chunk-rendition")]
public sealed record ChunkRendition(
    [property: Id(0)] string Id,
    [property: Id(1)] string InitSha256,
    [property: Id(2)] ImmutableArray<ChunkSegment> Segments,
    [property: Id(3)] double Psnr,
    [property: Id(4)] double Ssim);

/// <summary>What a chunk run published: every rung's segments of its span, its frame count and its CPU time.</summary>
[GenerateSerializer, Immutable, Alias("transcoder.chunk-output")]
public sealed record ChunkOutput(
    [property: Id(0)] int Index,
    [property: Id(1)] ImmutableArray<ChunkRendition> Renditions,
    [property: Id(2)] long Frames,
    [property: Id(3)] double CpuSeconds);

/// <summary>A chunk as the title run sees it while it waits: done (with its output) or not yet, and where it ran.</summary>
[GenerateSerializer, Immutable, Alias("transcoder.chunk-state")]
public sealed record ChunkProgress(
    [property: Id(0)] int Index,
    [property: Id(1)] ChunkOutput? Output,
    [property: Id(2)] string? Node);
