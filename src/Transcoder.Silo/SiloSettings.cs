using System.Net;

namespace Transcoder.Silo;

/// <summary>This silo's network identity. Section "Silo". Validated while the host is built.</summary>
public sealed class SiloSettings
{
    public const string SectionName = "Silo";

    /// <summary>Silo-to-silo port. Default 11111.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Port clients (the API) connect to. Default 30000.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>Address other silos and clients reach this one at. Default: the first non-loopback IPv4 address.</summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary>Listen on every interface rather than only the advertised address (containers). Default false.</summary>
    public bool ListenOnAnyAddress { get; set; }

    /// <summary>A readable silo name for logs and the job's processingNode. Default: host name and silo port.</summary>
    public string? Name { get; set; }

    public static SiloSettings Read(IConfiguration configuration)
    {
        var settings = configuration.GetSection(SectionName).Get<SiloSettings>() ?? new SiloSettings();
        if (settings.SiloPort is < 1 or > 65535 || settings.GatewayPort is < 1 or > 65535)
        {
            throw new InvalidOperationException("Silo:SiloPort and Silo:GatewayPort must be ports (1-65535).");
        }

        if (settings.AdvertisedAddress is { Length: > 0 } text && !IPAddress.TryParse(text, out _))
        {
            throw new InvalidOperationException($"Silo:AdvertisedAddress '{text}' is not an IP address.");
        }

        return settings;
    }

    public IPAddress ResolveAdvertisedAddress() =>
        AdvertisedAddress is { Length: > 0 } text
            ? IPAddress.Parse(text)
            : Dns.GetHostAddresses(Dns.GetHostName()).FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))
              ?? IPAddress.Loopback;
}
