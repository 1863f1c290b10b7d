using System.Net;
using System.Net.Sockets;

namespace Platform.Tests.Shared;

/// <summary>Free TCP ports on 127.0.0.1, for servers a test cannot ask to bind port 0.</summary>
internal static class LoopbackPort
{
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
