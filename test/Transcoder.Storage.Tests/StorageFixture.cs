using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Transcoder.Testing;

namespace Transcoder.Storage.Tests;

/// <summary>
/// A database of its own on the test stack's Postgres (so migrations start from nothing) and the stack's
/// S3 endpoint with a bucket of its own.
/// </summary>
public sealed class StorageFixture : IAsyncLifetime
{
    private TestDatabase _database = null!;

    public NpgsqlDataSource DataSource { get; private set; } = null!;

    public ObjectStore Store { get; private set; } = null!;

    public ObjectStoreOptions StoreOptions { get; } = new()
    {
        Bucket = $"storage-tests-{Guid.NewGuid():N}"[..30],
        ServiceUrl = TestStack.S3Url,
        AccessKey = "S3RVER",
        SecretKey = "S3RVER",
        PublicBaseUrl = "https://cdn.example.test/media",
    };

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync("storage_tests");
        DataSource = NpgsqlDataSource.Create(_database.ConnectionString);
        Store = new ObjectStore(ObjectStore.CreateClient(StoreOptions), Options.Create(StoreOptions), NullLogger<ObjectStore>.Instance);
        await Store.EnsureBucketAsync(CancellationToken.None);
    }

    /// <summary>Brings the schema up to date and empties the queue, so a test counts only what it queued.</summary>
    public async Task MigrateWithEmptyQueueAsync()
    {
        await new DatabaseMigrator(DataSource, NullLogger<DatabaseMigrator>.Instance).MigrateAsync(CancellationToken.None);
        await using var clear = DataSource.CreateCommand("DELETE FROM job_queue");
        await clear.ExecuteNonQueryAsync();
    }

    public async Task DisposeAsync()
    {
        await DataSource.DisposeAsync();
        await _database.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class StorageCollection : ICollectionFixture<StorageFixture>
{
    public const string Name = "storage";
}
