using Transcoder.Abstractions;
using Transcoder.Worker;

namespace Transcoder.Bench.Silo;

/// <summary>
/// A test double for load benchmarks: a ladder run that fetches, encodes and uploads nothing and "produces" one
/// rendition at once, so a burst drains at the speed of the queue, the grains and the database alone. The job
/// still goes through every state change and report a real run makes.
/// </summary>
public sealed class InstantPipeline : IWorkPipeline
{
    public WorkItemKind Kind => WorkItemKind.Ladder;

    public async Task<WorkResult> RunAsync(WorkContext context, CancellationToken cancellationToken)
    {
        await context.ReportAsync(50, JobStages.Encoding, force: true);
        var prefix = context.OutputPrefix;
        return new JobOutputs
        {
            Renditions =
            [
                new Rendition
                {
                    Kind = RenditionKind.Video, Name = "360p", Codecs = "avc1.64001e", Width = 640, Height = 360, FrameRate = 30,
                    Bandwidth = 1_200_000, AverageBandwidth = 1_000_000, SizeBytes = 125_000, PlaylistUrl = prefix + "media_v0.m3u8",
                },
            ],
            HlsKey = prefix + "master.m3u8",
            DashKey = prefix + "manifest.mpd",
            DurationSeconds = 1,
        };
    }
}
