using System.Net;
using System.Text;
using Platform.Connectors.Ingest;
using Platform.Ingest.Tests.DurableLog;

namespace Platform.Ingest.Tests.Daemon;

/// <summary>Webhook secrets configured in the pipeline YAML (by environment variable name) reach the daemon's endpoints.</summary>
public sealed class DaemonWebhookConfigTests
{
    private const string GitHubSecretEnv = "PLATFORM_TEST_GITHUB_SECRET";
    private const string TwitchSecretEnv = "PLATFORM_TEST_TWITCH_SECRET";

    private static string WriteYaml(TempDir dir, int port)
    {
        var path = Path.Combine(dir.Path, "pipeline.yaml");
        File.WriteAllText(path, $"""
            name: ingest-webhooks
            source:
              type: http
              port: {port}
              log: {Path.Combine(dir.Path, "log")}
              twitch-secret-env: {TwitchSecretEnv}
              webhooks:
                - name: github
                  header: X-Hub-Signature-256
                  secret-env: {GitHubSecretEnv}
                - {"{"} name: shop, header: X-Shop-Hmac, secret-env: {GitHubSecretEnv}, prefix: "" {"}"}
            {YamlSteps.CountPerSensorToNull()}
            http:
              port: 0
            """);
        return path;
    }

    [Fact]
    public async Task WebhooksFromYaml_SignedAccepted_UnsignedRejected_TwitchChallengeAnswered()
    {
        var ct = TestContext.Current.CancellationToken;
        using var dir = new TempDir();
        var port = LoopbackPort.Free();
        var env = new Dictionary<string, string> { [GitHubSecretEnv] = "gh-secret-1", [TwitchSecretEnv] = "twitch-secret-1" };
        using var daemon = new PlatformDaemon(WriteYaml(dir, port), env);
        await daemon.WaitListeningAsync();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(30) };
        const string body = """{"action":"opened","number":7}""";
        HttpRequestMessage Post(string path, string header, string signature)
        {
            var r = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            r.Headers.Add(header, signature);
            return r;
        }
        using (var ok = await http.SendAsync(Post("v1/webhooks/github", "X-Hub-Signature-256", Signatures.Sign("gh-secret-1", "", Encoding.UTF8.GetBytes(body))), ct))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }
        using (var bare = await http.SendAsync(Post("v1/webhooks/shop", "X-Shop-Hmac", Signatures.Sign("gh-secret-1", "", Encoding.UTF8.GetBytes(body), prefix: "")), ct))
        {
            Assert.Equal(HttpStatusCode.OK, bare.StatusCode);
        }
        using (var wrongSecret = await http.SendAsync(Post("v1/webhooks/github", "X-Hub-Signature-256", Signatures.Sign("other", "", Encoding.UTF8.GetBytes(body))), ct))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrongSecret.StatusCode);
            Assert.Contains("X-Hub-Signature-256", await wrongSecret.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        }

        var id = Guid.NewGuid().ToString();
        var ts = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);
        const string challenge = """{"challenge":"pogchamp-kappa-360noscope","subscription":{"type":"channel.follow"}}""";
        using var verify = new HttpRequestMessage(HttpMethod.Post, "v1/webhooks/twitch") { Content = new StringContent(challenge, Encoding.UTF8, "application/json") };
        verify.Headers.Add("Twitch-Eventsub-Message-Id", id);
        verify.Headers.Add("Twitch-Eventsub-Message-Timestamp", ts);
        verify.Headers.Add("Twitch-Eventsub-Message-Type", "webhook_callback_verification");
        verify.Headers.Add("Twitch-Eventsub-Message-Signature", Signatures.Sign("twitch-secret-1", id + ts, Encoding.UTF8.GetBytes(challenge)));
        using var answered = await http.SendAsync(verify, ct);
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        Assert.Equal("pogchamp-kappa-360noscope", await answered.Content.ReadAsStringAsync(ct));
    }

    [Fact]
    public async Task WebhookSecretEnvUnset_DaemonRefusesToStart_NamingTheVariable()
    {
        using var dir = new TempDir();
        using var daemon = new PlatformDaemon(WriteYaml(dir, LoopbackPort.Free()), new Dictionary<string, string> { [TwitchSecretEnv] = "t" });
        await daemon.Process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        Assert.NotEqual(0, daemon.Process.ExitCode);
        daemon.Process.WaitForExit(); // drains the redirected output
        Assert.Contains(GitHubSecretEnv, daemon.Stdout + daemon.Stderr, StringComparison.Ordinal);
    }
}
