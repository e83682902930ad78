using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Transcoder.Testing;

namespace Transcoder.EndToEnd.Tests;

/// <summary>Two more API replicas of the stack's cluster, on the same Postgres, Redis and bucket, with small limits of their own.</summary>
public sealed class ApiReplicas : IAsyncLifetime
{
    // Tenants of these replicas alone, new for each run: a budget or caps left in Redis and Postgres by an earlier
    // run against the same stack are not theirs.
    public static readonly string BudgetTenant = $"budget-{Guid.NewGuid():N}"[..20];
    public static readonly string CappedTenant = $"capped-{Guid.NewGuid():N}"[..20];
    public const int Burst = 6;
    public const long CappedBytes = 30L << 20;

    private static readonly Dictionary<string, string> Settings = new(TestStack.ServiceSettings())
    {
        // One tenant's small budget (the stack gives every other tenant a large one).
        ["RateLimits__Tenants__0__Tenant"] = BudgetTenant,
        ["RateLimits__Tenants__0__RequestsPerSecond"] = "1",
        ["RateLimits__Tenants__0__Burst"] = Burst.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Api__TenantUploadCaps__0__Tenant"] = CappedTenant,
        ["Api__TenantUploadCaps__0__MaxOpenUploads"] = "2",
        ["Api__TenantUploadCaps__0__MaxOpenUploadBytes"] = CappedBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Api__MaxConcurrentStreamedUploads"] = "1",
    };

    public ServiceProcess First { get; private set; } = null!;

    public ServiceProcess Second { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var logs = Path.Combine(TestStack.DataFolder, "replicas");
        First = ServiceProcess.StartApi($"api-a-{Guid.NewGuid():N}"[..12], Settings, logs);
        Second = ServiceProcess.StartApi($"api-b-{Guid.NewGuid():N}"[..12], Settings, logs);
        await Task.WhenAll(First.WaitReadyAsync(TimeSpan.FromSeconds(60)), Second.WaitReadyAsync(TimeSpan.FromSeconds(60)));
    }

    public async Task DisposeAsync()
    {
        await First.DisposeAsync();
        await Second.DisposeAsync();
    }

    public static HttpClient Client(ServiceProcess replica, string tenant)
    {
        var http = new HttpClient { BaseAddress = new Uri(replica.Url), Timeout = TimeSpan.FromMinutes(1) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.For(tenant));
        return http;
    }
}

/// <summary>
/// What holds across API replicas: one tenant's request budget is one budget however its requests are spread, and
/// another tenant's is its own; upload caps count every replica's uploads; each replica caps its own streamed uploads.
/// </summary>
public sealed class ApiReplicaTests(ApiReplicas replicas) : IClassFixture<ApiReplicas>
{
    [Fact]
    public async Task RateLimit_IsOneBudgetAcrossReplicas_AndOtherTenantsAreUnaffected()
    {
        using var viaFirst = ApiReplicas.Client(replicas.First, ApiReplicas.BudgetTenant);
        using var viaSecond = ApiReplicas.Client(replicas.Second, ApiReplicas.BudgetTenant);
        using var other = ApiReplicas.Client(replicas.Second, $"budget-other-{Guid.NewGuid():N}"[..20]);

        // Twice the burst, alternating replicas: a budget per replica would let all of them through.
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 2 * ApiReplicas.Burst; i++)
        {
            using var response = await (i % 2 == 0 ? viaFirst : viaSecond).GetAsync("/v1/queue");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.NotNull(response.Headers.RetryAfter);
                await ApiClient.ReadProblemAsync(response);
            }
        }

        // The burst, and what one token a second refilled while the requests ran.
        var allowed = statuses.Count(s => s == HttpStatusCode.OK);
        Assert.InRange(allowed, ApiReplicas.Burst, ApiReplicas.Burst + 2);
        Assert.Equal(2 * ApiReplicas.Burst - allowed, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses.Where((_, i) => i % 2 == 0));
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses.Where((_, i) => i % 2 == 1));

        for (var i = 0; i < 2 * ApiReplicas.Burst; i++)
        {
            using var response = await other.GetAsync("/v1/queue");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    [Fact]
    public async Task UploadCaps_CountEveryReplicasUploads()
    {
        using var viaFirst = ApiReplicas.Client(replicas.First, ApiReplicas.CappedTenant);
        using var viaSecond = ApiReplicas.Client(replicas.Second, ApiReplicas.CappedTenant);

        var first = await CreateUploadAsync(viaFirst, 10 << 20);
        using var tooBigForWhatIsLeft = await viaSecond.PostAsJsonAsync("/v1/uploads", new { size = 25 << 20 });
        var second = await CreateUploadAsync(viaSecond, 10 << 20);
        using var third = await viaFirst.PostAsJsonAsync("/v1/uploads", new { size = 1 << 20 });
        using var neverFits = await viaFirst.PostAsJsonAsync("/v1/uploads", new { size = ApiReplicas.CappedBytes + 1 });

        Assert.Equal(HttpStatusCode.TooManyRequests, tooBigForWhatIsLeft.StatusCode);
        Assert.Contains("bytes", (await ApiClient.ReadProblemAsync(tooBigForWhatIsLeft))["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.Equal("Too many open uploads", (await ApiClient.ReadProblemAsync(third))["title"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, neverFits.StatusCode);
        await ApiClient.ReadProblemAsync(neverFits);

        // Aborting one, through the other replica, makes room again.
        using var aborted = await viaSecond.DeleteAsync($"/v1/uploads/{first["id"]}?uploadId={Uri.EscapeDataString(first["uploadId"]!.GetValue<string>())}");
        Assert.Equal(HttpStatusCode.NoContent, aborted.StatusCode);
        var again = await CreateUploadAsync(viaFirst, 1 << 20);
        await AbortAllAsync(viaFirst, second, again);
    }

    [Fact]
    public async Task StreamedUploads_BeyondTheReplicasCap_Are503WithRetryAfter()
    {
        var tenant = $"streamed-{Guid.NewGuid():N}"[..20];
        using var http = ApiReplicas.Client(replicas.First, tenant);
        var clip = await File.ReadAllBytesAsync(await TestClips.VideoAsync(TestStack.NewScratchFolder("streamed-cap"), 320, 240, 1));
        var gate = new TaskCompletionSource();

        // A holding upload keeps sending (slowly, as a real slow client does, above Kestrel's minimum data rate)
        // until the test lets it finish, holding the replica's only slot all the while. A probe may reach the
        // replica first and take the slot, turning the holder away: then another holder is sent, until a probe
        // meets a held slot.
        Task<HttpResponseMessage>? holding = null;
        HttpResponseMessage? busy = null;
        var seen = new List<string>();
        async Task<bool> ProbeMeetsAHeldSlotAsync()
        {
            if (holding is null || holding.IsCompleted)
            {
                if (holding is not null)
                {
                    // Turned away while still sending: the replica answers 503 and closes the connection under it.
                    try
                    {
                        using var turnedAway = await holding;
                        seen.Add($"holder {(int)turnedAway.StatusCode}");
                    }
                    catch (HttpRequestException ex)
                    {
                        seen.Add($"holder cut off ({ex.GetBaseException().Message})");
                    }
                }

                var trickle = new TrickleForm(gate.Task);
                holding = http.PostAsync("/v1/jobs", trickle);
                await trickle.Sending.WaitAsync(TimeSpan.FromSeconds(30));
            }

            busy?.Dispose();
            busy = await http.PostAsync("/v1/jobs", new GatedForm(clip, Task.CompletedTask, ("priority", "5")));
            seen.Add($"probe {(int)busy.StatusCode}");
            return busy.StatusCode == HttpStatusCode.ServiceUnavailable && !holding.IsCompleted;
        }

        try
        {
            await Eventually.TrueAsync(ProbeMeetsAHeldSlotAsync, TimeSpan.FromSeconds(60), "no probe met the slot held by a slow upload");
        }
        catch (TimeoutException ex)
        {
            Assert.Fail($"{ex.Message}: {string.Join(", ", seen)}");
        }
        gate.SetResult();
        using var held = await holding!;
        using var after = await http.PostAsync("/v1/jobs", new GatedForm(clip, Task.CompletedTask, ("priority", "5")));

        Assert.Equal(TimeSpan.FromSeconds(5), busy!.Headers.RetryAfter!.Delta);
        Assert.Equal("Too many uploads in progress", (await ApiClient.ReadProblemAsync(busy))["title"]!.GetValue<string>());
        busy.Dispose();
        Assert.Equal(HttpStatusCode.Accepted, held.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, after.StatusCode);
    }

    /// <summary>A form upload whose file arrives a kilobyte at a time, one every 100 ms at most, until <c>gate</c> completes.</summary>
    private sealed class TrickleForm : HttpContent
    {
        private const string Boundary = "trickle-form-boundary";
        private readonly Task _gate;
        private readonly TaskCompletionSource _sending = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Completes once the first bytes of the body are sent.</summary>
        public Task Sending => _sending.Task;

        public TrickleForm(Task gate)
        {
            _gate = gate;
            Headers.ContentType = MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={Boundary}");
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"--{Boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"slow.mp4\"\r\n\r\n"));
            var chunk = new byte[1024];
            using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            while (!_gate.IsCompleted && !deadline.IsCancellationRequested)
            {
                await stream.WriteAsync(chunk);
                await stream.FlushAsync();
                _sending.TrySetResult();
                try
                {
                    await _gate.WaitAsync(TimeSpan.FromMilliseconds(100));
                }
                catch (TimeoutException)
                {
                    // Not released yet: the next kilobyte.
                }
            }

            await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"\r\n--{Boundary}--\r\n"));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    private static async Task<JsonObject> CreateUploadAsync(HttpClient http, long size)
    {
        using var response = await http.PostAsJsonAsync("/v1/uploads", new { size });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    private static async Task AbortAllAsync(HttpClient http, params JsonObject[] uploads)
    {
        foreach (var upload in uploads)
        {
            using var _ = await http.DeleteAsync($"/v1/uploads/{upload["id"]}?uploadId={Uri.EscapeDataString(upload["uploadId"]!.GetValue<string>())}");
        }
    }
}
