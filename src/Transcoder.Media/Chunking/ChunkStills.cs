using System.Collections.Immutable;

namespace Transcoder.Media.Chunking;

/// <summary>
/// The stills a chunk takes for the title's poster and storyboard: the poster if its frame is in the chunk, and each
/// storyboard thumbnail whose instant falls in it. Frames are counted from the chunk's first.
/// </summary>
/// <param name="PosterFrame">The poster's frame, if the chunk holds it.</param>
/// <param name="FirstThumbnail">The title-wide number of the chunk's first thumbnail.</param>
/// <param name="ThumbnailFrames">The frames of its thumbnails, in order.</param>
public sealed record ChunkStills(long? PosterFrame, int FirstThumbnail, ImmutableArray<long> ThumbnailFrames)
{
    public static ChunkStills None { get; } = new(null, 0, []);

    /// <summary>What <paramref name="chunk"/> of <paramref name="plan"/> takes: thumbnail k is the first frame at or after k × the interval.</summary>
    public static ChunkStills For(LadderPlan plan, PlannedChunk chunk)
    {
        if (plan.Thumbnails is not { } thumbnails)
        {
            return None;
        }

        var end = chunk.FrameCount is { } count ? chunk.StartFrame + count : long.MaxValue;
        long? poster = thumbnails.PosterFrame >= chunk.StartFrame && thumbnails.PosterFrame < end ? thumbnails.PosterFrame - chunk.StartFrame : null;
        var frames = ImmutableArray.CreateBuilder<long>();
        var first = -1;
        for (var k = 0; k < thumbnails.Count; k++)
        {
            var frame = ChunkPlanner.FirstFrameAtOrAfter(k * thumbnails.IntervalSeconds, plan.FrameRate);
            if (frame >= chunk.StartFrame && frame < end)
            {
                first = first < 0 ? k : first;
                frames.Add(frame - chunk.StartFrame);
            }
        }

        return new ChunkStills(poster, Math.Max(0, first), frames.ToImmutable());
    }
}
