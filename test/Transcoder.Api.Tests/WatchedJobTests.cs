using Transcoder.Abstractions;
using Transcoder.Api.Hubs;

namespace Transcoder.Api.Tests;

/// <summary>What a viewer of a job is sent: never something older than what it already has.</summary>
public sealed class WatchedJobTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);
    private readonly List<(string Connection, JobProgressEvent Event)> _sent = [];
    private readonly WatchedJob _job;

    public WatchedJobTests() => _job = new WatchedJob((connection, e) =>
    {
        lock (_sent)
        {
            _sent.Add((connection, e));
        }

        return Task.CompletedTask;
    });

    private static JobProgressEvent At(int seconds, JobStatus status = JobStatus.Processing, double percent = 0) =>
        new(Guid.Empty, status, percent, JobStages.Encoding, T0.AddSeconds(seconds));

    /// <summary>The race a Watch call runs: an event overtakes the snapshot read before it; the snapshot is not sent after it.</summary>
    [Fact]
    public async Task Snapshot_OfferedAfterANewerEvent_IsNotSent()
    {
        _job.Add("viewer");

        await _job.ForwardAsync(At(2, percent: 40));
        await _job.OfferAsync("viewer", At(1, percent: 20));

        Assert.Equal([At(2, percent: 40)], _sent.Select(s => s.Event));
    }

    [Fact]
    public async Task Snapshot_FirstThenOnlyNewerEvents_ReachTheViewer()
    {
        _job.Add("viewer");

        await _job.OfferAsync("viewer", At(1, percent: 20));
        await _job.ForwardAsync(At(1, percent: 20));
        await _job.ForwardAsync(At(0, JobStatus.Queued));
        await _job.ForwardAsync(At(3, percent: 60));
        await _job.ForwardAsync(At(4, JobStatus.Completed, 100));

        Assert.Equal([At(1, percent: 20), At(3, percent: 60), At(4, JobStatus.Completed, 100)], _sent.Select(s => s.Event));
    }

    [Fact]
    public async Task Viewers_EachGetWhatIsNewToThem()
    {
        _job.Add("early");
        await _job.ForwardAsync(At(1));
        _job.Add("late");

        await _job.OfferAsync("late", At(1));
        await _job.ForwardAsync(At(2));
        var lastLeft = _job.Remove("early");
        await _job.ForwardAsync(At(3));

        Assert.False(lastLeft);
        Assert.Equal([("early", 1), ("late", 1), ("early", 2), ("late", 2), ("late", 3)], _sent.Select(s => (s.Connection, (int)(s.Event.At - T0).TotalSeconds)));
        Assert.True(_job.Remove("late"));
    }

    public void Dispose() => _job.Dispose();
}
