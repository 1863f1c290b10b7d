using Platform.Engine.Batching;
using Platform.Engine.DeadLetters;
using Platform.Engine.Records;
using Platform.Engine.Symbols;
using Platform.Formats.Segment;

namespace Platform.Operators.Churn;

/// <summary>
/// Feature rows for training, computed from a Segment NDJSON file by the same parser, identity resolution and
/// keyed state the streaming operator uses, at the end of the file's event time (where a label's "will churn"
/// is decided).
/// </summary>
public sealed class ChurnDataset
{
    private ChurnDataset(Dictionary<string, float[]> features, long messages, long rejected, long endTime)
    {
        Features = features;
        Messages = messages;
        Rejected = rejected;
        EndTime = endTime;
    }

    /// <summary>Features per customer id.</summary>
    public IReadOnlyDictionary<string, float[]> Features { get; }

    /// <summary>Messages parsed.</summary>
    public long Messages { get; }

    /// <summary>Messages rejected (malformed).</summary>
    public long Rejected { get; }

    /// <summary>The moment features are computed at: the newest event time (Unix ms).</summary>
    public long EndTime { get; }

    /// <summary>Reads <paramref name="ndjsonPath"/> and computes every customer's features.</summary>
    public static ChurnDataset FromEvents(string ndjsonPath)
    {
        var symbols = new SymbolTable();
        var parser = new SegmentNdjsonParser<CdpProjection>(symbols);
        var identities = new IdentityGraph();
        var resolve = new ResolveIdentities(identities);
        var op = new ChurnScoringOperator(symbols, models: null, identities);
        var pool = new BatchPool<CustomerEvent>(8192);
        var dead = new CountingDeadLetterSink();
        var ignore = new DiscardOutput();
        long messages = 0;
        var buffer = new byte[4 << 20];
        var filled = 0;
        using var file = File.OpenRead(ndjsonPath);
        while (true)
        {
            var n = file.Read(buffer, filled, buffer.Length - filled);
            filled += n;
            var end = n == 0 ? filled : buffer.AsSpan(0, filled).LastIndexOf((byte)'\n') + 1;
            if (end == 0 && filled == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
            if (end > 0)
            {
                using var parsed = pool.Rent();
                using var resolved = pool.Rent();
                parser.Parse(buffer.AsSpan(0, end), ndjsonPath, 0, 0, parsed, dead);
                resolve.Process(parsed.Items, new BatchAppend(resolved));
                op.OnRecords(resolved.Items, ignore);
                messages += parsed.Count;
                buffer.AsSpan(end, filled - end).CopyTo(buffer);
                filled -= end;
            }
            if (n == 0) break;
        }
        var features = op.FeaturesAtEnd(symbols, identities);
        return new ChurnDataset(features, messages, dead.Count, op.MaxEventTime);
    }

    /// <summary>Joins features with labels: one training row per labelled customer that has events.</summary>
    public List<ChurnModelInput> Join(IReadOnlyDictionary<string, bool> labels, out int unmatched)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var rows = new List<ChurnModelInput>(labels.Count);
        unmatched = 0;
        foreach (var (id, churned) in labels)
        {
            if (Features.TryGetValue(id, out var f)) rows.Add(new ChurnModelInput { Features = f, Label = churned });
            else unmatched++;
        }
        return rows;
    }

    private sealed class DiscardOutput : IBatchOutput<CustomerProfileUpdate>
    {
        public void Emit(in CustomerProfileUpdate record)
        {
        }
    }

    private sealed class BatchAppend(Batch<CustomerEvent> target) : IBatchOutput<CustomerEvent>
    {
        public void Emit(in CustomerEvent record) => target.Add(record);
    }
}
