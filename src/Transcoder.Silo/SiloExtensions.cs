using Orleans.Configuration;
using Orleans.Dashboard;
using Orleans.Storage;
using StackExchange.Redis;
using Transcoder.Abstractions;
using Transcoder.Grains;
using Transcoder.ServiceDefaults;
using Transcoder.Storage;

namespace Transcoder.Silo;

public static class SiloExtensions
{
    /// <summary>Grain storage for jobs (and stream subscriptions): Postgres through Orleans' ADO.NET provider.</summary>
    public const string JobStorage = "jobs";

    /// <summary>
    /// The silo: Redis membership and reminders, job state in Postgres, job events on memory streams,
    /// the worker placement, and the dashboard's silo side.
    /// </summary>
    public static IHostApplicationBuilder AddTranscoderSilo(this IHostApplicationBuilder builder)
    {
        var cluster = ClusterSettings.Read(builder.Configuration);
        var silo = SiloSettings.Read(builder.Configuration);
        var postgres = builder.Configuration.GetSection(PostgresOptions.SectionName).Get<PostgresOptions>()
            ?? throw new InvalidOperationException("Postgres:ConnectionString is required.");
        var redis = ConfigurationOptions.Parse(cluster.RedisConnectionString);
        var advertised = silo.ResolveAdvertisedAddress();

        builder.UseOrleans(orleans =>
        {
            orleans.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = cluster.ClusterId;
                o.ServiceId = cluster.ServiceId;
            });
            orleans.Configure<SiloOptions>(o => o.SiloName = silo.Name ?? $"{Environment.MachineName}-{silo.SiloPort}");
            orleans.ConfigureEndpoints(advertised, silo.SiloPort, silo.GatewayPort, silo.ListenOnAnyAddress);
            orleans.UseRedisClustering(o => o.ConfigurationOptions = redis.Clone());
            orleans.UseRedisReminderService(o => o.ConfigurationOptions = redis.Clone());

            orleans.AddAdoNetGrainStorage(JobStorage, o =>
            {
                o.Invariant = "Npgsql";
                o.ConnectionString = postgres.ConnectionString;
            });
            orleans.AddAdoNetGrainStorage("PubSubStore", o =>
            {
                o.Invariant = "Npgsql";
                o.ConnectionString = postgres.ConnectionString;
            });

            // Binary, version-tolerant serialization of [GenerateSerializer] state instead of the JSON default.
            orleans.Services.AddSingleton<IGrainStorageSerializer, OrleansGrainStorageSerializer>();

            orleans.AddMemoryStreams(JobStreams.ProviderName);
            orleans.AddPlacementDirector<SiloPinnedPlacement, SiloPinnedPlacementDirector>();
            orleans.AddDashboard();
        });
        return builder;
    }
}
