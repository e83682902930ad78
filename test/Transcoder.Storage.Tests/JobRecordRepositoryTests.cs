using Microsoft.Extensions.Logging.Abstractions;
using Transcoder.Abstractions;

namespace Transcoder.Storage.Tests;

[Collection(StorageCollection.Name)]
public class JobRecordRepositoryTests(StorageFixture fixture) : IAsyncLifetime
{
    private readonly string _tenant = $"tenant-{Guid.NewGuid():N}";

    public Task InitializeAsync() =>
        new DatabaseMigrator(fixture.DataSource, NullLogger<DatabaseMigrator>.Instance).MigrateAsync(CancellationToken.None);

    public Task DisposeAsync() => Task.CompletedTask;

    private JobSnapshot NewJob(DateTimeOffset created, JobStatus status = JobStatus.Queued) => new()
    {
        Id = Guid.CreateVersion7(created),
        Tenant = _tenant,
        Status = status,
        Priority = 5,
        CreatedAt = created,
        UpdatedAt = created,
        Input = new JobInput(JobInputKind.Url, "https://example.test/a.mp4"),
    };

    /// <summary>
    /// An ended job with a callback URL gets one webhook per ending: writing the same ended row again adds none,
    /// a dead letter retried and failing again (same status, same attempt count) adds a second, a queued row none.
    /// </summary>
    [Fact]
    public async Task EndedJobWithCallback_QueuesOneWebhookPerEnding()
    {
        var repository = new JobRecordRepository(fixture.DataSource);
        var outbox = new WebhookOutbox(fixture.DataSource);
        var created = DateTimeOffset.UtcNow;
        var queued = NewJob(created) with { CallbackUrl = "https://hooks.example.test/t" };
        var failed = queued with { Status = JobStatus.Failed, Attempts = 3, CompletedAt = created.AddSeconds(5), UpdatedAt = created.AddSeconds(5) };
        var failedAgain = failed with { CompletedAt = created.AddSeconds(50), UpdatedAt = created.AddSeconds(50) };

        await repository.UpsertAsync(queued, CancellationToken.None);
        Assert.Empty(await outbox.ListForJobAsync(queued.Id, CancellationToken.None));
        await repository.UpsertAsync(failed, CancellationToken.None);
        await repository.UpsertAsync(failed, CancellationToken.None);
        Assert.Single(await outbox.ListForJobAsync(queued.Id, CancellationToken.None));
        await repository.UpsertAsync(failedAgain, CancellationToken.None);

        var webhooks = await outbox.ListForJobAsync(queued.Id, CancellationToken.None);
        Assert.Equal(2, webhooks.Count);
        Assert.All(webhooks, w => Assert.Equal(("job.failed", "https://hooks.example.test/t", 0), (w.Event, w.Url, w.Attempts)));
        Assert.NotEqual(webhooks[0].Id, webhooks[1].Id);
    }

    [Fact]
    public async Task Upsert_ThenFind_RoundTripsEveryField()
    {
        var repository = new JobRecordRepository(fixture.DataSource);
        var created = DateTimeOffset.UtcNow;
        var job = NewJob(created) with
        {
            Status = JobStatus.Failed,
            Stage = JobStages.Done,
            Progress = 42.5,
            Attempts = 3,
            StartedAt = created.AddSeconds(1),
            CompletedAt = created.AddSeconds(9),
            ProcessingNode = "silo-a",
            Renditions = [new Rendition("720p", 1280, 720, 3_000_000, 2_500_000, "avc1.64001f,mp4a.40.2", "t/j/r/media_0.m3u8", 30)],
            Error = new JobError(JobErrorCodes.InputUnreadable, "bad"),
            Cost = new JobCost(12.5, 1, 4, 0.000148m, 0.000037m),
            UpdatedAt = created.AddSeconds(9),
        };

        await repository.UpsertAsync(job, CancellationToken.None);
        var found = await repository.FindAsync(job.Id, CancellationToken.None);

        Assert.NotNull(found);
        Assert.Equal(job.Status, found.Status);
        Assert.Equal(job.Progress, found.Progress, 3);
        Assert.Equal(job.Attempts, found.Attempts);
        Assert.Equal(job.Renditions.ToArray(), found.Renditions.ToArray());
        Assert.Equal(job.Error!.Code, found.Error!.Code);
        Assert.Equal(job.Cost, found.Cost);
        Assert.Equal(job.CompletedAt!.Value.ToUnixTimeMilliseconds(), found.CompletedAt!.Value.ToUnixTimeMilliseconds());
    }

    [Fact]
    public async Task Upsert_OlderState_DoesNotOverwriteNewer()
    {
        var repository = new JobRecordRepository(fixture.DataSource);
        var created = DateTimeOffset.UtcNow;
        var job = NewJob(created);
        var completed = job with { Status = JobStatus.Completed, Progress = 100, UpdatedAt = created.AddSeconds(10) };

        await repository.UpsertAsync(completed, CancellationToken.None);
        await repository.UpsertAsync(job with { Status = JobStatus.Processing, UpdatedAt = created.AddSeconds(5) }, CancellationToken.None);

        Assert.Equal(JobStatus.Completed, (await repository.FindAsync(job.Id, CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task List_PagesNewestFirstWithCursorAndStatusFilter()
    {
        var repository = new JobRecordRepository(fixture.DataSource);
        var start = DateTimeOffset.UtcNow.AddMinutes(-10);
        var jobs = Enumerable.Range(0, 5).Select(i => NewJob(start.AddSeconds(i), i % 2 == 0 ? JobStatus.Completed : JobStatus.Queued)).ToList();
        foreach (var job in jobs)
        {
            await repository.UpsertAsync(job, CancellationToken.None);
        }

        var first = await repository.ListAsync(_tenant, null, 2, null, CancellationToken.None);
        Assert.True(JobCursor.TryDecode(first.NextCursor, out var cursor));
        var second = await repository.ListAsync(_tenant, null, 2, cursor, CancellationToken.None);
        Assert.True(JobCursor.TryDecode(second.NextCursor, out cursor));
        var third = await repository.ListAsync(_tenant, null, 2, cursor, CancellationToken.None);
        var completed = await repository.ListAsync(_tenant, JobStatus.Completed, 10, null, CancellationToken.None);
        var otherTenant = await repository.ListAsync("someone-else", null, 10, null, CancellationToken.None);

        Assert.Equal(jobs.AsEnumerable().Reverse().Select(j => j.Id), first.Jobs.Concat(second.Jobs).Concat(third.Jobs).Select(j => j.Id));
        Assert.Null(third.NextCursor);
        Assert.Equal(3, completed.Jobs.Count);
        Assert.DoesNotContain(otherTenant.Jobs, j => j.Tenant == _tenant);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not-a-cursor")]
    [InlineData("AAAA")]
    [InlineData("!!!!")]
    public void TryDecode_Garbage_IsRefused(string text) => Assert.False(JobCursor.TryDecode(text, out _));
}
