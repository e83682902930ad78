using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace Transcoder.ServiceDefaults;

/// <summary>Readiness: the Redis that holds cluster membership answers a PING.</summary>
internal sealed class RedisHealthCheck(ClusterSettings cluster) : IHealthCheck, IAsyncDisposable
{
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private ConnectionMultiplexer? _redis;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var redis = await ConnectAsync();
            if (!redis.IsConnected)
            {
                return HealthCheckResult.Unhealthy("Redis is not connected.");
            }

            var latency = await redis.GetDatabase().PingAsync().WaitAsync(cancellationToken);
            return HealthCheckResult.Healthy($"PING answered in {latency.TotalMilliseconds:0} ms.");
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("Redis did not answer.", ex);
        }
    }

    /// <summary>One connection for the process's checks, made on the first; it reconnects by itself (abortConnect=false).</summary>
    private async Task<ConnectionMultiplexer> ConnectAsync()
    {
        if (_redis is { } connected)
        {
            return connected;
        }

        await _connecting.WaitAsync();
        try
        {
            var options = ConfigurationOptions.Parse(cluster.RedisConnectionString);
            options.AbortOnConnectFail = false;
            options.ClientName = "transcoder-health";
            return _redis ??= await ConnectionMultiplexer.ConnectAsync(options);
        }
        finally
        {
            _connecting.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }

        _connecting.Dispose();
    }
}
