using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MQTTnet;
using MQTTnet.Protocol;
using Platform.Connectors.DurableLog;
using Platform.Connectors.Mqtt;
using Platform.Ingest.Tests.DurableLog;
using Log = Platform.Connectors.DurableLog.DurableLog;

namespace Platform.Ingest.Tests.Mqtt;

/// <summary>
/// TLS and user name/password against a second mosquitto this test starts (same binary as
/// tests/services/mosquitto.sh): a TLS-only listener with a certificate from a CA made here, and
/// anonymous access off.
/// </summary>
[Collection(nameof(MosquittoCollection))]
public sealed class MqttTlsAuthTests
{
    private sealed class SecureBroker : IDisposable
    {
        private readonly Process _process;
        private readonly TempDir _dir;

        private SecureBroker(TempDir dir, int port, Process process)
        {
            _dir = dir;
            Port = port;
            _process = process;
        }

        public int Port { get; }

        public string Folder => _dir.Path;

        public static async Task<SecureBroker> StartAsync(string user, string password)
        {
            var bin = Environment.GetEnvironmentVariable("PLATFORM_TEST_MQTT_BIN")
                ?? throw new InvalidOperationException("PLATFORM_TEST_MQTT_BIN is not set: run the tests through tests/run.sh, which starts mosquitto (tests/services/mosquitto.sh).");
            var dir = new TempDir();
            WriteCertificates(dir.Path);
            using (var passwd = Process.Start(new ProcessStartInfo("mosquitto_passwd", ["-c", "-b", Path.Combine(dir.Path, "passwd"), user, password]) { RedirectStandardOutput = true, RedirectStandardError = true })!)
            {
                await passwd.WaitForExitAsync();
                if (passwd.ExitCode != 0) throw new InvalidOperationException("mosquitto_passwd failed: " + await passwd.StandardError.ReadToEndAsync());
            }
            var port = LoopbackPort.Free();
            File.WriteAllText(Path.Combine(dir.Path, "mosquitto.conf"), $"""
                listener {port} 127.0.0.1
                allow_anonymous false
                password_file {dir.Path}/passwd
                certfile {dir.Path}/server.pem
                keyfile {dir.Path}/server.key
                user {Environment.UserName}
                persistence false
                log_dest file {dir.Path}/mosquitto.log
                """);
            var process = Process.Start(new ProcessStartInfo(bin, ["-c", Path.Combine(dir.Path, "mosquitto.conf")]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var broker = new SecureBroker(dir, port, process);
            for (var i = 0; i < 300; i++)
            {
                if (process.HasExited) throw new InvalidOperationException("the TLS mosquitto exited: " + await process.StandardError.ReadToEndAsync() + File.ReadAllText(Path.Combine(dir.Path, "mosquitto.log")));
                try
                {
                    using var c = new TcpClient();
                    await c.ConnectAsync(IPAddress.Loopback, port);
                    return broker;
                }
                catch (SocketException)
                {
                    await Task.Delay(100);
                }
            }
            broker.Dispose();
            throw new TimeoutException("the TLS mosquitto did not listen within 30 s");
        }

        /// <summary>A CA, and a server certificate for localhost/127.0.0.1 signed by it (PEM files).</summary>
        private static void WriteCertificates(string dir)
        {
            using var caKey = RSA.Create(2048);
            var caRequest = new CertificateRequest("CN=Platform Test CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
            using var serverKey = RSA.Create(2048);
            var serverRequest = new CertificateRequest("CN=localhost", serverKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            var san = new SubjectAlternativeNameBuilder();
            san.AddDnsName("localhost");
            san.AddIpAddress(IPAddress.Loopback);
            serverRequest.CertificateExtensions.Add(san.Build());
            serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
            using var server = serverRequest.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(6), [1, 2, 3, 4, 5, 6, 7, 8]);
            File.WriteAllText(Path.Combine(dir, "ca.pem"), ca.ExportCertificatePem());
            File.WriteAllText(Path.Combine(dir, "server.pem"), server.ExportCertificatePem());
            File.WriteAllText(Path.Combine(dir, "server.key"), serverKey.ExportPkcs8PrivateKeyPem());
        }

        public void Dispose()
        {
            if (!_process.HasExited) _process.Kill();
            _process.WaitForExit();
            _process.Dispose();
            _dir.Dispose();
        }
    }

    [Fact]
    public async Task Tls_WithUserAndPassword_ConnectsAndStoresMessages()
    {
        var ct = TestContext.Current.CancellationToken;
        using var broker = await SecureBroker.StartAsync("platform", "s3cret-pass");
        var caFile = Path.Combine(broker.Folder, "ca.pem");
        using var dir = new TempDir();
        await using var log = Log.Open(new DurableLogOptions { Directory = dir.Path });
        await using var source = new MqttSource(new MqttSourceOptions
        {
            Host = "127.0.0.1", Port = broker.Port, ClientId = "tls-sub", Topics = ["devices/+/telemetry"], UseTls = true, TlsCaFile = caFile,
            TlsServerName = "localhost", Username = "platform", Password = "s3cret-pass",
        }, log);
        using var start = CancellationTokenSource.CreateLinkedTokenSource(ct);
        start.CancelAfter(TimeSpan.FromSeconds(60));
        await source.StartAsync(start.Token);

        var chain = new X509Certificate2Collection();
        chain.ImportFromPemFile(caFile);
        using var publisher = new MqttClientFactory().CreateMqttClient();
        await publisher.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", broker.Port).WithClientId("tls-pub")
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500).WithCredentials("platform", "s3cret-pass")
            .WithTlsOptions(o => o.UseTls().WithTargetHost("localhost").WithTrustChain(chain)).Build(), ct);
        await publisher.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("devices/d7/telemetry").WithPayload("{\"n\":7}")
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), ct);
        var clock = Stopwatch.StartNew();
        while (source.Acknowledged < 1 && clock.Elapsed < TimeSpan.FromSeconds(60)) await Task.Delay(20, ct);
        await using var reader = log.OpenReader(new DurableLogReaderOptions { Follow = false });
        using var chunk = (await reader.ReadAsync(ct))!;
        Assert.Equal("{\"deviceId\":\"d7\",\"n\":7}\n", Encoding.UTF8.GetString(chunk.Span));
    }

    [Fact]
    public async Task WrongPassword_OrUntrustedCertificate_NeverConnects_KeepsRetrying()
    {
        var ct = TestContext.Current.CancellationToken;
        using var broker = await SecureBroker.StartAsync("platform", "s3cret-pass");
        using var dir = new TempDir();
        await using var log = Log.Open(new DurableLogOptions { Directory = dir.Path });
        var options = new MqttSourceOptions
        {
            Host = "127.0.0.1", Port = broker.Port, ClientId = "tls-bad", UseTls = true, TlsCaFile = Path.Combine(broker.Folder, "ca.pem"), TlsServerName = "localhost",
            Username = "platform", Password = "wrong", ReconnectMinDelay = TimeSpan.FromMilliseconds(50), ReconnectMaxDelay = TimeSpan.FromMilliseconds(200),
        };
        foreach (var attempt in new[] { options, options with { Password = "s3cret-pass", TlsCaFile = null } })
        {
            await using var source = new MqttSource(attempt, log);
            using var start = CancellationTokenSource.CreateLinkedTokenSource(ct);
            start.CancelAfter(TimeSpan.FromSeconds(3));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => source.StartAsync(start.Token));
            Assert.Equal(0, source.Connects);
            Assert.False(source.IsConnected);
        }
    }
}
