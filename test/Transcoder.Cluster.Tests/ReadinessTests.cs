using System.Diagnostics;
using System.Net;
using Transcoder.Testing;

namespace Transcoder.Cluster.Tests;

/// <summary>Readiness follows the parts each process needs: the stack's Postgres stopped, then started again.</summary>
public sealed class ReadinessTests
{
    /// <summary>
    /// While Postgres is stopped, the API's and the silo's /health/ready answer 503, each within 5 s, and
    /// /health/live stays 200 (nothing to restart); once Postgres is back, the next ready probe answers 200, also
    /// when the restart was so short that the processes' connection pools still hold only connections it cut.
    /// </summary>
    [Fact]
    public async Task PostgresStopped_ReadinessIs503WithinFiveSeconds_ThenBackTo200()
    {
        string[] hosts = [TestStack.ApiUrl, TestStack.SiloUrl];
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        foreach (var host in hosts)
        {
            Assert.Equal(HttpStatusCode.OK, (await ProbeAsync(http, host + "/health/ready")).Status);
        }

        // A restart that is over before anything notices: every connection the pools held is cut, Postgres is back.
        await TestStack.RestartPartAsync("postgres", TimeSpan.Zero);
        var afterBlink = await Task.WhenAll(hosts.Select(host => ProbeAsync(http, host + "/health/ready")));

        var restart = TestStack.RestartPartAsync("postgres", TimeSpan.FromSeconds(8));
        var down = new List<(HttpStatusCode Status, TimeSpan Took)>();
        foreach (var host in hosts)
        {
            down.Add(await Eventually.ValueAsync(() => ProbeAsync(http, host + "/health/ready"), p => p.Status != HttpStatusCode.OK,
                TimeSpan.FromSeconds(8), $"{host} stayed ready with Postgres stopped", TimeSpan.FromMilliseconds(200)));
        }

        var live = await Task.WhenAll(hosts.Select(host => ProbeAsync(http, host + "/health/live")));
        await restart;

        // Postgres accepts connections again: the next probe is ready at once.
        var back = await Task.WhenAll(hosts.Select(host => ProbeAsync(http, host + "/health/ready")));

        Assert.All(afterBlink, p => Assert.Equal(HttpStatusCode.OK, p.Status));
        Assert.All(down, p =>
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, p.Status);
            Assert.True(p.Took < TimeSpan.FromSeconds(5), $"readiness took {p.Took} to answer");
        });
        Assert.All(live, p => Assert.Equal(HttpStatusCode.OK, p.Status));
        Assert.All(back, p => Assert.Equal(HttpStatusCode.OK, p.Status));
    }

    private static async Task<(HttpStatusCode Status, TimeSpan Took)> ProbeAsync(HttpClient http, string url)
    {
        var clock = Stopwatch.StartNew();
        using var response = await http.GetAsync(url);
        return (response.StatusCode, clock.Elapsed);
    }
}
