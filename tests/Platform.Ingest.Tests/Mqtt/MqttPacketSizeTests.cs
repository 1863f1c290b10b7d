using System.Net;
using System.Net.Sockets;
using System.Text;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Protocol;
using Platform.Connectors.DurableLog;
using Platform.Connectors.Mqtt;
using Platform.Ingest.Tests.DurableLog;
using Log = Platform.Connectors.DurableLog.DurableLog;

namespace Platform.Ingest.Tests.Mqtt;

/// <summary>MQTT maximum packet size: refused from the fixed header, before anything is allocated for the packet.</summary>
[Collection(nameof(MosquittoCollection))]
public sealed class MqttPacketSizeTests(ITestOutputHelper output)
{
    [Fact]
    public void Guard_FollowsFramingAcrossReads_AndRefusesAnOversizedHeader()
    {
        var guard = new MqttPacketSizeGuard(null!, maxPacketBytes: 1000);
        // PUBLISH with a 200-byte body, then PINGRESP (no body), fed one byte at a time and in pieces.
        byte[] publish = [0x30, 0xC8, 0x01, .. new byte[200]];
        byte[] pingResp = [0xD0, 0x00];
        foreach (var b in publish) guard.Follow([b]);
        guard.Follow(pingResp);
        guard.Follow(publish.AsSpan(0, 2));
        guard.Follow(publish.AsSpan(2));
        // Remaining length 1,000 (0xE8 0x07): with the 3 header bytes the packet is 1,003 > 1,000.
        var e = Assert.Throws<MqttCommunicationException>(() => guard.Follow([0x30, 0xE8, 0x07]));
        Assert.Contains("1003-byte packet", e.Message, StringComparison.Ordinal);
        // A fifth length byte is malformed.
        var malformed = new MqttPacketSizeGuard(null!, maxPacketBytes: int.MaxValue);
        Assert.Throws<MqttProtocolViolationException>(() => malformed.Follow([0x30, 0xFF, 0xFF, 0xFF, 0xFF]));
    }

    [Fact]
    public async Task HostileBroker_Announcing256MiB_ConnectionDroppedBeforeAllocating()
    {
        var ct = TestContext.Current.CancellationToken;
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var sessions = 0;
        var broker = Task.Run(async () =>
        {
            while (!ct.IsCancellationRequested)
            {
                using var socket = await listener.AcceptTcpClientAsync(ct);
                Interlocked.Increment(ref sessions);
                var stream = socket.GetStream();
                var buffer = new byte[4096];
                _ = await stream.ReadAsync(buffer, ct); // CONNECT
                await stream.WriteAsync(new byte[] { 0x20, 0x03, 0x00, 0x00, 0x00 }, ct); // CONNACK v5: success, no properties
                _ = await stream.ReadAsync(buffer, ct); // SUBSCRIBE
                var packetId = buffer.AsSpan(2, 2).ToArray();
                await stream.WriteAsync(new byte[] { 0x90, 0x04, packetId[0], packetId[1], 0x00, 0x01 }, ct); // SUBACK: granted QoS 1
                // A PUBLISH announcing 268,435,455 bytes (the largest remaining length), then nothing.
                await stream.WriteAsync(new byte[] { 0x32, 0xFF, 0xFF, 0xFF, 0x7F }, ct);
                try
                {
                    while (await stream.ReadAsync(buffer, ct) > 0)
                    {
                    }
                }
                catch (IOException)
                {
                }
            }
        }, ct);
        using var dir = new TempDir();
        await using var log = Log.Open(new DurableLogOptions { Directory = dir.Path });
        var refusedBefore = Interlocked.Read(ref MqttPacketSizeGuard.Refused);
        GC.Collect();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        await using (var source = new MqttSource(new MqttSourceOptions
        {
            Host = "127.0.0.1", Port = port, ClientId = "guard-test", MaxPacketBytes = 64 * 1024,
            ReconnectMinDelay = TimeSpan.FromMilliseconds(50), ReconnectMaxDelay = TimeSpan.FromMilliseconds(200),
        }, log))
        {
            await source.StartAsync(ct);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while ((Volatile.Read(ref sessions) < 3 || Interlocked.Read(ref MqttPacketSizeGuard.Refused) - refusedBefore < 2) && clock.Elapsed < TimeSpan.FromSeconds(60))
            {
                await Task.Delay(20, ct);
            }
            Assert.Equal(0, source.Received);
        }
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        listener.Stop();
        output.WriteLine($"connections {sessions}, oversized packets refused {Interlocked.Read(ref MqttPacketSizeGuard.Refused) - refusedBefore}, allocated meanwhile {allocated / 1024.0 / 1024:F1} MiB");
        Assert.True(sessions >= 3, "the source reconnected after each refusal");
        Assert.True(Interlocked.Read(ref MqttPacketSizeGuard.Refused) - refusedBefore >= 2);
        Assert.True(allocated < 64L << 20, $"allocated {allocated} bytes: the 256 MiB body was never allocated");
        Assert.Equal(0, log.RecordsAppended);
    }

    [Fact]
    public async Task Mosquitto_HonoursOurMaximumPacketSize_OversizedNeverDelivered_NextMessageIs()
    {
        var ct = TestContext.Current.CancellationToken;
        using var dir = new TempDir();
        await using var log = Log.Open(new DurableLogOptions { Directory = dir.Path });
        var clientId = "platform-" + Guid.NewGuid().ToString("N");
        await using var source = new MqttSource(new MqttSourceOptions
        {
            Host = "127.0.0.1", Port = MosquittoBroker.Port, ClientId = clientId, Topics = [$"{clientId}/+/telemetry"], MaxPacketBytes = 4096,
        }, log);
        await source.StartAsync(ct);
        using var publisher = new MqttClientFactory().CreateMqttClient();
        await publisher.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", MosquittoBroker.Port).WithClientId(clientId + "-pub")
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500).Build(), ct);
        var big = "{\"padding\":\"" + new string('x', 64 * 1024) + "\"}";
        await publisher.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"{clientId}/dev1/telemetry").WithPayload(big)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), ct);
        await publisher.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"{clientId}/dev1/telemetry").WithPayload("{\"n\":1}")
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), ct);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (source.Acknowledged < 1 && clock.Elapsed < TimeSpan.FromSeconds(60)) await Task.Delay(20, ct);
        await Task.Delay(200, ct);
        Assert.Equal(1, source.Received); // the broker dropped the 64 KiB message for us (MQTT 5 Maximum Packet Size)
        Assert.Equal(1, source.Acknowledged);
        await using var reader = log.OpenReader(new DurableLogReaderOptions { Follow = false });
        using var chunk = (await reader.ReadAsync(ct))!;
        Assert.Equal("{\"deviceId\":\"dev1\",\"n\":1}\n", Encoding.UTF8.GetString(chunk.Span));
    }
}
