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
