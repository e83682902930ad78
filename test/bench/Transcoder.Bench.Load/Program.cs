using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

// Usage: Transcoder.Bench.Load URL JOBS CONNECTIONS BODY_FILE IDS_OUT [HEADER ...]
// POSTs BODY_FILE's JSON JOBS times over CONNECTIONS concurrent connections, all at once, and prints one JSON
// object: how many were acknowledged (2xx), the rate, latency percentiles and the status codes. The "id" of
// every acknowledged response goes to IDS_OUT, one per line.
if (args.Length < 5)
{
    Console.Error.WriteLine("usage: URL JOBS CONNECTIONS BODY_FILE IDS_OUT [HEADER: VALUE ...]");
    return 2;
}

var url = new Uri(args[0]);
var jobs = int.Parse(args[1], CultureInfo.InvariantCulture);
var connections = int.Parse(args[2], CultureInfo.InvariantCulture);
var body = await File.ReadAllTextAsync(args[3]);
var headers = args.Skip(5).Select(h => h.Split(':', 2)).Select(p => (Name: p[0].Trim(), Value: p[1].Trim())).ToList();

using var http = new HttpClient(new SocketsHttpHandler
{
    MaxConnectionsPerServer = connections,
    PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
})
{
    Timeout = TimeSpan.FromMinutes(2),
};

var latencies = new double[jobs];
var ids = new string?[jobs];
var statuses = new int[jobs];
var next = -1;

async Task WorkAsync()
{
    int i;
    while ((i = Interlocked.Increment(ref next)) < jobs)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            statuses[i] = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                using var json = JsonDocument.Parse(text);
                ids[i] = json.RootElement.GetProperty("id").ToString();
            }
        }
        catch (HttpRequestException)
        {
            statuses[i] = 0;
        }
        catch (TaskCanceledException)
        {
            statuses[i] = -1;
        }

        latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }
}

var clock = Stopwatch.StartNew();
await Task.WhenAll(Enumerable.Range(0, connections).Select(_ => Task.Run(WorkAsync)));
var seconds = clock.Elapsed.TotalSeconds;

await File.WriteAllLinesAsync(args[4], ids.Where(id => id is not null)!);
var acknowledged = statuses.Count(s => s is >= 200 and < 300);
var sorted = latencies.Order().ToArray();
double Percentile(double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
var result = new
{
    jobs,
    connections,
    acknowledged,
    seconds = Math.Round(seconds, 2),
    perSec = Math.Round(acknowledged / seconds, 1),
    p50Ms = Math.Round(Percentile(0.50), 1),
    p99Ms = Math.Round(Percentile(0.99), 1),
    maxMs = Math.Round(sorted[^1], 1),
    statuses = statuses.GroupBy(s => s).OrderBy(g => g.Key).ToDictionary(g => g.Key == 0 ? "connectionFailed" : g.Key < 0 ? "timedOut" : ((HttpStatusCode)g.Key).ToString("D"), g => g.Count()),
};
Console.WriteLine(JsonSerializer.Serialize(result));
return 0;
