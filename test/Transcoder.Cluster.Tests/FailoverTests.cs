using Transcoder.Abstractions;
using Transcoder.Storage;
using Transcoder.Testing;

namespace Transcoder.Cluster.Tests;

/// <summary>Silos dying under running jobs, on real processes.</summary>
public sealed class FailoverTests : IAsyncLifetime
{
    private readonly string _tenant = $"faults-{Guid.NewGuid():N}"[..16];
    private readonly string _folder = TestStack.NewScratchFolder("cluster");
    private FaultCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await FaultCluster.StartAsync(silos: 2);

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        Directory.Delete(_folder, true);
    }

    /// <summary>
    /// kill -9 of the silo running a job mid-encode: its claim on the job runs out, the other silo claims it
    /// and runs it again under a new run id, and only that run's outputs are left in the bucket.
    /// </summary>
    [Fact]
    public async Task KilledSilo_ItsJobIsTakenOverAndCompletesOnce()
    {
        var id = Guid.NewGuid();
        var source = await UploadAsync(id, 1280, 720, 30);

        await _cluster.Client.SubmitJobAsync(id, new JobSpec(_tenant, new JobInput(JobInputKind.Upload, source), 5));
        var running = await WaitForEncodeAsync(id);
        var victim = _cluster.Silo(running.ProcessingNode!);
        victim.Kill();
        var killedAt = DateTime.UtcNow;
        var done = await _cluster.WaitForJobAsync(id, j => j.Status.IsTerminal(), TimeSpan.FromMinutes(4));

        Assert.Equal(JobStatus.Completed, done.Status);
        Assert.Equal(2, done.Attempts);
        Assert.NotEqual(victim.Name, done.ProcessingNode);
        Assert.False(_cluster.Silo(done.ProcessingNode!).HasExited);
        var runs = await RunPrefixesAsync(id, source);
        Assert.Single(runs);
        Assert.StartsWith(ObjectKeys.JobPrefix(_tenant, id) + runs[0] + "/", done.Outputs!.HlsKey, StringComparison.Ordinal);
        Assert.True(done.StartedAt < killedAt);
    }

    /// <summary>
    /// A graceful stop (SIGTERM) of the silo running a job: it stops taking work, hands the job back to the
    /// queue without spending an attempt, and exits; the other silo runs the job to the end.
    /// </summary>
    [Fact]
    public async Task StoppedSilo_HandsItsJobBackWithoutSpendingAnAttempt()
    {
        var id = Guid.NewGuid();
        var source = await UploadAsync(id, 1280, 720, 30);

        await _cluster.Client.SubmitJobAsync(id, new JobSpec(_tenant, new JobInput(JobInputKind.Upload, source), 5));
        var running = await WaitForEncodeAsync(id);
        var stopped = _cluster.Silo(running.ProcessingNode!);
        await stopped.TerminateAsync(TimeSpan.FromSeconds(30));
        var done = await _cluster.WaitForJobAsync(id, j => j.Status.IsTerminal(), TimeSpan.FromMinutes(4));

        Assert.Equal(JobStatus.Completed, done.Status);
        Assert.Equal(1, done.Attempts);
        Assert.NotEqual(stopped.Name, done.ProcessingNode);
        Assert.Single(await RunPrefixesAsync(id, source));
    }

    /// <summary>
    /// The whole cluster stopped with jobs queued and running, then started again: every job is driven to the
    /// end by the queue alone.
    /// </summary>
    [Fact]
    public async Task WholeClusterRestarted_EveryQueuedJobCompletes()
    {
        var ids = Enumerable.Range(0, 16).Select(_ => Guid.NewGuid()).ToList();
        foreach (var id in ids)
        {
            var source = await UploadAsync(id, 320, 240, 2);
            await _cluster.Client.SubmitJobAsync(id, new JobSpec(_tenant, new JobInput(JobInputKind.Upload, source), 5));
        }

        await Task.WhenAll(_cluster.Silos.Select(s => s.TerminateAsync(TimeSpan.FromSeconds(30))));
        var left = 0;
        foreach (var id in ids)
        {
            left += (await _cluster.Records.FindAsync(id, CancellationToken.None))!.Status.IsTerminal() ? 0 : 1;
        }

        await _cluster.StartSilosAsync("silo-c", "silo-d");
        var jobs = await Task.WhenAll(ids.Select(id => _cluster.WaitForJobAsync(id, j => j.Status.IsTerminal(), TimeSpan.FromMinutes(4))));

        Assert.True(left > 0, "every job had ended before the cluster stopped; the test proves nothing");
        Assert.All(jobs, j => Assert.Equal(JobStatus.Completed, j.Status));
    }

    /// <summary>
    /// Kubernetes' preStop hook: POST /drain to the silo running a job. It takes no more work, the call returns
    /// once its job has finished there (one attempt, nothing handed back), and jobs submitted meanwhile run on
    /// the other silo.
    /// </summary>
    [Fact]
    public async Task DrainedSilo_FinishesItsJobAndTakesNoMore()
    {
        var id = Guid.NewGuid();
        var source = await UploadAsync(id, 1280, 720, 8);
        await _cluster.Client.SubmitJobAsync(id, new JobSpec(_tenant, new JobInput(JobInputKind.Upload, source), 5));
        var running = await WaitForEncodeAsync(id);
        var drained = _cluster.Silo(running.ProcessingNode!);

        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(3) };
        var draining = http.PostAsync(new Uri($"http://127.0.0.1:{drained.HttpPort}/drain?seconds=120"), null);
        await Eventually.TrueAsync(() => drained.LogLines().Any(l => l.Contains("\"EventId\":3205", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(30), "the silo never started draining");

        var later = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            var next = Guid.NewGuid();
            await _cluster.Client.SubmitJobAsync(next, new JobSpec(_tenant, new JobInput(JobInputKind.Upload, await UploadAsync(next, 320, 240, 1)), 5));
            later.Add(next);
        }

        using var response = await draining;
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"stillRunning\":0", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var first = await _cluster.WaitForJobAsync(id, j => j.Status.IsTerminal(), TimeSpan.FromSeconds(30));
        Assert.Equal((JobStatus.Completed, 1, drained.Name), (first.Status, first.Attempts, first.ProcessingNode));
        foreach (var next in later)
        {
            var job = await _cluster.WaitForJobAsync(next, j => j.Status.IsTerminal(), TimeSpan.FromMinutes(2));
            Assert.Equal(JobStatus.Completed, job.Status);
            Assert.NotEqual(drained.Name, job.ProcessingNode);
        }
    }

    private async Task<string> UploadAsync(Guid id, int width, int height, double seconds)
    {
        var clip = await TestClips.VideoAsync(_folder, width, height, seconds);
        var source = ObjectKeys.Source(_tenant, id);
        await _cluster.Store.PutFileAsync(source, clip, "video/mp4", CancellationToken.None);
        return source;
    }

    /// <summary>The run folders under the job's prefix (everything but the uploaded source).</summary>
    private async Task<List<string>> RunPrefixesAsync(Guid id, string source)
    {
        var prefix = ObjectKeys.JobPrefix(_tenant, id);
        return [.. (await _cluster.Store.ListAsync(prefix, CancellationToken.None))
            .Where(k => k != source)
            .Select(k => k[prefix.Length..].Split('/')[0])
            .Distinct()];
    }

    /// <summary>Waits until the job's ffmpeg has encoded a part of it; returns the job (which names its silo).</summary>
    private async Task<JobView> WaitForEncodeAsync(Guid id) =>
        (await Eventually.ValueAsync(() => _cluster.Client.GetGrain<ITranscodeJobGrain>(id).GetAsync(),
            j => j is { Status: JobStatus.Processing, Stage: JobStages.Encoding, Progress: > 10 } && TestProcesses.FfmpegOf(id) is not null,
            TimeSpan.FromMinutes(2), $"job {id} never got into encoding", TimeSpan.FromMilliseconds(100)))!;
}
