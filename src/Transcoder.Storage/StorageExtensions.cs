using Amazon.S3;
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
        builder.Services.AddOptions<PostgresOptions>()
            .Bind(builder.Configuration.GetSection(PostgresOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddOptions<ObjectStoreOptions>()
            .Bind(builder.Configuration.GetSection(ObjectStoreOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddSingleton(sp => NpgsqlDataSource.Create(sp.GetRequiredService<IOptions<PostgresOptions>>().Value.ConnectionString));
        builder.Services.AddSingleton<IAmazonS3>(sp => ObjectStore.CreateClient(sp.GetRequiredService<IOptions<ObjectStoreOptions>>().Value));
        builder.Services.AddSingleton<IObjectStore, ObjectStore>();
        builder.Services.AddSingleton<IJobRecordRepository, JobRecordRepository>();
        builder.Services.AddSingleton<DatabaseMigrator>();
        if (initialize)
        {
            builder.Services.AddHostedService<StorageInitializer>();
        }

        return builder;
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
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
