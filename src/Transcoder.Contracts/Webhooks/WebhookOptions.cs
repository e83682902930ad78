using System.ComponentModel.DataAnnotations;

namespace Transcoder.Contracts.Webhooks;

/// <summary>
/// Webhooks: where ended jobs are POSTed, how they are signed and retried. Section "Webhooks". The rules across
/// fields live in <see cref="Validate"/>, so every host that binds the section with data-annotation validation
/// refuses the same configurations.
/// </summary>
public sealed class WebhookOptions : IValidatableObject
{
    public const string SectionName = "Webhooks";

    /// <summary>
    /// Base64 key (32+ bytes) from which each tenant's signing secret is derived. Empty turns webhooks off: jobs
    /// naming a callback URL are then refused.
    /// </summary>
    public string? SigningKey { get; set; }

    /// <summary>Deliveries of one webhook before it is abandoned. Default 10 (about 17 hours of retrying).</summary>
    [Range(1, 50)]
    public int MaxAttempts { get; set; } = 10;

    /// <summary>Wait before the first retry; each later one waits twice as long, with jitter. Default 5 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest wait between two deliveries. Default 8 hours.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromHours(8);

    /// <summary>How long a receiver has to answer. Default 10 s.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Hosts (or host:port) webhooks may go to although they are not public addresses; everything else must
    /// resolve to public addresses only, as URL inputs must.
    /// </summary>
    public List<string> AllowedHosts { get; set; } = [];

    /// <summary>
    /// Hosts (or host:port) webhooks may reach over plain http. Every other callback URL must be https, as the
    /// chart's network policy lets silos out on 443 only and a webhook carries the tenant's job. Empty by default;
    /// the local stack lists its loopback receivers.
    /// </summary>
    public List<string> PlainHttpHosts { get; set; } = [];

    /// <summary>Tenants whose jobs report to a callback URL of theirs when a job names none.</summary>
    public List<TenantWebhook> Tenants { get; set; } = [];

    public bool Enabled => !string.IsNullOrEmpty(SigningKey);

    /// <summary>The callback URL of a job: the one it names, or else its tenant's, if any.</summary>
    public string? CallbackUrlFor(string tenant, string? requested) =>
        requested ?? Tenants.FirstOrDefault(t => t.Tenant == tenant)?.Url;

    /// <summary>Whether a webhook may be POSTed to this URL's scheme: https always, http only to the hosts listed.</summary>
    public bool AllowsScheme(Uri url) =>
        url.Scheme == Uri.UriSchemeHttps
        || (url.Scheme == Uri.UriSchemeHttp && PlainHttpHosts.Any(h =>
            string.Equals(h, url.Host, StringComparison.OrdinalIgnoreCase)
            || string.Equals(h, $"{url.Host}:{url.Port}", StringComparison.OrdinalIgnoreCase)));

    /// <summary>What a client is told when a callback URL's scheme is refused.</summary>
    public const string HttpsRequired = "callbackUrl must be an https URL (plain http is accepted only for hosts the service lists in Webhooks:PlainHttpHosts).";

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Enabled && !SigningKeys.IsUsable(SigningKey))
        {
            yield return new ValidationResult($"Webhooks:SigningKey must be a base64 key of at least {SigningKeys.MinimumBytes} bytes.", [nameof(SigningKey)]);
        }

        if (!Tenants.All(IsUsable))
        {
            yield return new ValidationResult("Webhooks:Tenants entries need a Tenant and an absolute https Url (http only to a host in Webhooks:PlainHttpHosts).", [nameof(Tenants)]);
        }

        if (!Enabled && Tenants.Count > 0)
        {
            yield return new ValidationResult("Webhooks:Tenants needs Webhooks:SigningKey.", [nameof(Tenants)]);
        }
    }

    private bool IsUsable(TenantWebhook tenant) =>
        !string.IsNullOrEmpty(tenant.Tenant)
        && Uri.TryCreate(tenant.Url, UriKind.Absolute, out var uri)
        && AllowsScheme(uri);
}

/// <summary>A tenant's own callback URL, used for its jobs that name none.</summary>
public sealed class TenantWebhook
{
    public string Tenant { get; set; } = "";

    public string Url { get; set; } = "";
}
