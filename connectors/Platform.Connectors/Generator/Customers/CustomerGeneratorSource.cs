using Platform.Engine.Contracts;

namespace Platform.Connectors.Generator.Customers;

/// <summary>
/// A chunk source over a <see cref="CustomerGenerator"/>: one partition, chunks of whole Segment lines,
/// <see cref="Chunk.Position"/> = byte offset in the generated stream; paced to <paramref name="rate"/> lines/s
/// when set. Read by one thread.
/// </summary>
public sealed class CustomerGeneratorSource(CustomerGeneratorOptions options, int chunkBytes = CustomerGeneratorSource.DefaultChunkBytes, double rate = 0, TimeProvider? clock = null)
    : IChunkSource
{
    /// <summary>Default chunk size.</summary>
    public const int DefaultChunkBytes = 256 * 1024;

    private readonly CustomerGenerator _generator = new(options);
    private readonly int _chunkBytes = Math.Max(chunkBytes, CustomerGenerator.MaxLineBytes);
    private readonly RatePacer? _pacer = rate > 0 ? new RatePacer(rate, clock ?? TimeProvider.System) : null;
    private long _position;
    private long _sequence;
    private long _messages;

    /// <inheritdoc />
    public string Name => "customers-generator";

    /// <inheritdoc />
    public int Partitions => 1;

    /// <summary>The generator (labels, counters).</summary>
    public CustomerGenerator Generator => _generator;

    /// <summary>Segment messages in the chunks returned so far.</summary>
    public long MessagesEmitted => Volatile.Read(ref _messages);

    /// <inheritdoc />
    public async ValueTask<Chunk?> ReadAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_generator.IsComplete) return null;
        var maxLines = long.MaxValue;
        if (_pacer is not null)
        {
            await _pacer.WaitAsync(_generator.Lines, cancellationToken).ConfigureAwait(false);
            maxLines = _pacer.UnitsPerStep;
        }
        var chunk = new Chunk(_chunkBytes);
        var n = _generator.Fill(chunk.Buffer.AsSpan(0, _chunkBytes), maxLines);
        chunk.Length = n;
        chunk.Partition = 0;
        chunk.Position = _position;
        chunk.Sequence = _sequence++;
        _position += n;
        Volatile.Write(ref _messages, _generator.Messages);
        return chunk;
    }

    /// <inheritdoc />
    public long PositionOf(int partition)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(partition, 0);
        return _position;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _generator.Dispose();
        return ValueTask.CompletedTask;
    }
}
