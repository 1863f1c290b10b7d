using Platform.Connectors.DurableLog;

namespace Platform.Host.Config.Sources;

/// <summary>MQTT (<c>type: mqtt</c>): subscribe, append to the durable log (QoS 1 acknowledged after the commit), pipeline reads the log.</summary>
/// <param name="Host">Broker host (<c>host</c>, required).</param>
/// <param name="Port">Broker port (<c>port</c>, default 1883).</param>
/// <param name="ClientId">Client id, stable across restarts for a persistent session (<c>client-id</c>).</param>
/// <param name="Topics">Topic filters (<c>topics</c>, e.g. [devices/+/telemetry]).</param>
/// <param name="Qos">0 or 1 (<c>qos</c>).</param>
/// <param name="CleanStart">Drop the broker-side session on start (<c>clean-start</c>, default false).</param>
/// <param name="SessionExpiry">How long the broker keeps our session (<c>session-expiry</c>).</param>
/// <param name="Username">User name (<c>username</c>).</param>
/// <param name="PasswordEnv">Environment variable holding the password (<c>password-env</c>).</param>
/// <param name="Tls">Connect with TLS (<c>tls</c>).</param>
/// <param name="MaxPacketSize">Largest packet accepted (<c>max-packet-size</c>).</param>
/// <param name="Log">Log folder as written (<c>log</c>, required).</param>
/// <param name="LogFullPath">Resolved against the working directory.</param>
/// <param name="Fsync">When appends reach the disk (<c>fsync</c>).</param>
/// <param name="FsyncInterval">Longest time between fsyncs under <c>fsync: interval</c> (<c>fsync-interval</c>).</param>
/// <param name="SegmentSize">Log segment size (<c>segment-size</c>).</param>
/// <param name="RetentionSize">Keep at most this many bytes of log (<c>retention-size</c>, 0 = no limit; never what the last checkpoint still needs).</param>
/// <param name="RetentionAge">Delete sealed segments older than this (<c>retention-age</c>, 0s = keep).</param>
/// <param name="ReceiveMaximum">QoS 1 messages in flight to us, unacknowledged (<c>receive-maximum</c>).</param>
/// <param name="TlsCaFile">PEM of the CA that signed the broker's certificate (<c>tls-ca-file</c>; unset = system roots).</param>
/// <param name="Rate">Unused.</param>
/// <param name="Format">Payload format (<c>format</c>: json, or avro turned into the same telemetry lines).</param>
/// <param name="SchemaRegistry">Avro: the Schema Registry URL for Confluent-framed payloads (<c>schema-registry</c>).</param>
/// <param name="WriterSchema">Avro: the .avsc file every unframed payload was written with (<c>writer-schema</c>), as written.</param>
/// <param name="WriterSchemaFullPath">Resolved against the config's folder.</param>
internal sealed record MqttSourceConfig(string Host, int Port, string ClientId, EquatableList<string> Topics, int Qos, bool CleanStart, TimeSpan SessionExpiry,
    string? Username, string? PasswordEnv, bool Tls, long MaxPacketSize, string Log, string LogFullPath, FsyncPolicy Fsync, TimeSpan FsyncInterval,
    long SegmentSize, long RetentionSize, TimeSpan RetentionAge, int ReceiveMaximum, string? TlsCaFile, double Rate,
    MqttPayloadFormat Format = MqttPayloadFormat.Json, string? SchemaRegistry = null, string? WriterSchema = null, string? WriterSchemaFullPath = null) : SourceConfig
{
    /// <summary>The YAML <c>type</c>.</summary>
    public const string TypeName = "mqtt";

    /// <inheritdoc/>
    public override string Type => TypeName;

    /// <inheritdoc/>
    public override double Rate { get; init; } = Rate;
}

/// <summary>What an MQTT payload is.</summary>
internal enum MqttPayloadFormat
{
    /// <summary>A JSON telemetry object (the device id may come from the topic).</summary>
    Json,

    /// <summary>Avro telemetry (<c>platform.iot.Telemetry</c>, any compatible version), Confluent-framed with a registry or unframed with a fixed writer schema.</summary>
    Avro,
}

/// <summary>Binds <c>source: { type: mqtt }</c>.</summary>
internal static class MqttSource
{
    /// <summary>The registry entry.</summary>
    public static SourceKind Kind { get; } = new(MqttSourceConfig.TypeName, Bind, Write);

    private static IEnumerable<KeyValuePair<string, string>> Write(SourceConfig config)
    {
        var m = (MqttSourceConfig)config;
        var pairs = new List<KeyValuePair<string, string>>
        {
            ConfigYaml.Pair("host", ConfigYaml.Text(m.Host)),
            ConfigYaml.Pair("port", ConfigYaml.Number(m.Port)),
            ConfigYaml.Pair("client-id", ConfigYaml.Text(m.ClientId)),
            ConfigYaml.Pair("topics", ConfigYaml.List(m.Topics)),
            ConfigYaml.Pair("qos", ConfigYaml.Number(m.Qos)),
            ConfigYaml.Pair("clean-start", m.CleanStart ? "true" : "false"),
            ConfigYaml.Pair("session-expiry", ConfigYaml.Duration(m.SessionExpiry)),
            ConfigYaml.Pair("tls", m.Tls ? "true" : "false"),
            ConfigYaml.Pair("max-packet-size", ConfigYaml.Size(m.MaxPacketSize)),
            ConfigYaml.Pair("log", ConfigYaml.Text(m.Log)),
            ConfigYaml.Pair("fsync", ConfigYaml.Enum(m.Fsync)),
            ConfigYaml.Pair("fsync-interval", ConfigYaml.Duration(m.FsyncInterval)),
            ConfigYaml.Pair("segment-size", ConfigYaml.Size(m.SegmentSize)),
            ConfigYaml.Pair("retention-size", ConfigYaml.Size(m.RetentionSize)),
            ConfigYaml.Pair("retention-age", ConfigYaml.Duration(m.RetentionAge)),
            ConfigYaml.Pair("receive-maximum", ConfigYaml.Number(m.ReceiveMaximum)),
            ConfigYaml.Pair("rate", ConfigYaml.Number(m.Rate)),
        };
        if (m.Format != MqttPayloadFormat.Json) pairs.Add(ConfigYaml.Pair("format", ConfigYaml.Enum(m.Format)));
        if (m.SchemaRegistry is not null) pairs.Add(ConfigYaml.Pair("schema-registry", ConfigYaml.Text(m.SchemaRegistry)));
        if (m.WriterSchema is not null) pairs.Add(ConfigYaml.Pair("writer-schema", ConfigYaml.Text(m.WriterSchema)));
        if (m.TlsCaFile is not null) pairs.Add(ConfigYaml.Pair("tls-ca-file", ConfigYaml.Text(m.TlsCaFile)));
        if (m.Username is not null) pairs.Add(ConfigYaml.Pair("username", ConfigYaml.Text(m.Username)));
        if (m.PasswordEnv is not null) pairs.Add(ConfigYaml.Pair("password-env", ConfigYaml.Text(m.PasswordEnv)));
        return pairs;
    }

    private static MqttSourceConfig? Bind(Binding.MappingReader reader)
    {
        var errors = reader.Context.Errors.Count;
        var host = reader.String("host", requiredExample: "127.0.0.1");
        var port = reader.Int32("port", 1883, 1, 65535);
        var clientId = reader.String("client-id") ?? "platform";
        var topics = reader.ScalarList("topics", "[devices/+/telemetry]")?.Select(t => t.Text).ToList() ?? ["devices/+/telemetry"];
        var qos = reader.Int32("qos", 1, 0, 1);
        var clean = Bool(reader, "clean-start", false);
        var expiry = reader.Duration("session-expiry", TimeSpan.FromHours(24), TimeSpan.Zero);
        var user = reader.String("username");
        var passwordEnv = reader.String("password-env");
        var tls = Bool(reader, "tls", false);
        var maxPacket = reader.Size("max-packet-size", Connectors.Mqtt.MqttSourceOptions.DefaultMaxPacketBytes, 128, 256L << 20);
        var log = reader.String("log", requiredExample: "mqtt-log");
        var fsync = reader.Enum("fsync", FsyncPolicy.Always);
        var interval = reader.Duration("fsync-interval", DurableLogOptions.DefaultFsyncInterval, TimeSpan.FromMilliseconds(1));
        var segment = reader.Size("segment-size", DurableLogOptions.DefaultSegmentBytes, 64 * 1024, 1L << 36);
        var retentionSize = reader.Size("retention-size", 0, 0, long.MaxValue);
        var retentionAge = reader.Duration("retention-age", TimeSpan.Zero, TimeSpan.Zero);
        var receiveMaximum = reader.Int32("receive-maximum", Connectors.Mqtt.MqttSourceOptions.DefaultReceiveMaximum, 1, 65535);
        var caFile = reader.String("tls-ca-file");
        if (caFile is not null && !tls) reader.Context.Error(reader.Get("tls-ca-file")!, "'tls-ca-file' needs 'tls: true'", "add 'tls: true'");
        if (passwordEnv is not null && user is null) reader.Context.Error(reader.Get("password-env")!, "'password-env' needs 'username'", "add 'username: ...'");
        var rate = reader.Double("rate", 0, 0);
        var (format, registry, writerSchema, writerSchemaPath) = BindPayloadFormat(reader);
        return reader.Context.Errors.Count == errors && host is not null && log is not null
            ? new MqttSourceConfig(host, port, clientId, new EquatableList<string>(topics), qos, clean, expiry, user, passwordEnv, tls, maxPacket, log,
                reader.Context.ResolveOutput(log), fsync, interval, segment, retentionSize, retentionAge, receiveMaximum,
                caFile is null ? null : reader.Context.ResolveOutput(caFile), rate, format, registry, writerSchema, writerSchemaPath)
            : null;
    }

    /// <summary><c>format</c> and, for Avro, exactly one of <c>schema-registry</c> (framed payloads) and <c>writer-schema</c> (unframed).</summary>
    private static (MqttPayloadFormat Format, string? Registry, string? WriterSchema, string? WriterSchemaPath) BindPayloadFormat(Binding.MappingReader reader)
    {
        var format = reader.Enum("format", MqttPayloadFormat.Json);
        var registry = reader.String("schema-registry");
        var writerSchema = reader.String("writer-schema");
        string? writerSchemaPath = null;
        if (format != MqttPayloadFormat.Avro)
        {
            foreach (var key in new[] { "schema-registry", "writer-schema" })
            {
                if (reader.Has(key)) reader.Context.Error(reader.Get(key)!, $"'{key}' is for Avro payloads", "add 'format: avro', or remove it");
            }
            return (format, null, null, null);
        }
        if ((registry is null) == (writerSchema is null))
        {
            reader.Context.Error(reader.Get("format")!, "'format: avro' needs exactly one of 'schema-registry' (Confluent-framed payloads) and 'writer-schema' (unframed payloads)",
                "add e.g. 'schema-registry: http://127.0.0.1:8081' or 'writer-schema: schemas/telemetry.avsc'");
        }
        if (registry is not null)
        {
            try
            {
                new Connectors.SchemaRegistry.SchemaRegistryOptions { Url = registry }.Validate();
            }
            catch (ArgumentException e)
            {
                reader.Context.Error(reader.Get("schema-registry")!, e.Message, "write e.g. 'schema-registry: http://127.0.0.1:8081'");
            }
        }
        if (writerSchema is not null)
        {
            writerSchemaPath = reader.Context.ResolveInput(writerSchema);
            var problem = WriterSchemaProblem(writerSchemaPath);
            if (problem is not null) reader.Context.Error(reader.Get("writer-schema")!, $"'writer-schema' {problem}", "point it at the .avsc file the devices write with");
        }
        return (format, registry, writerSchema, writerSchemaPath);
    }

    private static string? WriterSchemaProblem(string path)
    {
        if (!File.Exists(path)) return $"file '{path}' does not exist";
        try
        {
            Connectors.SchemaRegistry.FixedSchemaAvroDecoder.FromJson(File.ReadAllText(path), Connectors.SchemaRegistry.PlatformAvroSchemas.TelemetryReader);
            return null;
        }
        catch (ArgumentException e)
        {
            return $"'{path}': {e.Message}";
        }
    }

    private static bool Bool(Binding.MappingReader reader, string key, bool fallback)
    {
        var text = reader.String(key);
        if (text is null) return fallback;
        if (bool.TryParse(text, out var value)) return value;
        reader.Context.Error(reader.Get(key), $"'{key}' must be true or false, got '{text}'", $"write '{key}: {(fallback ? "true" : "false")}'");
        return fallback;
    }
}
