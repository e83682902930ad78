using Microsoft.Extensions.Configuration;

namespace Transcoder.ServiceDefaults;

/// <summary>
/// The Orleans cluster both silos and API clients join. Section "Cluster". Read while the host is being built
/// (before options validation runs), so it validates itself and names the missing setting.
/// </summary>
public sealed class ClusterSettings
{
    public const string SectionName = "Cluster";

    /// <summary>Cluster id: silos and clients with the same id form one cluster. Default "transcoder".</summary>
    public string ClusterId { get; set; } = "transcoder";

    /// <summary>Service id: stays the same across deployments; grain state is keyed by it. Default "transcoder".</summary>
    public string ServiceId { get; set; } = "transcoder";

    /// <summary>StackExchange.Redis configuration string of the membership store. Required.</summary>
    public string RedisConnectionString { get; set; } = "";

    public static ClusterSettings Read(IConfiguration configuration)
    {
        var settings = configuration.GetSection(SectionName).Get<ClusterSettings>() ?? new ClusterSettings();
        if (string.IsNullOrWhiteSpace(settings.RedisConnectionString))
        {
            throw new InvalidOperationException("Cluster:RedisConnectionString is required (the Redis that holds cluster membership).");
        }

        if (string.IsNullOrWhiteSpace(settings.ClusterId) || string.IsNullOrWhiteSpace(settings.ServiceId))
        {
            throw new InvalidOperationException("Cluster:ClusterId and Cluster:ServiceId must not be empty.");
        }

        return settings;
    }
}
