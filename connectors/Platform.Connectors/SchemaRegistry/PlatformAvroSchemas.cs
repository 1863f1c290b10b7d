using System.Reflection;
using Avro;

namespace Platform.Connectors.SchemaRegistry;

/// <summary>
/// The Avro schemas Platform reads and writes, embedded as .avsc files (<c>SchemaRegistry/Schemas/</c>).
/// The telemetry record has two versions: v2 adds <c>unit</c> with a default, so a reader on v2 reads
/// data written with either.
/// </summary>
public static class PlatformAvroSchemas
{
    private static readonly Lazy<RecordSchema> LazyPlatformEvent = new(() => Load("PlatformEvent.avsc"));
    private static readonly Lazy<RecordSchema> LazyTelemetryV1 = new(() => Load("Telemetry.v1.avsc"));
    private static readonly Lazy<RecordSchema> LazyTelemetryV2 = new(() => Load("Telemetry.v2.avsc"));

    /// <summary>The seed's <c>com.demobank.events.PlatformEvent</c> (001 §2b).</summary>
    public static RecordSchema PlatformEvent => LazyPlatformEvent.Value;

    /// <summary><c>platform.iot.Telemetry</c>, version 1 (no unit).</summary>
    public static RecordSchema TelemetryV1 => LazyTelemetryV1.Value;

    /// <summary><c>platform.iot.Telemetry</c>, version 2 (adds <c>unit</c>, default empty).</summary>
    public static RecordSchema TelemetryV2 => LazyTelemetryV2.Value;

    /// <summary>The reader schema Platform decodes telemetry with: the newest version.</summary>
    public static RecordSchema TelemetryReader => TelemetryV2;

    /// <summary>The text of an embedded schema file, e.g. <c>Telemetry.v1.avsc</c>.</summary>
    public static string Text(string fileName)
    {
        var name = "Platform.Connectors.SchemaRegistry." + fileName;
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new ArgumentException($"No embedded Avro schema '{fileName}' (looked for resource '{name}').", nameof(fileName));
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static RecordSchema Load(string fileName) => (RecordSchema)Schema.Parse(Text(fileName));
}
