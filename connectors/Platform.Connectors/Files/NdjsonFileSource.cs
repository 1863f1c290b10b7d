using System.Buffers;
using Microsoft.Win32.SafeHandles;
using Platform.Connectors.Generator;
using Platform.Engine.Contracts;

namespace Platform.Connectors.Files;

/// <summary>
/// Reads NDJSON files as chunks of whole lines: one partition per file, large positional reads
/// (<see cref="RandomAccess"/>), each chunk cut after its last newline with the tail carried into the
/// next. <see cref="Chunk.Position"/> is the byte offset of the chunk's first byte in its file, and
/// <see cref="PositionOf"/> is always a line start, so a checkpoint resumes exactly via
/// <see cref="NdjsonFileSourceOptions.StartPositions"/>. Chunks of several files alternate, so every
/// partition's watermark advances. A chunk does not end in a newline only when it holds a file's
/// unterminated last line or a piece of an over-long line (see <see cref="NdjsonFileSourceOptions.MaxLineBytes"/>).
/// Read by one thread.
/// </summary>
public sealed class NdjsonFileSource : IChunkSource, ICheckpointableSource
{
    private sealed class FilePartition(SafeFileHandle handle, long start)
    {
        public readonly SafeFileHandle Handle = handle;
        public long ReadOffset = start;        // next byte to read from the file
        public long Position = start;          // first byte not yet emitted (= ReadOffset - CarryLength)
        public byte[] Carry = [];
        public int CarryLength;
        public bool Eof;
        public bool InLongLine;                // the last chunk was a piece of an over-long line
        public bool Done;
    }

    private readonly NdjsonFileSourceOptions _options;
    private readonly FilePartition[] _partitions;
    private readonly int _lineLimit;
    private readonly RatePacer? _pacer;
    private int _next;
    private long _sequence;
    private long _linesEmitted;
    private long _bytesEmitted;

    /// <summary>Opens the files (all of them now, so a missing file fails here and not mid-run).</summary>
    /// <exception cref="ArgumentException">The options are invalid, or a start position lies past its file's end.</exception>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    public NdjsonFileSource(NdjsonFileSourceOptions options, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _lineLimit = Math.Max(options.ChunkBytes, options.MaxLineBytes);
        if (options.RecordsPerSecond > 0) _pacer = new RatePacer(options.RecordsPerSecond, clock ?? TimeProvider.System);
        _partitions = new FilePartition[options.Paths.Count];
        try
        {
            for (var i = 0; i < _partitions.Length; i++)
            {
                var handle = File.OpenHandle(options.Paths[i], FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
                var start = options.StartPositions?[i] ?? 0;
                _partitions[i] = new FilePartition(handle, start);
                var length = RandomAccess.GetLength(handle);
                if (start > length) throw new ArgumentException($"Start position {start} is past the end of '{options.Paths[i]}' ({length} bytes).", nameof(options));
            }
        }
        catch
        {
            foreach (var p in _partitions) p?.Handle.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public string Name => _options.Name;

    /// <inheritdoc />
    public int Partitions => _partitions.Length;

    /// <summary>Lines in the chunks returned so far (counted only when replaying at a rate; 0 otherwise).</summary>
    public long LinesEmitted => Volatile.Read(ref _linesEmitted);

    /// <summary>Bytes in the chunks returned so far.</summary>
    public long BytesEmitted => Volatile.Read(ref _bytesEmitted);

    /// <inheritdoc />
    public async ValueTask<Chunk?> ReadAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_pacer is not null) await _pacer.WaitAsync(_linesEmitted, cancellationToken);
        for (var tries = 0; tries < _partitions.Length; tries++)
        {
            var index = _next;
            _next = (_next + 1) % _partitions.Length;
            var p = _partitions[index];
            if (p.Done) continue;
            var chunk = await ReadPartitionAsync(p, index, cancellationToken);
            if (chunk is not null) return chunk;
            p.Done = true;
        }
        return null;
    }

    /// <inheritdoc />
    public long PositionOf(int partition)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(partition);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(partition, _partitions.Length);
        return _partitions[partition].Position;
    }

    /// <summary>The position after the last chunk returned: 8 bytes, the byte offset (a line start) little-endian.</summary>
    public byte[] SavePosition(int partition)
    {
        var bytes = new byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(bytes, PositionOf(partition));
        return bytes;
    }

    /// <summary>Moves every file to a position from <see cref="SavePosition"/>; call before the first read.</summary>
    /// <exception cref="ArgumentException">Not one 8-byte position per file, or a position is negative or past its file's end.</exception>
    public void Seek(IReadOnlyList<byte[]> positions)
    {
        ArgumentNullException.ThrowIfNull(positions);
        if (positions.Count != _partitions.Length)
            throw new ArgumentException($"{positions.Count} positions for {_partitions.Length} files.", nameof(positions));
        var offsets = new long[positions.Count];
        for (var i = 0; i < offsets.Length; i++)
        {
            if (positions[i].Length != 8) throw new ArgumentException($"Position {i} has {positions[i].Length} bytes; a file position has 8.", nameof(positions));
            offsets[i] = System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(positions[i]);
            var length = RandomAccess.GetLength(_partitions[i].Handle);
            if (offsets[i] < 0 || offsets[i] > length)
                throw new ArgumentException($"Position {offsets[i]} is outside '{_options.Paths[i]}' ({length} bytes): the file changed since the checkpoint.", nameof(positions));
        }
        for (var i = 0; i < offsets.Length; i++)
        {
            var p = _partitions[i];
            p.ReadOffset = p.Position = offsets[i];
            p.CarryLength = 0;
            p.Eof = p.InLongLine = p.Done = false;
        }
    }

    private async ValueTask<Chunk?> ReadPartitionAsync(FilePartition p, int index, CancellationToken cancellationToken)
    {
        var chunkBytes = _options.ChunkBytes;
        // Room for the carried tail plus a useful read (a quarter chunk at least).
        var want = Math.Max(chunkBytes, p.CarryLength + Math.Max(NdjsonFileSourceOptions.MinChunkBytes, chunkBytes / 4));
        var chunk = new Chunk(want);
        try
        {
            p.Carry.AsSpan(0, p.CarryLength).CopyTo(chunk.Buffer);
            var length = p.CarryLength;
            p.CarryLength = 0;
            int cut;
            while (true)
            {
                while (!p.Eof && length < want)
                {
                    var n = await RandomAccess.ReadAsync(p.Handle, chunk.Buffer.AsMemory(length, want - length), p.ReadOffset, cancellationToken);
                    if (n == 0) p.Eof = true;
                    length += n;
                    p.ReadOffset += n;
                }
                if (length == 0)
                {
                    chunk.Dispose();
                    return null;
                }
                cut = Cut(p, chunk.Buffer.AsSpan(0, length));
                if (cut > 0) break;
                // No newline yet and the line may still grow: read more into a bigger chunk.
                want = (int)Math.Min(_lineLimit, (long)want * 2);
                chunk.Length = length;
                chunk.EnsureCapacity(want);
            }
            KeepCarry(p, chunk.Buffer.AsSpan(cut, length - cut));
            chunk.Length = cut;
            chunk.Partition = index;
            chunk.Position = p.Position;
            chunk.Sequence = _sequence++;
            p.Position += cut;
            Volatile.Write(ref _bytesEmitted, _bytesEmitted + cut);
            if (_pacer is not null) Volatile.Write(ref _linesEmitted, _linesEmitted + CountLines(chunk.Span));
            return chunk;
        }
        catch
        {
            chunk.Dispose();
            throw;
        }
    }

    /// <summary>Where the chunk ends (bytes to emit), or 0 to read more first.</summary>
    private int Cut(FilePartition p, ReadOnlySpan<byte> data)
    {
        if (p.InLongLine)
        {
            // The rest of an over-long line goes out alone (in pieces while it is still too long).
            var end = data.IndexOf((byte)'\n');
            if (end >= 0)
            {
                p.InLongLine = false;
                return end + 1;
            }
            return p.Eof || data.Length >= _lineLimit ? data.Length : 0;
        }
        var last = _pacer is null ? data.LastIndexOf((byte)'\n') : NthNewline(data, _pacer.UnitsPerStep);
        if (last >= 0) return last + 1;
        if (p.Eof) return data.Length;              // the file's last line has no newline
        if (data.Length < _lineLimit) return 0;     // a long line: grow the chunk
        p.InLongLine = true;                        // an over-long line: emit this piece on its own
        return data.Length;
    }

    /// <summary>Index of the <paramref name="n"/>-th newline, or of the last one if there are fewer (-1 if none).</summary>
    private static int NthNewline(ReadOnlySpan<byte> data, long n)
    {
        var last = -1;
        for (long i = 0; i < n; i++)
        {
            var next = data[(last + 1)..].IndexOf((byte)'\n');
            if (next < 0) break;
            last += next + 1;
        }
        return last;
    }

    private static long CountLines(ReadOnlySpan<byte> data)
    {
        long lines = data.Count((byte)'\n');
        return data.Length > 0 && data[^1] != (byte)'\n' ? lines + 1 : lines;
    }

    private static void KeepCarry(FilePartition p, ReadOnlySpan<byte> tail)
    {
        if (tail.Length > p.Carry.Length)
        {
            if (p.Carry.Length > 0) ArrayPool<byte>.Shared.Return(p.Carry);
            p.Carry = ArrayPool<byte>.Shared.Rent(tail.Length);
        }
        tail.CopyTo(p.Carry);
        p.CarryLength = tail.Length;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        foreach (var p in _partitions)
        {
            p.Handle.Dispose();
            if (p.Carry.Length > 0) ArrayPool<byte>.Shared.Return(p.Carry);
            p.Carry = [];
            p.CarryLength = 0;
        }
        return ValueTask.CompletedTask;
    }
}
