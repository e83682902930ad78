using Transcoder.Testing;

namespace Transcoder.EndToEnd.Tests;

/// <summary>What autoscaling reads from the silo's /metrics: queue depth per priority and encode slots.</summary>
public sealed class MetricsTests
{
    [Fact]
    public async Task SiloMetrics_CarryQueueDepthPerPriorityAndSlots()
    {
        using var http = new HttpClient();

        // The queue depth is first read a moment after the silo starts.
        var text = await Eventually.ValueAsync(() => http.GetStringAsync(new Uri(TestStack.MetricsUrl)), t => t.Contains("transcoder_queue_depth{", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30), "the silo exported no queue depth", TimeSpan.FromMilliseconds(500));

        var lines = text.Split('\n');
        for (var priority = 1; priority <= 10; priority++)
        {
            Assert.Contains(lines, l => l.StartsWith("transcoder_queue_depth{", StringComparison.Ordinal) && l.Contains($"priority=\"{priority}\"", StringComparison.Ordinal));
        }

        Assert.Contains(lines, l => l.StartsWith("transcoder_worker_slots{", StringComparison.Ordinal) && l.Contains("state=\"busy\"", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("transcoder_worker_slots{", StringComparison.Ordinal) && l.Contains("state=\"free\"", StringComparison.Ordinal));
    }
}
