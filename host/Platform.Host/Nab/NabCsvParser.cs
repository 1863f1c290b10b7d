using System.Buffers.Text;
using Platform.Engine.Batching;
using Platform.Engine.Contracts;
using Platform.Engine.DeadLetters;
using Platform.Operators.Anomaly;

namespace Platform.Host.Nab;

/// <summary>Parses <c>timestamp,value</c> lines (<c>YYYY-MM-DD HH:MM:SS</c>, UTC); the chunk's partition is the file (the key). Skips the header.</summary>
internal sealed class NabCsvParser : IChunkParser<ScalarReading>
{
    public int Parse(Chunk chunk, string sourceName, Batch<ScalarReading> output, IDeadLetterSink deadLetters)
    {
        var rejected = 0;
        var span = chunk.Span;
        var offset = 0;
        while (offset < span.Length)
        {
            var end = span[offset..].IndexOf((byte)'\n');
            var line = end < 0 ? span[offset..] : span.Slice(offset, end);
            var next = offset + (end < 0 ? line.Length : end + 1);
            if (line.Length > 0 && line[^1] == '\r') line = line[..^1];
            if (line.Length > 0 && !(chunk.Position == 0 && offset == 0 && !char.IsAsciiDigit((char)line[0])))
            {
                if (TryParse(line, out var time, out var value))
                {
                    ref var p = ref output.AddSlot();
                    p.Key = chunk.Partition;
                    p.Time = time;
                    p.Value = value;
                }
                else
                {
                    deadLetters.Write(sourceName, chunk.Partition, chunk.Position + offset, "not a NAB 'YYYY-MM-DD HH:MM:SS,value' row", line);
                    rejected++;
                }
            }
            offset = next;
        }
        return rejected;
    }

    internal static bool TryParse(ReadOnlySpan<byte> line, out long unixMs, out double value)
    {
        unixMs = 0;
        value = 0;
        var comma = line.IndexOf((byte)',');
        if (comma < 0 || !TryParseTimestamp(line[..comma], out unixMs)) return false;
        var rest = line[(comma + 1)..];
        return Utf8Parser.TryParse(rest, out value, out var used) && used == rest.Length;
    }

    /// <summary>Parses <c>YYYY-MM-DD HH:MM:SS</c> (optionally with a fraction, ignored) to Unix ms.</summary>
    internal static bool TryParseTimestamp(ReadOnlySpan<byte> s, out long unixMs)
    {
        unixMs = 0;
        if (s.Length < 19 || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' || s[16] != ':') return false;
        if (!Num(s, 0, 4, out var y) || !Num(s, 5, 2, out var mo) || !Num(s, 8, 2, out var d)
            || !Num(s, 11, 2, out var h) || !Num(s, 14, 2, out var mi) || !Num(s, 17, 2, out var sec)) return false;
        if (mo is < 1 or > 12 || d < 1 || d > DateTime.DaysInMonth(y, mo) || h > 23 || mi > 59 || sec > 59) return false;
        unixMs = new DateTimeOffset(y, mo, d, h, mi, sec, TimeSpan.Zero).ToUnixTimeMilliseconds();
        return true;
    }

    private static bool Num(ReadOnlySpan<byte> s, int at, int len, out int value)
    {
        value = 0;
        for (var i = at; i < at + len; i++)
        {
            var c = s[i] - '0';
            if ((uint)c > 9) return false;
            value = value * 10 + c;
        }
        return true;
    }
}
