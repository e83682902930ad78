using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Transcoder.Media;
using Transcoder.Abstractions;
using Transcoder.Grains.Webhooks;
using Transcoder.Media.Ingest;

namespace Transcoder.Grains;

public static class GrainsExtensions
{
    /// <summary>Registers what the grains and the runner need on a silo, with options validated at start-up.</summary>
    public static IHostApplicationBuilder AddTranscoderGrains(this IHostApplicationBuilder builder)
    {
        builder.Services.AddTranscoderGrains(builder.Configuration);
        return builder;
    }

    /// <inheritdoc cref="AddTranscoderGrains(IHostApplicationBuilder)"/>
    public static IServiceCollection AddTranscoderGrains(this IServiceCollection services, IConfiguration configuration)
    {
        AddValidated<JobOptions>(services, configuration, JobOptions.SectionName);
        AddValidated<WorkerOptions>(services, configuration, WorkerOptions.SectionName);
        AddValidated<LadderOptions>(services, configuration, LadderOptions.SectionName);
        AddValidated<MediaOptions>(services, configuration, MediaOptions.SectionName);
        AddValidated<InputLimits>(services, configuration, InputLimits.SectionName);
        AddValidated<FetchOptions>(services, configuration, FetchOptions.SectionName);
        services.AddOptions<WebhookOptions>()
            .Bind(configuration.GetSection(WebhookOptions.SectionName))
            .ValidateDataAnnotations()
            .Validate(o => o.HasUsableKey(), "Webhooks:SigningKey must be a base64 key of at least 32 bytes.")
            .ValidateOnStart();

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<MediaProbe>();
        services.AddSingleton<FfmpegProcess>();
        services.AddSingleton<LadderEncoder>();
        services.AddSingleton<UrlFetcher>();
        services.AddSingleton<OutputReuse>();
        services.AddSingleton<IJobPipeline, LadderPipeline>();
        services.AddSingleton<TranscodeRunner>();
        services.AddSingleton<JobMetrics>();

        // The host gives its services 30 s to stop by default: the drain of running encodes needs its own time.
        services.AddOptions<HostOptions>().Configure<IOptions<WorkerOptions>>((host, worker) =>
            host.ShutdownTimeout = worker.Value.DrainTimeout + TimeSpan.FromSeconds(30));
        services.AddHostedService<SiloMetrics>();

        // Registered after Orleans (see Program.cs), so it starts once the silo is up and stops before it goes down.
        services.AddSingleton<JobDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<JobDispatcher>());
        services.AddSingleton<JobIntake>();
        services.AddHostedService(sp => sp.GetRequiredService<JobIntake>());
        services.AddHostedService<WebhookDispatcher>();
        return services;
    }

    private static void AddValidated<TOptions>(IServiceCollection services, IConfiguration configuration, string section)
        where TOptions : class =>
        services.AddOptions<TOptions>()
            .Bind(configuration.GetSection(section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
}
