using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Transcoder.Abstractions;

namespace Transcoder.Storage.Tests;

/// <summary>
/// The upload ledger's caps hold under concurrent requests, and the sweep removes what nobody will come back for
/// (an abandoned multipart upload, a file no job took, old webhook records) and nothing a job owns.
/// </summary>
[Collection(StorageCollection.Name)]
public sealed class StorageSweeperTests(StorageFixture fixture) : IAsyncLifetime
{
    private readonly string _tenant = $"sweep-{Guid.NewGuid():N}";

    private UploadLedger Ledger => new(fixture.DataSource);

    public Task InitializeAsync() => fixture.MigrateWithEmptyQueueAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Reserve_ConcurrentRequests_NeverPassTheCaps()
    {
        var caps = new UploadCaps(MaxOpenUploads: 5, MaxOpenBytes: long.MaxValue);

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            Ledger.ReserveAsync(_tenant, Guid.NewGuid(), $"{_tenant}/{i}", 10, caps, CancellationToken.None)));

        Assert.Equal(5, answers.Count(a => a.Taken));
        Assert.All(answers.Where(a => !a.Taken), a => Assert.Equal(5, a.OpenUploads));
    }

    [Fact]
    public async Task Reserve_CountsDeclaredBytes_AndAReleaseMakesRoom()
    {
        var caps = new UploadCaps(MaxOpenUploads: 100, MaxOpenBytes: 100);

        var first = await Ledger.ReserveAsync(_tenant, Guid.NewGuid(), $"{_tenant}/a", 60, caps, CancellationToken.None);
        var tooMuch = await Ledger.ReserveAsync(_tenant, Guid.NewGuid(), $"{_tenant}/b", 50, caps, CancellationToken.None);
        var fits = await Ledger.ReserveAsync(_tenant, Guid.NewGuid(), $"{_tenant}/c", 40, caps, CancellationToken.None);
        await Ledger.ReleaseAsync($"{_tenant}/a", CancellationToken.None);
        var afterRelease = await Ledger.ReserveAsync(_tenant, Guid.NewGuid(), $"{_tenant}/b", 50, caps, CancellationToken.None);

        Assert.True(first.Taken);
        Assert.False(tooMuch.Taken);
        Assert.Equal((1, 60L), (tooMuch.OpenUploads, tooMuch.OpenBytes));
        Assert.True(fits.Taken);
        Assert.True(afterRelease.Taken);
    }

    [Fact]
    public async Task Sweep_RemovesAbandonedUploadsAndOldWebhooks_NotWhatAJobOwns()
    {
        var caps = new UploadCaps(100, long.MaxValue);
        var uploads = new MultipartUploads(ObjectStore.CreateClient(fixture.StoreOptions), Options.Create(fixture.StoreOptions));

        // A resumable upload left with one part sent.
        var abandonedJob = Guid.NewGuid();
        var abandoned = ObjectKeys.Source(_tenant, abandonedJob);
        await Ledger.ReserveAsync(_tenant, abandonedJob, abandoned, 6 << 20, caps, CancellationToken.None);
        var uploadId = await uploads.StartAsync(abandoned, CancellationToken.None);
        await Ledger.SetUploadIdAsync(abandoned, uploadId, CancellationToken.None);
        using (var http = new HttpClient())
        {
            var url = await uploads.PresignPartAsync(abandoned, uploadId, 1, DateTime.UtcNow.AddMinutes(5));
            (await http.PutAsync(url, new ByteArrayContent(new byte[1024]))).EnsureSuccessStatusCode();
        }

        // A streamed upload whose request never made a job.
        var orphanJob = Guid.NewGuid();
        var orphan = ObjectKeys.StreamedSource(_tenant, orphanJob, Guid.NewGuid());
        await Ledger.ReserveAsync(_tenant, orphanJob, orphan, 100, caps, CancellationToken.None);
        await fixture.Store.PutTextAsync(orphan, "orphan", "video/mp4", CancellationToken.None);

        // One whose job was made, though the request did not get to forget the upload.
        var ownedJob = Guid.CreateVersion7();
        var owned = ObjectKeys.StreamedSource(_tenant, ownedJob, Guid.NewGuid());
        await Ledger.ReserveAsync(_tenant, ownedJob, owned, 100, caps, CancellationToken.None);
        await fixture.Store.PutTextAsync(owned, "owned", "video/mp4", CancellationToken.None);
        var now = DateTimeOffset.UtcNow;
        await new JobRecordRepository(fixture.DataSource).UpsertAsync(new JobView
        {
            Id = ownedJob,
            Spec = new JobSpec(_tenant, new JobInput(JobInputKind.Upload, owned), 5),
            Status = JobStatus.Queued,
            CreatedAt = now,
            UpdatedAt = now,
        }, CancellationToken.None);

        var webhooks = await AddWebhooksAsync(now);
        var sweeper = new StorageSweeper(Ledger, uploads, fixture.Store, new WebhookOutbox(fixture.DataSource),
            Options.Create(new HousekeepingOptions()), NullLogger<StorageSweeper>.Instance);

        // Nothing is old enough yet: uploads stay; of the webhooks, only the ones done 40 days ago go.
        var early = await sweeper.SweepAsync(now, CancellationToken.None);
        Assert.Equal(0, early.Uploads);
        Assert.True(early.Webhooks >= 2);
        Assert.Equal(["delivered-yesterday", "pending"], await WebhooksLeftAsync(webhooks));
        Assert.NotNull(await uploads.ListPartsAsync(abandoned, uploadId, CancellationToken.None));

        // Three days on, the uploads are abandoned.
        var late = await sweeper.SweepAsync(now.AddDays(3), CancellationToken.None);

        Assert.True(late.Uploads >= 3);
        Assert.Null(await uploads.ListPartsAsync(abandoned, uploadId, CancellationToken.None));
        Assert.False(await fixture.Store.ExistsAsync(orphan, CancellationToken.None));
        Assert.True(await fixture.Store.ExistsAsync(owned, CancellationToken.None));
        var held = await Ledger.ReserveAsync(_tenant, Guid.NewGuid(), $"{_tenant}/probe", 1, new UploadCaps(1, long.MaxValue), CancellationToken.None);
        Assert.True(held.Taken, $"the ledger still holds {held.OpenUploads} of the tenant's uploads");
    }

    private async Task<string> AddWebhooksAsync(DateTimeOffset now)
    {
        var prefix = $"{_tenant}-";
        await using var command = fixture.DataSource.CreateCommand("""
            INSERT INTO webhook_deliveries (id, job_id, tenant, event, url, created_at, delivered_at, abandoned_at) VALUES
                (@p || 'delivered-long-ago', gen_random_uuid(), @tenant, 'job.completed', 'https://example.test/', @old, @old, NULL),
                (@p || 'abandoned-long-ago', gen_random_uuid(), @tenant, 'job.failed', 'https://example.test/', @old, NULL, @old),
                (@p || 'delivered-yesterday', gen_random_uuid(), @tenant, 'job.completed', 'https://example.test/', @recent, @recent, NULL),
                (@p || 'pending', gen_random_uuid(), @tenant, 'job.completed', 'https://example.test/', @old, NULL, NULL)
            """);
        command.Parameters.AddWithValue("p", prefix);
        command.Parameters.AddWithValue("tenant", _tenant);
        command.Parameters.AddWithValue("old", now.AddDays(-40));
        command.Parameters.AddWithValue("recent", now.AddDays(-1));
        await command.ExecuteNonQueryAsync();
        return prefix;
    }

    private async Task<List<string>> WebhooksLeftAsync(string prefix)
    {
        await using var command = fixture.DataSource.CreateCommand("SELECT substr(id, length(@p) + 1) FROM webhook_deliveries WHERE id LIKE @p || '%' ORDER BY 1");
        command.Parameters.AddWithValue("p", prefix);
        var left = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            left.Add(reader.GetString(0));
        }

        return left;
    }
}
