using System.Net;
using System.Net.Sockets;

namespace Transcoder.Media.Ingest;

/// <summary>
/// Which IP addresses a fetch may connect to: public unicast only. Loopback, private, shared, link-local
/// (cloud metadata lives there), unique-local, multicast, reserved and unspecified addresses are refused,
/// as are IPv6 forms that embed one of those IPv4 addresses.
/// </summary>
public static class AddressPolicy
{
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return IsPublicV4(address.MapToIPv4());
        }

        return address.AddressFamily switch
        {
            AddressFamily.InterNetwork => IsPublicV4(address),
            AddressFamily.InterNetworkV6 => IsPublicV6(address),
            _ => false,
        };
    }

    private static bool IsPublicV4(IPAddress address)
    {
        Span<byte> b = stackalloc byte[4];
        address.TryWriteBytes(b, out _);
        return !(b[0] == 0                                   // 0.0.0.0/8 "this network"
            || b[0] == 10                                    // 10/8 private
            || (b[0] == 100 && (b[1] & 0xC0) == 64)          // 100.64/10 shared (CGNAT)
            || b[0] == 127                                   // loopback
            || (b[0] == 169 && b[1] == 254)                  // link-local, cloud metadata
            || (b[0] == 172 && (b[1] & 0xF0) == 16)          // 172.16/12 private
            || (b[0] == 192 && b[1] == 0 && b[2] == 0)       // 192.0.0/24 protocol assignments
            || (b[0] == 192 && b[1] == 0 && b[2] == 2)       // TEST-NET-1
            || (b[0] == 192 && b[1] == 168)                  // 192.168/16 private
            || (b[0] == 198 && (b[1] & 0xFE) == 18)          // 198.18/15 benchmarking
            || (b[0] == 198 && b[1] == 51 && b[2] == 100)    // TEST-NET-2
            || (b[0] == 203 && b[1] == 0 && b[2] == 113)     // TEST-NET-3
            || b[0] >= 224);                                 // multicast, reserved, broadcast
    }

    private static bool IsPublicV6(IPAddress address)
    {
        if (address.Equals(IPAddress.IPv6None) || address.Equals(IPAddress.IPv6Loopback)
            || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast)
        {
            return false;
        }

        Span<byte> b = stackalloc byte[16];
        address.TryWriteBytes(b, out _);
        if ((b[0] & 0xFE) == 0xFC)
        {
            return false; // fc00::/7 unique-local, including fd00:ec2::254
        }

        if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8)
        {
            return false; // 2001:db8::/32 documentation
        }

        var embedsV4 = b[..10].IndexOfAnyExcept((byte)0) < 0 && b[10] == 0 && b[11] == 0;  // ::a.b.c.d (deprecated compatible form)
        var nat64 = b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B;         // 64:ff9b::/96
        if (embedsV4 || nat64)
        {
            return IsPublicV4(new IPAddress(b[12..]));
        }

        // 2002::/16 (6to4) carries an IPv4 address in bytes 2..5.
        if (b[0] == 0x20 && b[1] == 0x02)
        {
            return IsPublicV4(new IPAddress(b[2..6]));
        }

        return true;
    }
}
