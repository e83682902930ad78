using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Transcoder.Abstractions;
using Transcoder.Media;
using Transcoder.Storage;

namespace Transcoder.Worker;

/// <summary>
/// Checks an upload's outputs against the source in the bucket: probed through a signed URL (its header and index
/// only), then planned as its title run would plan it. Anything else than an output the source cannot give (an
/// unreadable file, the store down) is no refusal here: the job meets it and fails or retries as it would.
/// </summary>
public sealed partial class SourceOutputChecks(IObjectStore store, MediaProbe probe, IOptions<LadderOptions> ladder, TimeProvider time, ILogger<SourceOutputChecks> logger) : IOutputChecks
{
    private static readonly TimeSpan UrlLifetime = TimeSpan.FromMinutes(5);

    public async Task<OutputRefusal?> CheckAsync(JobInput input, TrackOptions? tracks, OutputOptions outputs, CancellationToken cancellationToken)
    {
        if (input.Kind != JobInputKind.Upload || !outputs.NeedSource)
        {
            return null;
        }

        try
        {
            var (url, size) = await store.SignedReadAsync(input.Location, time.GetUtcNow().UtcDateTime + UrlLifetime, cancellationToken);
            var source = await probe.ProbeAsync(url, size, cancellationToken);
            LadderPlanner.Plan(source, ladder.Value, tracks, outputs);
            return null;
        }
        catch (MediaException ex) when (ex.Kind == MediaErrorKind.OutputsInvalid)
        {
            var colon = ex.Message.IndexOf(": ", StringComparison.Ordinal);
            return colon > 0 ? new OutputRefusal(ex.Message[..colon], ex.Message[(colon + 2)..]) : new OutputRefusal("outputs", ex.Message);
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or OutOfMemoryException))
        {
            NotChecked(logger, input.Location, ex);
            return null;
        }
    }

    [LoggerMessage(3140, LogLevel.Information, "The outputs of the upload {Key} were not checked against it before the job; the job checks them")]
    private static partial void NotChecked(ILogger logger, string key, Exception exception);
}
