using Transcoder.Abstractions;

namespace Transcoder.Worker;

/// <summary>
/// What one run of a work item does once it holds a slot: from the job's input to the item's outputs in the object
/// store. The <see cref="WorkRunner"/> around it owns the slot, the heartbeat, scratch clean-up and the final report.
/// One pipeline per <see cref="WorkItemKind"/>; the silo's ladder pipeline is <see cref="LadderPipeline"/>.
/// </summary>
public interface IWorkPipeline
{
    /// <summary>The kind of item this pipeline runs.</summary>
    WorkItemKind Kind { get; }

    /// <summary>Runs the item and returns what it published.</summary>
    Task<WorkResult> RunAsync(WorkContext context, CancellationToken cancellationToken);
}

/// <summary>What a run published: a title's package, or one chunk of its video.</summary>
public sealed record WorkResult
{
    /// <summary>The package of a title run.</summary>
    public JobOutputs? Outputs { get; init; }

    /// <summary>The segments of a chunk run.</summary>
    public ChunkOutput? Chunk { get; init; }

    public static implicit operator WorkResult(JobOutputs outputs) => new() { Outputs = outputs };

    public static implicit operator WorkResult(ChunkOutput chunk) => new() { Chunk = chunk };
}

/// <summary>The run is no longer the item's current run (the job moved on): it stops without a report.</summary>
public sealed class RunSupersededException : Exception
{
    public RunSupersededException()
        : base("The job no longer counts this run.")
    {
    }

    public RunSupersededException(string message)
        : base(message)
    {
    }

    public RunSupersededException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>One run as a pipeline sees it.</summary>
public sealed class WorkContext
{
    private readonly ProgressReporter _reporter;

    private readonly Action _releaseSlot;

    internal WorkContext(WorkAssignment assignment, ITranscodeJobGrain job, string scratch, string outputPrefix, ProgressReporter reporter, Action? releaseSlot = null)
    {
        _releaseSlot = releaseSlot ?? (() => { });
        Assignment = assignment;
        Job = job;
        Scratch = scratch;
        OutputPrefix = outputPrefix;
        _reporter = reporter;
    }

    public WorkAssignment Assignment { get; }

    /// <summary>The job's grain, for reports only this run's id may make.</summary>
    public ITranscodeJobGrain Job { get; }

    /// <summary>A folder of this run's own; it exists and is removed after the run.</summary>
    public string Scratch { get; }

    /// <summary>Where this run's outputs go in the object store (ends with '/').</summary>
    public string OutputPrefix { get; }

    /// <summary>Reports progress (0..100 of the item): at once when <paramref name="force"/> or the stage changes, else at most once per interval.</summary>
    public Task ReportAsync(double percent, string stage, bool force = false) => _reporter.ReportAsync(percent, stage, force);

    /// <summary>
    /// Gives the run's slot back while the run goes on without using the CPU (a title run waiting for its chunks), so
    /// this silo takes other work meanwhile. Once only; the run does not get it back.
    /// </summary>
    public void ReleaseSlot() => _releaseSlot();
}
