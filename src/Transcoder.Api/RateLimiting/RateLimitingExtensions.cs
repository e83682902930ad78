using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using RedisRateLimiting;
using StackExchange.Redis;
using Transcoder.Api.Auth;

namespace Transcoder.Api.RateLimiting;

public static class RateLimitingExtensions
{
    private const string RetryAfterSeconds = "1";

    /// <summary>
    /// Limits each authenticated tenant to its request budget (<see cref="RateLimitOptions"/>), counted in Redis
    /// and shared by every API replica; over budget, 429 with Retry-After and a ProblemDetails body. Anonymous
    /// requests (probes, metrics, requests without a token, which get 401) are not counted.
    /// </summary>
    public static IServiceCollection AddTenantRateLimits(this IServiceCollection services, IConfiguration configuration, ConfigurationOptions redis)
    {
        services.AddOptions<RateLimitOptions>()
            .Bind(configuration.GetSection(RateLimitOptions.SectionName))
            .ValidateDataAnnotations()
            .Validate(o => o.TenantsAreValid(), "Every RateLimits:Tenants entry needs a Tenant, RequestsPerSecond > 0 and Burst > 0.")
            .ValidateOnStart();

        // Connected while the host starts, and again by itself after Redis comes back (abortConnect=false).
        services.AddSingleton(_ => new RedisConnection(redis));
        services.AddHostedService(sp => sp.GetRequiredService<RedisConnection>());
        services.AddSingleton(sp => sp.GetRequiredService<RedisConnection>().Multiplexer);
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = RejectAsync;
        });
        services.AddOptions<RateLimiterOptions>()
            .Configure<IOptions<RateLimitOptions>, IServiceProvider, ILoggerFactory>((limiter, limits, provider, loggers) =>
            {
                var logger = loggers.CreateLogger(typeof(RateLimitingExtensions).FullName!);
                var settings = limits.Value;
                limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                    settings.Enabled && context.User.Identity?.IsAuthenticated == true
                        ? RateLimitPartition.Get(context.User.Tenant(), tenant => Budget(tenant, settings.For(tenant), provider, logger))
                        : RateLimitPartition.GetNoLimiter(""));
            });
        return services;
    }

    private static FailOpenRateLimiter Budget(string tenant, TenantRateLimit limit, IServiceProvider provider, ILogger logger)
    {
        var redis = provider.GetRequiredService<IConnectionMultiplexer>();
        return new(new RedisTokenBucketRateLimiter<string>($"transcoder:requests:{tenant}", new RedisTokenBucketRateLimiterOptions
        {
            ConnectionMultiplexerFactory = () => redis,
            TokenLimit = limit.Burst,
            TokensPerPeriod = limit.RequestsPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        }), () => redis.IsConnected, logger);
    }

    private static async ValueTask RejectAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        context.Response.Headers.RetryAfter = RetryAfterSeconds;
        var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status429TooManyRequests,
                Title = "Too many requests",
                Detail = "This tenant's request budget is spent for now; retry after the number of seconds in Retry-After.",
            },
        });
    }
}
