using System.Net;
using Transcoder.Testing;

namespace Transcoder.EndToEnd.Tests;

/// <summary>
/// Per-tenant limits. The test stack gives two tenants small limits of their own (see infra/local/test.sh):
/// test-rate-limited may make 1 request per second in bursts of 3, test-in-flight-cap may have 1 job in flight.
/// </summary>
public sealed class TenantLimitsTests : IDisposable
{
    private readonly string _folder = TestStack.NewScratchFolder("limits");

    [Fact]
    public async Task RequestBudgetSpent_Is429WithRetryAfter_OtherTenantsUnaffected_ThenRefills()
    {
        using var limited = new ApiClient("test-rate-limited");
        using var other = new ApiClient($"limits-{Guid.NewGuid():N}"[..20]);

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? rejected = null;
        for (var i = 0; i < 10; i++)
        {
            var response = await limited.Http.GetAsync(new Uri("/v1/jobs", UriKind.Relative));
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests && rejected is null)
            {
                rejected = response;
            }
            else
            {
                response.Dispose();
            }
        }

        Assert.All(statuses.Take(3), s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.NotNull(rejected);
        using (rejected)
        {
            Assert.Equal(TimeSpan.FromSeconds(1), rejected.Headers.RetryAfter?.Delta);
            Assert.Equal(429, (await ApiClient.ReadProblemAsync(rejected))["status"]!.GetValue<int>());
        }

        using (var response = await other.Http.GetAsync(new Uri("/v1/jobs", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // The bucket refills at one request a second: within Retry-After (plus a little) the tenant is served again.
        var refilled = await Eventually.ValueAsync(async () =>
        {
            using var response = await limited.Http.GetAsync(new Uri("/v1/jobs", UriKind.Relative));
            return response.StatusCode;
        }, status => status == HttpStatusCode.OK, TimeSpan.FromSeconds(5), "the tenant's budget never refilled", TimeSpan.FromMilliseconds(250));
        Assert.Equal(HttpStatusCode.OK, refilled);
    }

    [Fact]
    public async Task JobsInFlightCap_RefusesTheNextJobUntilOneEnds_AndKeepsNoUpload()
    {
        using var api = new ApiClient("test-in-flight-cap");
        var clip = await TestClips.VideoAsync(_folder, 320, 240, 2);

        var first = (await api.UploadAsync(clip))["id"]!.GetValue<string>();
        using (var refused = await api.PostFileAsync(clip))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(30), refused.Headers.RetryAfter?.Delta);
            Assert.Equal("Too many jobs in flight", (await ApiClient.ReadProblemAsync(refused))["title"]!.GetValue<string>());
        }

        Assert.Equal("completed", (await api.WaitForEndAsync(first))["status"]!.GetValue<string>());
        var next = (await api.UploadAsync(clip))["id"]!.GetValue<string>();
        Assert.Equal("completed", (await api.WaitForEndAsync(next))["status"]!.GetValue<string>());

        // Only the two jobs that were made have objects: the refused upload was removed.
        Assert.All(await Leftovers.ObjectsAsync(api.Tenant), key =>
            Assert.True(key.StartsWith($"{api.Tenant}/{first}/", StringComparison.Ordinal) || key.StartsWith($"{api.Tenant}/{next}/", StringComparison.Ordinal), key));
    }

    public void Dispose() => Directory.Delete(_folder, true);
}
