using System.Text.Json;
using Platform.Engine.Records;
using Platform.Engine.Symbols;

namespace Platform.Sinks.EventBridge;

/// <summary>Writes a record as an EventBridge event's <c>Detail</c> object. Implement as a struct: the sink is specialised on it.</summary>
public interface IEventDetailWriter<T>
{
    /// <summary>Writes the Detail JSON object (start to end) for <paramref name="record"/>.</summary>
    void WriteDetail(in T record, Utf8JsonWriter writer);

    /// <summary>The event's time, Unix ms, or null to let EventBridge stamp it.</summary>
    long? TimeOf(in T record);
}

/// <summary>
/// A closed window's statistics as the Detail of a "… Window Closed" event; Time = window end. With a
/// symbol table it also writes <c>deviceId</c> and <c>sensorType</c> by name, so rules can match on them.
/// </summary>
public readonly struct WindowResultDetailWriter(SymbolTable? symbols) : IEventDetailWriter<WindowResult>
{
    /// <inheritdoc />
    public void WriteDetail(in WindowResult record, Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        if (symbols is not null)
        {
            var key = SensorKey.FromPacked(record.Key);
            writer.WriteString("deviceId"u8, NameOf(symbols, key.Device));
            writer.WriteString("sensorType"u8, NameOf(symbols, key.Sensor));
        }
        writer.WriteNumber("key"u8, record.Key);
        writer.WriteNumber("windowStart"u8, record.WindowStart);
        writer.WriteNumber("windowEnd"u8, record.WindowEnd);
        writer.WriteNumber("count"u8, record.Count);
        writer.WriteNumber("sum"u8, record.Sum);
        writer.WriteNumber("mean"u8, record.Mean);
        writer.WriteNumber("min"u8, record.Min);
        writer.WriteNumber("max"u8, record.Max);
        writer.WriteNumber("variance"u8, record.Variance);
        writer.WriteNumber("p50"u8, record.P50);
        writer.WriteNumber("p95"u8, record.P95);
        writer.WriteNumber("p99"u8, record.P99);
        writer.WriteBoolean("isUpdate"u8, record.IsUpdate);
        writer.WriteEndObject();
    }

    /// <inheritdoc />
    public long? TimeOf(in WindowResult record) => record.WindowEnd;

    // Interned strings: no allocation per record. An id the table does not know (a key of another run) is written as "#id".
    private static string NameOf(SymbolTable symbols, Symbol symbol) =>
        (uint)symbol.Id <= (uint)symbols.Count ? symbols.NameOf(symbol) : "#" + symbol.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
