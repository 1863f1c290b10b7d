using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Platform.Engine.Batching;
using Platform.Engine.Contracts;
using Platform.Engine.Tests.Runtime;

namespace Platform.Engine.Tests.Checkpoints;

/// <summary>Serves fixed lines in chunks; its position is the number of lines served, so it can resume.</summary>
internal sealed class ResumableLinesSource(IReadOnlyList<string> lines, int linesPerChunk = 10, TimeSpan delayPerChunk = default) : IChunkSource, ICheckpointableSource
{
    private int _next;

    public string Name => "lines";
    public int Partitions => 1;
    public int StartedAt { get; private set; }

    public async ValueTask<Chunk?> ReadAsync(CancellationToken cancellationToken)
    {
        if (delayPerChunk > TimeSpan.Zero) await Task.Delay(delayPerChunk, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        if (_next >= lines.Count) return null;
        var take = Math.Min(linesPerChunk, lines.Count - _next);
        var bytes = Encoding.UTF8.GetBytes(string.Concat(lines.Skip(_next).Take(take).Select(l => l + "\n")));
        var chunk = new Chunk(bytes.Length) { Length = bytes.Length, Position = _next };
        bytes.CopyTo(chunk.Buffer, 0);
        _next += take;
        return chunk;
    }

    public long PositionOf(int partition) => _next;

    public byte[] SavePosition(int partition)
    {
        var b = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(b, _next);
        return b;
    }

    public void Seek(IReadOnlyList<byte[]> positions) => StartedAt = _next = (int)BinaryPrimitives.ReadInt64LittleEndian(positions[0]);

    public static long Decode(byte[] position) => BinaryPrimitives.ReadInt64LittleEndian(position);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>Counts and sums per key; emits the totals only at the end of input; snapshots its whole state.</summary>
internal sealed class SnapshotCountingOperator : IKeyedOperator<Reading, Reading>
{
    public const uint Magic = 0x544E4353; // "SCNT"

    public Dictionary<long, (long Count, double Sum)> State { get; } = [];

    public void OnRecords(ReadOnlySpan<Reading> input, IBatchOutput<Reading> output)
    {
        foreach (var r in input)
        {
            var s = State.GetValueOrDefault(r.Key);
            State[r.Key] = (s.Count + 1, s.Sum + r.Value);
        }
    }

    public void OnWatermark(long watermark, IBatchOutput<Reading> output)
    {
        if (watermark != long.MaxValue) return;
        foreach (var (key, s) in State) output.Emit(new Reading { Key = key, Time = s.Count, Value = s.Sum });
        State.Clear();
    }

    public void Snapshot(IBufferWriter<byte> writer)
    {
        var span = writer.GetSpan(12 + State.Count * 24);
        BinaryPrimitives.WriteUInt32LittleEndian(span, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], 1);
        BinaryPrimitives.WriteInt32LittleEndian(span[8..], State.Count);
        var o = 12;
        foreach (var (key, s) in State)
        {
            BinaryPrimitives.WriteInt64LittleEndian(span[o..], key);
            BinaryPrimitives.WriteInt64LittleEndian(span[(o + 8)..], s.Count);
            BinaryPrimitives.WriteDoubleLittleEndian(span[(o + 16)..], s.Sum);
            o += 24;
        }
        writer.Advance(o);
    }

    public void Restore(ReadOnlySequence<byte> snapshot)
    {
        var bytes = snapshot.ToArray();
        if (BinaryPrimitives.ReadUInt32LittleEndian(bytes) != Magic) throw new InvalidDataException("not a counting snapshot");
        var version = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(4));
        if (version != 1) throw new InvalidDataException($"counting snapshot version {version} is not supported");
        State.Clear();
        var n = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8));
        for (var i = 0; i < n; i++)
        {
            var o = 12 + i * 24;
            State[BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(o))] =
                (BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(o + 8)), BinaryPrimitives.ReadDoubleLittleEndian(bytes.AsSpan(o + 16)));
        }
    }
}

/// <summary>A fresh folder under the temp directory, deleted on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "platform-chk-" + Guid.NewGuid().ToString("N"));

    public TempFolder() => Directory.CreateDirectory(Path);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
