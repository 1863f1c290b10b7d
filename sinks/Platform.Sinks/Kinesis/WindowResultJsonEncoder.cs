using System.Buffers;
using System.Text.Json;
using Platform.Engine.Records;
using Platform.Engine.Symbols;
using Platform.Sinks.EventBridge;

namespace Platform.Sinks.Kinesis;

/// <summary>
/// A window result as one JSON object (the same shape as the EventBridge sink's Detail: deviceId,
/// sensorType, window bounds and statistics); partition key = device id, so one device's windows
/// stay in one shard, in order.
/// </summary>
public readonly struct WindowResultJsonEncoder(SymbolTable symbols) : IKinesisRecordEncoder<WindowResult>
{
    // One writer per thread, reset onto each record's buffer: no writer allocated per record.
    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    /// <inheritdoc />
    public int WritePartitionKey(in WindowResult record, Span<byte> destination)
    {
        var device = SensorKey.FromPacked(record.Key).Device;
        var name = (uint)device.Id <= (uint)symbols.Count ? symbols.NameOf(device) : string.Empty;
        // A key without a device name (not from this table) is partitioned by its number instead.
        return name.Length > 0
            ? System.Text.Encoding.UTF8.GetBytes(name, destination)
            : System.Buffers.Text.Utf8Formatter.TryFormat(record.Key, destination, out var written) ? written : 0;
    }

    /// <inheritdoc />
    public int WriteExplicitHashKey(in WindowResult record, Span<byte> destination) => 0;

    /// <inheritdoc />
    public void WriteData(in WindowResult record, IBufferWriter<byte> data)
    {
        var w = t_writer ??= new Utf8JsonWriter(Stream.Null);
        w.Reset(data);
        new WindowResultDetailWriter(symbols).WriteDetail(record, w);
        w.Flush();
        w.Reset(Stream.Null);
    }
}
