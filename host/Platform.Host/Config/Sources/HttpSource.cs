using Platform.Connectors.DurableLog;

namespace Platform.Host.Config.Sources;

/// <summary>HTTP ingest (<c>type: http</c>): Segment API, /v1/telemetry, Twitch EventSub; the pipeline reads the telemetry log.</summary>
/// <param name="Listen">Address to bind (<c>listen</c>, default 127.0.0.1).</param>
/// <param name="Port">Port (<c>port</c>, required, 1..65535).</param>
/// <param name="Log">Log folder as written (<c>log</c>, required); <c>telemetry/</c> and <c>events/</c> go under it.</param>
/// <param name="LogFullPath">Resolved against the working directory.</param>
/// <param name="Fsync">When appends reach the disk (<c>fsync</c>: always, interval, never).</param>
/// <param name="FsyncInterval">Longest time between fsyncs under <c>fsync: interval</c> (<c>fsync-interval</c>).</param>
/// <param name="SegmentSize">Log segment size (<c>segment-size</c>).</param>
/// <param name="RetentionSize">Keep at most this many bytes of log (<c>retention-size</c>, 0 = no limit).</param>
/// <param name="RetentionAge">Delete sealed segments older than this (<c>retention-age</c>, 0s = keep).</param>
/// <param name="WriteKeys">Segment write keys accepted as HTTP Basic user (<c>write-keys</c>; empty = Segment endpoints off, telemetry open).</param>
/// <param name="TwitchSecretEnv">Name of the environment variable holding the Twitch EventSub secret (<c>twitch-secret-env</c>; unset = endpoint off).</param>
/// <param name="Webhooks">Generic HMAC-signed webhooks (<c>webhooks</c>: a list of <c>{ name, header, secret-env, prefix }</c>).</param>
/// <param name="Rate">Unused (<c>rate</c> is the clients').</param>
/// <param name="MaxLag">
/// Bytes of the telemetry log the pipeline may leave unread before requests get 503 with <c>Retry-After</c> (<c>max-lag</c>,
/// default 1 GiB; 0 = no bound, the log grows as far as the disk and retention allow).
/// </param>
internal sealed record HttpSourceConfig(string Listen, int Port, string Log, string LogFullPath, FsyncPolicy Fsync, TimeSpan FsyncInterval,
    long SegmentSize, long RetentionSize, TimeSpan RetentionAge, EquatableList<string> WriteKeys, string? TwitchSecretEnv,
    EquatableList<HttpWebhookConfig> Webhooks, double Rate, long MaxLag = HttpSourceConfig.DefaultMaxLag) : SourceConfig
{
    /// <summary>Default <see cref="MaxLag"/>: 1 GiB.</summary>
    public const long DefaultMaxLag = 1L << 30;

    /// <summary>The YAML <c>type</c>.</summary>
    public const string TypeName = "http";

    /// <inheritdoc/>
    public override string Type => TypeName;

    /// <inheritdoc/>
    public override double Rate { get; init; } = Rate;
}

/// <summary>
/// One generic signed webhook: <c>POST /v1/webhooks/{name}</c> whose <paramref name="Header"/> carries
/// <paramref name="Prefix"/> + hex(HMAC-SHA256(secret, raw body)). The secret is read from the
/// environment variable <paramref name="SecretEnv"/> (never written in the YAML).
/// </summary>
/// <param name="Name">Path segment and the stored events' <c>source</c> (<c>name</c>).</param>
/// <param name="Header">Signature header (<c>header</c>, e.g. X-Hub-Signature-256).</param>
/// <param name="SecretEnv">Environment variable holding the secret (<c>secret-env</c>).</param>
/// <param name="Prefix">Text before the hex digest (<c>prefix</c>, default <c>sha256=</c>; empty for bare hex).</param>
internal sealed record HttpWebhookConfig(string Name, string Header, string SecretEnv, string Prefix);

/// <summary>Binds <c>source: { type: http }</c>.</summary>
internal static class HttpSource
{
    /// <summary>The registry entry.</summary>
    public static SourceKind Kind { get; } = new(HttpSourceConfig.TypeName, Bind, Write);

    private static IEnumerable<KeyValuePair<string, string>> Write(SourceConfig config)
    {
        var h = (HttpSourceConfig)config;
        var pairs = new List<KeyValuePair<string, string>>
        {
            ConfigYaml.Pair("listen", ConfigYaml.Text(h.Listen)),
            ConfigYaml.Pair("port", ConfigYaml.Number(h.Port)),
            ConfigYaml.Pair("log", ConfigYaml.Text(h.Log)),
            ConfigYaml.Pair("fsync", ConfigYaml.Enum(h.Fsync)),
            ConfigYaml.Pair("fsync-interval", ConfigYaml.Duration(h.FsyncInterval)),
            ConfigYaml.Pair("segment-size", ConfigYaml.Size(h.SegmentSize)),
            ConfigYaml.Pair("retention-size", ConfigYaml.Size(h.RetentionSize)),
            ConfigYaml.Pair("retention-age", ConfigYaml.Duration(h.RetentionAge)),
            ConfigYaml.Pair("write-keys", ConfigYaml.List(h.WriteKeys)),
            ConfigYaml.Pair("max-lag", ConfigYaml.Size(h.MaxLag)),
            ConfigYaml.Pair("rate", ConfigYaml.Number(h.Rate)),
        };
        if (h.TwitchSecretEnv is not null) pairs.Add(ConfigYaml.Pair("twitch-secret-env", ConfigYaml.Text(h.TwitchSecretEnv)));
        if (h.Webhooks.Count > 0)
        {
            pairs.Add(ConfigYaml.Pair("webhooks", "[" + string.Join(", ", h.Webhooks.Select(w =>
                $"{{ name: {ConfigYaml.Text(w.Name)}, header: {ConfigYaml.Text(w.Header)}, secret-env: {ConfigYaml.Text(w.SecretEnv)}, prefix: {ConfigYaml.Text(w.Prefix)} }}")) + "]"));
        }
        return pairs;
    }

    private static HttpSourceConfig? Bind(Binding.MappingReader reader)
    {
        var errors = reader.Context.Errors.Count;
        var listen = reader.String("listen") ?? "127.0.0.1";
        if (!System.Net.IPAddress.TryParse(listen, out _)) reader.Context.Error(reader.Get("listen"), $"'listen' must be an IP address, got '{listen}'", "write e.g. 'listen: 127.0.0.1'");
        var port = reader.Int32("port", 0, 1, 65535);
        if (!reader.Has("port")) reader.Missing("port", "8088");
        var log = reader.String("log", requiredExample: "ingest-log");
        var fsync = reader.Enum("fsync", FsyncPolicy.Always);
        var interval = reader.Duration("fsync-interval", DurableLogOptions.DefaultFsyncInterval, TimeSpan.FromMilliseconds(1));
        var segment = reader.Size("segment-size", DurableLogOptions.DefaultSegmentBytes, 64 * 1024, 1L << 36);
        var retentionSize = reader.Size("retention-size", 0, 0, long.MaxValue);
        var retentionAge = reader.Duration("retention-age", TimeSpan.Zero, TimeSpan.Zero);
        var keys = reader.ScalarList("write-keys", "[wk_abc]")?.Select(k => k.Text).ToList() ?? [];
        var twitch = reader.String("twitch-secret-env");
        var webhooks = BindWebhooks(reader);
        var rate = reader.Double("rate", 0, 0);
        var maxLag = reader.Size("max-lag", HttpSourceConfig.DefaultMaxLag, 0, long.MaxValue);
        return reader.Context.Errors.Count == errors && log is not null
            ? new HttpSourceConfig(listen, port, log, reader.Context.ResolveOutput(log), fsync, interval, segment, retentionSize, retentionAge,
                new EquatableList<string>(keys), twitch, new EquatableList<HttpWebhookConfig>(webhooks), rate, maxLag)
            : null;
    }

    private const string WebhookExample = "[{ name: github, header: X-Hub-Signature-256, secret-env: GITHUB_WEBHOOK_SECRET }]";

    private static List<HttpWebhookConfig> BindWebhooks(Binding.MappingReader reader)
    {
        var list = new List<HttpWebhookConfig>();
        if (reader.Sequence("webhooks", example: WebhookExample) is not { } sequence) return list;
        foreach (var item in sequence.Children)
        {
            if (item is not YamlDotNet.RepresentationModel.YamlMappingNode mapping)
            {
                reader.Context.Error(item, $"a webhook must be a mapping, got {Binding.MappingReader.Describe(item)}", $"write e.g. 'webhooks: {WebhookExample}'");
                continue;
            }
            var hook = new Binding.MappingReader(mapping, "a webhook", reader.Context);
            var name = hook.String("name", requiredExample: "github");
            var header = hook.String("header", requiredExample: "X-Hub-Signature-256");
            var secretEnv = hook.String("secret-env", requiredExample: "GITHUB_WEBHOOK_SECRET");
            // Read raw: an empty prefix (bare hex digest) is meaningful here, and String() refuses empty values.
            var prefix = hook.Get("prefix") is YamlDotNet.RepresentationModel.YamlScalarNode { Value: { } p } ? p : "sha256=";
            hook.ReportUnknownKeys();
            if (name is null || header is null || secretEnv is null) continue;
            if (name.Length == 0 || name.Contains('/', StringComparison.Ordinal) || name == "twitch" || list.Any(w => w.Name == name))
            {
                reader.Context.Error(hook.Get("name")!, $"webhook name '{name}' must be a unique path segment other than 'twitch'", "write e.g. 'name: github'");
                continue;
            }
            list.Add(new HttpWebhookConfig(name, header, secretEnv, prefix));
        }
        return list;
    }
}
