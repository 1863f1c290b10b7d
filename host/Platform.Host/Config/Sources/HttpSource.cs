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
/// <param name="Rate">Unused (<c>rate</c> is the clients').</param>
internal sealed record HttpSourceConfig(string Listen, int Port, string Log, string LogFullPath, FsyncPolicy Fsync, TimeSpan FsyncInterval,
    long SegmentSize, long RetentionSize, TimeSpan RetentionAge, EquatableList<string> WriteKeys, string? TwitchSecretEnv, double Rate) : SourceConfig
{
    /// <summary>The YAML <c>type</c>.</summary>
    public const string TypeName = "http";

    /// <inheritdoc/>
    public override string Type => TypeName;

    /// <inheritdoc/>
    public override double Rate { get; init; } = Rate;
}

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
            ConfigYaml.Pair("rate", ConfigYaml.Number(h.Rate)),
        };
        if (h.TwitchSecretEnv is not null) pairs.Add(ConfigYaml.Pair("twitch-secret-env", ConfigYaml.Text(h.TwitchSecretEnv)));
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
        var rate = reader.Double("rate", 0, 0);
        return reader.Context.Errors.Count == errors && log is not null
            ? new HttpSourceConfig(listen, port, log, reader.Context.ResolveOutput(log), fsync, interval, segment, retentionSize, retentionAge,
                new EquatableList<string>(keys), twitch, rate)
            : null;
    }
}
