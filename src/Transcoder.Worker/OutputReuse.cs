using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Transcoder.Abstractions;
using Transcoder.Media;
using Transcoder.Storage;

namespace Transcoder.Worker;

/// <summary>
/// Smart caching: a job whose input has the same bytes (SHA-256) as a completed job of the same tenant, made with
/// the same ladder settings, track and output options, points at that job's package instead of transcoding again. Only the same tenant's
/// jobs are considered, so nothing about one tenant's uploads can be learned by another.
/// </summary>
public sealed class OutputReuse(IJobRecordRepository records, IObjectStore store, IOptions<LadderOptions> ladder, IOptions<WorkerOptions> worker)
{
    /// <summary>The fingerprint of this silo's ladder settings with a job's track and output options.</summary>
    public string HashFor(WorkAssignment assignment) => LadderFingerprint.Of(ladder.Value, assignment.Tracks, assignment.Outputs);

    /// <summary>SHA-256 of a file's bytes, in hex.</summary>
    public static async Task<string> HashFileAsync(string path, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, useAsync: true);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(file, cancellationToken));
    }

    /// <summary>The outputs of an earlier job this run can reuse as they are, or null to transcode.</summary>
    public async Task<JobOutputs?> FindAsync(WorkAssignment assignment, string contentHash, CancellationToken cancellationToken)
    {
        var ladderHash = HashFor(assignment);
        var done = await records.FindReusableAsync(assignment.Tenant, contentHash, ladderHash, cancellationToken);
        if (done is not { Outputs: { HlsKey: { } hls, DashKey: not null } outputs } || done.Id == assignment.JobId
            || !await store.ExistsAsync(hls, cancellationToken))
        {
            return null;
        }

        var seconds = outputs.DurationSeconds > 0 ? outputs.DurationSeconds : (outputs.Cost?.ContentMinutes ?? 0) * 60;
        return outputs with
        {
            DurationSeconds = seconds,
            Cost = JobCosts.Price(0, seconds, Math.Max(1, outputs.Video.Count()), worker.Value.DollarsPerVcpuHour),
            ContentHash = contentHash,
            LadderHash = ladderHash,
            ReusedFrom = outputs.ReusedFrom ?? done.Id,
        };
    }
}
