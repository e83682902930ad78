using Microsoft.Extensions.Options;
using Transcoder.Contracts.Webhooks;

namespace Transcoder.Api.Tests;

/// <summary>
/// The webhook settings both hosts bind: the same data-annotation validation the API and the silo run at start
/// refuses what neither could use.
/// </summary>
public sealed class WebhookOptionsTests
{
    private static readonly string Key = Convert.ToBase64String(new byte[32]);

    [Fact]
    public void Defaults_WithoutAKey_AreValid() => Assert.True(Validate(new WebhookOptions()).Succeeded);

    [Fact]
    public void TenantUrls_WithAKey_AreValid()
    {
        var options = new WebhookOptions { SigningKey = Key, Tenants = [new TenantWebhook { Tenant = "acme", Url = "https://hooks.example.com/x" }] };
        Assert.True(Validate(options).Succeeded);
    }

    [Theory]
    [InlineData("c2hvcnQ=", null, null, "SigningKey")]
    [InlineData("key", "acme", "ftp://hooks.example.com/x", "Tenants entries")]
    [InlineData("key", "", "https://hooks.example.com/x", "Tenants entries")]
    [InlineData("key", "acme", "/relative", "Tenants entries")]
    [InlineData("key", "acme", "http://hooks.example.com/x", "Tenants entries")]
    [InlineData(null, "acme", "https://hooks.example.com/x", "needs Webhooks:SigningKey")]
    public void Unusable_Settings_AreRefusedWithTheReason(string? key, string? tenant, string? url, string reason)
    {
        var options = new WebhookOptions { SigningKey = key == "key" ? Key : key };
        if (tenant is not null)
        {
            options.Tenants.Add(new TenantWebhook { Tenant = tenant, Url = url! });
        }

        var result = Validate(options);

        Assert.True(result.Failed);
        Assert.Contains(reason, result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://hooks.example.com/x", true)]
    [InlineData("http://hooks.example.com/x", false)]
    [InlineData("http://127.0.0.1:9001/x", true)]
    [InlineData("http://127.0.0.1:9002/x", false)]
    [InlineData("http://receiver.local/x", true)]
    [InlineData("HTTP://RECEIVER.LOCAL:8080/x", true)]
    [InlineData("ftp://receiver.local/x", false)]
    public void PlainHttp_OnlyToListedHosts(string url, bool allowed)
    {
        var options = new WebhookOptions { PlainHttpHosts = ["127.0.0.1:9001", "receiver.local"] };

        Assert.Equal(allowed, options.AllowsScheme(new Uri(url)));
    }

    private static ValidateOptionsResult Validate(WebhookOptions options) =>
        new DataAnnotationValidateOptions<WebhookOptions>(Options.DefaultName).Validate(Options.DefaultName, options);
}
