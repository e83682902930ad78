using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Dashboard;
using Orleans.Storage;
using StackExchange.Redis;
using Transcoder.Abstractions;
using Transcoder.Grains;
using Transcoder.ServiceDefaults;
using Transcoder.Storage;
using Transcoder.Worker;

namespace Transcoder.Silo;

public static class SiloExtensions
{
    /// <summary>
    /// The silo: Redis membership, job state in Postgres, job events on memory streams, the worker placement, and the
    /// dashboard's silo side.
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

            orleans.AddAdoNetGrainStorage(GrainStorage.Jobs, o =>
            {
                o.Invariant = "Npgsql";
                o.ConnectionString = postgres.ConnectionString;
            });
            orleans.AddAdoNetGrainStorage(GrainStorage.PubSub, o =>
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

        // After Orleans: the intake and the dispatcher start once the silo is up and stop before it goes down.
        builder.Services.AddTranscoderGrains(builder.Configuration);
        builder.Services.AddTranscoderWorker(builder.Configuration);
        builder.Services.AddSingleton<IValidateOptions<JobOptions>, HeartbeatTiming>();
        return builder;
    }

    /// <summary>
    /// <c>POST /drain?seconds=N</c>, from this machine only (Kubernetes' preStop hook): the silo stops taking work
    /// and the call returns once its running encodes have finished, or after N seconds (default
    /// <see cref="WorkerOptions.DrainTimeout"/>), with <c>{"stillRunning": n}</c>. The shutdown that follows hands
    /// back whatever still runs.
    /// </summary>
    public static WebApplication MapDrainEndpoint(this WebApplication app)
    {
        app.MapPost("/drain", async (HttpContext context, WorkDispatcher dispatcher, IOptions<WorkerOptions> worker, int? seconds) =>
        {
            if (context.Connection.RemoteIpAddress is not { } caller || !System.Net.IPAddress.IsLoopback(caller))
            {
                return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Drain is only accepted from the silo's own machine");
            }

            if (seconds is < 0 or > 86_400)
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "seconds must be from 0 to 86400");
            }

            var within = seconds is { } given ? TimeSpan.FromSeconds(given) : worker.Value.DrainTimeout;
            return Results.Ok(new DrainResult(await dispatcher.StopTakingWorkAsync(within, context.RequestAborted)));
        });
        return app;
    }

    internal sealed record DrainResult(int StillRunning);

    /// <summary>
    /// A run's heartbeats (Worker:HeartbeatInterval) must fit in the job's heartbeat timeout three times, or a live
    /// run whose report is a little late would be presumed lost.
    /// </summary>
    private sealed class HeartbeatTiming(IOptions<WorkerOptions> worker) : IValidateOptions<JobOptions>
    {
        public ValidateOptionsResult Validate(string? name, JobOptions options) =>
            options.HeartbeatTimeout >= worker.Value.HeartbeatInterval * 3
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail(
                    $"Jobs:HeartbeatTimeout ({options.HeartbeatTimeout}) must be at least three Worker:HeartbeatInterval ({worker.Value.HeartbeatInterval}): runs report once per interval.");
    }
}
