using System.Collections.Immutable;
using Transcoder.Abstractions;

namespace Transcoder.Grains.Lifecycle;

/// <summary>
/// A job's life as a pure function: <see cref="Decide"/> takes the job's state and one event and returns the new
/// state and what to do about it (<see cref="JobEffect"/>s). No Orleans, no I/O, no clock, no randomness of its
/// own: the grain loads, decides, applies the effects in its one write sequence, and publishes.
/// </summary>
/// <remarks>
/// The rules in one place:
/// <list type="bullet">
/// <item>A job is a plan of work items; it is processing while any item runs, and completes when every item is done.</item>
/// <item>Each run of an item gets a fresh run id; reports of any other run are refused (fencing), and an ending
/// reported twice by the run that ended the item is taken once.</item>
/// <item>A run is lost when its silo stops holding the item's claim (the queue hands the item out again) or when it
/// stops reporting for the heartbeat timeout; both go through <c>LoseRun</c>: the run is stopped where it may still
/// go on, what it wrote is removed, and the attempt counts as failed on a retryable error.</item>
/// <item>A retryable failure waits an exponential backoff and runs again until the item's attempts are spent; then
/// the job fails as a dead letter (its uploaded source kept so it can be retried). A permanent failure ends the job
/// at once.</item>
/// <item>A silo that shuts down hands its runs back without spending an attempt.</item>
/// <item>A silo that claims an item it is recorded as running gets that run again: it never got it, or still runs it.</item>
/// <item>A long title is split once: its title run adds one chunk item per chunk, each queued like any item (so
/// priority and tenant fairness hold, and a job's early chunks go first); a title run that starts over gets the same
/// split, and chunks done stay done. The title completes only once every chunk is done. A chunk that runs again does
/// not take back what the job has published.</item>
/// </list>
/// </remarks>
public static class JobLifecycle
{
    /// <summary>The id of the title item every job starts with (see <see cref="WorkItemKind.Ladder"/>).</summary>
    public const string LadderItem = "ladder";

    /// <summary>Most chunks one title may be split into (a 10-hour title in 20 s chunks).</summary>
    public const int MaxChunks = 1800;

    /// <summary>The chunks' share of a chunked job's progress, against 1 for the title item (audio, joining, publishing).</summary>
    private const double ChunksWeight = 9;

    /// <summary>Progress stops short of 100 until the job completes.</summary>
    private const double MaxRunningProgress = 99.9;

    /// <summary>The items a new job starts with.</summary>
    public static ImmutableArray<WorkItem> InitialPlan() => [new WorkItem { Id = LadderItem, Kind = WorkItemKind.Ladder }];

    /// <summary>A new queued job.</summary>
    public static JobState Create(Guid id, JobSpec spec, DateTimeOffset now) => new()
    {
        Id = id,
        Spec = spec,
        Status = JobStatus.Queued,
        Items = InitialPlan(),
        CreatedAt = now,
        UpdatedAt = now,
    };

    /// <summary>
    /// The state of a job known only by its row: one the intake created (its grain never ran), or one whose grain
    /// state is gone. An unfinished job starts over from the queue with the attempts it had made.
    /// </summary>
    public static JobState Adopt(JobView row)
    {
        var terminal = row.Status.IsTerminal();
        var done = row.Status == JobStatus.Completed;
        var items = InitialPlan().Select(item => item with
        {
            Status = done ? WorkItemStatus.Done : WorkItemStatus.Waiting,
            Attempts = row.Attempts,
            Node = row.ProcessingNode,
            Progress = done ? 100 : 0,
            Stage = terminal ? JobStages.Done : JobStages.Queued,
        }).ToImmutableArray();
        return new JobState
        {
            Id = row.Id,
            Spec = row.Spec,
            Status = terminal ? row.Status : JobStatus.Queued,
            Items = items,
            CreatedAt = row.CreatedAt,
            UpdatedAt = row.UpdatedAt,
            StartedAt = row.StartedAt,
            PlayableAt = terminal ? row.PlayableAt : null,
            CompletedAt = row.CompletedAt,
            DeadLetteredAt = row.DeadLetteredAt,
            Outputs = terminal ? row.Outputs : null,
            Error = row.Error,
        };
    }

    /// <summary>The job as everyone else reads it: the one projection the row, the API and the stream share.</summary>
    public static JobView View(JobState state)
    {
        var running = state.Items.Where(i => i.Status == WorkItemStatus.Running).OrderBy(i => i.Progress).ToList();
        return new JobView
        {
            Id = state.Id,
            Spec = state.Spec,
            Status = state.Status,
            Progress = state.Status == JobStatus.Completed ? 100 : Math.Round(Progress(state.Items), 1),
            Stage = state.Status.IsTerminal() ? JobStages.Done : running.FirstOrDefault()?.Stage ?? JobStages.Queued,
            Attempts = state.Items.Max(i => i.Attempts),
            ProcessingNode = running.FirstOrDefault()?.Node ?? state.Items.LastOrDefault(i => i.Node is not null)?.Node,
            CreatedAt = state.CreatedAt,
            StartedAt = state.StartedAt,
            PlayableAt = state.PlayableAt,
            CompletedAt = state.CompletedAt,
            DeadLetteredAt = state.DeadLetteredAt,
            UpdatedAt = state.UpdatedAt,
            Error = state.Error,
            Outputs = state.Outputs,
        };
    }

    /// <summary>The one decision function: what <paramref name="e"/> does to a job in <paramref name="state"/> (null: never submitted).</summary>
    public static JobDecision Decide(JobState? state, JobEvent e, DecisionContext context) => e switch
    {
        WorkClaimed claimed => Claim(state, claimed, context),
        SplitRequested split => Split(state, split, context),
        ChunkCompleted chunk => CompleteChunk(state, chunk, context),
        RunProgressed progressed => Progress(state, progressed, context),
        RunPlayable playable => Playable(state, playable, context),
        RunCompleted completed => Complete(state, completed, context),
        RunFailed failed => Fail(state, failed, context),
        RunHandedBack handedBack => HandBack(state, handedBack, context),
        RunSilent silent => Silence(state, silent, context),
        CancelRequested => Cancel(state, context),
        RetryRequested => Retry(state, context),
        _ => throw new ArgumentOutOfRangeException(nameof(e), e, "Unknown job event."),
    };

    private static JobDecision Claim(JobState? state, WorkClaimed e, DecisionContext context)
    {
        if (state is null || state.Status.IsTerminal())
        {
            // Ended, or never fully submitted: the queue row has no more use.
            return new JobDecision(state, [DequeueItems.All]);
        }

        if (state.Item(e.Claim.ItemId) is not { Status: not WorkItemStatus.Done } item)
        {
            return new JobDecision(state, [new DequeueItems([e.Claim.ItemId])]);
        }

        if (item.Status == WorkItemStatus.Running && item.Worker == e.Claim.Worker)
        {
            // The silo recorded as running the item claims it again: the answer to its first claim never reached it
            // (a call that failed on the way back, say, after a silo it went through shut down), or its lease lapsed
            // while the run goes on. Either way it gets the same run again, and no attempt is spent: a silo starts a
            // given run at most once.
            var current = new WorkRun(item.Id, item.RunId!.Value);
            return new JobDecision(state, [new RunClaimedAgain(current, e.Claim.Node)]) { Assignment = AssignmentFor(state, item, current) };
        }

        var effects = ImmutableArray.CreateBuilder<JobEffect>();
        if (item.Status == WorkItemStatus.Running)
        {
            // The queue handed the item out again: the silo running it stopped renewing its claim (it died or lost
            // touch with the database). That run is presumed lost.
            effects.AddRange(LoseRun(item, RunLoss.Reclaimed));
            if (item.Attempts >= MaxAttempts(state, context))
            {
                var error = new JobError(JobErrorCodes.WorkerLost, $"The worker on {item.Node} stopped holding the job.");
                return EndFailed(state, item, error, deadLetter: true, context, effects);
            }

            item = Idle(item);
            state = Published(state.With(item), item);
        }

        var run = new WorkRun(item.Id, e.RunId);
        var started = item with
        {
            Status = WorkItemStatus.Running,
            RunId = e.RunId,
            Worker = e.Claim.Worker,
            Node = e.Claim.Node,
            Attempts = item.Attempts + 1,
            Progress = 0,
            Stage = JobStages.Downloading,
        };
        var next = state.With(started) with { Status = JobStatus.Processing, StartedAt = state.StartedAt ?? context.Now, UpdatedAt = Stamp(state, context) };

        // Saved before the run exists, so its first report is recognised.
        effects.AddRange((JobEffect[])[new SaveState(), new ProjectRow(), new PublishProgress(), new RunStarted(run, e.Claim.Node, started.Attempts)]);
        return new JobDecision(next, effects.ToImmutable()) { Assignment = AssignmentFor(next, started, run) };
    }

    private static WorkAssignment AssignmentFor(JobState state, WorkItem item, WorkRun run) =>
        new(state.Id, run, item.Kind, item.Attempts, state.Spec.Tenant, state.Spec.Input, state.Spec.Tracks,
            item is { Kind: WorkItemKind.Chunk, ChunkIndex: { } index } && state.Split is { } split ? new ChunkAssignment(index, split) : null,
            state.Spec.Outputs);

    private static JobDecision Split(JobState? state, SplitRequested e, DecisionContext context)
    {
        if (!IsCurrent(state, e.Run, out var item) || item.Kind != WorkItemKind.Ladder)
        {
            return JobDecision.Unchanged(state, accepted: false);
        }

        if (state!.Split is not null)
        {
            // A title run that started over: the split made before stands, with the chunks already done.
            return JobDecision.Unchanged(state);
        }

        if (e.Split.Count is < 2 or > MaxChunks)
        {
            throw new ArgumentOutOfRangeException(nameof(e), e.Split.Count, $"A split has 2 to {MaxChunks} chunks.");
        }

        var chunks = Enumerable.Range(0, e.Split.Count)
            .Select(i => new WorkItem { Id = ChunkItem(i), Kind = WorkItemKind.Chunk, ChunkIndex = i, Weight = ChunksWeight / e.Split.Count })
            .ToImmutableArray();
        var next = state with { Split = e.Split, Items = state.Items.AddRange(chunks), UpdatedAt = Stamp(state, context) };

        // Queued in order, so a job's early chunks go first and it is watchable early.
        var effects = ImmutableArray.CreateBuilder<JobEffect>();
        effects.AddRange(chunks.Select(c => new QueueItem(c.Id, context.Now)));
        effects.AddRange((JobEffect[])[new SaveState(), new ProjectRow(), new PublishProgress(), new SplitPlanned(e.Run, e.Split)]);
        return new JobDecision(next, effects.ToImmutable());
    }

    /// <summary>The item id of chunk <paramref name="index"/>: ordered as the chunks are.</summary>
    public static string ChunkItem(int index) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"chunk-{index:0000}");

    private static JobDecision CompleteChunk(JobState? state, ChunkCompleted e, DecisionContext context)
    {
        if (state?.Item(e.Run.ItemId) is { Status: WorkItemStatus.Done } done && done.RunId == e.Run.RunId)
        {
            return JobDecision.Unchanged(state);
        }

        if (!IsCurrent(state, e.Run, out var item) || item.Kind != WorkItemKind.Chunk || e.Output.Index != item.ChunkIndex)
        {
            return new JobDecision(state, [new StaleReport(e.Run)], Accepted: false);
        }

        var next = state!.With(item with { Status = WorkItemStatus.Done, Worker = null, Progress = 100, Stage = JobStages.Done, ChunkOutput = e.Output })
            with { UpdatedAt = Stamp(state, context) };
        return new JobDecision(next, [new SaveState(), new DequeueItems([item.Id]), new ProjectRow(), new PublishProgress()]);
    }

    /// <summary>The chunks as the title run waits for them; null if <paramref name="run"/> is not the title's current run.</summary>
    public static ImmutableArray<ChunkProgress>? Chunks(JobState? state, WorkRun run) =>
        IsCurrent(state, run, out var item) && item.Kind == WorkItemKind.Ladder
            ? [.. state!.Chunks.Select(c => new ChunkProgress(c.ChunkIndex!.Value, c.Status == WorkItemStatus.Done ? c.ChunkOutput : null, c.Node))]
            : null;

    private static JobDecision Progress(JobState? state, RunProgressed e, DecisionContext context)
    {
        if (!IsCurrent(state, e.Run, out var item))
        {
            return JobDecision.Unchanged(state, accepted: false);
        }

        // Progress only moves forward within a run: reports can overtake each other.
        var percent = Math.Clamp(Math.Round(e.Percent, 1), 0, MaxRunningProgress);
        if (percent <= item.Progress && e.Stage == item.Stage)
        {
            return JobDecision.Unchanged(state);
        }

        var next = state!.With(item with { Progress = Math.Max(percent, item.Progress), Stage = e.Stage }) with { UpdatedAt = Stamp(state, context) };
        return new JobDecision(next, [new ProjectRow(ProgressOnly: true), new PublishProgress()]);
    }

    private static JobDecision Playable(JobState? state, RunPlayable e, DecisionContext context)
    {
        if (!IsCurrent(state, e.Run, out _))
        {
            return JobDecision.Unchanged(state, accepted: false);
        }

        if (state!.PlayableAt is not null)
        {
            return JobDecision.Unchanged(state);
        }

        var next = state with
        {
            PlayableAt = context.Now,
            Outputs = (state.Outputs ?? new JobOutputs()) with { HlsKey = e.HlsKey, DashKey = e.DashKey },
            UpdatedAt = Stamp(state, context),
        };
        return new JobDecision(next, [new SaveState(), new ProjectRow(), new PublishProgress()]);
    }

    private static JobDecision Complete(JobState? state, RunCompleted e, DecisionContext context)
    {
        if (state?.Item(e.Run.ItemId) is { Status: WorkItemStatus.Done } done && done.RunId == e.Run.RunId)
        {
            // The run that finished the item says so again (its first answer was lost): taken once already.
            return JobDecision.Unchanged(state);
        }

        if (!IsCurrent(state, e.Run, out var item) || (item.Kind == WorkItemKind.Ladder && state!.Chunks.Any(c => c.Status != WorkItemStatus.Done)))
        {
            // Not current, or a title that would complete before its chunks: refused.
            return new JobDecision(state, [new StaleReport(e.Run)], Accepted: false);
        }

        var next = state!.With(item with { Status = WorkItemStatus.Done, Worker = null, Progress = 100, Stage = JobStages.Done });
        if (next.Items.Any(i => i.Status != WorkItemStatus.Done))
        {
            return new JobDecision(next with { UpdatedAt = Stamp(state, context) }, [new SaveState(), new DequeueItems([item.Id]), new ProjectRow(), new PublishProgress()]);
        }

        next = next with
        {
            Status = JobStatus.Completed,
            CompletedAt = context.Now,
            PlayableAt = state.PlayableAt ?? context.Now,
            Outputs = e.Outputs with
            {
                Chunks = Math.Max(1, next.Split?.Count ?? 1),
                Silos = Math.Max(1, next.Items.Select(i => i.Node).OfType<string>().Distinct(StringComparer.Ordinal).Count()),
            },
            Error = null,
            UpdatedAt = Stamp(state, context),
        };
        return new JobDecision(next, [new SaveState(), DequeueItems.All, new ProjectRow(), new PublishProgress(), new JobCompleted(e.Outputs)]);
    }

    private static JobDecision Fail(JobState? state, RunFailed e, DecisionContext context)
    {
        if (!IsCurrent(state, e.Run, out var item))
        {
            return new JobDecision(state, [new StaleReport(e.Run)], Accepted: false);
        }

        return FailAttempt(state!, item, e.Error, e.Retryable, context, ImmutableArray.CreateBuilder<JobEffect>());
    }

    private static JobDecision HandBack(JobState? state, RunHandedBack e, DecisionContext context)
    {
        if (!IsCurrent(state, e.Run, out var item))
        {
            return JobDecision.Unchanged(state, accepted: false);
        }

        // The silo is going away, not failing: the attempt is not spent, and the item may run again at once.
        var back = Idle(item) with { Attempts = Math.Max(0, item.Attempts - 1) };
        var next = Requeued(state!.With(back), back, context) with { Error = state.Error };
        return new JobDecision(next, [new QueueItem(item.Id, context.Now), new SaveState(), new ProjectRow(), new PublishProgress(), new RunHandedBackNote(e.Run)]);
    }

    private static JobDecision Silence(JobState? state, RunSilent e, DecisionContext context)
    {
        if (!IsCurrent(state, e.Run, out var item))
        {
            return JobDecision.Unchanged(state, accepted: false);
        }

        var effects = ImmutableArray.CreateBuilder<JobEffect>();
        effects.AddRange(LoseRun(item, RunLoss.Silent));
        var error = new JobError(JobErrorCodes.WorkerLost, $"The worker on {item.Node} stopped reporting.");
        return FailAttempt(state!, item, error, retryable: true, context, effects);
    }

    private static JobDecision Cancel(JobState? state, DecisionContext context)
    {
        if (state is null || state.Status.IsTerminal())
        {
            return JobDecision.Unchanged(state);
        }

        // Runs are stopped first (bounded), so they have removed their partial outputs before the job's prefix is cleared.
        var effects = ImmutableArray.CreateBuilder<JobEffect>();
        effects.AddRange(StopRunning(state));
        var next = Ended(state, context) with { Status = JobStatus.Canceled };
        effects.AddRange((JobEffect[])[new SaveState(), DequeueItems.All, new ProjectRow(), new PublishProgress(), new DeleteJobObjects(KeepSource: false), new JobCanceled()]);
        return new JobDecision(next, effects.ToImmutable());
    }

    private static JobDecision Retry(JobState? state, DecisionContext context)
    {
        if (state is not { DeadLetteredAt: not null })
        {
            return JobDecision.Unchanged(state);
        }

        // A fresh set of attempts, starting now; the last error stays visible until a run reports.
        var items = state.Items.Select(i => i.Status == WorkItemStatus.Done ? i : Idle(i) with { Attempts = 0 }).ToImmutableArray();
        var next = state with
        {
            Status = JobStatus.Queued,
            Items = items,
            DeadLetteredAt = null,
            CompletedAt = null,
            PlayableAt = null,
            Outputs = null,
            UpdatedAt = Stamp(state, context),
        };
        var effects = ImmutableArray.CreateBuilder<JobEffect>();
        effects.AddRange(items.Where(i => i.Status == WorkItemStatus.Waiting).Select(i => new QueueItem(i.Id, context.Now)));
        effects.AddRange((JobEffect[])[new SaveState(), new ProjectRow(), new PublishProgress(), new JobRequeued()]);
        return new JobDecision(next, effects.ToImmutable());
    }

    /// <summary>After a failed attempt: wait and run again, or end the job (a dead letter if another try might pass).</summary>
    private static JobDecision FailAttempt(JobState state, WorkItem item, JobError error, bool retryable, DecisionContext context,
        ImmutableArray<JobEffect>.Builder effects)
    {
        var run = new WorkRun(item.Id, item.RunId!.Value);
        if (retryable && item.Attempts < MaxAttempts(state, context))
        {
            var delay = context.Rules.Backoff(item.Attempts, context.Jitter);
            var next = Requeued(state.With(Idle(item)), item, context) with { Error = error };
            effects.AddRange((JobEffect[])[new QueueItem(item.Id, context.Now + delay), new SaveState(), new ProjectRow(), new PublishProgress(),
                new RetryScheduled(run, error, item.Attempts, delay)]);
            return new JobDecision(next, effects.ToImmutable());
        }

        // Out of attempts on a failure that might pass another time: a dead letter, which the owner or an operator can
        // retry. A permanent failure (bad input) would only fail again, so it just fails.
        return EndFailed(state, item, error, deadLetter: retryable, context, effects);
    }

    private static JobDecision EndFailed(JobState state, WorkItem failed, JobError error, bool deadLetter, DecisionContext context,
        ImmutableArray<JobEffect>.Builder effects)
    {
        effects.AddRange(StopRunning(state).Where(s => s.Run.ItemId != failed.Id));
        var next = Ended(state, context) with
        {
            Status = JobStatus.Failed,
            DeadLetteredAt = deadLetter ? context.Now : null,
            Error = error,
        };
        JobNote note = deadLetter ? new JobDeadLettered(error, failed.Attempts) : new JobFailed(error, failed.Attempts);
        effects.AddRange((JobEffect[])[new SaveState(), DequeueItems.All, new ProjectRow(), new PublishProgress(), new DeleteJobObjects(KeepSource: deadLetter), note]);
        return new JobDecision(next, effects.ToImmutable());
    }

    /// <summary>
    /// The one place a run is presumed lost: it is stopped where it may still be going on, and what it wrote goes (a
    /// run refused afterwards removes the rest itself).
    /// </summary>
    private static IEnumerable<JobEffect> LoseRun(WorkItem item, RunLoss reason)
    {
        var run = new WorkRun(item.Id, item.RunId!.Value);
        if (item.Worker is { } worker)
        {
            yield return new StopRun(worker, run);
        }

        yield return new DeleteRunOutputs(run.RunId);
        yield return new RunLost(run, item.Node, reason);
    }

    /// <summary>A job whose item went back to the queue: queued unless another item still runs.</summary>
    private static JobState Requeued(JobState state, WorkItem item, DecisionContext context) => Published(state, item) with
    {
        Status = state.Items.Any(i => i.Status == WorkItemStatus.Running) ? JobStatus.Processing : JobStatus.Queued,
        UpdatedAt = Stamp(state, context),
    };

    /// <summary>
    /// What the job has published once <paramref name="item"/>'s run is gone: the title run's live outputs went with
    /// it; a chunk's going changes nothing viewers see (the title run publishes only chunks that are done).
    /// </summary>
    private static JobState Published(JobState state, WorkItem item) =>
        item.Kind == WorkItemKind.Chunk ? state : state with { PlayableAt = null, Outputs = null };

    /// <summary>A job that ends without a package: no run goes on, and nothing it published is left to point at.</summary>
    private static JobState Ended(JobState state, DecisionContext context) => state with
    {
        Items = state.Items.Select(i => i.Status == WorkItemStatus.Running ? Idle(i) with { Progress = i.Progress } : i).ToImmutableArray(),
        PlayableAt = null,
        Outputs = null,
        CompletedAt = context.Now,
        UpdatedAt = Stamp(state, context),
    };

    private static IEnumerable<StopRun> StopRunning(JobState state) =>
        state.Items
            .Where(i => i.Status == WorkItemStatus.Running && i.Worker is not null && i.RunId is not null)
            .Select(i => new StopRun(i.Worker!, new WorkRun(i.Id, i.RunId!.Value)));

    /// <summary>An item back to waiting, with no run.</summary>
    private static WorkItem Idle(WorkItem item) =>
        item with { Status = WorkItemStatus.Waiting, RunId = null, Worker = null, Progress = 0, Stage = JobStages.Queued };

    private static bool IsCurrent(JobState? state, WorkRun run, out WorkItem item)
    {
        item = null!;
        if (state is null || state.Status.IsTerminal() || state.Item(run.ItemId) is not { } found || !found.IsRunning(run.RunId))
        {
            return false;
        }

        item = found;
        return true;
    }

    /// <summary>
    /// When a change is made: now, or a tick after the last change if the clock has not moved on (or another silo's
    /// clock is behind). Stamps only grow, so whoever orders the job's events by them gets them in order.
    /// </summary>
    private static DateTimeOffset Stamp(JobState state, DecisionContext context) =>
        context.Now > state.UpdatedAt ? context.Now : state.UpdatedAt.AddTicks(1);

    private static int MaxAttempts(JobState state, DecisionContext context) => state.Spec.MaxAttempts ?? context.Rules.DefaultMaxAttempts;

    private static double Progress(ImmutableArray<WorkItem> items)
    {
        var weight = items.Sum(i => i.Weight);
        return weight <= 0 ? 0 : items.Sum(i => i.Weight * i.Progress) / weight;
    }
}
