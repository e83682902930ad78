using Transcoder.Abstractions;

namespace Transcoder.Worker;

/// <summary>
/// Sends a run's progress to its job grain at most once per interval (plus every change of stage), one
/// report at a time, so a fast encoder cannot flood the job grain or its subscribers.
/// </summary>
internal sealed class ProgressReporter(ITranscodeJobGrain job, WorkRun run, TimeSpan interval)
{
    private readonly SemaphoreSlim _sending = new(1, 1);
    private long _lastSentTicks;
    private string? _lastStage;
    private double _lastPercent;

    public async Task ReportAsync(double percent, string stage, bool force = false)
    {
        var now = Environment.TickCount64;
        var due = force || stage != _lastStage || now - Interlocked.Read(ref _lastSentTicks) >= interval.TotalMilliseconds;
        if (!due || !await _sending.WaitAsync(force ? Timeout.Infinite : 0))
        {
            return;
        }

        try
        {
            Interlocked.Exchange(ref _lastSentTicks, now);
            _lastStage = stage;
            _lastPercent = percent;
            await job.ReportProgressAsync(run, percent, stage);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException and not OperationCanceledException)
        {
            // Progress is advisory: the next report or the final one carries the state.
        }
        finally
        {
            _sending.Release();
        }
    }

    /// <summary>
    /// Repeats the last report every <paramref name="period"/> until canceled, so the job's heartbeat timeout for
    /// this run never runs out while nothing measurable happens (waiting for a slot, a long download).
    /// </summary>
    public async Task HeartbeatAsync(TimeSpan period, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(period);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                await ReportAsync(_lastPercent, _lastStage ?? JobStages.Downloading, force: true);
            }
        }
        catch (OperationCanceledException)
        {
            // The run ended.
        }
    }
}
