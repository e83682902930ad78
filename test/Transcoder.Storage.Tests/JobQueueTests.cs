using Microsoft.Extensions.Logging.Abstractions;

namespace Transcoder.Storage.Tests;

[Collection(StorageCollection.Name)]
public class JobQueueTests(StorageFixture fixture) : IAsyncLifetime
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);

    private JobQueue Queue => new(fixture.DataSource);

    public async Task InitializeAsync()
    {
        await new DatabaseMigrator(fixture.DataSource, NullLogger<DatabaseMigrator>.Instance).MigrateAsync(CancellationToken.None);
        await using var clear = fixture.DataSource.CreateCommand("DELETE FROM job_queue");
        await clear.ExecuteNonQueryAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Claim_ServesPriorityOneFirst_ThenFifoWithinAPriority()
    {
        var low1 = await EnqueueAsync("t", 9);
        var low2 = await EnqueueAsync("t", 9);
        var urgent = await EnqueueAsync("t", 1);

        Assert.Equal([urgent, low1, low2], await ClaimOneByOneAsync(3));
    }

    [Fact]
    public async Task Claim_ABacklogOfOneTenant_DoesNotStarveAnother()
    {
        var backlog = new List<Guid>();
        for (var i = 0; i < 50; i++)
        {
            backlog.Add(await EnqueueAsync("big", 5));
        }

        var first = await ClaimOneByOneAsync(10);
        var small = await EnqueueAsync("small", 5);
        var next = await ClaimOneByOneAsync(3);

        Assert.Equal(backlog[..10], first);
        Assert.Contains(small, next[..2]);
    }

    [Fact]
    public async Task Claim_NeverHandsOneJobToTwoSilos()
    {
        for (var i = 0; i < 20; i++)
        {
            await EnqueueAsync("t", 5);
        }

        var claims = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Queue.ClaimAsync($"silo-{i}", 5, Lease, CancellationToken.None)));

        var ids = claims.SelectMany(c => c.Select(x => x.JobId)).ToList();
        Assert.Equal(20, ids.Count);
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public async Task Lease_RenewedIsKept_NotRenewedRunsOutAndTheJobIsClaimedAgain()
    {
        var kept = await EnqueueAsync("t", 5);
        var dropped = await EnqueueAsync("t", 5);
        var brief = TimeSpan.FromMilliseconds(300);
        await Queue.ClaimAsync("silo-a", 1, brief, CancellationToken.None);
        await Queue.ClaimAsync("silo-b", 1, brief, CancellationToken.None);

        await Task.Delay(TimeSpan.FromMilliseconds(150), CancellationToken.None);
        Assert.Equal(1, await Queue.RenewAsync("silo-a", [kept, dropped], Lease, CancellationToken.None));
        await Task.Delay(TimeSpan.FromMilliseconds(300), CancellationToken.None);
        Assert.Equal(1, await Queue.ExpireLeasesAsync(CancellationToken.None));

        var again = await Queue.ClaimAsync("silo-c", 5, Lease, CancellationToken.None);
        Assert.Equal([dropped], again.Select(c => c.JobId));
    }

    [Fact]
    public async Task Release_WithBackoff_IsNotClaimedBeforeItIsReady()
    {
        var job = await EnqueueAsync("t", 5);
        await Queue.ClaimAsync("silo-a", 1, Lease, CancellationToken.None);

        await Queue.ReleaseAsync(job, DateTimeOffset.UtcNow.AddSeconds(1), CancellationToken.None);
        var early = await Queue.ClaimAsync("silo-a", 1, Lease, CancellationToken.None);
        await Task.Delay(TimeSpan.FromSeconds(1.2), CancellationToken.None);
        var later = await Queue.ClaimAsync("silo-a", 1, Lease, CancellationToken.None);

        Assert.Empty(early);
        Assert.Equal([job], later.Select(c => c.JobId));
    }

    [Fact]
    public async Task EnqueueAndRemove_AreIdempotent_AndCountsSeeOnlyWaitingJobs()
    {
        var job = await EnqueueAsync("counted", 3);
        await Queue.EnqueueAsync(job, "counted", 3, CancellationToken.None);
        await EnqueueAsync("counted", 7);
        var other = await EnqueueAsync("other", 3);

        var mine = await Queue.CountWaitingAsync("counted", CancellationToken.None);
        var all = await Queue.CountWaitingAsync(null, CancellationToken.None);
        await Queue.RemoveAsync(other, CancellationToken.None);
        await Queue.RemoveAsync(other, CancellationToken.None);

        Assert.Equal(new Dictionary<int, long> { [3] = 1, [7] = 1 }, mine);
        Assert.Equal(new Dictionary<int, long> { [3] = 2, [7] = 1 }, all);
        Assert.Equal(2, (await Queue.CountWaitingAsync(null, CancellationToken.None)).Values.Sum());
    }

    private async Task<Guid> EnqueueAsync(string tenant, int priority)
    {
        var id = Guid.CreateVersion7();
        await Queue.EnqueueAsync(id, tenant, priority, CancellationToken.None);
        return id;
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
