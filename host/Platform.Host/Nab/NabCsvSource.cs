using Platform.Engine.Contracts;

namespace Platform.Host.Nab;

/// <summary>
/// Serves NAB CSV files, one source partition per file, in chunks of whole lines (at most
/// <see cref="ChunkBytes"/> each, so a long file spans several chunks that workers parse in parallel).
/// </summary>
internal sealed class NabCsvSource : IChunkSource
{
    public const int ChunkBytes = 64 * 1024;
    private readonly IReadOnlyList<string> _files;
    private readonly long[] _positions;
    private int _file;
    private FileStream? _stream;
    private byte[] _carry = new byte[ChunkBytes];
    private int _carryLength;

    public NabCsvSource(IReadOnlyList<string> files)
    {
        _files = files;
        _positions = new long[Math.Max(1, files.Count)];
    }

    public string Name => "nab-csv";
    public int Partitions => Math.Max(1, _files.Count);

    public async ValueTask<Chunk?> ReadAsync(CancellationToken cancellationToken)
    {
        while (_file < _files.Count)
        {
            _stream ??= new FileStream(_files[_file], FileMode.Open, FileAccess.Read, FileShare.Read, 1, useAsync: true);
            if (_carryLength < _carry.Length)
            {
                var read = await _stream.ReadAsync(_carry.AsMemory(_carryLength), cancellationToken);
                _carryLength += read;
                if (read == 0 && _carryLength == 0)
                {
                    await _stream.DisposeAsync();
                    _stream = null;
                    _file++;
                    continue;
                }
                var eof = read == 0 || _stream.Position == _stream.Length;
                var cut = eof ? _carryLength : _carry.AsSpan(0, _carryLength).LastIndexOf((byte)'\n') + 1;
                if (cut == 0)
                {
                    if (_carryLength == _carry.Length) Array.Resize(ref _carry, _carry.Length * 2); // a line longer than a chunk
                    continue;
                }
                var chunk = new Chunk(cut) { Length = cut, Partition = _file, Position = _positions[_file] };
                _carry.AsSpan(0, cut).CopyTo(chunk.Buffer);
                _carry.AsSpan(cut, _carryLength - cut).CopyTo(_carry);
                _carryLength -= cut;
                _positions[_file] += cut;
                return chunk;
            }
            Array.Resize(ref _carry, _carry.Length * 2);
        }
        return null;
    }

    public long PositionOf(int partition) => _positions[partition];

    public async ValueTask DisposeAsync()
    {
        if (_stream is not null) await _stream.DisposeAsync();
    }
}
