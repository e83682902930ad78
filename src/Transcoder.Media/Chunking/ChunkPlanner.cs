using System.Collections.Immutable;

namespace Transcoder.Media.Chunking;

/// <summary>
/// One chunk of a title's video: a run of whole segments, encoded on its own into every rung.
/// </summary>
/// <param name="Index">0 for the first chunk.</param>
/// <param name="FirstSegment">The global index (0-based) of its first segment.</param>
/// <param name="StartFrame">The index of its first frame at the ladder's output frame rate.</param>
/// <param name="FrameCount">How many frames it holds; null for the last chunk, which runs to the end.</param>
/// <param name="StartSeconds">Where it starts: its first frame's time (a frame edge at or after its first segment's start).</param>
public sealed record PlannedChunk(int Index, int FirstSegment, long StartFrame, long? FrameCount, double StartSeconds);

/// <summary>
/// Cuts a ladder plan's video into chunks of whole segments: a short first one (so the title is soon playable), then
/// chunks of the set length, the last to the end. Pure: no I/O. A chunk starts at a segment's start,
/// which is where every rung has a keyframe: on the frame the encoder would make a keyframe of (the first at or
/// after that instant), so that chunks encoded apart hold exactly the frames the whole title would, none twice.
/// </summary>
public static class ChunkPlanner
{
    /// <summary>The chunks, or an empty list when the title is encoded in one piece (short, audio-only, or chunking off).</summary>
    /// <exception cref="ArgumentException">The chunk length is not a whole number of segments.</exception>
    public static ImmutableArray<PlannedChunk> Plan(LadderPlan plan, ChunkingOptions options)
    {
        if (options.ChunkSeconds % plan.SegmentSeconds != 0 || options.FirstChunkSeconds % plan.SegmentSeconds != 0)
        {
            throw new ArgumentException(
                $"Chunks of {options.ChunkSeconds} s (the first {options.FirstChunkSeconds} s) are not a whole number of {plan.SegmentSeconds} s segments.", nameof(options));
        }

        var first = Math.Min(options.FirstChunkSeconds, options.ChunkSeconds);

        var seconds = plan.Duration.TotalSeconds;
        if (plan.Rungs.IsEmpty || seconds < options.MinSourceSeconds || seconds <= options.ChunkSeconds || !plan.FrameRate.IsPositive)
        {
            return [];
        }

        var chunks = ImmutableArray.CreateBuilder<PlannedChunk>();
        var shortOnes = plan.SegmentSeconds / plan.FirstSegmentSeconds;
        var frames = plan.FrameCount;
        var starts = new List<(int Segment, long Frame)>();
        for (var at = 0; at < seconds; at += at == 0 ? first : options.ChunkSeconds)
        {
            // The segment that starts at this instant: after the short first ones, one every SegmentSeconds.
            var segment = at == 0 ? 0 : (at / plan.SegmentSeconds) + shortOnes - 1;
            var frame = FirstFrameAtOrAfter(plan.SegmentStart(segment), plan.FrameRate);
            if (frame >= frames)
            {
                // The title ends within a frame of this edge: nothing is left for another chunk.
                break;
            }

            starts.Add((segment, frame));
        }

        for (var i = 0; i < starts.Count; i++)
        {
            var (segment, frame) = starts[i];
            long? count = i + 1 < starts.Count ? starts[i + 1].Frame - frame : null;
            chunks.Add(new PlannedChunk(i, segment, frame, count, frame * plan.FrameRate.Denominator / (double)plan.FrameRate.Numerator));
        }

        return chunks.ToImmutable();
    }

    /// <summary>How many frames <paramref name="chunk"/> holds at the plan's frame rate (the last: to the title's end).</summary>
    public static long Frames(LadderPlan plan, PlannedChunk chunk) => chunk.FrameCount ?? Math.Max(0, plan.FrameCount - chunk.StartFrame);

    /// <summary>The index of the first frame at or after <paramref name="seconds"/>, as "gte(t, seconds)" picks it.</summary>
    internal static long FirstFrameAtOrAfter(double seconds, Rational frameRate)
    {
        // Exact for whole seconds: seconds x num / den, rounded up only when it is not a whole number of frames.
        var exact = (decimal)seconds * frameRate.Numerator / frameRate.Denominator;
        var frame = decimal.Ceiling(exact - 0.000001m);
        return (long)frame;
    }
}
