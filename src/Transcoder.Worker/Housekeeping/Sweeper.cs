using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Transcoder.Storage;

namespace Transcoder.Worker.Housekeeping;

/// <summary>
/// Runs the storage sweep on each silo every <see cref="HousekeepingOptions.Interval"/>: abandoned uploads and
/// old webhook records go even where the bucket has no lifecycle rule. Silos may overlap; the sweep allows it.
/// </summary>
internal sealed partial class Sweeper(StorageSweeper sweeper, IOptions<HousekeepingOptions> options, TimeProvider time, ILogger<Sweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Silos started together would otherwise sweep together.
        var interval = options.Value.Interval;
        try
        {
            await Task.Delay(interval * Random.Shared.NextDouble(), time, stoppingToken);
            using var timer = new PeriodicTimer(interval, time);
            do
            {
                try
                {
                    await sweeper.SweepAsync(time.GetUtcNow(), stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    SweepFailed(logger, ex);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(3120, LogLevel.Warning, "The storage sweep failed; it runs again next interval")]
    private static partial void SweepFailed(ILogger logger, Exception exception);
}
