using System.Diagnostics.Metrics;

namespace Platform.Connectors.Mqtt;

/// <summary>The MQTT source's events: counters on the <c>Platform.Connectors.Mqtt</c> meter and warnings on stderr.</summary>
internal static class MqttSourceLog
{
    public const string MeterName = "Platform.Connectors.Mqtt";

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Connects = Meter.CreateCounter<long>("connects", description: "Successful connects (1 + reconnects).");
    private static readonly Counter<long> Failures = Meter.CreateCounter<long>("connect_failures", description: "Failed connect attempts (each followed by a backoff).");
    private static readonly Counter<long> Acks = Meter.CreateCounter<long>("acknowledged", description: "Messages acknowledged after their durable-log commit.");
    private static readonly Counter<long> Rejects = Meter.CreateCounter<long>("rejected", description: "Payloads sent to the DLQ.");

    private static void Warn(string message) => Console.Error.WriteLine(message);

    public static void Connected(string source, string broker, bool sessionPresent, long connects)
    {
        Connects.Add(1, new KeyValuePair<string, object?>("source", source));
        if (connects > 1) Warn($"mqtt '{source}': reconnected to {broker} (session present: {sessionPresent})");
    }

    public static void ConnectFailed(string source, string broker, string reason, TimeSpan retryIn)
    {
        Failures.Add(1, new KeyValuePair<string, object?>("source", source));
        Warn($"mqtt '{source}': cannot connect to {broker}: {reason}; retrying in {retryIn.TotalMilliseconds:F0} ms");
    }

    public static void Acknowledged(string source, int count) => Acks.Add(count, new KeyValuePair<string, object?>("source", source));

    public static void Rejected(string source) => Rejects.Add(1, new KeyValuePair<string, object?>("source", source));

    public static void TranscoderUnavailable(string source, string reason) =>
        Warn($"mqtt '{source}': cannot decode payloads now ({reason}); disconnecting without acknowledging (the broker redelivers)");

    public static void LogUnavailable(string source) => Warn($"mqtt '{source}': the durable log is not accepting writes; disconnecting without acknowledging (the broker keeps the messages)");
}
