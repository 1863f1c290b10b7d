using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Platform.Ingest.Tests.DurableLog;

namespace Platform.Ingest.Tests.Daemon;

/// <summary>Hostile clients against the daemon, bounded and on loopback only.</summary>
public sealed class DaemonAbuseTests(ITestOutputHelper output)
{
    private static long RssBytes(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) * 1024;
            }
        }
        return 0;
    }

    [Fact]
    public async Task SlowHeadersAndGzipBomb_MemoryGrowthUnder100MB_AndLegitRequestsServed()
    {
        var ct = TestContext.Current.CancellationToken;
        using var dir = new TempDir();
        var port = LoopbackPort.Free();
        using var daemon = new PlatformDaemon(DaemonKillTests.WriteYaml(dir, port));
        await daemon.WaitListeningAsync();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(10) };
        async Task<HttpStatusCode> LegitAsync(int id)
        {
            using var r = await http.PostAsync("v1/telemetry", new StringContent(DaemonKillTests.Line(id), Encoding.UTF8, "application/x-ndjson"), ct);
            return r.StatusCode;
        }
        for (var i = 0; i < 20; i++) Assert.Equal(HttpStatusCode.OK, await LegitAsync(i)); // warm up
        var before = RssBytes(daemon.Process.Id);

        // 1,000 connections that send half a request line and headers, then stall.
        var slow = new List<Socket>();
        try
        {
            for (var i = 0; i < 1000; i++)
            {
                var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await s.ConnectAsync(IPAddress.Loopback, port, ct);
                await s.SendAsync("POST /v1/telemetry HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "u8.ToArray(), ct);
                slow.Add(s);
            }
            var served = 0;
            for (var i = 0; i < 50; i++) served += await LegitAsync(1000 + i) == HttpStatusCode.OK ? 1 : 0;

            // Gzip bombs: ~250 KB that would inflate to 256 MiB.
            var bomb = new MemoryStream();
            using (var gz = new GZipStream(bomb, CompressionLevel.SmallestSize, leaveOpen: true))
            {
                var zeros = new byte[1 << 20];
                for (var i = 0; i < 256; i++) gz.Write(zeros);
            }
            var bombs = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
            {
                using var content = new ByteArrayContent(bomb.ToArray());
                content.Headers.ContentType = new("application/x-ndjson");
                content.Headers.ContentEncoding.Add("gzip");
                using var r = await http.PostAsync("v1/telemetry", content, ct);
                return r.StatusCode;
            }));
            for (var i = 0; i < 50; i++) served += await LegitAsync(2000 + i) == HttpStatusCode.OK ? 1 : 0;
            var after = RssBytes(daemon.Process.Id);
            var growth = (after - before) / (1024.0 * 1024.0);
            output.WriteLine(FormattableString.Invariant($"1000 slow-header connections + 8 gzip bombs (256 MiB inflated each): daemon RSS {before / 1048576.0:F1} → {after / 1048576.0:F1} MiB (growth {growth:F1} MiB); legit requests served {served}/100; bomb statuses {string.Join(",", bombs.Select(b => (int)b))}"));
            Assert.All(bombs, b => Assert.Equal(HttpStatusCode.RequestEntityTooLarge, b));
            Assert.Equal(100, served);
            Assert.True(growth < 100, $"memory grew {growth:F1} MiB");
        }
        finally
        {
            foreach (var s in slow) s.Dispose();
        }
    }
}
