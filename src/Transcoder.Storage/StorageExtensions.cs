using Amazon.S3;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Transcoder.Storage;

public static class StorageExtensions
{
    /// <summary>
    /// Registers Postgres (data source, migrator, job repository) and the object store, with options validated
    /// at start-up. Call before Orleans so the schema exists before grain storage starts.
    /// </summary>
    public static IHostApplicationBuilder AddTranscoderStorage(this IHostApplicationBuilder builder, bool initialize)
    {
        builder.Services.AddTranscoderStorage(builder.Configuration, initialize);
        return builder;
    }

    /// <inheritdoc cref="AddTranscoderStorage(IHostApplicationBuilder, bool)"/>
    public static IServiceCollection AddTranscoderStorage(this IServiceCollection services, IConfiguration configuration, bool initialize)
    {
        services.AddOptions<PostgresOptions>()
            .Bind(configuration.GetSection(PostgresOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<ObjectStoreOptions>()
            .Bind(configuration.GetSection(ObjectStoreOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.AddSingleton(sp => NpgsqlDataSource.Create(sp.GetRequiredService<IOptions<PostgresOptions>>().Value.ConnectionString));
        services.AddSingleton<IAmazonS3>(sp => ObjectStore.CreateClient(sp.GetRequiredService<IOptions<ObjectStoreOptions>>().Value));
        services.AddSingleton<IObjectStore, ObjectStore>();
        services.AddSingleton<IMultipartUploads, MultipartUploads>();
        services.AddSingleton<IJobRecordRepository, JobRecordRepository>();
        services.AddSingleton<WorkSignal>();
        services.AddSingleton<IWorkQueue, WorkQueue>();
        services.AddSingleton<IJobSubmissions, JobSubmissions>();
        services.AddSingleton<IWebhookOutbox, WebhookOutbox>();
        services.AddSingleton<IUploadLedger, UploadLedger>();
        services.AddOptions<HousekeepingOptions>()
            .Bind(configuration.GetSection(HousekeepingOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<StorageSweeper>();
        services.AddSingleton<DatabaseMigrator>();
        services.AddHealthChecks()
            .AddCheck<PostgresHealthCheck>("postgres")
            .AddCheck<ObjectStoreHealthCheck>("object-store");
        if (initialize)
        {
            services.AddHostedService<StorageInitializer>();
        }

        return services;
    }
}

/// <summary>Applies migrations and makes sure the bucket exists before the rest of the host starts.</summary>
internal sealed class StorageInitializer(DatabaseMigrator migrator, IObjectStore objectStore, IOptions<PostgresOptions> postgres) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (postgres.Value.MigrateOnStart)
        {
            await migrator.MigrateAsync(cancellationToken);
        }

        await objectStore.EnsureBucketAsync(cancellationToken);
        await objectStore.ApplyLifecycleAsync(cancellationToken);
        await objectStore.ApplyCorsAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
