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

    private JobView NewJob(DateTimeOffset created, JobStatus status = JobStatus.Queued, string? callbackUrl = null) => new()
    {
        Id = Guid.CreateVersion7(created),
        Spec = new JobSpec(_tenant, new JobInput(JobInputKind.Url, "https://example.test/a.mp4"), 5, 3, callbackUrl),
        Status = status,
        CreatedAt = created,
        UpdatedAt = created,
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
        var queued = NewJob(created, callbackUrl: "https://hooks.example.test/t");
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
    public async Task Upsert_ThenFind_RoundTripsTheReadModel()
    {
        var repository = new JobRecordRepository(fixture.DataSource);
        var created = DateTimeOffset.UtcNow;
        var job = NewJob(created) with
        {
            Spec = new JobSpec(_tenant, new JobInput(JobInputKind.Upload, $"{_tenant}/x/source/input", "holiday.mov", 987_654), 2, 4, "https://hooks.example.test/x"),
            Status = JobStatus.Completed,
            Stage = JobStages.Done,
            Progress = 100,
            Attempts = 2,
            StartedAt = created.AddSeconds(1),
            PlayableAt = created.AddSeconds(3),
            CompletedAt = created.AddSeconds(9),
            ProcessingNode = "silo-a",
            Error = new JobError(JobErrorCodes.DownloadFailed, "an earlier attempt", "detail"),
            Outputs = new JobOutputs
            {
                Renditions =
                [
                    new Rendition { Kind = RenditionKind.Video, Name = "720p", Codecs = "avc1.64001f", Width = 1280, Height = 720, FrameRate = 29.97, Bandwidth = 3_000_000, AverageBandwidth = 2_500_000, SizeBytes = 3_200_000, PlaylistUrl = "t/j/r/media_v0.m3u8", Psnr = 41.2, Ssim = 0.98 },
                    new Rendition { Kind = RenditionKind.Audio, Name = "eng", Codecs = "mp4a.40.2", Language = "eng", Channels = 2, Bandwidth = 131_000, AverageBandwidth = 129_000, SizeBytes = 160_000, PlaylistUrl = "t/j/r/media_a0.m3u8" },
                ],
                HlsKey = "t/j/r/master.m3u8",
                DashKey = "t/j/r/manifest.mpd",
                PosterKey = "t/j/r/poster.jpg",
                StoryboardKey = "t/j/r/storyboard.vtt",
                DurationSeconds = 9.5,
                Cost = new JobCost(12.5, 1, 4, 0.000148m, 0.000037m),
                ContentHash = "abc",
                LadderHash = "def",
                ReusedFrom = Guid.NewGuid(),
            },
            UpdatedAt = created.AddSeconds(9),
        };

        await repository.UpsertAsync(job, CancellationToken.None);
        var found = await repository.FindAsync(job.Id, CancellationToken.None);

        Assert.NotNull(found);
        Assert.Equal(job.Spec, found.Spec);
        Assert.Equal((job.Status, job.Stage, job.Attempts, job.ProcessingNode, job.Error), (found.Status, found.Stage, found.Attempts, found.ProcessingNode, found.Error));
        Assert.Equal(job.Progress, found.Progress, 3);
        Assert.Equal(job.Outputs.Renditions.ToArray(), found.Outputs!.Renditions.ToArray());
        Assert.Equal(job.Outputs with { Renditions = [] }, found.Outputs with { Renditions = [] });
        Assert.Equal(job.CompletedAt!.Value.ToUnixTimeMilliseconds(), found.CompletedAt!.Value.ToUnixTimeMilliseconds());
        Assert.Equal(job.PlayableAt!.Value.ToUnixTimeMilliseconds(), found.PlayableAt!.Value.ToUnixTimeMilliseconds());
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

        var first = await repository.ListAsync(_tenant, null, null, 2, null, CancellationToken.None);
        Assert.True(JobCursor.TryDecode(first.NextCursor, out var cursor));
        var second = await repository.ListAsync(_tenant, null, null, 2, cursor, CancellationToken.None);
        Assert.True(JobCursor.TryDecode(second.NextCursor, out cursor));
        var third = await repository.ListAsync(_tenant, null, null, 2, cursor, CancellationToken.None);
        var completed = await repository.ListAsync(_tenant, JobStatus.Completed, null, 10, null, CancellationToken.None);
        var otherTenant = await repository.ListAsync("someone-else", null, null, 10, null, CancellationToken.None);

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
