using System.Buffers;
using System.IO.Hashing;

namespace Platform.Engine.Checkpoints;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> over a new file that hashes (XxHash64) what it writes, and
/// publishes the file atomically: it is written under a temp name, fsynced, then renamed by
/// <see cref="Commit"/>. Disposing without committing deletes the temp file.
/// </summary>
internal sealed class HashingFileWriter : IBufferWriter<byte>, IDisposable
{
    private const int BufferSize = 1 << 20;

    private readonly string _path;
    private readonly string _temp;
    private readonly FileStream _stream;
    private readonly XxHash64 _hash = new();
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
    private int _used;
    private bool _committed;

    public HashingFileWriter(string path)
    {
        _path = path;
        _temp = path + ".tmp";
        _stream = new FileStream(_temp, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1, FileOptions.None);
    }

    /// <summary>Bytes written so far.</summary>
    public long Length { get; private set; }

    public void Advance(int count)
    {
        if (count < 0 || _used + count > _buffer.Length) throw new ArgumentOutOfRangeException(nameof(count));
        _used += count;
        Length += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_used);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_used);
    }

    private void Ensure(int sizeHint)
    {
        sizeHint = Math.Max(1, sizeHint);
        if (_buffer.Length - _used >= sizeHint) return;
        Drain();
        if (_buffer.Length < sizeHint)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(sizeHint);
        }
    }

    private void Drain()
    {
        if (_used == 0) return;
        var span = _buffer.AsSpan(0, _used);
        _hash.Append(span);
        _stream.Write(span);
        _used = 0;
    }

    /// <summary>Writes the rest, fsyncs, renames over the final name; returns the file's length and XxHash64.</summary>
    public (long Bytes, ulong Hash) Commit()
    {
        Drain();
        _stream.Flush(flushToDisk: true);
        _stream.Dispose();
        File.Move(_temp, _path, overwrite: true);
        _committed = true;
        return (Length, _hash.GetCurrentHashAsUInt64());
    }

    public void Dispose()
    {
        _stream.Dispose();
        if (_buffer.Length > 0) ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
        if (!_committed)
        {
            try { File.Delete(_temp); } catch (IOException) { }
        }
    }
}
