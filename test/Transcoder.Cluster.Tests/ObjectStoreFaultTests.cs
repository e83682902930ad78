using Transcoder.Abstractions;
using Transcoder.Storage;
using Transcoder.Testing;

namespace Transcoder.Cluster.Tests;

/// <summary>The S3 endpoint failing a share of requests, then down for a while, behind a proxy the silos use.</summary>
public sealed class ObjectStoreFaultTests : IAsyncLifetime
{
    private readonly string _tenant = $"s3fault-{Guid.NewGuid():N}"[..16];
    private readonly string _folder = TestStack.NewScratchFolder("s3-faults");
    private FaultyProxy _proxy = null!;
    private FaultCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        _proxy = new FaultyProxy(new Uri(TestStack.S3Url), failureShare: 0);
        _cluster = await FaultCluster.StartAsync(silos: 2, objectStoreUrl: _proxy.Url.ToString().TrimEnd('/'));
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        await _proxy.DisposeAsync();
        Directory.Delete(_folder, true);
    }

    /// <summary>
    /// A quarter of the connections to S3 get 503 Slow Down while four jobs run; then S3 is unreachable while two
    /// more are submitted, until an attempt of theirs has failed on it. The SDK's retries absorb most faults, the
    /// job's retries with backoff the rest: every job completes.
    /// </summary>
    [Fact]
    public async Task FlakyThenUnreachableObjectStore_JobsWaitRetryAndComplete()
    {
        var clip = await TestClips.VideoAsync(_folder, 320, 240, 3);

        _proxy.FailureShare = 0.25;
        var flaky = await SubmitAsync(clip, 4);
        var flakyDone = await Task.WhenAll(flaky.Select(id => _cluster.WaitForJobAsync(id, j => j.Status.IsTerminal(), TimeSpan.FromMinutes(3))));
        var refusedWhileFlaky = _proxy.Refused;

        _proxy.FailureShare = 0;
        var during = await SubmitAsync(clip, 2);
        _proxy.SetDown(true);
        var refusedBeforeOutage = _proxy.Refused;
        await Eventually.TrueAsync(async () =>
        {
            foreach (var id in during)
            {
                if (await _cluster.FindJobAsync(id) is { Error.Code: JobErrorCodes.StorageFailed })
                {
                    return true;
                }
            }

            return false;
        }, TimeSpan.FromMinutes(2), "no attempt failed on the unreachable object store", TimeSpan.FromMilliseconds(250));
        var refusedInOutage = _proxy.Refused - refusedBeforeOutage;
        _proxy.SetDown(false);
        var duringDone = await Task.WhenAll(during.Select(id => _cluster.WaitForJobAsync(id, j => j.Status.IsTerminal(), TimeSpan.FromMinutes(3))));

        Assert.True(refusedWhileFlaky > 0, "no fault was injected while flaky");
        Assert.True(refusedInOutage > 0, "nothing tried to reach S3 during the outage");
        Assert.All(flakyDone.Concat(duringDone), j => Assert.Equal(JobStatus.Completed, j.Status));
        Assert.Contains(duringDone, j => j.Attempts > 1);
    }

    private async Task<List<Guid>> SubmitAsync(string clip, int count)
    {
        var ids = new List<Guid>();
        var intake = _cluster.Client.GetGrain<IJobIntakeGrain>(0);
        for (var i = 0; i < count; i++)
        {
            // A tenant per job: the same bytes from the same tenant would reuse the first job's outputs.
            var id = Guid.NewGuid();
            var tenant = $"{_tenant}-{id:N}"[..24];
            var source = ObjectKeys.Source(tenant, id);
            await _cluster.Store.PutFileAsync(source, clip, "video/mp4", CancellationToken.None);
            await intake.SubmitAsync(id, new JobSpec(tenant, new JobInput(JobInputKind.Upload, source), 5, MaxAttempts: 10));
            ids.Add(id);
        }

        return ids;
    }
}
