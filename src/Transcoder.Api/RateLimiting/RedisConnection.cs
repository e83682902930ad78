using StackExchange.Redis;

namespace Transcoder.Api.RateLimiting;

/// <summary>
/// The rate limiter's Redis connection, opened asynchronously while the API starts, before it serves requests.
/// Opened on the first request instead, a synchronous connect held a thread-pool thread while every request
/// behind it waited on the same lazy singleton: a fresh replica's first burst starved the pool and stalled
/// for about fifteen seconds while the runtime added threads one by one. With <c>abortConnect=false</c> a Redis
/// that is down does not stop the start: the connection keeps trying by itself, and the limiter fails open.
/// </summary>
public sealed class RedisConnection(ConfigurationOptions options) : IHostedService, IAsyncDisposable
{
    /// <summary>The connection's client name, as Redis' <c>CLIENT LIST</c> shows it.</summary>
    public const string ClientName = "transcoder-api-rate-limits";

    private ConnectionMultiplexer? _multiplexer;

    /// <summary>The connection; only after the host has started this service.</summary>
    public IConnectionMultiplexer Multiplexer =>
        _multiplexer ?? throw new InvalidOperationException("The Redis connection is opened when the host starts.");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var connect = options.Clone();
        connect.AbortOnConnectFail = false;
        connect.ClientName = ClientName;
        _multiplexer = await ConnectionMultiplexer.ConnectAsync(connect);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_multiplexer is not null)
        {
            await _multiplexer.DisposeAsync();
        }
    }
}
