using Platform.Engine.Batching;
using Platform.Engine.Contracts;
using Platform.Engine.DeadLetters;

namespace Platform.Host.Running;

/// <summary>
/// The parse stage with the pipeline's read settings and source-level monitors around it: with
/// <c>parser.skip-prefix</c> a line's bytes before its first '{' become spaces (same length, so positions
/// and dead letters stay exact); after parsing, the freshness and volume monitors count the chunk's
/// records (one add per chunk) and the schema-drift monitor samples its lines. The stage keeps its name,
/// so checkpoints taken with or without monitors restore into each other.
/// </summary>
internal sealed class MonitoringParser<T>(IChunkParser<T> inner, bool skipPrefix, QualityMonitorSet? monitors) : IChunkParser<T>
{
    public int Parse(Chunk chunk, string sourceName, Batch<T> output, IDeadLetterSink deadLetters)
    {
        if (skipPrefix) BlankPrefixes(chunk.Buffer.AsSpan(0, chunk.Length));
        var before = output.Count;
        var rejected = inner.Parse(chunk, sourceName, output, deadLetters);
        if (monitors is { } m)
        {
            var parsed = output.Count - before;
            m.Freshness?.Observe(parsed);
            m.Volume?.Observe(parsed);
            m.Schema?.Sample(chunk.Span);
        }
        return rejected;
    }

    /// <summary>Overwrites everything before the first '{' of each line with spaces (JSON whitespace).</summary>
    internal static void BlankPrefixes(Span<byte> data)
    {
        var start = 0;
        while (start < data.Length)
        {
            var line = data[start..];
            var end = line.IndexOf((byte)'\n');
            if (end >= 0) line = line[..end];
            var brace = line.IndexOf((byte)'{');
            if (brace > 0) line[..brace].Fill((byte)' ');
            if (end < 0) break;
            start += end + 1;
        }
    }
}
