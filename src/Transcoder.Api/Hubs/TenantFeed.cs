using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using StackExchange.Redis;
using Transcoder.Api.Contracts;
using Transcoder.Api.RateLimiting;
using Transcoder.Contracts;

namespace Transcoder.Api.Hubs;

/// <summary>
/// New jobs, to every open page of their tenant on every replica: the replica that accepted a job publishes it on
/// Redis (<c>transcoder:jobs-created:{tenant}</c>, fire and forget), and a replica listens to a tenant's channel
/// only while it holds a hub connection of that tenant, sending what it hears to the tenant's hub group. A job of a
/// tenant with no page open costs one PUBLISH nobody receives. A page that misses one (Redis down, say) still has
/// the job on its next list.
/// </summary>
public sealed partial class TenantFeed(RedisConnection redis, IHubContext<JobsHub> hub, ILogger<TenantFeed> logger)
{
    public const string CreatedMethod = "jobCreated";

    private const string ChannelPrefix = "transcoder:jobs-created:";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { TypeInfoResolver = ApiJsonContext.Default };

    private readonly Dictionary<string, int> _connections = new(StringComparer.Ordinal);
    private readonly HashSet<string> _subscribed = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>The hub group a tenant's connections are in.</summary>
    public static string Group(string tenant) => $"tenant:{tenant}";

    /// <summary>Tells every open page of the job's tenant about a job just made.</summary>
    public void Created(string tenant, JobResponse job)
    {
        try
        {
            var payload = JsonSerializer.SerializeToUtf8Bytes(job, Json);
            redis.Multiplexer.GetSubscriber().Publish(Channel(tenant), payload, CommandFlags.FireAndForget);
        }
        catch (Exception ex) when (ex is RedisException or InvalidOperationException)
        {
            PublishFailed(logger, job.Id, ex);
        }
    }

    /// <summary>A hub connection of the tenant opened here: the first one makes this replica listen for the tenant.</summary>
    public async Task JoinAsync(string tenant)
    {
        await _gate.WaitAsync();
        try
        {
            _connections[tenant] = _connections.GetValueOrDefault(tenant) + 1;
            if (!_subscribed.Contains(tenant))
            {
                // Tried again by the tenant's next connection if Redis does not answer now.
                await redis.Multiplexer.GetSubscriber().SubscribeAsync(Channel(tenant), (channel, message) => { _ = ForwardAsync(tenant, message); });
                _subscribed.Add(tenant);
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or InvalidOperationException)
        {
            // The page works without it: it sees new jobs when it lists them again.
            SubscribeFailed(logger, tenant, ex);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>A hub connection of the tenant closed: the last one stops this replica listening for the tenant.</summary>
    public async Task LeaveAsync(string tenant)
    {
        await _gate.WaitAsync();
        try
        {
            var count = _connections.GetValueOrDefault(tenant) - 1;
            if (count > 0)
            {
                _connections[tenant] = count;
                return;
            }

            _connections.Remove(tenant);
            if (_subscribed.Remove(tenant))
            {
                await redis.Multiplexer.GetSubscriber().UnsubscribeAsync(Channel(tenant));
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or InvalidOperationException)
        {
            SubscribeFailed(logger, tenant, ex);
        }
        finally
        {
            _gate.Release();
        }
    }

    private static RedisChannel Channel(string tenant) => RedisChannel.Literal(ChannelPrefix + tenant);

    private async Task ForwardAsync(string tenant, RedisValue message)
    {
        try
        {
            var job = JsonSerializer.Deserialize<JobResponse>((byte[])message!, Json);
            await hub.Clients.Group(Group(tenant)).SendAsync(CreatedMethod, job);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or IOException)
        {
            ForwardFailed(logger, tenant, ex);
        }
    }

    [LoggerMessage(4010, LogLevel.Warning, "Could not announce new job {JobId} to its tenant's pages")]
    private static partial void PublishFailed(ILogger logger, Guid jobId, Exception exception);

    [LoggerMessage(4011, LogLevel.Warning, "Could not pass a new job on to the pages of tenant {Tenant}")]
    private static partial void ForwardFailed(ILogger logger, string tenant, Exception exception);

    [LoggerMessage(4012, LogLevel.Warning, "Could not (un)subscribe to the new jobs of tenant {Tenant}")]
    private static partial void SubscribeFailed(ILogger logger, string tenant, Exception exception);
}
