using Transcoder.Abstractions;

namespace Transcoder.Grains;

/// <summary>
/// What one attempt does once it holds an encode slot: from the job's input to its outputs in the object store.
/// The <see cref="TranscodeRunner"/> around it owns the slot, the heartbeat, scratch clean-up and the final
/// report; the silo's pipeline is <see cref="LadderPipeline"/>.
/// </summary>
public interface IJobPipeline
{
    /// <summary>Runs the attempt and returns what it published under <see cref="JobAttempt.OutputPrefix"/>.</summary>
    Task<TranscodeOutput> RunAsync(JobAttempt attempt, CancellationToken cancellationToken);
}

/// <summary>One attempt as a pipeline sees it.</summary>
public sealed class JobAttempt
{
    private readonly ProgressReporter _reporter;

    internal JobAttempt(WorkItem item, ITranscodeJobGrain job, string scratch, string outputPrefix, ProgressReporter reporter)
    {
        Item = item;
        Job = job;
        Scratch = scratch;
        OutputPrefix = outputPrefix;
        _reporter = reporter;
    }

    public WorkItem Item { get; }

    /// <summary>The job's grain, for reports only this attempt's run id may make.</summary>
    public ITranscodeJobGrain Job { get; }

    /// <summary>A folder of this attempt's own; it exists and is removed after the attempt.</summary>
    public string Scratch { get; }

    /// <summary>Where this attempt's outputs go in the object store (ends with '/').</summary>
    public string OutputPrefix { get; }

    /// <summary>Reports progress to the job: at once when <paramref name="force"/> or the stage changes, else at most once per interval.</summary>
    public Task ReportAsync(double percent, string stage, bool force = false) => _reporter.ReportAsync(percent, stage, force);
}
