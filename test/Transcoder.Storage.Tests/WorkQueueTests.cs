using Transcoder.Testing;

namespace Transcoder.Storage.Tests;

[Collection(StorageCollection.Name)]
public class WorkQueueTests(StorageFixture fixture) : IAsyncLifetime
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);

    private const string Item = "ladder";

    private WorkQueue Queue => new(fixture.DataSource, new WorkSignal());

    public Task InitializeAsync() => fixture.MigrateWithEmptyQueueAsync();

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

    /// <summary>
    /// A long title split into chunk items queued in order: its chunks go early ones first, and another tenant's clip
    /// queued while they wait is claimed within the next two claims, not after the title's last chunk.
    /// </summary>
    [Fact]
    public async Task Claim_TheChunksOfOneTitle_GoInOrder_AndDoNotStarveAnotherTenantsClip()
    {
        var title = Guid.CreateVersion7();
        var ready = DateTimeOffset.UtcNow.AddSeconds(-1);
        var chunks = Enumerable.Range(0, 40).Select(i => $"chunk-{i:0000}").ToList();
        foreach (var chunk in chunks)
        {
            await Queue.QueueAsync(title, chunk, "long-title", 5, ready, CancellationToken.None);
        }

        var first = await ClaimItemsOneByOneAsync(5);
        var clip = await EnqueueAsync("short-clip", 5);
        var next = await ClaimItemsOneByOneAsync(3);

        Assert.Equal(chunks[..5].Select(c => (title, c)), first);
        Assert.Contains((clip, Item), next[..2]);
        Assert.Equal(chunks[5..7].Select(c => (title, c)), next.Where(n => n.JobId == title));
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
    public async Task Lease_RenewedIsKept_NotRenewedRunsOutAndTheItemIsClaimedAgain()
    {
        var kept = await EnqueueAsync("t", 5);
        var dropped = await EnqueueAsync("t", 5);
        var brief = TimeSpan.FromSeconds(1);
        await Queue.ClaimAsync("silo-a", 1, brief, CancellationToken.None);
        await Queue.ClaimAsync("silo-b", 1, brief, CancellationToken.None);

        Assert.Equal(1, await Queue.RenewAsync("silo-a", [(kept, Item), (dropped, Item)], Lease, CancellationToken.None));
        await Eventually.TrueAsync(async () => await Queue.ExpireLeasesAsync(CancellationToken.None) == 1, TimeSpan.FromSeconds(10), "silo-b's lease never ran out");

        var again = await Queue.ClaimAsync("silo-c", 5, Lease, CancellationToken.None);
        Assert.Equal([dropped], again.Select(c => c.JobId));
    }

    [Fact]
    public async Task Requeue_WithBackoff_IsNotClaimedBeforeItIsReady()
    {
        var job = await EnqueueAsync("t", 5);
        await Queue.ClaimAsync("silo-a", 1, Lease, CancellationToken.None);
        var readyAt = DateTimeOffset.UtcNow.AddSeconds(1);

        await Queue.QueueAsync(job, Item, "t", 5, readyAt, CancellationToken.None);
        var early = await Queue.ClaimAsync("silo-a", 1, Lease, CancellationToken.None);
        var later = await Eventually.ValueAsync(() => Queue.ClaimAsync("silo-a", 1, Lease, CancellationToken.None), c => c.Count > 0, TimeSpan.FromSeconds(10));

        Assert.Empty(early);
        Assert.True(DateTimeOffset.UtcNow >= readyAt.AddMilliseconds(-50), "claimed before its backoff ended");
        Assert.Equal([(job, Item)], later.Select(c => (c.JobId, c.ItemId)));
    }

    [Fact]
    public async Task Items_OfOneJob_AreClaimedLeasedAndRemovedApart()
    {
        var job = Guid.CreateVersion7();
        await Queue.QueueAsync(job, "video", "items", 5, DateTimeOffset.UtcNow, CancellationToken.None);
        await Queue.QueueAsync(job, "audio", "items", 5, DateTimeOffset.UtcNow, CancellationToken.None);

        var claims = await Queue.ClaimAsync("silo-a", 5, Lease, CancellationToken.None);
        await Queue.RemoveAsync(job, ["video"], CancellationToken.None);
        var renewed = await Queue.RenewAsync("silo-a", [(job, "video"), (job, "audio")], Lease, CancellationToken.None);
        var inFlight = await Queue.CountInFlightAsync(["items"], CancellationToken.None);
        await Queue.RemoveAsync(job, [], CancellationToken.None);

        Assert.Equal(["audio", "video"], claims.Select(c => c.ItemId).Order(StringComparer.Ordinal));
        Assert.Equal(1, renewed);
        Assert.Equal(1, inFlight["items"]);
        Assert.Empty(await Queue.CountInFlightAsync(["items"], CancellationToken.None));
    }

    [Fact]
    public async Task ReleaseClaim_OnlyByItsOwner_MakesTheItemClaimableAgain()
    {
        var job = await EnqueueAsync("t", 5);
        await Queue.ClaimAsync("silo-a", 1, Lease, CancellationToken.None);

        await Queue.ReleaseClaimAsync("silo-b", job, Item, DateTimeOffset.UtcNow, CancellationToken.None);
        var stillHeld = await Queue.ClaimAsync("silo-c", 1, Lease, CancellationToken.None);
        await Queue.ReleaseClaimAsync("silo-a", job, Item, DateTimeOffset.UtcNow, CancellationToken.None);
        var released = await Queue.ClaimAsync("silo-c", 1, Lease, CancellationToken.None);

        Assert.Empty(stillHeld);
        Assert.Equal([job], released.Select(c => c.JobId));
    }

    [Fact]
    public async Task QueueAndRemove_AreIdempotent_AndCountsSeeOnlyWaitingJobs()
    {
        var job = await EnqueueAsync("counted", 3);
        await Queue.QueueAsync(job, Item, "counted", 3, DateTimeOffset.UtcNow, CancellationToken.None);
        await EnqueueAsync("counted", 7);
        var other = await EnqueueAsync("other", 3);

        var mine = await Queue.CountWaitingAsync("counted", CancellationToken.None);
        var all = await Queue.CountWaitingAsync(null, CancellationToken.None);
        await Queue.RemoveAsync(other, [], CancellationToken.None);
        await Queue.RemoveAsync(other, [], CancellationToken.None);

        Assert.Equal(new Dictionary<int, long> { [3] = 1, [7] = 1 }, mine);
        Assert.Equal(new Dictionary<int, long> { [3] = 2, [7] = 1 }, all);
        Assert.Equal(2, (await Queue.CountWaitingAsync(null, CancellationToken.None)).Values.Sum());
    }

    private async Task<Guid> EnqueueAsync(string tenant, int priority)
    {
        var id = Guid.CreateVersion7();
        await Queue.QueueAsync(id, Item, tenant, priority, DateTimeOffset.UtcNow.AddSeconds(-1), CancellationToken.None);
        return id;
    }

    private async Task<List<(Guid JobId, string ItemId)>> ClaimItemsOneByOneAsync(int count)
    {
        var items = new List<(Guid, string)>();
        for (var i = 0; i < count; i++)
        {
            items.AddRange((await Queue.ClaimAsync("silo", 1, Lease, CancellationToken.None)).Select(c => (c.JobId, c.ItemId)));
        }

        return items;
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
