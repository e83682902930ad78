using System.Net;
using System.Net.Sockets;

namespace Transcoder.Testing;

/// <summary>Loopback ports for servers a test starts: handed out by the system, so no connection holds them.</summary>
public static class FreePorts
{
    public static int Next()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
