using System.ComponentModel.DataAnnotations;

namespace Transcoder.Api.RateLimiting;

/// <summary>
/// Each tenant's request budget, a token bucket kept in Redis so every API replica draws on the same one.
/// Section "RateLimits".
/// </summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "RateLimits";

    /// <summary>Whether requests are limited at all. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Requests a tenant may make per second, sustained. Default 50.</summary>
    [Range(1, 10_000_000)]
    public int RequestsPerSecond { get; set; } = 50;

    /// <summary>Requests a tenant may make at once after a quiet spell (the bucket's size). Default 500.</summary>
    [Range(1, 10_000_000)]
    public int Burst { get; set; } = 500;

    /// <summary>Tenants with a budget of their own: <c>RateLimits:Tenants:0:Tenant</c>, <c>:RequestsPerSecond</c>, <c>:Burst</c>.</summary>
    public List<TenantRateLimit> Tenants { get; set; } = [];

    /// <summary>The budget of <paramref name="tenant"/>.</summary>
    public TenantRateLimit For(string tenant) =>
        Tenants.FirstOrDefault(t => t.Tenant == tenant) ?? new TenantRateLimit { Tenant = tenant, RequestsPerSecond = RequestsPerSecond, Burst = Burst };

    /// <summary>Whether every tenant entry names a tenant and a positive budget.</summary>
    public bool TenantsAreValid() => Tenants.All(t => t.Tenant.Length > 0 && t.RequestsPerSecond > 0 && t.Burst > 0);
}

/// <summary>One tenant's request budget.</summary>
public sealed class TenantRateLimit
{
    public string Tenant { get; set; } = "";

    public int RequestsPerSecond { get; set; }

    public int Burst { get; set; }
}
