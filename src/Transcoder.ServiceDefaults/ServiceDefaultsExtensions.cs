using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Transcoder.ServiceDefaults;

public static class ServiceDefaultsExtensions
{
    /// <summary>The meter the service's own metrics are recorded on.</summary>
    public const string MeterName = "Transcoder";

    private const string LiveTag = "live";

    /// <summary>OpenTelemetry (metrics to Prometheus, traces to OTLP when configured) and health checks.</summary>
    public static IHostApplicationBuilder AddServiceDefaults(this IHostApplicationBuilder builder, string serviceName)
    {
        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(serviceName))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter("Microsoft.Orleans")
                .AddMeter(MeterName)
                .AddPrometheusExporter());

        // Traces only when there is somewhere to send them: recording an activity for every grain call and
        // request nobody collects costs CPU on every job.
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            otel.WithTracing(tracing => tracing
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddSource("Microsoft.Orleans.Application")
                    .AddSource("Microsoft.Orleans.Runtime"))
                .UseOtlpExporter();
        }

        // Every host reaches the cluster through Redis; each adds the checks of what else it needs (Postgres, the
        // object store, the cluster itself). Every check has a few seconds: a part that hangs makes the host unready
        // in time, and they run side by side.
        builder.Services.AddSingleton(ClusterSettings.Read(builder.Configuration));
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag])
            .AddCheck<RedisHealthCheck>("redis");
        builder.Services.PostConfigure<HealthCheckServiceOptions>(options =>
        {
            foreach (var check in options.Registrations.Where(r => r.Timeout == Timeout.InfiniteTimeSpan))
            {
                check.Timeout = ReadinessTimeout;
            }
        });
        return builder;
    }

    /// <summary>How long one readiness check may take before it counts as failed.</summary>
    public static TimeSpan ReadinessTimeout { get; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// /health/live (the process answers: cheap, for restarts), /health/ready (every dependency answers, for
    /// traffic; 503 while one does not) and /metrics.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = r => r.Tags.Contains(LiveTag) });
        app.MapHealthChecks("/health/ready");
        app.MapPrometheusScrapingEndpoint("/metrics");
        return app;
    }
}
