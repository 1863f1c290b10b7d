using System.Net;
using Platform.Connectors.DurableLog;
using Platform.Connectors.Ingest;
using Platform.Connectors.SchemaRegistry;
using Platform.Engine.Contracts;
using Platform.Engine.DeadLetters;
using Platform.Engine.Symbols;
using Platform.Formats;
using Platform.Host.Config.Sources;

namespace Platform.Host.Ingest;

/// <summary>
/// Builds the daemon's log-backed sources: HTTP ingest (its own Kestrel listener, separate from
/// the loopback health/metrics server) and MQTT. Each writes to durable logs under its <c>log</c>
/// folder; the pipeline reads the telemetry log. The servers start on the first read, so a
/// pipeline that fails to build never opens a port.
/// </summary>
internal static class IngestSources
{
    public static IChunkSource CreateHttp(HttpSourceConfig config, int chunkBytes)
    {
        var telemetry = DurableLog.Open(LogOptions(Path.Combine(config.LogFullPath, "telemetry"), "http-telemetry", config.Fsync, config.FsyncInterval, config.SegmentSize, config.RetentionSize, config.RetentionAge));
        var events = DurableLog.Open(LogOptions(Path.Combine(config.LogFullPath, "events"), "http-events", config.Fsync, config.FsyncInterval, config.SegmentSize, config.RetentionSize, config.RetentionAge));
        var twitch = config.TwitchSecretEnv is { } env ? Secret(env, "Twitch EventSub") : null;
        var reader = telemetry.OpenReader(new DurableLogReaderOptions { ChunkBytes = chunkBytes, Name = "http" });
        var maxLag = config.MaxLag;
        var server = new IngestServer(new IngestOptions
        {
            // The pipeline reads the telemetry log: once it is this far behind, new requests wait (503) instead of piling up.
            IsOverloaded = maxLag > 0 ? () => reader.LagBytes > maxLag : null,
            Address = IPAddress.Parse(config.Listen),
            Port = config.Port,
            WriteKeys = config.WriteKeys,
            TwitchSecret = twitch,
            Webhooks = [.. config.Webhooks.Select(w => new WebhookOptions(w.Name, w.Header, Secret(w.SecretEnv, $"webhook '{w.Name}'"), w.Prefix))],
        }, events, telemetry, new TelemetryNdjsonParser(new SymbolTable()));
        return new LogBackedSource<DurableLogReader>(reader, new LogCheckpointRetention(telemetry, "http-telemetry"), async ct =>
        {
            await server.StartAsync(ct);
            await Console.Error.WriteLineAsync($"ingest: listening on {server.Address} (fsync {config.Fsync}, max lag {(maxLag > 0 ? $"{maxLag} B" : "unbounded")}); telemetry log {telemetry.Recovery}; events log {events.Recovery}");
        }, [server, reader, events, telemetry]);
    }

    public static IChunkSource CreateMqtt(MqttSourceConfig config, int chunkBytes, IDeadLetterSink? deadLetters = null)
    {
        var (transcoder, registry) = PayloadTranscoder(config);
        var log = DurableLog.Open(LogOptions(config.LogFullPath, "mqtt", config.Fsync, config.FsyncInterval, config.SegmentSize, config.RetentionSize, config.RetentionAge));
        var source = new Connectors.Mqtt.MqttSource(new Connectors.Mqtt.MqttSourceOptions
        {
            Host = config.Host,
            Port = config.Port,
            ClientId = config.ClientId,
            Topics = config.Topics,
            Qos = config.Qos,
            CleanStart = config.CleanStart,
            SessionExpiry = config.SessionExpiry,
            Username = config.Username,
            Password = config.PasswordEnv is { } env ? Secret(env, $"mqtt user '{config.Username}'") : null,
            UseTls = config.Tls,
            TlsCaFile = config.TlsCaFile,
            ReceiveMaximum = config.ReceiveMaximum,
            MaxPacketBytes = (int)config.MaxPacketSize,
        }, log, new DurableLogReaderOptions { ChunkBytes = chunkBytes }, deadLetters, transcoder);
        return new LogBackedSource<Connectors.Mqtt.MqttSource>(source, new LogCheckpointRetention(log, "mqtt"), async ct =>
        {
            await source.StartAsync(ct);
            await Console.Error.WriteLineAsync($"mqtt: connected to {config.Host}:{config.Port} as {config.ClientId} ({config.Format} payloads); log {log.Recovery}");
        }, [source, log, new Disposing(() => { transcoder?.Dispose(); registry?.Dispose(); })]);
    }

    /// <summary>For <c>format: avro</c>, the transcoder into telemetry lines (and the registry client it uses, if any).</summary>
    private static (AvroTelemetryNdjsonTranscoder? Transcoder, IDisposable? Registry) PayloadTranscoder(MqttSourceConfig config)
    {
        if (config.Format != MqttPayloadFormat.Avro) return (null, null);
        if (config.WriterSchemaFullPath is { } path)
        {
            return (new AvroTelemetryNdjsonTranscoder(FixedSchemaAvroDecoder.FromJson(File.ReadAllText(path), PlatformAvroSchemas.TelemetryReader)), null);
        }
        var client = new SchemaRegistryOptions { Url = config.SchemaRegistry! }.CreateClient();
        return (new AvroTelemetryNdjsonTranscoder(new AvroValueDecoder(client, PlatformAvroSchemas.TelemetryReader)), client);
    }

    private sealed class Disposing(Action dispose) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            dispose();
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>A secret from the environment; a configured endpoint without its secret is a startup error, not an open door.</summary>
    private static string Secret(string env, string what) =>
        Environment.GetEnvironmentVariable(env) is { Length: > 0 } secret
            ? secret
            : throw new InvalidOperationException($"{what}: the environment variable '{env}' holding its secret is not set");

    private static DurableLogOptions LogOptions(string dir, string name, FsyncPolicy fsync, TimeSpan interval, long segment, long retentionSize, TimeSpan retentionAge) => new()
    {
        Directory = dir,
        Name = name,
        Fsync = fsync,
        FsyncInterval = interval,
        SegmentBytes = segment,
        RetentionBytes = retentionSize,
        RetentionAge = retentionAge,
    };

    /// <summary>
    /// The checkpoint participants of a log-backed source (none for other sources). Asking for them puts
    /// the log's retention under checkpoint control: call it only when checkpoints are on.
    /// </summary>
    public static IEnumerable<ICheckpointParticipant> CheckpointParticipants(IChunkSource source) =>
        source is ILogBackedSource logBacked ? [logBacked.Retention.Enable()] : [];

    private interface ILogBackedSource
    {
        LogCheckpointRetention Retention { get; }
    }

    /// <summary>A source read from a durable log, with the ingest component that fills it started on the first read.</summary>
    /// <remarks>Waitable (the log's tail), so an idle ingest source still checkpoints on time.</remarks>
    private sealed class LogBackedSource<TReader>(TReader inner, LogCheckpointRetention retention, Func<CancellationToken, Task> start, IAsyncDisposable[] owned)
        : IChunkSource, ICheckpointableSource, IWaitableSource, ILogBackedSource
        where TReader : IChunkSource, ICheckpointableSource, IWaitableSource
    {
        public LogCheckpointRetention Retention => retention;

        private Task? _started;

        public string Name => inner.Name;

        public int Partitions => inner.Partitions;

        public async ValueTask<Chunk?> ReadAsync(CancellationToken cancellationToken)
        {
            await (_started ??= start(cancellationToken));
            return await inner.ReadAsync(cancellationToken);
        }

        public async ValueTask WaitToReadAsync(CancellationToken cancellationToken)
        {
            await (_started ??= start(cancellationToken));
            await inner.WaitToReadAsync(cancellationToken);
        }

        public long PositionOf(int partition) => inner.PositionOf(partition);

        /// <summary>The log reader's (segment, offset), 12 bytes.</summary>
        public byte[] SavePosition(int partition)
        {
            var position = inner.SavePosition(partition);
            retention.Begun(position);
            return position;
        }

        /// <summary>Resumes the log reader where the checkpoint left it.</summary>
        public void Seek(IReadOnlyList<byte[]> positions) => inner.Seek(positions);

        public async ValueTask DisposeAsync()
        {
            foreach (var d in owned) await d.DisposeAsync();
        }
    }
}
