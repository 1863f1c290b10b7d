using System.Buffers;
using System.Buffers.Text;
using System.Text;
using Platform.Engine.Batching;
using Platform.Engine.Contracts;
using Platform.Engine.DeadLetters;

namespace Platform.Engine.Tests.Runtime;

/// <summary>A minimal record for runtime tests: "key,time,value\n" lines.</summary>
internal struct Reading
{
    public long Key;
    public long Time;
    public double Value;
}

internal readonly struct ReadingTime : IEventTimeSelector<Reading>
{
    public long TimeOf(in Reading record) => record.Time;
}

internal readonly struct ReadingKey : IKeySelector<Reading>
{
    public long KeyOf(in Reading record) => record.Key;
}

internal sealed class ReadingParser : IChunkParser<Reading>
{
    public int Parse(Chunk chunk, string sourceName, Batch<Reading> output, IDeadLetterSink deadLetters)
    {
        var rejected = 0;
        var span = chunk.Span;
        var offset = 0;
        while (offset < span.Length)
        {
            var end = span[offset..].IndexOf((byte)'\n');
            var line = end < 0 ? span[offset..] : span.Slice(offset, end);
            if (!TryParse(line, out var r))
            {
                deadLetters.Write(sourceName, chunk.Partition, chunk.Position + offset, "bad reading", line);
                rejected++;
            }
            else output.Add(r);
            offset += end < 0 ? line.Length : end + 1;
        }
        return rejected;
    }

    private static bool TryParse(ReadOnlySpan<byte> line, out Reading r)
    {
        r = default;
        if (!Utf8Parser.TryParse(line, out r.Key, out var n) || n >= line.Length || line[n] != ',') return false;
        line = line[(n + 1)..];
        if (!Utf8Parser.TryParse(line, out r.Time, out n) || n >= line.Length || line[n] != ',') return false;
        line = line[(n + 1)..];
        return Utf8Parser.TryParse(line, out r.Value, out n) && n == line.Length;
    }
}

/// <summary>Serves fixed lines in chunks of a few lines each.</summary>
internal sealed class LinesSource(IReadOnlyList<string> lines, int linesPerChunk = 7, Func<int, ValueTask>? beforeChunk = null) : IChunkSource
{
    private int _next;
    private long _position;

    public string Name => "lines";
    public int Partitions => 1;
    public int ChunksServed { get; private set; }
    public long LinesServed { get; private set; }

    public async ValueTask<Chunk?> ReadAsync(CancellationToken cancellationToken)
    {
        if (beforeChunk is not null) await beforeChunk(ChunksServed);
        cancellationToken.ThrowIfCancellationRequested();
        if (_next >= lines.Count) return null;
        var take = Math.Min(linesPerChunk, lines.Count - _next);
        var bytes = Encoding.UTF8.GetBytes(string.Concat(lines.Skip(_next).Take(take).Select(l => l + "\n")));
        var chunk = new Chunk(bytes.Length) { Length = bytes.Length, Position = _position };
        bytes.CopyTo(chunk.Buffer, 0);
        _next += take;
        _position += bytes.Length;
        ChunksServed++;
        LinesServed += take;
        return chunk;
    }

    public long PositionOf(int partition) => _position;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>Per key: counts and sums records; at each watermark checks no record is behind it; emits totals at the end.</summary>
internal sealed class CountingOperator : IKeyedOperator<Reading, Reading>
{
    private readonly Dictionary<long, (long Count, double Sum)> _state = [];
    private long _watermark = long.MinValue;

    public long RecordsBehindWatermark { get; private set; }
    public List<long> Watermarks { get; } = [];

    public void OnRecords(ReadOnlySpan<Reading> input, IBatchOutput<Reading> output)
    {
        foreach (var r in input)
        {
            if (r.Time < _watermark) RecordsBehindWatermark++;
            var s = _state.GetValueOrDefault(r.Key);
            _state[r.Key] = (s.Count + 1, s.Sum + r.Value);
        }
    }

    public void OnWatermark(long watermark, IBatchOutput<Reading> output)
    {
        Assert.True(watermark > _watermark, "watermarks only move forward");
        _watermark = watermark;
        Watermarks.Add(watermark);
        if (watermark != long.MaxValue) return;
        foreach (var (key, s) in _state) output.Emit(new Reading { Key = key, Time = s.Count, Value = s.Sum });
    }

    public void Snapshot(IBufferWriter<byte> writer) { }

    public void Restore(ReadOnlySequence<byte> snapshot) { }
}

/// <summary>Collects every record it is given; optionally slow, to create backpressure.</summary>
internal sealed class CollectingSink<T>(TimeSpan delayPerBatch = default) : ISink<T>
{
    private readonly List<T> _items = [];

    public string Name => "collect";
    public IReadOnlyList<T> Items => _items;
    public int Flushes { get; private set; }

    public ValueTask OpenAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public async ValueTask WriteAsync(Batch<T> batch, CancellationToken cancellationToken)
    {
        if (delayPerBatch > TimeSpan.Zero) await Task.Delay(delayPerBatch, cancellationToken);
        _items.AddRange(batch.Items);
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        Flushes++;
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
