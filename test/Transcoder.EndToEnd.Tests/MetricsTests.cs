using Transcoder.Testing;

namespace Transcoder.EndToEnd.Tests;

/// <summary>What autoscaling reads from the silo's /metrics: queue depth per priority and encode slots.</summary>
public sealed class MetricsTests
{
    [Fact]
    public async Task SiloMetrics_CarryQueueDepthPerPriorityAndSlots()
    {
        using var http = new HttpClient();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        string text;
        do
        {
            // The queue depth is first read a moment after the silo starts.
            text = await http.GetStringAsync(new Uri(TestStack.MetricsUrl));
            if (text.Contains("transcoder_queue_depth{", StringComparison.Ordinal))
            {
                break;
            }

            await Task.Delay(500, CancellationToken.None);
        }
        while (DateTime.UtcNow < deadline);

        var lines = text.Split('\n');
        for (var priority = 1; priority <= 10; priority++)
        {
            Assert.Contains(lines, l => l.StartsWith("transcoder_queue_depth{", StringComparison.Ordinal) && l.Contains($"priority=\"{priority}\"", StringComparison.Ordinal));
        }

        Assert.Contains(lines, l => l.StartsWith("transcoder_worker_slots{", StringComparison.Ordinal) && l.Contains("state=\"busy\"", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("transcoder_worker_slots{", StringComparison.Ordinal) && l.Contains("state=\"free\"", StringComparison.Ordinal));
    }
}
