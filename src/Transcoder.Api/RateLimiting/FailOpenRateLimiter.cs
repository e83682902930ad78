using System.Threading.RateLimiting;
using StackExchange.Redis;

namespace Transcoder.Api.RateLimiting;

/// <summary>
/// A limiter that lets requests through when the one it wraps cannot answer (Redis unreachable or slow):
/// while Redis is away tenants are not limited, rather than every request failing. While the connection is known to
/// be down it does not ask at all, so a request does not wait out Redis' timeout first.
/// </summary>
internal sealed partial class FailOpenRateLimiter(RateLimiter inner, Func<bool> available, ILogger logger) : RateLimiter
{
    public override TimeSpan? IdleDuration => inner.IdleDuration;

    public override RateLimiterStatistics? GetStatistics() => null;

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        if (!available())
        {
            return Granted.Lease;
        }

        try
        {
            return inner.AttemptAcquire(permitCount);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            BudgetUnavailable(logger, ex);
            return Granted.Lease;
        }
    }

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        if (!available())
        {
            return Granted.Lease;
        }

        try
        {
            return await inner.AcquireAsync(permitCount, cancellationToken);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            BudgetUnavailable(logger, ex);
            return Granted.Lease;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    [LoggerMessage(5201, LogLevel.Warning, "The request budget could not be read from Redis; the request is let through")]
    private static partial void BudgetUnavailable(ILogger logger, Exception exception);

    private sealed class Granted : RateLimitLease
    {
        public static readonly Granted Lease = new();

        public override bool IsAcquired => true;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }
    }
}
