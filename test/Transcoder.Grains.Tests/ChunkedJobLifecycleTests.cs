using Transcoder.Abstractions;
using Transcoder.Grains.Lifecycle;

namespace Transcoder.Grains.Tests;

/// <summary>
/// A long title split into chunk items: the split is made once and queued in order, each chunk runs and is fenced like
/// any item, the title completes only after its chunks, and a chunk's failure, loss or cancel does what it should.
/// </summary>
public sealed class ChunkedJobLifecycleTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
    private static readonly Guid Id = Guid.Parse("0193f0a0-0000-7000-8000-000000000002");
    private static readonly Guid Title = Guid.Parse("00000000-0000-0000-0000-0000000000aa");
    private static readonly JobRules Rules = new(DefaultMaxAttempts: 3, RetryBaseDelay: TimeSpan.FromSeconds(2));
    private static readonly JobSpec Spec = new("tenant-a", new JobInput(JobInputKind.Upload, "tenant-a/job/source/input"), 5, MaxAttempts: 3);
    private static readonly ChunkSplit Asked = new(3, 4, "tenant-a/job/source/input", "ladder-hash", Guid.Parse("00000000-0000-0000-0000-0000000000dd"), "content");

    [Fact]
    public void Split_AddsOneChunkItemPerChunk_QueuedInOrder_Once()
    {
        var decision = Decide(Running(), new SplitRequested(TitleRun, Asked));

        var state = decision.State!;
        Assert.Equal(Asked, state.Split);
        Assert.Equal(["chunk-0000", "chunk-0001", "chunk-0002"], state.Chunks.Select(c => c.Id));
        Assert.All(state.Chunks, c => Assert.Equal((WorkItemKind.Chunk, WorkItemStatus.Waiting), (c.Kind, c.Status)));
        Assert.Equal(["chunk-0000", "chunk-0001", "chunk-0002"], decision.Effects.OfType<QueueItem>().Select(q => q.ItemId));
        Assert.Contains(decision.Effects, e => e is SaveState);
        Assert.Equal(JobStatus.Processing, state.Status);

        // The title run starts over (its silo died): it gets the split made before, and nothing is queued again.
        var again = Decide(state, new SplitRequested(TitleRun, Asked with { PackageId = Guid.NewGuid(), Count = 4 }));
        Assert.Same(state, again.State);
        Assert.True(again.Accepted);
        Assert.Empty(again.Effects);

        // Only the title's current run may split.
        Assert.False(Decide(Running(), new SplitRequested(new WorkRun(JobLifecycle.LadderItem, Guid.NewGuid()), Asked)).Accepted);
    }

    [Fact]
    public void ChunkClaim_StartsARunOfThatChunk_WithTheSplit()
    {
        var state = Split();

        var decision = Decide(state, new WorkClaimed(new WorkClaim("chunk-0001", "worker-2", "silo-2"), Guid.NewGuid()));

        var assignment = decision.Assignment!;
        Assert.Equal((WorkItemKind.Chunk, 1), (assignment.Kind, assignment.Attempt));
        Assert.Equal(new ChunkAssignment(1, Asked), assignment.Chunk);
        Assert.Equal(WorkItemStatus.Running, decision.State!.Item("chunk-0001")!.Status);
    }

    [Fact]
    public void TheTitle_CompletesOnlyAfterEveryChunk_AndCountsChunksAndSilos()
    {
        var state = Split();
        var outputs = new JobOutputs { HlsKey = "p/master.m3u8", DashKey = "p/manifest.mpd" };
        state = RunChunk(state, 0, "silo-1");
        state = RunChunk(state, 1, "silo-2");

        var early = Decide(state, new RunCompleted(TitleRun, outputs));
        Assert.False(early.Accepted);
        Assert.Equal(JobStatus.Processing, early.State!.Status);
        Assert.Equal([0, 1], JobLifecycle.Chunks(state, TitleRun)!.Value.Where(c => c.Output is not null).Select(c => c.Index));

        state = RunChunk(state, 2, "silo-3");
        var done = Decide(state, new RunCompleted(TitleRun, outputs));

        Assert.Equal(JobStatus.Completed, done.State!.Status);
        Assert.Equal((3, 3), (done.State.Outputs!.Chunks, done.State.Outputs.Silos));
        Assert.Equal(100, JobLifecycle.View(done.State).Progress);
    }

    [Fact]
    public void ChunkReports_AreFencedLikeAnyRun()
    {
        var state = Split();
        var claimed = Decide(state, new WorkClaimed(new WorkClaim("chunk-0000", "worker-2", "silo-2"), Guid.NewGuid()));
        var run = claimed.Assignment!.Run;

        Assert.False(Decide(claimed.State, new ChunkCompleted(run with { RunId = Guid.NewGuid() }, Output(0))).Accepted);
        Assert.False(Decide(claimed.State, new ChunkCompleted(run, Output(1))).Accepted);
        var taken = Decide(claimed.State, new ChunkCompleted(run, Output(0)));
        Assert.True(taken.Accepted);
        Assert.Equal(Output(0), taken.State!.Item("chunk-0000")!.ChunkOutput);

        // The same run says so again (its first answer was lost): taken once.
        var twice = Decide(taken.State, new ChunkCompleted(run, Output(0)));
        Assert.True(twice.Accepted);
        Assert.Empty(twice.Effects);

        // Only the title's current run sees the chunks.
        Assert.Null(JobLifecycle.Chunks(taken.State, run));
    }

    [Fact]
    public void AChunkThatRunsAgain_LeavesWhatTheJobPublished()
    {
        var state = Split() with { PlayableAt = Now.AddSeconds(-3), Outputs = new JobOutputs { HlsKey = "p/master.m3u8", DashKey = "p/manifest.mpd" } };
        var claimed = Decide(state, new WorkClaimed(new WorkClaim("chunk-0002", "worker-2", "silo-2"), Guid.NewGuid()));

        var failed = Decide(claimed.State, new RunFailed(claimed.Assignment!.Run, new JobError(JobErrorCodes.StorageFailed, "503"), Retryable: true));

        Assert.Equal(JobStatus.Processing, failed.State!.Status);
        Assert.Equal(Now.AddSeconds(-3), failed.State.PlayableAt);
        Assert.NotNull(failed.State.Outputs);
        Assert.Equal("chunk-0002", failed.Effects.OfType<QueueItem>().Single().ItemId);
        Assert.Equal(WorkItemStatus.Running, failed.State.Item(JobLifecycle.LadderItem)!.Status);
    }

    [Fact]
    public void AChunkThatFailsForItsInput_FailsTheJobOnce_AndStopsEveryOtherRun()
    {
        var state = Split();
        var first = Decide(state, new WorkClaimed(new WorkClaim("chunk-0000", "worker-2", "silo-2"), Guid.NewGuid()));
        var second = Decide(first.State, new WorkClaimed(new WorkClaim("chunk-0001", "worker-3", "silo-3"), Guid.NewGuid()));

        var failed = Decide(second.State, new RunFailed(first.Assignment!.Run, new JobError(JobErrorCodes.InputUnreadable, "bad frame"), Retryable: false));

        Assert.Equal((JobStatus.Failed, JobErrorCodes.InputUnreadable), (failed.State!.Status, failed.State.Error!.Code));
        Assert.Equal(["worker-1", "worker-3"], failed.Effects.OfType<StopRun>().Select(s => s.Worker).Order(StringComparer.Ordinal));
        Assert.Single(failed.Effects.OfType<JobFailed>());
        Assert.False(failed.Effects.OfType<DeleteJobObjects>().Single().KeepSource);

        // The other chunk's ending, after: refused, nothing more.
        var late = Decide(failed.State, new RunFailed(second.Assignment!.Run, new JobError(JobErrorCodes.InputUnreadable, "bad frame"), Retryable: false));
        Assert.False(late.Accepted);
        Assert.Empty(late.Effects.OfType<JobFailed>());
    }

    [Fact]
    public void Cancel_StopsTheTitleAndEveryChunkRun()
    {
        var state = Split();
        state = Decide(state, new WorkClaimed(new WorkClaim("chunk-0000", "worker-2", "silo-2"), Guid.NewGuid())).State!;
        state = Decide(state, new WorkClaimed(new WorkClaim("chunk-0001", "worker-3", "silo-3"), Guid.NewGuid())).State!;

        var canceled = Decide(state, new CancelRequested());

        Assert.Equal(JobStatus.Canceled, canceled.State!.Status);
        Assert.Equal(["worker-1", "worker-2", "worker-3"], canceled.Effects.OfType<StopRun>().Select(s => s.Worker).Order(StringComparer.Ordinal));
        Assert.Contains(canceled.Effects, e => e is DeleteJobObjects { KeepSource: false });
        Assert.Contains(canceled.Effects, e => e is DequeueItems { ItemIds.IsEmpty: true });
    }

    [Fact]
    public void ATitleRunLost_RunsAgain_WithTheChunksDoneKept()
    {
        var state = RunChunk(Split(), 0, "silo-2");

        // The title's silo stopped renewing its claim; another silo claims the title item.
        var reclaimed = Decide(state, new WorkClaimed(new WorkClaim(JobLifecycle.LadderItem, "worker-4", "silo-4"), Guid.NewGuid()));
        var newRun = reclaimed.Assignment!.Run;
        var split = Decide(reclaimed.State, new SplitRequested(newRun, Asked with { PackageId = Guid.NewGuid() }));

        Assert.Equal(Asked, split.State!.Split);
        Assert.Equal(WorkItemStatus.Done, split.State.Item("chunk-0000")!.Status);
        Assert.Equal(Output(0), JobLifecycle.Chunks(split.State, newRun)!.Value[0].Output);
        Assert.Empty(split.Effects.OfType<QueueItem>());
    }

    private static WorkRun TitleRun => new(JobLifecycle.LadderItem, Title);

    private static readonly ChunkOutput[] Outputs =
        [.. Enumerable.Range(0, 3).Select(i => new ChunkOutput(i, [new ChunkRendition("v0", "init", [new ChunkSegment((i * 2) + 1, 0, 1, 1)], 40, 0.98)], 100, 1.5))];

    private static ChunkOutput Output(int index) => Outputs[index];

    private static JobState Split() => Decide(Running(), new SplitRequested(TitleRun, Asked)).State!;

    private static JobState RunChunk(JobState state, int index, string node)
    {
        var claimed = Decide(state, new WorkClaimed(new WorkClaim(JobLifecycle.ChunkItem(index), "worker-" + node, node), Guid.NewGuid()));
        var done = Decide(claimed.State, new ChunkCompleted(claimed.Assignment!.Run, Output(index)));
        Assert.True(done.Accepted);
        return done.State!;
    }

    private static JobDecision Decide(JobState? state, JobEvent e) => JobLifecycle.Decide(state, e, new DecisionContext(Now, 0, Rules));

    private static JobState Running() => JobLifecycle.Create(Id, Spec, Now.AddMinutes(-1)) with
    {
        Status = JobStatus.Processing,
        StartedAt = Now.AddSeconds(-30),
        Items =
        [
            new WorkItem
            {
                Id = JobLifecycle.LadderItem, Kind = WorkItemKind.Ladder, Attempts = 1, Status = WorkItemStatus.Running, RunId = Title,
                Worker = "worker-1", Node = "silo-1", Progress = 5, Stage = JobStages.Encoding,
            },
        ],
    };
}
