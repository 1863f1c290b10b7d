using Platform.Engine.Batching;
using Platform.Engine.DeadLetters;
using Platform.Engine.Records;
using Platform.Engine.Symbols;
using Platform.Formats;

namespace Platform.Host.Benchmarks;

/// <summary>The parse stage alone on Platform: <see cref="TelemetryNdjsonParser"/> into one reused batch per block.</summary>
public sealed class PlatformParseEngine : IParseEngine
{
    private readonly TelemetryNdjsonParser _parser = new(new SymbolTable());
    private readonly CountingDeadLetterSink _deadLetters = new();
    private Batch<Telemetry> _batch = new BatchPool<Telemetry>(4096).Rent();

    /// <inheritdoc />
    public string Name => "platform";

    /// <inheritdoc />
    public void Prepare(IReadOnlyList<byte[]> blocks)
    {
        // Size the batch to the largest block and intern every key, so the measured pass is the steady state.
        var maxLines = blocks.Max(b => b.AsSpan().Count((byte)'\n')) + 16;
        _batch = new BatchPool<Telemetry>(maxLines).Rent();
        Parse(blocks);
    }

    /// <inheritdoc />
    public long Parse(IReadOnlyList<byte[]> blocks)
    {
        long valid = 0;
        long position = 0;
        foreach (var block in blocks)
        {
            _batch.Clear();
            _parser.Parse(block, "bench", 0, position, _batch, _deadLetters);
            valid += _batch.Count;
            position += block.Length;
        }
        return valid;
    }
}
