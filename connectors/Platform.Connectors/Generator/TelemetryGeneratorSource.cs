using Platform.Engine.Contracts;

namespace Platform.Connectors.Generator;

/// <summary>
/// A chunk source over a <see cref="TelemetryGenerator"/>: one partition, chunks of whole lines,
/// <see cref="Chunk.Position"/> = byte offset in the generated stream. Paced to
/// <see cref="TelemetryGeneratorOptions.Rate"/> records/s when set (by awaiting a timer on the given clock);
/// unbounded when <see cref="TelemetryGeneratorOptions.Events"/> is 0 (ends when cancelled).
/// Read by one thread; the counters may be read from any thread.
/// </summary>
public sealed class TelemetryGeneratorSource : IChunkSource
{
    /// <summary>Default chunk size.</summary>
    public const int DefaultChunkBytes = 256 * 1024;

    /// <summary>Largest chunk size accepted.</summary>
    public const int MaxChunkBytes = 64 * 1024 * 1024;

    private readonly TelemetryGenerator _generator;
    private readonly int _chunkBytes;
    private readonly RatePacer? _pacer;
    private long _position;
    private long _sequence;
    private long _validEmitted;
    private long _malformedEmitted;
    private long _linesEmitted;

    /// <summary>Creates the source.</summary>
    /// <param name="options">What to generate (validated here).</param>
    /// <param name="chunkBytes">Target chunk size, at least <see cref="TelemetryGenerator.MaxLineBytes"/>.</param>
    /// <param name="clock">Clock for pacing (tests pass a fake); defaults to <see cref="TimeProvider.System"/>.</param>
    public TelemetryGeneratorSource(TelemetryGeneratorOptions options, int chunkBytes = DefaultChunkBytes, TimeProvider? clock = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkBytes, TelemetryGenerator.MaxLineBytes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(chunkBytes, MaxChunkBytes);
        _generator = new TelemetryGenerator(options);
        _chunkBytes = chunkBytes;
        if (options.Rate > 0) _pacer = new RatePacer(options.Rate, clock ?? TimeProvider.System);
    }

    /// <inheritdoc />
    public string Name => "telemetry-generator";

    /// <inheritdoc />
    public int Partitions => 1;

    /// <summary>The generator behind the source: its labels and counters (read them once the source has ended).</summary>
    public TelemetryGenerator Generator => _generator;

    /// <summary>Valid records in the chunks returned so far.</summary>
    public long ValidRecordsEmitted => Volatile.Read(ref _validEmitted);

    /// <summary>Malformed lines in the chunks returned so far.</summary>
    public long MalformedEmitted => Volatile.Read(ref _malformedEmitted);

    /// <summary>Lines (valid + malformed) in the chunks returned so far.</summary>
    public long LinesEmitted => Volatile.Read(ref _linesEmitted);

    /// <inheritdoc />
    public async ValueTask<Chunk?> ReadAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_generator.IsComplete) return null;
        var maxLines = long.MaxValue;
        if (_pacer is not null)
        {
            // Wait before generating, so a cancelled wait loses nothing that was counted as emitted.
            await _pacer.WaitAsync(_generator.Lines, cancellationToken);
            maxLines = _pacer.UnitsPerStep;
        }
        var chunk = new Chunk(_chunkBytes);
        var n = _generator.Fill(chunk.Buffer.AsSpan(0, _chunkBytes), maxLines);
        chunk.Length = n;
        chunk.Partition = 0;
        chunk.Position = _position;
        chunk.Sequence = _sequence++;
        _position += n;
        Volatile.Write(ref _validEmitted, _generator.ValidRecords);
        Volatile.Write(ref _malformedEmitted, _generator.MalformedLines);
        Volatile.Write(ref _linesEmitted, _generator.Lines);
        return chunk;
    }

    /// <inheritdoc />
    public long PositionOf(int partition)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(partition, 0);
        return _position;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
