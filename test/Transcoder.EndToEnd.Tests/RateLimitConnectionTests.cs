using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;
using Transcoder.Api.RateLimiting;
using Transcoder.Testing;

namespace Transcoder.EndToEnd.Tests;

/// <summary>
/// The rate limiter's Redis connection is open once the host has started, before any request: a connection
/// made on the first request starved a fresh replica's thread pool under its first burst.
/// </summary>
public class RateLimitConnectionTests
{
    [Fact]
    public async Task RedisConnection_IsOpenWhenTheHostHasStarted_BeforeAnyRequest()
    {
        var redis = ConfigurationOptions.Parse(TestStack.RedisConnectionString);
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddTenantRateLimits(new ConfigurationBuilder().Build(), redis);
        using var host = builder.Build();
        var admin = redis.Clone();
        admin.AllowAdmin = true;
        using var observer = await ConnectionMultiplexer.ConnectAsync(admin);
        var server = observer.GetServer(observer.GetEndPoints()[0]);
        var before = await ClientsNamed(server, RedisConnection.ClientName);

        await host.StartAsync();
        try
        {
            // Nothing has asked for the connection yet: the host's start alone opened it (the stack's own API
            // holds the ones counted before).
            var after = await ClientsNamed(server, RedisConnection.ClientName);
            Assert.True(after > before, $"{after} Redis clients named {RedisConnection.ClientName} after the start, {before} before it.");
            Assert.True(host.Services.GetRequiredService<IConnectionMultiplexer>().IsConnected);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    private static async Task<int> ClientsNamed(IServer server, string name) => (await server.ClientListAsync()).Count(c => c.Name == name);
}
