using Transcoder.Abstractions;

namespace Transcoder.Storage.Tests;

[Collection(StorageCollection.Name)]
public class JobSubmissionsTests(StorageFixture fixture) : IAsyncLifetime
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);

    private static readonly string[] Plan = ["ladder"];

    private JobSubmissions Submissions => new(fixture.DataSource, new WorkSignal());

    private WorkQueue Queue => new(fixture.DataSource, new WorkSignal());

    private JobRecordRepository Records => new(fixture.DataSource);

    public Task InitializeAsync() => fixture.MigrateWithEmptyQueueAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task AddQueued_StoresAndQueuesEveryJob_AndAReplayGetsTheStoredOnes()
    {
        var tenant = $"sub-{Guid.NewGuid():N}";
        var jobs = new[] { Job(tenant, 3, maxAttempts: 5), Job(tenant, 3), Job(tenant, 7) };

        var stored = await Submissions.AddQueuedAsync(jobs, Plan, CancellationToken.None);
        var replay = await Submissions.AddQueuedAsync([jobs[0] with { Spec = jobs[0].Spec with { Priority = 9 }, CreatedAt = jobs[0].CreatedAt.AddMinutes(1) }, Job(tenant, 7)], Plan, CancellationToken.None);

        Assert.Equal(jobs.Select(j => j.Id).Order(), stored.Keys.Order());
        foreach (var job in jobs)
        {
            var row = await Records.FindAsync(job.Id, CancellationToken.None);
            Assert.NotNull(row);
            Assert.Equal((job.Spec, JobStatus.Queued), (row.Spec, row.Status));
        }

        Assert.Equal(3, replay[jobs[0].Id].Spec.Priority);
        Assert.Equal(jobs[0].CreatedAt.ToUnixTimeMilliseconds(), replay[jobs[0].Id].CreatedAt.ToUnixTimeMilliseconds());
        Assert.Equal(new Dictionary<int, long> { [3] = 2, [7] = 2 }, await Queue.CountWaitingAsync(tenant, CancellationToken.None));
    }

    [Fact]
    public async Task AddQueued_ABatchOfOneTenant_DoesNotStarveAJobAnotherSubmitsLater()
    {
        var big = Enumerable.Range(0, 50).Select(_ => Job("big", 5)).ToList();
        await Submissions.AddQueuedAsync(big, Plan, CancellationToken.None);

        var first = await ClaimOneByOneAsync(10);
        var small = Job("small", 5);
        await Submissions.AddQueuedAsync([small], Plan, CancellationToken.None);
        var next = await ClaimOneByOneAsync(3);

        Assert.Equal(big[..10].Select(j => j.Id), first);
        Assert.Contains(small.Id, next[..2]);
    }

    private static JobView Job(string tenant, int priority, int maxAttempts = 3)
    {
        var now = DateTimeOffset.UtcNow;
        return new JobView
        {
            Id = Guid.CreateVersion7(),
            Spec = new JobSpec(tenant, new JobInput(JobInputKind.Upload, $"{tenant}/{Guid.NewGuid():N}/source/input", "holiday.mov", 12_345), priority, maxAttempts),
            Status = JobStatus.Queued,
            Stage = JobStages.Queued,
            CreatedAt = now,
            UpdatedAt = now,
        };
    }

    private async Task<List<Guid>> ClaimOneByOneAsync(int count)
    {
        var ids = new List<Guid>();
        for (var i = 0; i < count; i++)
        {
            ids.AddRange((await Queue.ClaimAsync("silo", 1, Lease, CancellationToken.None)).Select(c => c.JobId));
        }

        return ids;
    }
}
