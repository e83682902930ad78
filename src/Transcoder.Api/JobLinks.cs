using Transcoder.Abstractions;
using Transcoder.Api.Contracts;
using Transcoder.Storage;

namespace Transcoder.Api;

/// <summary>Turns job snapshots into responses, building URLs from the configured public base URL.</summary>
public sealed class JobLinks(IObjectStore store)
{
    public JobResponse ToResponse(JobSnapshot job) => new()
    {
        Id = job.Id,
        Status = job.Status.ToWire(),
        Progress = job.Progress,
        Stage = job.Stage,
        Priority = job.Priority,
        CreatedAt = job.CreatedAt,
        StartedAt = job.StartedAt,
        CompletedAt = job.CompletedAt,
        PlayableAt = job.PlayableAt,
        ProcessingNode = job.ProcessingNode,
        Attempts = job.Attempts,
        MaxAttempts = job.MaxAttempts ?? JobSpec.DefaultMaxAttempts,
        DeadLetteredAt = job.DeadLetteredAt,
        Renditions = job.Renditions.IsDefault
            ? []
            : [.. job.Renditions.Select(r => new RenditionResponse(r.Name, r.Width, r.Height, r.Bandwidth, r.AverageBandwidth, r.Codecs, store.PublicUrl(r.PlaylistKey), r.Psnr, r.Ssim))],
        HlsUrl = job.HlsKey is null ? null : store.PublicUrl(job.HlsKey),
        DashUrl = job.DashKey is null ? null : store.PublicUrl(job.DashKey),
        Error = job.Error is null ? null : new JobErrorResponse(job.Error.Code, job.Error.Message, job.Error.Detail),
        Cost = job.Cost,
        ContentSha256 = job.ContentHash,
        ReusedFrom = job.ReusedFrom,
        PosterUrl = job.PosterKey is null ? null : store.PublicUrl(job.PosterKey),
        StoryboardUrl = job.StoryboardKey is null ? null : store.PublicUrl(job.StoryboardKey),
    };

    public static ProgressMessage ToMessage(JobProgressEvent e) =>
        new(e.JobId, e.Status.ToWire(), e.Percent, e.Stage, e.At);
}
