using System.Buffers;
using System.Text;

namespace Platform.Connectors.Mqtt;

/// <summary>Turns an MQTT JSON payload into one NDJSON line, adding <c>deviceId</c> from the topic when the payload lacks it.</summary>
internal static class MqttPayload
{
    private static readonly byte[] DeviceIdKey = "\"deviceId\""u8.ToArray();

    /// <summary>The device id at <paramref name="level"/> of <paramref name="topic"/>, or null.</summary>
    public static string? DeviceFromTopic(string topic, int level)
    {
        if (level < 0) return null;
        var start = 0;
        for (var i = 0; i < level; i++)
        {
            start = topic.IndexOf('/', start) + 1;
            if (start == 0) return null;
        }
        var end = topic.IndexOf('/', start);
        var id = end < 0 ? topic[start..] : topic[start..end];
        return id.Length == 0 ? null : id;
    }

    /// <summary>
    /// Writes the line into <paramref name="output"/> (rented, returned by the caller): the payload
    /// with raw CR/LF turned into spaces (valid JSON has none inside strings) and a trailing '\n'.
    /// False when the payload is not a JSON object.
    /// </summary>
    public static bool TryToLine(in ReadOnlySequence<byte> payload, string? deviceId, ArrayBufferWriter<byte> output)
    {
        var length = (int)payload.Length;
        var rented = ArrayPool<byte>.Shared.Rent(Math.Max(1, length));
        try
        {
            payload.CopyTo(rented);
            var span = rented.AsSpan(0, length).TrimStart(" \t\r\n"u8).TrimEnd(" \t\r\n"u8);
            if (span.Length < 2 || span[0] != (byte)'{' || span[^1] != (byte)'}') return false;
            if (deviceId is not null && span.IndexOf(DeviceIdKey) < 0)
            {
                output.Write("{\"deviceId\":"u8);
                WriteJsonString(output, deviceId);
                var rest = span[1..].TrimStart(" \t\r\n"u8);
                if (rest[0] != (byte)'}') output.Write(","u8);
                span = rest;
            }
            var dest = output.GetSpan(span.Length + 1);
            span.CopyTo(dest);
            var written = dest[..span.Length];
            written.Replace((byte)'\n', (byte)' ');
            written.Replace((byte)'\r', (byte)' ');
            dest[span.Length] = (byte)'\n';
            output.Advance(span.Length + 1);
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static void WriteJsonString(ArrayBufferWriter<byte> output, string value)
    {
        var buffer = new ArrayBufferWriter<byte>(value.Length + 8);
        using (var w = new System.Text.Json.Utf8JsonWriter(buffer)) w.WriteStringValue(value);
        output.Write(buffer.WrittenSpan);
        _ = Encoding.UTF8;
    }
}
