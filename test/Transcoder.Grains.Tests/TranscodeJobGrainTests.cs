using System.Collections.Concurrent;
using Orleans.Streams;
using System.Globalization;
using Transcoder.Abstractions;
using Transcoder.Storage;
using Transcoder.Testing;

namespace Transcoder.Grains.Tests;

[Collection(ClusterCollection.Name)]
public sealed class TranscodeJobGrainTests(ClusterFixture fixture) : IDisposable
{
    private readonly string _tenant = $"grains-{Guid.NewGuid():N}"[..16];
    private readonly string _folder = TestStack.NewScratchFolder("grains");

    private ITranscodeJobGrain Job(Guid id) => fixture.Cluster.Client.GetGrain<ITranscodeJobGrain>(id);

    private Task<JobView> SubmitAsync(Guid id, JobSpec spec) => fixture.Cluster.Client.SubmitJobAsync(id, spec);

    private async Task<JobSpec> UploadAsync(Guid id, int width = 320, int height = 240, double seconds = 2)
    {
        var clip = await TestClips.VideoAsync(_folder, width, height, seconds);
        var key = ObjectKeys.Source(_tenant, id);
        await fixture.Store.PutFileAsync(key, clip, "video/mp4", CancellationToken.None);
        return new JobSpec(_tenant, new JobInput(JobInputKind.Upload, key), 5);
    }

    private async Task<JobView> WaitForEndAsync(Guid id, TimeSpan? within = null) =>
        (await Eventually.ValueAsync(() => Job(id).GetAsync(), j => j is { Status: var s } && s.IsTerminal(), within ?? TimeSpan.FromMinutes(3), $"job {id} did not end"))!;

    [Fact]
    public async Task Submit_UploadedClip_CompletesAndPublishesProgressOnItsStream()
    {
        var id = Guid.NewGuid();
        var spec = await UploadAsync(id);
        var events = new ConcurrentQueue<JobProgressEvent>();
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stream = fixture.Cluster.Client.GetStreamProvider(JobStreams.ProviderName)
            .GetStream<JobProgressEvent>(StreamId.Create(JobStreams.Namespace, id));
        var subscription = await stream.SubscribeAsync((e, _) =>
        {
            events.Enqueue(e);
            if (e.Status.IsTerminal())
            {
                ended.TrySetResult();
            }

            return Task.CompletedTask;
        });

        var submitted = await SubmitAsync(id, spec);
        await ended.Task.WaitAsync(TimeSpan.FromMinutes(3));
        var job = (await Job(id).GetAsync())!;
        await subscription.UnsubscribeAsync();

        Assert.Equal(_tenant, submitted.Tenant);
        Assert.Equal(JobStatus.Completed, job.Status);
        Assert.Equal(1, job.Attempts);
        Assert.Equal(["240p", "Audio"], job.Outputs!.Renditions.Select(r => r.Name));
        Assert.StartsWith(ObjectKeys.JobPrefix(_tenant, id), job.Outputs.HlsKey, StringComparison.Ordinal);
        Assert.Contains(events, e => e.Status == JobStatus.Processing);
        Assert.Contains(events, e => e.Status == JobStatus.Completed);
        Assert.Contains(job.Outputs.HlsKey!, await fixture.Store.ListAsync(ObjectKeys.JobPrefix(_tenant, id), CancellationToken.None));
    }

    /// <summary>
    /// Four jobs at once on two silos of one slot each: both silos pull work, and neither ever runs more
    /// encodes than it has slots.
    /// </summary>
    [Fact]
    public async Task Burst_RunsOnEverySilo_NeverMoreThanItsSlotsAtOnce()
    {
        var runners = fixture.Runners;
        var most = new int[runners.Count];
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                for (var i = 0; i < runners.Count; i++)
                {
                    most[i] = Math.Max(most[i], runners[i].ActiveRuns);
                }

                await Task.Delay(10, CancellationToken.None);
            }
        });
        var ids = Enumerable.Range(0, 4).Select(_ => Guid.NewGuid()).ToList();
        foreach (var id in ids)
        {
            await SubmitAsync(id, await UploadAsync(id, 320, 240, 3));
        }

        var jobs = await Task.WhenAll(ids.Select(id => WaitForEndAsync(id)));
        await sampling.CancelAsync();
        await sampler;

        Assert.All(jobs, j => Assert.Equal(JobStatus.Completed, j.Status));
        Assert.Equal(runners.Count, jobs.Select(j => j.ProcessingNode).Distinct().Count());
        for (var i = 0; i < runners.Count; i++)
        {
            Assert.InRange(most[i], 1, runners[i].Slots);
        }
    }

    [Fact]
    public async Task Report_FromARunThatIsNotCurrent_IsRefused()
    {
        var id = Guid.NewGuid();
        await SubmitAsync(id, await UploadAsync(id));
        var completed = await WaitForEndAsync(id);
        var stale = new WorkRun("ladder", Guid.NewGuid());
        var output = new JobOutputs { HlsKey = "x/master.m3u8", DashKey = "x/manifest.mpd", DurationSeconds = 1 };

        Assert.False(await Job(id).ReportCompletedAsync(stale, output));
        Assert.False(await Job(id).ReportFailedAsync(stale, new JobError(JobErrorCodes.Internal, "late"), retryable: false));
        await Job(id).ReportProgressAsync(stale, 5, JobStages.Encoding);

        var after = (await Job(id).GetAsync())!;
        Assert.Equal(completed with { Outputs = null }, after with { Outputs = null });
        Assert.Equal(completed.Outputs!.Renditions.ToArray(), after.Outputs!.Renditions.ToArray());
    }

    [Fact]
    public async Task Submit_SameSpecTwice_ReturnsTheSameJob_OtherSpecConflicts()
    {
        var id = Guid.NewGuid();
        var spec = new JobSpec(_tenant, new JobInput(JobInputKind.Upload, ObjectKeys.Source(_tenant, id)), 7);
        var intake = fixture.Cluster.Client.GetGrain<IJobIntakeGrain>(0);

        var first = await SubmitAsync(id, spec);
        var again = await SubmitAsync(id, spec);
        var other = (await intake.SubmitManyAsync([new JobSubmission(id, spec with { Priority = 1 })])).Single();

        Assert.Equal(first.Id, again.Id);
        Assert.Equal(first.CreatedAt.ToUnixTimeMilliseconds(), again.CreatedAt.ToUnixTimeMilliseconds());
        Assert.Equal((null, SubmissionError.Conflict), (other.Job, other.Error));
        await WaitForEndAsync(id);
    }

    [Fact]
    public async Task Submit_MissingUpload_FailsOnceWithoutRetry()
    {
        var id = Guid.NewGuid();
        var spec = new JobSpec(_tenant, new JobInput(JobInputKind.Upload, ObjectKeys.Source(_tenant, id)), 5);

        await SubmitAsync(id, spec);
        var job = await WaitForEndAsync(id);

        Assert.Equal(JobStatus.Failed, job.Status);
        Assert.Equal(JobErrorCodes.DownloadFailed, job.Error!.Code);
        Assert.Equal(1, job.Attempts);
    }

    /// <summary>The write of an ended job's row fails (the database is away): it is written again until it works.</summary>
    [Fact]
    public async Task EndedJob_WhoseRowWriteFailed_IsWrittenAgain()
    {
        var id = Guid.NewGuid();
        FlakyJobRecords.FailTerminalWrites(id, times: 2);

        await SubmitAsync(id, new JobSpec(_tenant, new JobInput(JobInputKind.Upload, ObjectKeys.Source(_tenant, id)), 5));
        Assert.Equal(JobStatus.Failed, (await WaitForEndAsync(id)).Status);

        var row = await Eventually.ValueAsync(() => fixture.Records.FindAsync(id, CancellationToken.None), r => r is { Status: JobStatus.Failed },
            TimeSpan.FromSeconds(30), $"the row of job {id} never said failed");

        Assert.Equal(JobErrorCodes.DownloadFailed, row!.Error!.Code);
    }

    /// <summary>
    /// A URL that keeps answering 503: each retry waits the backoff (0.2 s, then twice as long each time, with up to
    /// a quarter more), measured at the origin between the attempts' requests; out of attempts, a dead letter.
    /// </summary>
    [Fact]
    public async Task Submit_UrlAnsweringServerErrors_RetriesWithGrowingBackoffThenDeadLetters()
    {
        var requests = new List<DateTime>();
        using var origin = TestOrigin.Start(async context =>
        {
            lock (requests)
            {
                requests.Add(DateTime.UtcNow);
            }

            context.Response.StatusCode = 503;
            await Task.CompletedTask;
        });
        var id = Guid.NewGuid();

        await SubmitAsync(id, new JobSpec(_tenant, new JobInput(JobInputKind.Url, origin.Url("video.mp4")), 5, MaxAttempts: 4));
        var job = await WaitForEndAsync(id, TimeSpan.FromMinutes(1));

        Assert.Equal(JobStatus.Failed, job.Status);
        Assert.Equal(JobErrorCodes.DownloadFailed, job.Error!.Code);
        Assert.Equal(4, job.Attempts);
        Assert.Equal(4, requests.Count);
        var gaps = requests.Zip(requests.Skip(1), (a, b) => (b - a).TotalSeconds).ToList();
        for (var i = 0; i < gaps.Count; i++)
        {
            var backoff = 0.2 * Math.Pow(2, i);
            Assert.True(gaps[i] >= backoff, string.Create(CultureInfo.InvariantCulture, $"retry {i + 1} came {gaps[i]:0.000} s after the failure before it; its backoff is {backoff} s"));
        }

        Assert.True(gaps[2] > gaps[0] + 0.3, $"the backoff did not grow: {string.Join(", ", gaps)}");
        Assert.NotNull(job.DeadLetteredAt);
        var row = await fixture.Records.FindAsync(id, CancellationToken.None);
        Assert.Equal(job.DeadLetteredAt.Value, row!.DeadLetteredAt!.Value, TimeSpan.FromMilliseconds(1)); // Postgres keeps microseconds
    }

    [Fact]
    public async Task Retry_DeadLetterWhoseCauseWentAway_RunsAgainAndCompletes()
    {
        var clip = await TestClips.VideoAsync(_folder, 320, 240, 2);
        var healthy = false;
        using var origin = TestOrigin.Start(async context =>
        {
            if (!Volatile.Read(ref healthy))
            {
                context.Response.StatusCode = 503;
                return;
            }

            context.Response.ContentType = "video/mp4";
            await using var file = File.OpenRead(clip);
            await file.CopyToAsync(context.Response.OutputStream);
        });
        var id = Guid.NewGuid();
        await SubmitAsync(id, new JobSpec(_tenant, new JobInput(JobInputKind.Url, origin.Url("clip.mp4")), 5, MaxAttempts: 2));
        var dead = await WaitForEndAsync(id, TimeSpan.FromMinutes(1));
        Assert.Equal((JobStatus.Failed, 2, 2), (dead.Status, dead.Attempts, dead.Spec.MaxAttempts));
        Assert.NotNull(dead.DeadLetteredAt);

        Volatile.Write(ref healthy, true);
        var retried = await Job(id).RetryAsync();
        var job = await WaitForEndAsync(id);

        Assert.NotEqual(JobStatus.Failed, retried!.Status);
        Assert.Null(retried.DeadLetteredAt);
        Assert.Equal(JobStatus.Completed, job.Status);
        Assert.Equal(1, job.Attempts);
        Assert.Null(job.Error);
    }

    [Fact]
    public async Task Retry_JobThatIsNotADeadLetter_ChangesNothing()
    {
        var id = Guid.NewGuid();
        var missing = new JobSpec(_tenant, new JobInput(JobInputKind.Upload, ObjectKeys.Source(_tenant, id)), 5);
        await SubmitAsync(id, missing);
        var failed = await WaitForEndAsync(id, TimeSpan.FromMinutes(1));

        var after = await Job(id).RetryAsync();

        Assert.Null(failed.DeadLetteredAt); // a permanent failure is not retried, so not dead-lettered
        Assert.Equal((failed.Status, failed.Attempts, failed.UpdatedAt), (after!.Status, after.Attempts, after.UpdatedAt));
        Assert.Null(await Job(Guid.NewGuid()).RetryAsync());
    }

    /// <summary>ffmpeg killed mid-encode, twice: the job is retried, then dead-lettered with ffmpeg's stderr tail.</summary>
    [Fact]
    public async Task FfmpegKilled_IsRetriedThenDeadLettered()
    {
        var id = Guid.NewGuid();
        // Long enough that the encode still runs when the test kills it (ultrafast encodes 20 s of 720p in about 5 s).
        await SubmitAsync(id, await UploadAsync(id, 1280, 720, 60) with { MaxAttempts = 2 });

        for (var attempt = 1; attempt <= 2; attempt++)
        {
            // Killed once it has encoded something (so it has said something on stderr).
            var current = attempt;
            await Eventually.TrueAsync(async () => TestProcesses.FfmpegOf(id) is not null
                && await Job(id).GetAsync() is { Attempts: var made, Stage: JobStages.Encoding, Progress: > 5 } && made == current,
                TimeSpan.FromMinutes(1), $"attempt {attempt} never got into encoding", TimeSpan.FromMilliseconds(50));
            var ffmpeg = TestProcesses.FfmpegOf(id)!.Value;

            await TestClips.RunAsync("kill", ["-KILL", ffmpeg.ToString(CultureInfo.InvariantCulture)]);
            await Eventually.TrueAsync(() => TestProcesses.FfmpegOf(id) != ffmpeg, TimeSpan.FromSeconds(30), "the killed ffmpeg did not go away", TimeSpan.FromMilliseconds(50));
        }

        var job = await WaitForEndAsync(id);

        Assert.Equal((JobStatus.Failed, 2), (job.Status, job.Attempts));
        Assert.Equal(JobErrorCodes.EncodeFailed, job.Error!.Code);
        Assert.NotNull(job.DeadLetteredAt);
        Assert.False(string.IsNullOrWhiteSpace(job.Error.Detail), "the dead letter should carry ffmpeg's stderr tail");
        Assert.Contains("signal 9", job.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancel_RunningJob_EndsCanceledAndLeavesNoOutputs()
    {
        var id = Guid.NewGuid();
        await SubmitAsync(id, await UploadAsync(id, 1280, 720, 20));
        await Eventually.TrueAsync(() => TestProcesses.FfmpegOf(id) is not null, TimeSpan.FromMinutes(1), "the job never started encoding", TimeSpan.FromMilliseconds(50));

        var canceled = await Job(id).CancelAsync();

        Assert.Null(TestProcesses.FfmpegOf(id)); // the cancel returns once ffmpeg has been stopped
        Assert.Equal(JobStatus.Canceled, canceled!.Status);
        var outputs = (await fixture.Store.ListAsync(ObjectKeys.JobPrefix(_tenant, id), CancellationToken.None))
            .Where(k => k != ObjectKeys.Source(_tenant, id));
        Assert.Empty(outputs);
        Assert.Equal(JobStatus.Canceled, (await Job(id).GetAsync())!.Status);
    }

    public void Dispose() => Directory.Delete(_folder, true);
}
