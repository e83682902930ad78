using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Transcoder.Abstractions;
using Transcoder.Contracts.Webhooks;
using Transcoder.Media;
using Transcoder.Media.Chunking;
using Transcoder.Media.Ingest;
using Transcoder.Worker.Webhooks;

namespace Transcoder.Worker;

public static class WorkerExtensions
{
    /// <summary>
    /// Registers the silo's worker runtime with options validated at start-up: the dispatcher that claims work, the
    /// runner and its pipelines, the gauges autoscaling reads, and webhook delivery. Register it after Orleans: the
    /// dispatcher starts once the silo is up and stops (draining its runs) before the silo goes down.
    /// </summary>
    public static IServiceCollection AddTranscoderWorker(this IServiceCollection services, IConfiguration configuration)
    {
        AddValidated<WorkerOptions>(services, configuration, WorkerOptions.SectionName);
        AddValidated<LadderOptions>(services, configuration, LadderOptions.SectionName);
        AddValidated<MediaOptions>(services, configuration, MediaOptions.SectionName);
        AddValidated<ChunkingOptions>(services, configuration, ChunkingOptions.SectionName);
        services.AddSingleton<IValidateOptions<ChunkingOptions>, ChunkingOptionsValidation>();
        AddValidated<InputLimits>(services, configuration, InputLimits.SectionName);
        AddValidated<FetchOptions>(services, configuration, FetchOptions.SectionName);
        AddValidated<WebhookOptions>(services, configuration, WebhookOptions.SectionName);

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<MediaProbe>();
        services.AddSingleton<FfmpegProcess>();
        services.AddSingleton<LadderEncoder>();
        services.AddSingleton<PackageExtras>();
        services.AddSingleton<TrackPasses>();
        services.AddSingleton<CaptionFiles>();
        services.AddSingleton<UrlFetcher>();
        services.AddSingleton<OutputReuse>();
        services.AddSingleton<ScratchFolders>();
        services.AddSingleton<ChunkedTitle>();
        services.AddSingleton<IWorkPipeline, LadderPipeline>();
        services.AddSingleton<IWorkPipeline, ChunkPipeline>();
        services.AddSingleton<WorkRunner>();
        services.AddSingleton<IWorkRuns>(sp => sp.GetRequiredService<WorkRunner>());
        services.AddSingleton<IOutputChecks, SourceOutputChecks>();
        services.AddSingleton<WorkerMetrics>();

        // The host gives its services 30 s to stop by default: the drain of running work needs its own time.
        services.AddOptions<HostOptions>().Configure<IOptions<WorkerOptions>>((host, worker) =>
            host.ShutdownTimeout = worker.Value.DrainTimeout + TimeSpan.FromSeconds(30));
        services.AddHostedService<ScratchCleanup>();
        services.AddHostedService<QueueGauges>();
        services.AddSingleton<WorkDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<WorkDispatcher>());
        services.AddHostedService<WebhookDeliverer>();
        services.AddHostedService<Housekeeping.Sweeper>();
        return services;
    }

    private static void AddValidated<TOptions>(IServiceCollection services, IConfiguration configuration, string section)
        where TOptions : class =>
        services.AddOptions<TOptions>()
            .Bind(configuration.GetSection(section))
            .ValidateDataAnnotations()
            .ValidateOnStart();

    /// <summary>Removes the scratch folders a previous process of this silo left (it crashed mid-run) before work starts.</summary>
    private sealed class ScratchCleanup(ScratchFolders scratch) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            scratch.RemoveLeftovers();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
