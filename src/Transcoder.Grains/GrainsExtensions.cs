using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Transcoder.Grains.Intake;

namespace Transcoder.Grains;

public static class GrainsExtensions
{
    /// <summary>
    /// Registers what the grains need on a silo, with options validated at start-up: the job settings, the job
    /// metrics, and the intake that group-commits new jobs. Register it after Orleans, so the intake starts once the
    /// silo is up and stops (committing what it accepted) before the silo goes down.
    /// </summary>
    public static IServiceCollection AddTranscoderGrains(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<JobOptions>()
            .Bind(configuration.GetSection(JobOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<JobMetrics>();
        services.AddSingleton<JobIntake>();
        services.AddHostedService(sp => sp.GetRequiredService<JobIntake>());
        return services;
    }
}
