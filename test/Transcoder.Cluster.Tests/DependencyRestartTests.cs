using Transcoder.Abstractions;
using Transcoder.Storage;
using Transcoder.Testing;

namespace Transcoder.Cluster.Tests;

/// <summary>Postgres and Redis restarted under a stream of submissions and running jobs.</summary>
public sealed class DependencyRestartTests : IAsyncLifetime
{
    private readonly string _tenant = $"restart-{Guid.NewGuid():N}"[..16];
    private readonly string _folder = TestStack.NewScratchFolder("restarts");
    private FaultCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await FaultCluster.StartAsync(silos: 2);

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        Directory.Delete(_folder, true);
    }

    /// <summary>
    /// Jobs are submitted every 100 ms while Postgres goes down for 2 s and comes back, then Redis does the
    /// same. Submissions made while the database is down fail (and are not acknowledged); every acknowledged
    /// job completes, and none that had completed before a restart is seen in another state after it. Each restart
    /// waits for its signal: jobs completed before the first, and submissions acknowledged again after each.
    /// </summary>
    [Fact]
    public async Task PostgresThenRedisRestarted_UnderLoad_NoAcknowledgedJobIsLostOrRegressed()
    {
        var clip = await TestClips.VideoAsync(_folder, 320, 240, 1);
        var acknowledged = new List<Guid>();
        var refused = 0;
        using var stop = new CancellationTokenSource();
        var submitting = Task.Run(async () =>
        {
            var intake = _cluster.Client.GetGrain<IJobIntakeGrain>(0);
            while (!stop.IsCancellationRequested)
            {
                var id = Guid.NewGuid();
                try
                {
                    var source = ObjectKeys.Source(_tenant, id);
                    await _cluster.Store.PutFileAsync(source, clip, "video/mp4", CancellationToken.None);
                    await intake.SubmitAsync(id, new JobSpec(_tenant, new JobInput(JobInputKind.Upload, source), 5));
                    lock (acknowledged)
                    {
                        acknowledged.Add(id);
                    }
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    Interlocked.Increment(ref refused);
                }

                await Task.Delay(100, CancellationToken.None);
            }
        });

        var completedBeforePostgres = await Eventually.ValueAsync(() => CompletedAsync(Snapshot(acknowledged)), c => c.Count >= 3,
            TimeSpan.FromMinutes(2), "no job completed before the restarts");
        await TestStack.RestartPartAsync("postgres", TimeSpan.FromSeconds(2));
        await AcknowledgedAgainAsync(acknowledged, "after Postgres came back");
        var completedBeforeRedis = await CompletedAsync(Snapshot(acknowledged));
        await TestStack.RestartPartAsync("redis", TimeSpan.FromSeconds(2));
        await AcknowledgedAgainAsync(acknowledged, "after Redis came back");
        await stop.CancelAsync();
        await submitting;

        var all = Snapshot(acknowledged);
        var ended = await Task.WhenAll(all.Select(id => _cluster.WaitForJobAsync(id, j => j.Status.IsTerminal(), TimeSpan.FromMinutes(4))));

        Assert.True(all.Count >= 20, $"only {all.Count} jobs were acknowledged; the test proves little");
        Assert.NotEmpty(completedBeforePostgres);
        Assert.All(ended, j => Assert.Equal(JobStatus.Completed, j.Status));
        Assert.Superset(completedBeforePostgres.ToHashSet(), completedBeforeRedis.ToHashSet());
        Assert.True(refused < all.Count, $"{refused} submissions refused against {all.Count} acknowledged");
    }

    /// <summary>Waits until five more submissions have been acknowledged: the cluster takes jobs again.</summary>
    private static async Task AcknowledgedAgainAsync(List<Guid> acknowledged, string when)
    {
        var before = Snapshot(acknowledged).Count;
        await Eventually.TrueAsync(() => Snapshot(acknowledged).Count >= before + 5, TimeSpan.FromMinutes(1), $"no submission was acknowledged {when}");
    }

    private static List<Guid> Snapshot(List<Guid> ids)
    {
        lock (ids)
        {
            return [.. ids];
        }
    }

    private async Task<List<Guid>> CompletedAsync(List<Guid> ids)
    {
        var completed = new List<Guid>();
        foreach (var id in ids)
        {
            if (await _cluster.FindJobAsync(id) is { Status: JobStatus.Completed })
            {
                completed.Add(id);
            }
        }

        return completed;
    }
}
