using System.Collections;
using Microsoft.Extensions.Logging;

namespace Transcoder.ServiceDefaults;

/// <summary>
/// Puts the job id and tenant on every log line written while working on one job, as scope properties
/// (<c>JobId</c>, <c>Tenant</c>), whoever writes the line: this service, Orleans, Npgsql or the S3 client.
/// Search the logs for a job or a tenant without knowing each message's wording.
/// </summary>
public static class JobLogScope
{
    public static IDisposable? Begin(ILogger logger, Guid jobId, string tenant) => logger.BeginScope(new Properties(jobId, () => tenant));

    /// <summary>A scope whose tenant is read when a line is written: a job grain learns it during its first call.</summary>
    public static IDisposable? Begin(ILogger logger, Guid jobId, Func<string?> tenant) => logger.BeginScope(new Properties(jobId, tenant));

    private sealed class Properties(Guid jobId, Func<string?> tenant) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        public int Count => 2;

        public KeyValuePair<string, object?> this[int index] => index switch
        {
            0 => new("JobId", jobId),
            1 => new("Tenant", tenant()),
            _ => throw new ArgumentOutOfRangeException(nameof(index)),
        };

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
        {
            yield return this[0];
            yield return this[1];
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => $"Job {jobId} of {tenant()}";
    }
}
