using Transcoder.Abstractions;
using Transcoder.Grains;

namespace Transcoder.Bench.Silo;

/// <summary>
/// A test double for load benchmarks: an attempt that fetches, encodes and uploads nothing and "produces" one
/// rendition at once, so a burst drains at the speed of the queue, the grains and the database alone. The job
/// still goes through every state change and report a real attempt makes.
/// </summary>
public sealed class InstantPipeline : IJobPipeline
{
    public async Task<TranscodeOutput> RunAsync(JobAttempt attempt, CancellationToken cancellationToken)
    {
        await attempt.ReportAsync(50, JobStages.Encoding, force: true);
        var prefix = attempt.OutputPrefix;
        return new TranscodeOutput(
            [new Rendition("360p", 640, 360, 1_200_000, 1_000_000, "avc1.64001e,mp4a.40.2", prefix + "0.m3u8", 30)],
            prefix + "master.m3u8",
            prefix + "manifest.mpd",
            1);
    }
}
