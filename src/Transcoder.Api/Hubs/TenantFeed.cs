using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using StackExchange.Redis;
using Transcoder.Api.Contracts;
using Transcoder.Api.RateLimiting;
using Transcoder.Contracts;

namespace Transcoder.Api.Hubs;

/// <summary>
/// New jobs, to every open page of their tenant on every replica: the replica that accepted a job publishes it on
/// Redis (<c>transcoder:jobs-created:{tenant}</c>, fire and forget), and each replica sends what it hears to the
/// hub group of that tenant, which a connection joins with its token's tenant. A page missing one (Redis down, say)
/// still has the job on its next list.
/// </summary>
public sealed partial class TenantFeed(RedisConnection redis, IHubContext<JobsHub> hub, ILogger<TenantFeed> logger) : IHostedService
{
    public const string CreatedMethod = "jobCreated";

    private const string ChannelPrefix = "transcoder:jobs-created:";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { TypeInfoResolver = ApiJsonContext.Default };

    /// <summary>The hub group a tenant's connections are in.</summary>
    public static string Group(string tenant) => $"tenant:{tenant}";

    /// <summary>Tells every open page of the job's tenant about a job just made.</summary>
    public void Created(string tenant, JobResponse job)
    {
        try
        {
            var payload = JsonSerializer.SerializeToUtf8Bytes(job, Json);
            redis.Multiplexer.GetSubscriber().Publish(RedisChannel.Literal(ChannelPrefix + tenant), payload, CommandFlags.FireAndForget);
        }
        catch (Exception ex) when (ex is RedisException or InvalidOperationException)
        {
            PublishFailed(logger, job.Id, ex);
        }
    }

    // Not disposed: the host may stop this service after the container has let go of it.
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>Subscribes in the background, trying again while Redis is unreachable: the API starts without it.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = Task.Run(() => SubscribeAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task SubscribeAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                var queue = await redis.Multiplexer.GetSubscriber().SubscribeAsync(RedisChannel.Pattern(ChannelPrefix + "*"));
                queue.OnMessage(ForwardAsync);
                return;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or InvalidOperationException)
            {
                SubscribeFailed(logger, ex);
                await Task.Delay(TimeSpan.FromSeconds(5), stopping).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private async Task ForwardAsync(ChannelMessage message)
    {
        var tenant = message.Channel.ToString()[ChannelPrefix.Length..];
        try
        {
            var job = JsonSerializer.Deserialize<JobResponse>((byte[])message.Message!, Json);
            await hub.Clients.Group(Group(tenant)).SendAsync(CreatedMethod, job);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or IOException)
        {
            ForwardFailed(logger, tenant, ex);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        try
        {
            await redis.Multiplexer.GetSubscriber().UnsubscribeAsync(RedisChannel.Pattern(ChannelPrefix + "*"));
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or InvalidOperationException)
        {
            // Redis is gone: so is the subscription.
        }
    }

    [LoggerMessage(4010, LogLevel.Warning, "Could not announce new job {JobId} to its tenant's pages")]
    private static partial void PublishFailed(ILogger logger, Guid jobId, Exception exception);

    [LoggerMessage(4012, LogLevel.Warning, "Could not subscribe to new jobs; trying again")]
    private static partial void SubscribeFailed(ILogger logger, Exception exception);

    [LoggerMessage(4011, LogLevel.Warning, "Could not pass a new job on to the pages of tenant {Tenant}")]
    private static partial void ForwardFailed(ILogger logger, string tenant, Exception exception);
}
