using Microsoft.Extensions.Logging.Abstractions;

namespace Transcoder.Storage.Tests;

[Collection(StorageCollection.Name)]
public class DatabaseMigratorTests(StorageFixture fixture)
{
    [Fact]
    public async Task Migrate_Twice_AppliesEachMigrationOnce()
    {
        var migrator = new DatabaseMigrator(fixture.DataSource, NullLogger<DatabaseMigrator>.Instance);

        await migrator.MigrateAsync(CancellationToken.None);
        var second = await migrator.MigrateAsync(CancellationToken.None);

        Assert.Empty(second);
        await using var command = fixture.DataSource.CreateCommand("SELECT count(*) FROM schema_migrations");
        Assert.Equal((long)DatabaseMigrator.Embedded().Count, (long)(await command.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task Migrate_CreatesTheQueriesOrleansPersistenceLoads()
    {
        await new DatabaseMigrator(fixture.DataSource, NullLogger<DatabaseMigrator>.Instance).MigrateAsync(CancellationToken.None);

        // The provider's own start-up lookup, unquoted as it sends it.
        await using var command = fixture.DataSource.CreateCommand(
            "SELECT QueryKey, QueryText FROM OrleansQuery WHERE QueryKey = 'WriteToStorageKey' OR QueryKey = 'ReadFromStorageKey' OR QueryKey = 'ClearStorageKey' OR QueryKey = 'DeleteStorageKey'");
        var keys = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            keys.Add(reader.GetString(0));
        }

        Assert.Equal(["ClearStorageKey", "DeleteStorageKey", "ReadFromStorageKey", "WriteToStorageKey"], keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task WriteToStorage_StaleVersion_ReturnsNoRowAndKeepsOneRowPerGrain()
    {
        await new DatabaseMigrator(fixture.DataSource, NullLogger<DatabaseMigrator>.Instance).MigrateAsync(CancellationToken.None);
        var write = await QueryTextAsync("WriteToStorageKey");
        var grain = Random.Shared.Next();

        Assert.Equal(1, await WriteAsync(write, grain, null));
        Assert.Null(await WriteAsync(write, grain, null));      // a second "first write" loses
        Assert.Equal(2, await WriteAsync(write, grain, 1));
        Assert.Null(await WriteAsync(write, grain, 1));         // stale version
        await using var count = fixture.DataSource.CreateCommand($"SELECT count(*) FROM orleans_grain_state WHERE grain_id_hash = {grain}");
        Assert.Equal(1L, (long)(await count.ExecuteScalarAsync())!);
    }

    private async Task<string> QueryTextAsync(string key)
    {
        await using var command = fixture.DataSource.CreateCommand("SELECT querytext FROM orleansquery WHERE querykey = @key");
        command.Parameters.AddWithValue("key", key);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    private async Task<int?> WriteAsync(string sql, int grain, int? version)
    {
        await using var command = fixture.DataSource.CreateCommand(sql);
        command.Parameters.AddWithValue("GrainIdHash", grain);
        command.Parameters.AddWithValue("GrainIdN0", 1L);
        command.Parameters.AddWithValue("GrainIdN1", 2L);
        command.Parameters.AddWithValue("GrainTypeHash", 3);
        command.Parameters.AddWithValue("GrainTypeString", "job");
        command.Parameters.AddWithValue("GrainIdExtensionString", DBNull.Value);
        command.Parameters.AddWithValue("ServiceId", "tests");
        command.Parameters.AddWithValue("GrainStateVersion", (object?)version ?? DBNull.Value);
        command.Parameters.AddWithValue("PayloadBinary", new byte[] { 1, 2, 3 });
        var result = await command.ExecuteScalarAsync();
        return result is null or DBNull ? null : Convert.ToInt32(result, System.Globalization.CultureInfo.InvariantCulture);
    }
}
