using System.Collections.Concurrent;
using Orleans.Streams;
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

    private async Task<JobSpec> UploadAsync(Guid id, int width = 320, int height = 240, double seconds = 2)
    {
        var clip = await TestClips.VideoAsync(_folder, width, height, seconds);
        var key = ObjectKeys.Source(_tenant, id);
        await fixture.Store.PutFileAsync(key, clip, "video/mp4", CancellationToken.None);
        return new JobSpec(_tenant, new JobInput(JobInputKind.Upload, key), 5);
    }

    private async Task<JobSnapshot> WaitForEndAsync(Guid id, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromMinutes(3));
        while (true)
        {
            var job = await Job(id).GetAsync();
            if (job is { } ended && ended.Status.IsTerminal())
            {
                return ended;
            }

            Assert.True(DateTime.UtcNow < deadline, $"job {id} did not end: {job}");
            await Task.Delay(200, CancellationToken.None);
        }
    }

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

        var submitted = await Job(id).SubmitAsync(spec);
        await ended.Task.WaitAsync(TimeSpan.FromMinutes(3));
        var job = (await Job(id).GetAsync())!;
        await subscription.UnsubscribeAsync();

        Assert.Equal(_tenant, submitted.Tenant);
        Assert.Equal(JobStatus.Completed, job.Status);
        Assert.Equal(1, job.Attempts);
        Assert.Equal(["240p"], job.Renditions.Select(r => r.Name));
        Assert.StartsWith(ObjectKeys.JobPrefix(_tenant, id), job.HlsKey, StringComparison.Ordinal);
        Assert.Contains(events, e => e.Status == JobStatus.Processing);
        Assert.Contains(events, e => e.Status == JobStatus.Completed);
        Assert.Contains(job.HlsKey!, await fixture.Store.ListAsync(ObjectKeys.JobPrefix(_tenant, id), CancellationToken.None));
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
            await Job(id).SubmitAsync(await UploadAsync(id, 320, 240, 3));
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
        await Job(id).SubmitAsync(await UploadAsync(id));
        var completed = await WaitForEndAsync(id);
        var stale = Guid.NewGuid();
        var output = new TranscodeOutput([], "x/master.m3u8", "x/manifest.mpd", 1);

        Assert.False(await Job(id).ReportCompletedAsync(stale, output));
        Assert.False(await Job(id).ReportFailedAsync(stale, new JobError(JobErrorCodes.Internal, "late"), retryable: false));
        await Job(id).ReportProgressAsync(stale, 5, JobStages.Encoding);

        var after = (await Job(id).GetAsync())!;
        Assert.Equal(completed with { Renditions = [] }, after with { Renditions = [] });
        Assert.Equal(completed.Renditions.ToArray(), after.Renditions.ToArray());
    }

    [Fact]
    public async Task Submit_SameSpecTwice_ReturnsTheSameJob_OtherSpecConflicts()
    {
        var id = Guid.NewGuid();
        var spec = new JobSpec(_tenant, new JobInput(JobInputKind.Upload, ObjectKeys.Source(_tenant, id)), 7);

        var first = await Job(id).SubmitAsync(spec);
        var again = await Job(id).SubmitAsync(spec);

        Assert.Equal(first.Id, again.Id);
        Assert.Equal(first.CreatedAt, again.CreatedAt);
        await Assert.ThrowsAsync<JobConflictException>(() => Job(id).SubmitAsync(spec with { Priority = 1 }));
        await WaitForEndAsync(id);
    }

    [Fact]
    public async Task Submit_MissingUpload_FailsOnceWithoutRetry()
    {
        var id = Guid.NewGuid();
        var spec = new JobSpec(_tenant, new JobInput(JobInputKind.Upload, ObjectKeys.Source(_tenant, id)), 5);

        await Job(id).SubmitAsync(spec);
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

        await Job(id).SubmitAsync(new JobSpec(_tenant, new JobInput(JobInputKind.Upload, ObjectKeys.Source(_tenant, id)), 5));
        Assert.Equal(JobStatus.Failed, (await WaitForEndAsync(id)).Status);

        var deadline = DateTime.UtcNow.AddSeconds(30);
        JobSnapshot? row;
        while ((row = await fixture.Records.FindAsync(id, CancellationToken.None)) is not { Status: JobStatus.Failed })
        {
            Assert.True(DateTime.UtcNow < deadline, $"the row of job {id} still says {row?.Status}");
            await Task.Delay(200, CancellationToken.None);
        }

        Assert.Equal(JobErrorCodes.DownloadFailed, row.Error!.Code);
    }

    [Fact]
    public async Task Submit_UrlAnsweringServerErrors_RetriesThenDeadLetters()
    {
        var requests = 0;
        using var origin = TestOrigin.Start(async context =>
        {
            Interlocked.Increment(ref requests);
            context.Response.StatusCode = 503;
            await Task.CompletedTask;
        });
        var id = Guid.NewGuid();

        await Job(id).SubmitAsync(new JobSpec(_tenant, new JobInput(JobInputKind.Url, origin.Url("video.mp4")), 5));
        var job = await WaitForEndAsync(id, TimeSpan.FromMinutes(1));

        Assert.Equal(JobStatus.Failed, job.Status);
        Assert.Equal(JobErrorCodes.DownloadFailed, job.Error!.Code);
        Assert.Equal(3, job.Attempts);
        Assert.Equal(3, Volatile.Read(ref requests));
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
        await Job(id).SubmitAsync(new JobSpec(_tenant, new JobInput(JobInputKind.Url, origin.Url("clip.mp4")), 5, MaxAttempts: 2));
        var dead = await WaitForEndAsync(id, TimeSpan.FromMinutes(1));
        Assert.Equal((JobStatus.Failed, 2, 2), (dead.Status, dead.Attempts, dead.MaxAttempts));
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
        await Job(id).SubmitAsync(missing);
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
        await Job(id).SubmitAsync(await UploadAsync(id, 1280, 720, 60) with { MaxAttempts = 2 });

        for (var attempt = 1; attempt <= 2; attempt++)
        {
            // Killed once it has been encoding for 2 s (so it has said something on stderr).
            var deadline = DateTime.UtcNow.AddMinutes(1);
            int? ffmpeg;
            DateTime? seen = null;
            while ((ffmpeg = TestProcesses.FfmpegOf(id)) is null || (await Job(id).GetAsync())?.Attempts != attempt
                || DateTime.UtcNow - (seen ??= DateTime.UtcNow) < TimeSpan.FromSeconds(2))
            {
                Assert.True(DateTime.UtcNow < deadline, $"attempt {attempt} never started encoding");
                await Task.Delay(50, CancellationToken.None);
            }

            await TestClips.RunAsync("kill", ["-KILL", ffmpeg.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            while (TestProcesses.FfmpegOf(id) == ffmpeg)
            {
                await Task.Delay(50, CancellationToken.None);
            }
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
        await Job(id).SubmitAsync(await UploadAsync(id, 1280, 720, 20));
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (TestProcesses.FfmpegOf(id) is null)
        {
            Assert.True(DateTime.UtcNow < deadline, "the job never started encoding");
            await Task.Delay(50, CancellationToken.None);
        }

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
