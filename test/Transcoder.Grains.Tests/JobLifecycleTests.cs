using Transcoder.Abstractions;
using Transcoder.Grains.Lifecycle;

namespace Transcoder.Grains.Tests;

/// <summary>
/// The job state machine, every state against every event: what each does to the job, whether a report is taken,
/// which run starts, and which effects the grain is asked to apply. The table below is the specification, written
/// out by hand; the runs are R (the current or last run), S (a run that is not current) and N (the run a claim starts).
/// </summary>
public sealed class JobLifecycleTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);
    private static readonly Guid Id = Guid.Parse("0193f0a0-0000-7000-8000-000000000001");
    private static readonly Guid R = Guid.Parse("00000000-0000-0000-0000-0000000000aa");
    private static readonly Guid S = Guid.Parse("00000000-0000-0000-0000-0000000000bb");
    private static readonly Guid N = Guid.Parse("00000000-0000-0000-0000-0000000000cc");
    private static readonly JobRules Rules = new(DefaultMaxAttempts: 3, RetryBaseDelay: TimeSpan.FromSeconds(2));
    private static readonly JobSpec Spec = new("tenant-a", new JobInput(JobInputKind.Upload, "tenant-a/job/source/input"), 5, MaxAttempts: 3);
    private static readonly JobOutputs Package = new()
    {
        HlsKey = "p/master.m3u8",
        DashKey = "p/manifest.mpd",
        Renditions = [new Rendition { Kind = RenditionKind.Video, Name = "360p", Codecs = "avc1.64001e", Bandwidth = 1, AverageBandwidth = 1, SizeBytes = 1, PlaylistUrl = "p/media_v0.m3u8" }],
    };

    private static readonly string[] Begin = [nameof(SaveState), nameof(ProjectRow), nameof(PublishProgress), nameof(RunStarted)];
    private static readonly string[] Requeue = [nameof(QueueItem), nameof(SaveState), nameof(ProjectRow), nameof(PublishProgress), nameof(RetryScheduled)];
    private static readonly string[] Lose = [nameof(StopRun), nameof(DeleteRunOutputs), nameof(RunLost)];
    private static readonly string[] DeadLetter = [nameof(SaveState), nameof(DequeueItems), nameof(ProjectRow), nameof(PublishProgress), nameof(DeleteJobObjects), nameof(JobDeadLettered)];
    private static readonly string[] FailPermanently = [nameof(SaveState), nameof(DequeueItems), nameof(ProjectRow), nameof(PublishProgress), nameof(DeleteJobObjects), nameof(JobFailed)];
    private static readonly string[] Complete = [nameof(SaveState), nameof(DequeueItems), nameof(ProjectRow), nameof(PublishProgress), nameof(JobCompleted)];
    private static readonly string[] CancelIdle = [nameof(SaveState), nameof(DequeueItems), nameof(ProjectRow), nameof(PublishProgress), nameof(DeleteJobObjects), nameof(JobCanceled)];
    private static readonly string[] Nothing = [];
    private static readonly string[] Stale = [nameof(StaleReport)];
    private static readonly string[] DropRow = [nameof(DequeueItems)];

    /// <summary>One row of the specification: in <paramref name="State"/>, <paramref name="Event"/> leads to this.</summary>
    /// <param name="State">The state before: one of <see cref="States"/>.</param>
    /// <param name="Event">The event: one of the names <c>Event</c> knows.</param>
    /// <param name="Status">The job's status after, or null for no job.</param>
    /// <param name="Accepted">Whether a report was taken (true for events that are not reports).</param>
    /// <param name="Attempt">The attempt of the run started, or null if none starts.</param>
    /// <param name="Effects">The effects asked for, in any order.</param>
    public sealed record Row(string State, string Event, JobStatus? Status, bool Accepted, int? Attempt, string[] Effects)
    {
        public override string ToString() => $"{State} + {Event}";
    }

    private static readonly Row[] Rows =
    [
        // A silo claims the item from the queue.
        new("none", "claim", null, true, null, DropRow),
        new("queued", "claim", JobStatus.Processing, true, 1, Begin),
        new("backoff", "claim", JobStatus.Processing, true, 2, Begin),
        new("running", "claim", JobStatus.Processing, true, 2, [.. Lose, .. Begin]),
        new("playable", "claim", JobStatus.Processing, true, 2, [.. Lose, .. Begin]),
        new("last-attempt", "claim", JobStatus.Failed, true, null, [.. Lose, .. DeadLetter]),
        new("completed", "claim", JobStatus.Completed, true, null, DropRow),
        new("failed", "claim", JobStatus.Failed, true, null, DropRow),
        new("dead-letter", "claim", JobStatus.Failed, true, null, DropRow),
        new("canceled", "claim", JobStatus.Canceled, true, null, DropRow),

        // Progress of run R.
        new("none", "progress", null, false, null, Nothing),
        new("queued", "progress", JobStatus.Queued, false, null, Nothing),
        new("backoff", "progress", JobStatus.Queued, false, null, Nothing),
        new("running", "progress", JobStatus.Processing, true, null, [nameof(ProjectRow), nameof(PublishProgress)]),
        new("playable", "progress", JobStatus.Processing, true, null, [nameof(ProjectRow), nameof(PublishProgress)]),
        new("last-attempt", "progress", JobStatus.Processing, true, null, [nameof(ProjectRow), nameof(PublishProgress)]),
        new("completed", "progress", JobStatus.Completed, false, null, Nothing),
        new("failed", "progress", JobStatus.Failed, false, null, Nothing),
        new("dead-letter", "progress", JobStatus.Failed, false, null, Nothing),
        new("canceled", "progress", JobStatus.Canceled, false, null, Nothing),

        // Run R published manifests viewers can play.
        new("none", "playable", null, false, null, Nothing),
        new("queued", "playable", JobStatus.Queued, false, null, Nothing),
        new("backoff", "playable", JobStatus.Queued, false, null, Nothing),
        new("running", "playable", JobStatus.Processing, true, null, [nameof(SaveState), nameof(ProjectRow), nameof(PublishProgress)]),
        new("playable", "playable", JobStatus.Processing, true, null, Nothing),
        new("last-attempt", "playable", JobStatus.Processing, true, null, [nameof(SaveState), nameof(ProjectRow), nameof(PublishProgress)]),
        new("completed", "playable", JobStatus.Completed, false, null, Nothing),
        new("failed", "playable", JobStatus.Failed, false, null, Nothing),
        new("dead-letter", "playable", JobStatus.Failed, false, null, Nothing),
        new("canceled", "playable", JobStatus.Canceled, false, null, Nothing),

        // Run R completed (on a completed job: the same report again, its first answer lost).
        new("none", "complete", null, false, null, Stale),
        new("queued", "complete", JobStatus.Queued, false, null, Stale),
        new("backoff", "complete", JobStatus.Queued, false, null, Stale),
        new("running", "complete", JobStatus.Completed, true, null, Complete),
        new("playable", "complete", JobStatus.Completed, true, null, Complete),
        new("last-attempt", "complete", JobStatus.Completed, true, null, Complete),
        new("completed", "complete", JobStatus.Completed, true, null, Nothing),
        new("failed", "complete", JobStatus.Failed, false, null, Stale),
        new("dead-letter", "complete", JobStatus.Failed, false, null, Stale),
        new("canceled", "complete", JobStatus.Canceled, false, null, Stale),

        // Run R failed on something another attempt may pass (a download timeout, a lost connection).
        new("none", "fail-retryable", null, false, null, Stale),
        new("queued", "fail-retryable", JobStatus.Queued, false, null, Stale),
        new("backoff", "fail-retryable", JobStatus.Queued, false, null, Stale),
        new("running", "fail-retryable", JobStatus.Queued, true, null, Requeue),
        new("playable", "fail-retryable", JobStatus.Queued, true, null, Requeue),
        new("last-attempt", "fail-retryable", JobStatus.Failed, true, null, DeadLetter),
        new("completed", "fail-retryable", JobStatus.Completed, false, null, Stale),
        new("failed", "fail-retryable", JobStatus.Failed, false, null, Stale),
        new("dead-letter", "fail-retryable", JobStatus.Failed, false, null, Stale),
        new("canceled", "fail-retryable", JobStatus.Canceled, false, null, Stale),

        // Run R failed on the input itself: it would only fail again.
        new("none", "fail-permanent", null, false, null, Stale),
        new("queued", "fail-permanent", JobStatus.Queued, false, null, Stale),
        new("backoff", "fail-permanent", JobStatus.Queued, false, null, Stale),
        new("running", "fail-permanent", JobStatus.Failed, true, null, FailPermanently),
        new("playable", "fail-permanent", JobStatus.Failed, true, null, FailPermanently),
        new("last-attempt", "fail-permanent", JobStatus.Failed, true, null, FailPermanently),
        new("completed", "fail-permanent", JobStatus.Completed, false, null, Stale),
        new("failed", "fail-permanent", JobStatus.Failed, false, null, Stale),
        new("dead-letter", "fail-permanent", JobStatus.Failed, false, null, Stale),
        new("canceled", "fail-permanent", JobStatus.Canceled, false, null, Stale),

        // Run R's silo is shutting down and gives the item back.
        new("none", "hand-back", null, false, null, Nothing),
        new("queued", "hand-back", JobStatus.Queued, false, null, Nothing),
        new("backoff", "hand-back", JobStatus.Queued, false, null, Nothing),
        new("running", "hand-back", JobStatus.Queued, true, null, [nameof(QueueItem), nameof(SaveState), nameof(ProjectRow), nameof(PublishProgress), nameof(RunHandedBackNote)]),
        new("playable", "hand-back", JobStatus.Queued, true, null, [nameof(QueueItem), nameof(SaveState), nameof(ProjectRow), nameof(PublishProgress), nameof(RunHandedBackNote)]),
        new("last-attempt", "hand-back", JobStatus.Queued, true, null, [nameof(QueueItem), nameof(SaveState), nameof(ProjectRow), nameof(PublishProgress), nameof(RunHandedBackNote)]),
        new("completed", "hand-back", JobStatus.Completed, false, null, Nothing),
        new("failed", "hand-back", JobStatus.Failed, false, null, Nothing),
        new("dead-letter", "hand-back", JobStatus.Failed, false, null, Nothing),
        new("canceled", "hand-back", JobStatus.Canceled, false, null, Nothing),

        // Run R has not reported for the heartbeat timeout.
        new("none", "silent", null, false, null, Nothing),
        new("queued", "silent", JobStatus.Queued, false, null, Nothing),
        new("backoff", "silent", JobStatus.Queued, false, null, Nothing),
        new("running", "silent", JobStatus.Queued, true, null, [.. Lose, .. Requeue]),
        new("playable", "silent", JobStatus.Queued, true, null, [.. Lose, .. Requeue]),
        new("last-attempt", "silent", JobStatus.Failed, true, null, [.. Lose, .. DeadLetter]),
        new("completed", "silent", JobStatus.Completed, false, null, Nothing),
        new("failed", "silent", JobStatus.Failed, false, null, Nothing),
        new("dead-letter", "silent", JobStatus.Failed, false, null, Nothing),
        new("canceled", "silent", JobStatus.Canceled, false, null, Nothing),

        // The owner cancels.
        new("none", "cancel", null, true, null, Nothing),
        new("queued", "cancel", JobStatus.Canceled, true, null, CancelIdle),
        new("backoff", "cancel", JobStatus.Canceled, true, null, CancelIdle),
        new("running", "cancel", JobStatus.Canceled, true, null, [nameof(StopRun), .. CancelIdle]),
        new("playable", "cancel", JobStatus.Canceled, true, null, [nameof(StopRun), .. CancelIdle]),
        new("last-attempt", "cancel", JobStatus.Canceled, true, null, [nameof(StopRun), .. CancelIdle]),
        new("completed", "cancel", JobStatus.Completed, true, null, Nothing),
        new("failed", "cancel", JobStatus.Failed, true, null, Nothing),
        new("dead-letter", "cancel", JobStatus.Failed, true, null, Nothing),
        new("canceled", "cancel", JobStatus.Canceled, true, null, Nothing),

        // The owner or an operator retries a dead letter.
        new("none", "retry", null, true, null, Nothing),
        new("queued", "retry", JobStatus.Queued, true, null, Nothing),
        new("backoff", "retry", JobStatus.Queued, true, null, Nothing),
        new("running", "retry", JobStatus.Processing, true, null, Nothing),
        new("playable", "retry", JobStatus.Processing, true, null, Nothing),
        new("last-attempt", "retry", JobStatus.Processing, true, null, Nothing),
        new("completed", "retry", JobStatus.Completed, true, null, Nothing),
        new("failed", "retry", JobStatus.Failed, true, null, Nothing),
        new("dead-letter", "retry", JobStatus.Queued, true, null, [nameof(QueueItem), nameof(SaveState), nameof(ProjectRow), nameof(PublishProgress), nameof(JobRequeued)]),
        new("canceled", "retry", JobStatus.Canceled, true, null, Nothing),
    ];

    public static TheoryData<Row> Table => new(Rows);

    public static TheoryData<string, string> StaleReports
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var state in States.Keys)
            {
                foreach (var report in new[] { "progress", "playable", "complete", "fail-retryable", "fail-permanent", "hand-back", "silent" })
                {
                    data.Add(state, report);
                }
            }

            return data;
        }
    }

    private static readonly IReadOnlyDictionary<string, JobState?> States = new Dictionary<string, JobState?>(StringComparer.Ordinal)
    {
        ["none"] = null,
        ["queued"] = Queued(),
        ["backoff"] = Queued() with { Items = [Item(attempts: 1)], Error = new JobError(JobErrorCodes.DownloadFailed, "503") },
        ["running"] = Running(attempts: 1),
        ["playable"] = Running(attempts: 1) with { PlayableAt = Now.AddSeconds(-5), Outputs = new JobOutputs { HlsKey = "p/master.m3u8", DashKey = "p/manifest.mpd" } },
        ["last-attempt"] = Running(attempts: 3),
        ["completed"] = Queued() with
        {
            Status = JobStatus.Completed,
            Items = [Item(attempts: 1) with { Status = WorkItemStatus.Done, RunId = R, Progress = 100, Stage = JobStages.Done }],
            CompletedAt = Now.AddSeconds(-1),
            Outputs = Package,
        },
        ["failed"] = Queued() with { Status = JobStatus.Failed, Items = [Item(attempts: 1)], Error = new JobError(JobErrorCodes.InputUnreadable, "no"), CompletedAt = Now.AddSeconds(-1) },
        ["dead-letter"] = Queued() with
        {
            Status = JobStatus.Failed,
            Items = [Item(attempts: 3)],
            Error = new JobError(JobErrorCodes.DownloadFailed, "503"),
            CompletedAt = Now.AddSeconds(-1),
            DeadLetteredAt = Now.AddSeconds(-1),
        },
        ["canceled"] = Queued() with { Status = JobStatus.Canceled, CompletedAt = Now.AddSeconds(-1) },
    };

    [Fact]
    public void Table_CoversEveryStateAgainstEveryEvent()
    {
        var rows = Rows.Select(r => r.ToString()).ToList();
        var events = new[] { "claim", "progress", "playable", "complete", "fail-retryable", "fail-permanent", "hand-back", "silent", "cancel", "retry" };

        Assert.Equal(rows.Count, rows.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(States.Count * events.Length, rows.Count);
        Assert.All(States.Keys.SelectMany(s => events.Select(e => $"{s} + {e}")), pair => Assert.Contains(pair, rows));
    }

    [Theory]
    [MemberData(nameof(Table))]
    public void Decide_EveryStateAndEvent_FollowsTheTable(Row row)
    {
        var before = States[row.State];

        var decision = JobLifecycle.Decide(before, Event(row.Event, R), Context());

        Assert.Equal(row.Status, decision.State?.Status);
        Assert.Equal(row.Accepted, decision.Accepted);
        Assert.Equal(row.Attempt, decision.Assignment?.Attempt);
        Assert.Equal(row.Effects.Order(StringComparer.Ordinal), decision.Effects.Select(e => e.GetType().Name).Order(StringComparer.Ordinal));
        if (decision.Effects.IsEmpty)
        {
            Assert.Equal(before, decision.State);
        }

        if (decision.Assignment is { } started)
        {
            Assert.Equal(new WorkRun(JobLifecycle.LadderItem, N), started.Run);
            Assert.Equal((Id, Spec.Tenant, Spec.Input), (started.JobId, started.Tenant, started.Input));
        }
    }

    /// <summary>A report of a run that is not the item's current one changes nothing, in any state; an ending is refused out loud.</summary>
    [Theory]
    [MemberData(nameof(StaleReports))]
    public void Decide_ReportOfARunThatIsNotCurrent_ChangesNothing(string state, string report)
    {
        var before = States[state];

        var decision = JobLifecycle.Decide(before, Event(report, S), Context());

        Assert.Equal(before, decision.State);
        Assert.False(decision.Accepted);
        Assert.Null(decision.Assignment);
        Assert.Equal(report is "complete" or "fail-retryable" or "fail-permanent" ? Stale : Nothing, decision.Effects.Select(e => e.GetType().Name));
    }

    [Fact]
    public void Claim_OfARunningItem_StopsAndRemovesTheLostRun_ThenStartsAnother()
    {
        var decision = JobLifecycle.Decide(States["playable"], Event("claim", R), Context());

        Assert.Equal(new StopRun("worker-1", new WorkRun(JobLifecycle.LadderItem, R)), decision.Effects.OfType<StopRun>().Single());
        Assert.Equal(R, decision.Effects.OfType<DeleteRunOutputs>().Single().RunId);
        Assert.Equal(RunLoss.Reclaimed, decision.Effects.OfType<RunLost>().Single().Reason);
        var item = decision.State!.Items.Single();
        Assert.Equal((WorkItemStatus.Running, N, "worker-2", "silo-2", 2), (item.Status, item.RunId, item.Worker, item.Node, item.Attempts));
        Assert.Null(decision.State.PlayableAt);
        Assert.Null(decision.State.Outputs);

        // The lost run reports late: refused; the new one is heard.
        var late = JobLifecycle.Decide(decision.State, Event("complete", R), Context());
        var current = JobLifecycle.Decide(decision.State, Event("complete", N), Context());
        Assert.False(late.Accepted);
        Assert.Equal(JobStatus.Completed, current.State!.Status);
    }

    /// <summary>
    /// The silo running an item claims it again (its first claim's answer was lost on the way back, or its lease
    /// lapsed while it runs): it gets the very same run, and the job spends no attempt and loses nothing.
    /// </summary>
    [Theory]
    [InlineData("playable")]
    [InlineData("last-attempt")]
    public void Claim_ByTheSiloRunningTheItem_HandsItTheSameRunAgain(string state)
    {
        var before = States[state]!;
        var item = before.Items.Single();

        var decision = JobLifecycle.Decide(before, new WorkClaimed(new WorkClaim(item.Id, item.Worker!, item.Node!), N), Context());

        Assert.Same(before, decision.State);
        Assert.Equal(new WorkRun(item.Id, R), decision.Assignment!.Run);
        Assert.Equal(item.Attempts, decision.Assignment.Attempt);
        Assert.Equal([nameof(RunClaimedAgain)], decision.Effects.Select(e => e.GetType().Name));
    }

    [Fact]
    public void Claim_OfTheLastAttemptsRunningItem_DeadLettersTheJobAsWorkerLost()
    {
        var decision = JobLifecycle.Decide(States["last-attempt"], Event("claim", R), Context());

        Assert.Equal(JobErrorCodes.WorkerLost, decision.State!.Error!.Code);
        Assert.Equal(Now, decision.State.DeadLetteredAt);
        Assert.True(decision.Effects.OfType<DeleteJobObjects>().Single().KeepSource);
        Assert.Equal(WorkItemStatus.Waiting, decision.State.Items.Single().Status);
    }

    /// <summary>Each retry waits twice as long as the one before, plus at most a quarter more, from the moment of the failure.</summary>
    [Theory]
    [InlineData(1, 0.0, 2.0)]
    [InlineData(1, 1.0, 2.5)]
    [InlineData(2, 0.0, 4.0)]
    [InlineData(2, 0.5, 4.5)]
    [InlineData(3, 0.0, 8.0)]
    public void FailRetryable_WaitsAnExponentialBackoffWithBoundedJitter(int attempts, double jitter, double seconds)
    {
        var running = Running(attempts) with { Spec = Spec with { MaxAttempts = 10 } };

        var decision = JobLifecycle.Decide(running, Event("fail-retryable", R), Context(jitter));

        var retry = decision.Effects.OfType<RetryScheduled>().Single();
        Assert.Equal(TimeSpan.FromSeconds(seconds), retry.Delay);
        Assert.Equal(Now + TimeSpan.FromSeconds(seconds), decision.Effects.OfType<QueueItem>().Single().ReadyAt);
        Assert.Equal(JobErrorCodes.DownloadFailed, decision.State!.Error!.Code);
        Assert.Equal(attempts, decision.State.Items.Single().Attempts);
    }

    [Fact]
    public void Backoff_StopsDoublingAfterSixteenTimes() =>
        Assert.Equal(Rules.Backoff(17, 0), Rules.Backoff(40, 0));

    [Fact]
    public void HandBack_ReturnsTheAttemptAndQueuesTheItemAtOnce()
    {
        var decision = JobLifecycle.Decide(Running(attempts: 2), Event("hand-back", R), Context());

        Assert.Equal(1, decision.State!.Items.Single().Attempts);
        Assert.Equal(Now, decision.Effects.OfType<QueueItem>().Single().ReadyAt);
    }

    [Fact]
    public void Progress_NeverGoesBackWithinAStage_AndStopsShortOfDone()
    {
        var state = Running(attempts: 1);
        var run = new WorkRun(JobLifecycle.LadderItem, R);

        state = JobLifecycle.Decide(state, new RunProgressed(run, 40, JobStages.Encoding), Context()).State!;
        var backwards = JobLifecycle.Decide(state, new RunProgressed(run, 30, JobStages.Encoding), Context());
        var sameAgain = JobLifecycle.Decide(state, new RunProgressed(run, 40, JobStages.Encoding), Context());
        var uploading = JobLifecycle.Decide(state, new RunProgressed(run, 100, JobStages.Uploading), Context());

        Assert.Equal(40, JobLifecycle.View(backwards.State!).Progress);
        Assert.Empty(backwards.Effects);
        Assert.True(sameAgain.Accepted);
        Assert.Empty(sameAgain.Effects);
        Assert.Equal((99.9, JobStages.Uploading), (JobLifecycle.View(uploading.State!).Progress, JobLifecycle.View(uploading.State!).Stage));
    }

    [Fact]
    public void Complete_TakesTheRunsOutputsAndEndsTheJob()
    {
        var decision = JobLifecycle.Decide(States["playable"], Event("complete", R), Context());
        var view = JobLifecycle.View(decision.State!);

        Assert.Equal((JobStatus.Completed, 100d, JobStages.Done), (view.Status, view.Progress, view.Stage));
        Assert.Equal(Package, view.Outputs);
        Assert.Equal(Now.AddSeconds(-5), view.PlayableAt);
        Assert.Equal(Now, view.CompletedAt);
        Assert.Null(view.Error);
        Assert.Equal(Package, decision.Effects.OfType<JobCompleted>().Single().Outputs);
    }

    [Fact]
    public void Retry_OfADeadLetter_StartsAFreshSetOfAttemptsAndKeepsTheErrorInSight()
    {
        var decision = JobLifecycle.Decide(States["dead-letter"], new RetryRequested(), Context());

        var view = JobLifecycle.View(decision.State!);
        Assert.Equal((JobStatus.Queued, 0, null, null), (view.Status, view.Attempts, view.DeadLetteredAt, view.CompletedAt));
        Assert.Equal(JobErrorCodes.DownloadFailed, view.Error!.Code);
        Assert.Equal(new QueueItem(JobLifecycle.LadderItem, Now), decision.Effects.OfType<QueueItem>().Single());
    }

    [Fact]
    public void Cancel_OfARunningJob_StopsItsRunBeforeAnythingIsRemoved()
    {
        var decision = JobLifecycle.Decide(States["running"], new CancelRequested(), Context());

        Assert.Equal(new StopRun("worker-1", new WorkRun(JobLifecycle.LadderItem, R)), decision.Effects.OfType<StopRun>().Single());
        Assert.False(decision.Effects.OfType<DeleteJobObjects>().Single().KeepSource);
        Assert.Equal(WorkItemStatus.Waiting, decision.State!.Items.Single().Status);
    }

    [Fact]
    public void View_OfAPlanOfManyItems_WeighsProgressAndShowsTheLaggingItemsStage()
    {
        var state = Queued() with
        {
            Status = JobStatus.Processing,
            Items =
            [
                Item(1) with { Id = "a", Status = WorkItemStatus.Done, Progress = 100, Weight = 1 },
                Item(2) with { Id = "b", Status = WorkItemStatus.Running, RunId = R, Node = "silo-2", Progress = 50, Stage = JobStages.Encoding, Weight = 2 },
                Item(1) with { Id = "c", Status = WorkItemStatus.Running, RunId = S, Node = "silo-3", Progress = 10, Stage = JobStages.Downloading, Weight = 1 },
            ],
        };

        var view = JobLifecycle.View(state);

        Assert.Equal(52.5, view.Progress);
        Assert.Equal((JobStages.Downloading, "silo-3", 2), (view.Stage, view.ProcessingNode, view.Attempts));
    }

    [Fact]
    public void Complete_OfOneItemOfMany_KeepsTheJobGoingAndDequeuesOnlyThatItem()
    {
        var state = Running(attempts: 1) with
        {
            Items = [Running(attempts: 1).Items[0], Item(0) with { Id = "audio" }],
        };

        var decision = JobLifecycle.Decide(state, Event("complete", R), Context());

        Assert.Equal(JobStatus.Processing, decision.State!.Status);
        Assert.Equal(["ladder"], decision.Effects.OfType<DequeueItems>().Single().ItemIds.ToArray());
        Assert.Empty(decision.Effects.OfType<JobCompleted>());
    }

    [Theory]
    [InlineData(JobStatus.Queued, JobStatus.Queued, 0)]
    [InlineData(JobStatus.Processing, JobStatus.Queued, 0)]
    [InlineData(JobStatus.Completed, JobStatus.Completed, 100)]
    [InlineData(JobStatus.Failed, JobStatus.Failed, 0)]
    public void Adopt_AJobKnownOnlyByItsRow_StartsUnfinishedOnesOverFromTheQueue(JobStatus row, JobStatus adopted, double progress)
    {
        var view = JobLifecycle.View(Running(attempts: 2)) with { Status = row, PlayableAt = Now, Outputs = Package, Progress = 37 };

        var state = JobLifecycle.Adopt(view);

        Assert.Equal(adopted, state.Status);
        Assert.Equal((2, progress), (state.Items.Single().Attempts, state.Items.Single().Progress));
        Assert.Equal(row.IsTerminal() ? Package : null, state.Outputs);
        Assert.DoesNotContain(state.Items, i => i.Status == WorkItemStatus.Running);
    }

    private static DecisionContext Context(double jitter = 0) => new(Now, jitter, Rules);

    private static JobEvent Event(string name, Guid run) => name switch
    {
        "claim" => new WorkClaimed(new WorkClaim(JobLifecycle.LadderItem, "worker-2", "silo-2"), N),
        "progress" => new RunProgressed(Run(run), 50, JobStages.Encoding),
        "playable" => new RunPlayable(Run(run), "p/master.m3u8", "p/manifest.mpd"),
        "complete" => new RunCompleted(Run(run), Package),
        "fail-retryable" => new RunFailed(Run(run), new JobError(JobErrorCodes.DownloadFailed, "503"), Retryable: true),
        "fail-permanent" => new RunFailed(Run(run), new JobError(JobErrorCodes.InputUnreadable, "not media"), Retryable: false),
        "hand-back" => new RunHandedBack(Run(run)),
        "silent" => new RunSilent(Run(run)),
        "cancel" => new CancelRequested(),
        "retry" => new RetryRequested(),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    private static WorkRun Run(Guid run) => new(JobLifecycle.LadderItem, run);

    private static WorkItem Item(int attempts) => new() { Id = JobLifecycle.LadderItem, Kind = WorkItemKind.Ladder, Attempts = attempts };

    private static JobState Queued() => JobLifecycle.Create(Id, Spec, Now.AddMinutes(-1));

    private static JobState Running(int attempts) => Queued() with
    {
        Status = JobStatus.Processing,
        StartedAt = Now.AddSeconds(-30),
        Items = [Item(attempts) with { Status = WorkItemStatus.Running, RunId = R, Worker = "worker-1", Node = "silo-1", Progress = 20, Stage = JobStages.Encoding }],
    };
}
