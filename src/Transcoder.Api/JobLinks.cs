using Transcoder.Abstractions;
using Transcoder.Api.Contracts;
using Transcoder.Storage;
using Transcoder.Contracts;

namespace Transcoder.Api;

/// <summary>Turns job snapshots into responses, building URLs from the configured public base URL.</summary>
public sealed class JobLinks(IObjectStore store)
{
    public JobResponse ToResponse(JobView job) => JobResponses.From(job, store.PublicUrl);

    public static ProgressMessage ToMessage(JobProgressEvent e) =>
        new(e.JobId, e.Status.ToWire(), e.Percent, e.Stage, e.At);
}
