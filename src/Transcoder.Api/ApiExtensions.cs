using System.Text.Json.Serialization;
using Orleans.Dashboard;
using Scalar.AspNetCore;
using StackExchange.Redis;
using Transcoder.Abstractions;
using Transcoder.Api.Apis;
using Transcoder.Api.Auth;
using Transcoder.Api.Contracts;
using Transcoder.Api.Hubs;
using Transcoder.Api.OpenApi;
using Transcoder.Api.RateLimiting;
using Transcoder.ServiceDefaults;
using Transcoder.Storage;
using Transcoder.Contracts.Webhooks;

namespace Transcoder.Api;

public static class ApiExtensions
{
    /// <summary>Orleans client, storage, bearer auth, problem details, OpenAPI, SignalR.</summary>
    public static IHostApplicationBuilder AddTranscoderApi(this IHostApplicationBuilder builder)
    {
        var cluster = ClusterSettings.Read(builder.Configuration);
        var redis = ConfigurationOptions.Parse(cluster.RedisConnectionString);
        builder.UseOrleansClient(client =>
        {
            client.Configure<Orleans.Configuration.ClusterOptions>(o =>
            {
                o.ClusterId = cluster.ClusterId;
                o.ServiceId = cluster.ServiceId;
            });
            client.UseRedisClustering(o => o.ConfigurationOptions = redis.Clone());
            client.AddMemoryStreams(JobStreams.ProviderName);
            client.AddDashboard();
        });

        builder.AddTranscoderStorage(initialize: false);
        builder.Services.AddOptions<ApiOptions>()
            .Bind(builder.Configuration.GetSection(ApiOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddOptions<AuthOptions>()
            .Bind(builder.Configuration.GetSection(AuthOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddOptions<WebhookOptions>()
            .Bind(builder.Configuration.GetSection(WebhookOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddBearerAuthentication(BearerAuthentication.ReadSettings(builder.Configuration));
        builder.Services.AddTenantRateLimits(builder.Configuration, redis);
        builder.Services.AddProblemDetails();
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter());
            o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default);
        });
        builder.Services.AddTranscoderOpenApi();
        builder.Services.AddSignalR();
        builder.Services.AddHealthChecks().AddCheck<ClusterHealthCheck>("cluster");
        builder.Services.AddSingleton<JobWatchService>();
        builder.Services.AddSingleton<TenantFeed>();
        builder.Services.AddSingleton<JobLinks>();
        builder.Services.AddSingleton<UploadAllowance>();

        // Registered after the Orleans client, so it stops (sending what it holds) before the client does.
        builder.Services.AddSingleton<JobSubmitter>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<JobSubmitter>());
        return builder;
    }

    /// <summary>Error handling (every error is a ProblemDetails), authentication, authorization.</summary>
    public static WebApplication UseTranscoderApi(this WebApplication app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            StatusCodeSelector = ex => ex switch
            {
                BadHttpRequestException bad => bad.StatusCode,
                JobConflictException => StatusCodes.Status409Conflict,
                OperationCanceledException => StatusCodes.Status499ClientClosedRequest,
                Orleans.Runtime.SiloUnavailableException or Orleans.Runtime.OrleansMessageRejectionException or TimeoutException => StatusCodes.Status503ServiceUnavailable,
                Npgsql.NpgsqlException or SubmissionUnavailableException => StatusCodes.Status503ServiceUnavailable,
                _ => StatusCodes.Status500InternalServerError,
            },
            // A client's own mistake or a client that went away is not a server error worth an error log; a cancellation
            // the client did not cause (a timeout inside the service) is, with its stack.
            SuppressDiagnosticsCallback = context => context.Exception is BadHttpRequestException
                || (context.Exception is OperationCanceledException && context.HttpContext.RequestAborted.IsCancellationRequested),
        });
        app.UseStatusCodePages();
        app.UseWebApp();
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();
        return app;
    }

    /// <summary>The job hub, the dashboard (admins only), the OpenAPI document and its reference page.</summary>
    public static WebApplication MapTranscoderHubsAndTools(this WebApplication app)
    {
        app.MapHub<JobsHub>("/hubs/jobs").RequireAuthorization();
        // The dashboard's own JSON endpoints serve its page, not API clients: they stay out of the OpenAPI document.
        app.MapOrleansDashboard("/dashboard").RequireAuthorization(TenantClaims.AdminPolicy).ExcludeFromDescription();
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapScalarApiReference("/docs", o => o
            .WithOpenApiRoutePattern("/openapi/{documentName}.json")
            .AddPreferredSecuritySchemes(ApiDocument.BearerScheme));
        return app;
    }
}
