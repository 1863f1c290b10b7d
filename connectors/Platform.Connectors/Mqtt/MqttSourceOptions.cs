namespace Platform.Connectors.Mqtt;

/// <summary>Settings of an <see cref="MqttSource"/>. Immutable; <see cref="Validate"/> checks them.</summary>
public sealed record MqttSourceOptions
{
    /// <summary>Default largest MQTT packet accepted: 256 KiB.</summary>
    public const int DefaultMaxPacketBytes = 256 * 1024;

    /// <summary>Broker host name or address. Required.</summary>
    public required string Host { get; init; }

    /// <summary>Broker port (1883, or 8883 with TLS).</summary>
    public int Port { get; init; } = 1883;

    /// <summary>Client id; a persistent session is keyed by it, so keep it stable across restarts.</summary>
    public string ClientId { get; init; } = "platform";

    /// <summary>Topic filters to subscribe to (e.g. <c>devices/+/telemetry</c>).</summary>
    public IReadOnlyList<string> Topics { get; init; } = ["devices/+/telemetry"];

    /// <summary>Subscription QoS: 0 (at most once) or 1 (at least once: PUBACK only after the durable log has the message).</summary>
    public int Qos { get; init; } = 1;

    /// <summary>
    /// Start with a clean session (drop what the broker kept for this client id); false resumes a persistent
    /// session. Either way the session we keep is opened with Clean Start = 0 (a clean start is a separate
    /// connect-and-disconnect first), so brokers that persist only such sessions keep it across their restarts.
    /// </summary>
    public bool CleanStart { get; init; }

    /// <summary>How long the broker keeps the session (and queued QoS 1 messages) while we are away.</summary>
    public TimeSpan SessionExpiry { get; init; } = TimeSpan.FromDays(1);

    /// <summary>Which topic level holds the device id (0-based); -1 = the first <c>+</c> of the first filter; null = never from the topic.</summary>
    public int? DeviceIdTopicLevel { get; init; } = -1;

    /// <summary>User name (optional).</summary>
    public string? Username { get; init; }

    /// <summary>Password (optional; read it from a secret store, not the YAML).</summary>
    public string? Password { get; init; }

    /// <summary>Connect with TLS.</summary>
    public bool UseTls { get; init; }

    /// <summary>PEM file of the CA that signed the broker's certificate (TLS; null = the system's trusted roots).</summary>
    public string? TlsCaFile { get; init; }

    /// <summary>The name expected in the broker's certificate (TLS; null = <see cref="Host"/>).</summary>
    public string? TlsServerName { get; init; }

    /// <summary>Largest packet the broker may send us (told to the broker as MQTT 5 Maximum Packet Size; bigger payloads are refused before being copied).</summary>
    public int MaxPacketBytes { get; init; } = DefaultMaxPacketBytes;

    /// <summary>Default <see cref="ReceiveMaximum"/>.</summary>
    public const int DefaultReceiveMaximum = 10_000;

    /// <summary>
    /// QoS 1 messages the broker may have sent us and not yet had acknowledged (MQTT 5 Receive Maximum).
    /// A message is acknowledged after the group commit that stores it, so this bounds the messages per
    /// fsync: throughput ≤ ReceiveMaximum / fsync latency.
    /// </summary>
    public int ReceiveMaximum { get; init; } = DefaultReceiveMaximum;

    /// <summary>First reconnect delay; doubles up to <see cref="ReconnectMaxDelay"/>, with jitter.</summary>
    public TimeSpan ReconnectMinDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest reconnect delay.</summary>
    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Keep-alive period.</summary>
    public TimeSpan KeepAlive { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The source name (for metrics and dead letters).</summary>
    public string Name { get; init; } = "mqtt";

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Host)) throw new ArgumentException("MqttSourceOptions.Host is required.");
        ArgumentOutOfRangeException.ThrowIfLessThan(Port, 1, nameof(Port));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Port, 65535, nameof(Port));
        if (Topics.Count == 0 || Topics.Any(string.IsNullOrWhiteSpace)) throw new ArgumentException("MqttSourceOptions.Topics needs at least one non-empty filter.");
        if (Qos is not (0 or 1)) throw new ArgumentException("MqttSourceOptions.Qos must be 0 or 1.");
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPacketBytes, 128, nameof(MaxPacketBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(ReceiveMaximum, 1, nameof(ReceiveMaximum));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ReceiveMaximum, 65535, nameof(ReceiveMaximum));
        if (string.IsNullOrWhiteSpace(ClientId)) throw new ArgumentException("MqttSourceOptions.ClientId is required.");
        if (ReconnectMinDelay <= TimeSpan.Zero || ReconnectMaxDelay < ReconnectMinDelay) throw new ArgumentException("MqttSourceOptions: 0 < ReconnectMinDelay <= ReconnectMaxDelay.");
        if (TlsCaFile is not null && !UseTls) throw new ArgumentException("MqttSourceOptions.TlsCaFile needs UseTls.");
        if (Password is not null && Username is null) throw new ArgumentException("MqttSourceOptions.Password needs a Username.");
    }

    /// <summary>The topic level holding the device id, or -1.</summary>
    internal int ResolveDeviceLevel()
    {
        if (DeviceIdTopicLevel is not { } level) return -1;
        if (level >= 0) return level;
        var parts = Topics[0].Split('/');
        return Array.IndexOf(parts, "+");
    }
}
