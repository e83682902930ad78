using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Transcoder.Media;
using Transcoder.Media.Ingest;

namespace Transcoder.Grains;

public static class GrainsExtensions
{
    /// <summary>Registers what the grains and the runner need on a silo, with options validated at start-up.</summary>
    public static IHostApplicationBuilder AddTranscoderGrains(this IHostApplicationBuilder builder)
    {
        AddValidated<JobOptions>(builder, JobOptions.SectionName);
        AddValidated<WorkerOptions>(builder, WorkerOptions.SectionName);
        AddValidated<LadderOptions>(builder, LadderOptions.SectionName);
        AddValidated<MediaOptions>(builder, MediaOptions.SectionName);
        AddValidated<FetchOptions>(builder, FetchOptions.SectionName);

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<MediaProbe>();
        builder.Services.AddSingleton<LadderEncoder>();
        builder.Services.AddSingleton<UrlFetcher>();
        builder.Services.AddSingleton<TranscodeRunner>();
        builder.Services.AddSingleton<IWorkerSelector, LocalWorkerSelector>();
        return builder;
    }

    private static void AddValidated<TOptions>(IHostApplicationBuilder builder, string section)
        where TOptions : class =>
        builder.Services.AddOptions<TOptions>()
            .Bind(builder.Configuration.GetSection(section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
}
