using System.Buffers;
using System.Text.Json;
using Platform.Engine.Records;
using Platform.Engine.Symbols;

namespace Platform.Sinks.Kinesis;

/// <summary>Turns a record into a Kinesis entry. Implement as a struct: the sink is specialised on it.</summary>
public interface IKinesisRecordEncoder<T>
{
    /// <summary>Writes the partition key's UTF-8 bytes into <paramref name="destination"/> (1024 bytes) and returns their length.</summary>
    int WritePartitionKey(in T record, Span<byte> destination);

    /// <summary>
    /// Writes an explicit hash key (decimal, 0 to 2^128 − 1, at most 39 digits) into <paramref name="destination"/>
    /// (64 bytes) and returns its length, or returns 0 to let the MD5 of the partition key choose the shard.
    /// </summary>
    int WriteExplicitHashKey(in T record, Span<byte> destination);

    /// <summary>Writes the record's data blob.</summary>
    void WriteData(in T record, IBufferWriter<byte> data);
}

/// <summary>Telemetry as one JSON object per record (what <c>TelemetryNdjsonParser</c> reads back); partition key = device id.</summary>
public readonly struct TelemetryJsonEncoder(SymbolTable symbols) : IKinesisRecordEncoder<Telemetry>
{
    // One writer per thread, reset onto each record's buffer: no writer allocated per record.
    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    /// <inheritdoc />
    public int WritePartitionKey(in Telemetry record, Span<byte> destination) =>
        System.Text.Encoding.UTF8.GetBytes(symbols.NameOf(record.Device), destination);

    /// <inheritdoc />
    public int WriteExplicitHashKey(in Telemetry record, Span<byte> destination) => 0;

    /// <inheritdoc />
    public void WriteData(in Telemetry record, IBufferWriter<byte> data)
    {
        var w = t_writer ??= new Utf8JsonWriter(Stream.Null);
        w.Reset(data);
        w.WriteStartObject();
        w.WriteString("deviceId"u8, symbols.NameOf(record.Device));
        w.WriteNumber("timestamp"u8, record.Timestamp);
        w.WriteString("sensorType"u8, symbols.NameOf(record.Sensor));
        w.WriteStartObject("payload"u8);
        if (record.IsVector)
        {
            w.WriteNumber("x"u8, record.X);
            w.WriteNumber("y"u8, record.Y);
            w.WriteNumber("z"u8, record.Z);
        }
        else w.WriteNumber("value"u8, record.Value);
        if (!record.Unit.IsNone) w.WriteString("unit"u8, symbols.NameOf(record.Unit));
        w.WriteEndObject();
        if ((record.Flags & TelemetryFlags.Location) != 0)
        {
            w.WriteStartObject("location"u8);
            w.WriteNumber("lat"u8, record.Latitude);
            w.WriteNumber("lon"u8, record.Longitude);
            w.WriteEndObject();
        }
        w.WriteEndObject();
        w.Flush();
        w.Reset(Stream.Null);
    }
}

/// <summary>A ready-made entry: partition key, data bytes and optionally an explicit hash key (for byte-level pipelines and tests).</summary>
public readonly record struct KinesisEntry(string PartitionKey, ReadOnlyMemory<byte> Data, string? ExplicitHashKey = null);

/// <summary>Encodes <see cref="KinesisEntry"/> as itself.</summary>
public readonly struct KinesisEntryEncoder : IKinesisRecordEncoder<KinesisEntry>
{
    /// <inheritdoc />
    public int WritePartitionKey(in KinesisEntry record, Span<byte> destination) =>
        System.Text.Encoding.UTF8.GetBytes(record.PartitionKey, destination);

    /// <inheritdoc />
    public int WriteExplicitHashKey(in KinesisEntry record, Span<byte> destination) =>
        record.ExplicitHashKey is { } key ? System.Text.Encoding.UTF8.GetBytes(key, destination) : 0;

    /// <inheritdoc />
    public void WriteData(in KinesisEntry record, IBufferWriter<byte> data)
    {
        var span = data.GetSpan(record.Data.Length);
        record.Data.Span.CopyTo(span);
        data.Advance(record.Data.Length);
    }
}
