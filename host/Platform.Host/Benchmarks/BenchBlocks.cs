using Microsoft.Win32.SafeHandles;

namespace Platform.Host.Benchmarks;

/// <summary>
/// Benchmark input as blocks of whole NDJSON lines that a source can copy straight into its own buffer, without
/// materialising a <c>byte[]</c> per block. The list view (<see cref="IReadOnlyList{T}"/>) is for peers and tests
/// that want arrays.
/// </summary>
public interface IBenchBlocks : IReadOnlyList<byte[]>
{
    /// <summary>Bytes in block <paramref name="index"/>.</summary>
    int LengthOf(int index);

    /// <summary>Copies block <paramref name="index"/> into <paramref name="destination"/> (at least <see cref="LengthOf"/> bytes).</summary>
    void CopyTo(int index, Span<byte> destination);
}

/// <summary>
/// Blocks kept in a temporary file (deleted when disposed or when the process ends) and read back on demand: the
/// input of a 20 M-line run (~4.6 GB) lives in the OS page cache, not in the process, so the peak working set of a
/// run is the engine's. Each read is one positional read into the caller's buffer (a real file or socket source
/// copies its bytes once too). Thread-safe for reads.
/// </summary>
public sealed class FileBenchBlocks : IBenchBlocks, IDisposable
{
    private readonly SafeFileHandle _file;
    private readonly List<long> _offsets = [];
    private readonly List<int> _lengths = [];
    private long _end;

    /// <summary>Creates an empty temporary file in <paramref name="directory"/> (default: the temp folder).</summary>
    public FileBenchBlocks(string? directory = null)
    {
        Path = System.IO.Path.Combine(directory ?? System.IO.Path.GetTempPath(), $"platform-bench-{Environment.ProcessId}-{Guid.NewGuid():N}.ndjson");
        _file = File.OpenHandle(Path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, FileOptions.DeleteOnClose);
    }

    /// <summary>The temporary file.</summary>
    public string Path { get; }

    /// <summary>Bytes stored.</summary>
    public long Bytes => _end;

    /// <summary>Appends a block (whole lines).</summary>
    public void Append(ReadOnlySpan<byte> block)
    {
        RandomAccess.Write(_file, block, _end);
        _offsets.Add(_end);
        _lengths.Add(block.Length);
        _end += block.Length;
    }

    /// <inheritdoc />
    public int Count => _offsets.Count;

    /// <inheritdoc />
    public int LengthOf(int index) => _lengths[index];

    /// <inheritdoc />
    public void CopyTo(int index, Span<byte> destination)
    {
        var length = _lengths[index];
        var offset = _offsets[index];
        var done = 0;
        while (done < length)
        {
            var n = RandomAccess.Read(_file, destination.Slice(done, length - done), offset + done);
            if (n <= 0) throw new EndOfStreamException($"Bench input file '{Path}' ended inside block {index}.");
            done += n;
        }
    }

    /// <summary>A fresh array holding block <paramref name="index"/> (peers; allocates).</summary>
    public byte[] this[int index]
    {
        get
        {
            var block = new byte[_lengths[index]];
            CopyTo(index, block);
            return block;
        }
    }

    /// <inheritdoc />
    public IEnumerator<byte[]> GetEnumerator()
    {
        for (var i = 0; i < Count; i++) yield return this[i];
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Closes (and so deletes) the file.</summary>
    public void Dispose() => _file.Dispose();
}
