using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Platform.Connectors.Memory;
using Platform.Engine.DeadLetters;
using Platform.Host.Config;
using Platform.Host.Running;

namespace Platform.Host.Dlq;

/// <summary>One dead letter as read back for replay.</summary>
internal sealed record DeadLetterEntry(string Source, int Partition, long Position, string Reason, byte[] Raw)
{
    /// <summary>Where the record was in its source: the replay de-duplicates on this.</summary>
    public (string, int, long) SourcePosition => (Source, Partition, Position);
}

/// <summary>What a replay did.</summary>
/// <param name="Entries">Dead letters read.</param>
/// <param name="Duplicates">Entries skipped because an earlier entry had the same source position.</param>
/// <param name="AlreadyReplayed">Entries skipped because an earlier replay landed them (the ledger).</param>
/// <param name="Replayed">Records that parsed and went through the pipeline this time.</param>
/// <param name="FailedAgain">Records that failed again (written to <paramref name="FailedPath"/>, not in the ledger).</param>
/// <param name="FailedPath">Where records that failed again went.</param>
/// <param name="RecordsOut">Results the pipeline wrote.</param>
internal sealed record ReplayResult(int Entries, int Duplicates, int AlreadyReplayed, int Replayed, int FailedAgain, string FailedPath, long RecordsOut);

/// <summary>
/// <c>platform dlq replay &lt;dlq&gt; --to &lt;pipeline.yaml&gt;</c>: re-injects the raw bytes of dead letters into
/// the (fixed) pipeline, once each. Entries are de-duplicated by source position (source, partition,
/// position) within the file and against a ledger next to it (<c>&lt;dlq&gt;.replayed</c>), which records every
/// record a replay landed; a record that fails again keeps its original position and stays out of the
/// ledger, so a later replay after another fix tries it again.
/// </summary>
internal static class DlqReplay
{
    /// <summary>The ledger of positions already replayed from <paramref name="dlqPath"/>.</summary>
    public static string LedgerPath(string dlqPath) => dlqPath + ".replayed";

    public static async Task<ReplayResult> RunAsync(string dlqPath, PipelineConfig config, TextWriter log, int? workers = null, CancellationToken cancellationToken = default)
    {
        if (config.Sinks.OfType<DuckDbSinkConfig>().FirstOrDefault(d => d.Mode == SinkWriteMode.Replace) is { } replacing)
        {
            throw new InvalidOperationException($"The duckdb sink writing {replacing.Path} has mode: replace, which drops the table before writing; a replay adds records, so set mode: append (or upsert) first.");
        }
        var entries = Read(dlqPath, log);
        var ledgerPath = LedgerPath(dlqPath);
        var landed = ReadLedger(ledgerPath);
        var seen = new HashSet<(string, int, long)>();
        var chosen = new List<DeadLetterEntry>();
        int duplicates = 0, already = 0;
        foreach (var e in entries)
        {
            if (landed.Contains(e.SourcePosition)) { already++; continue; }
            if (!seen.Add(e.SourcePosition)) { duplicates++; continue; }
            chosen.Add(e);
        }
        var failedPath = Path.GetFullPath(config.DeadLetter.FullPath) == Path.GetFullPath(dlqPath)
            ? dlqPath + ".replay-failed.ndjson"
            : config.DeadLetter.FullPath;
        if (chosen.Count == 0)
        {
            return new ReplayResult(entries.Count, duplicates, already, 0, 0, failedPath, 0);
        }

        // One replay buffer: each raw record on its own line, blocks cut at record boundaries; offsets map a
        // buffer position back to the entry (and so to its original source position).
        var offsets = new long[chosen.Count];
        var blocks = new List<byte[]>();
        var block = new MemoryStream();
        long at = 0;
        var chunkBytes = (int)config.Runtime.ChunkSize;
        for (var i = 0; i < chosen.Count; i++)
        {
            var raw = chosen[i].Raw;
            if (block.Length > 0 && block.Length + raw.Length + 1 > chunkBytes)
            {
                blocks.Add(block.ToArray());
                block.SetLength(0);
            }
            offsets[i] = at;
            block.Write(raw);
            block.WriteByte((byte)'\n');
            at += raw.Length + 1;
        }
        if (block.Length > 0) blocks.Add(block.ToArray());

        var failed = new ConcurrentDictionary<int, bool>();
        var source = new MemoryChunkSource(blocks, "replay");
        var overrides = new RunOverrides(Workers: workers)
        {
            Source = source,
            NoCheckpoints = true,
            DeadLetterPath = failedPath,
            WrapDeadLetters = inner => new OriginalPositions(inner, offsets, chosen, failed),
        };
        await using var assembly = PipelineFactory.Build(config, overrides);
        var result = await assembly.Definition.RunAsync(cancellationToken);
        await assembly.DeadLetters.FlushAsync(cancellationToken);

        // Only now, with the sinks flushed, do the landed records enter the ledger.
        var ledger = new StringBuilder();
        for (var i = 0; i < chosen.Count; i++)
        {
            if (failed.ContainsKey(i)) continue;
            ledger.Append(LedgerLine(chosen[i])).Append('\n');
        }
        await File.AppendAllTextAsync(ledgerPath, ledger.ToString(), cancellationToken);
        return new ReplayResult(entries.Count, duplicates, already, chosen.Count - failed.Count, failed.Count, failedPath, result.RecordsOut);
    }

    /// <summary>Reads every dead-letter line that has raw bytes; other lines are counted and named in <paramref name="log"/>.</summary>
    internal static List<DeadLetterEntry> Read(string path, TextWriter log)
    {
        var entries = new List<DeadLetterEntry>();
        long lineNo = 0, skipped = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNo++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                using var doc = JsonDocument.Parse(line);
                var r = doc.RootElement;
                if (r.ValueKind == JsonValueKind.Object && r.TryGetProperty("raw", out var raw) && raw.TryGetBytesFromBase64(out var bytes)
                    && r.TryGetProperty("source", out var s) && s.ValueKind == JsonValueKind.String
                    && r.TryGetProperty("position", out var p) && p.TryGetInt64(out var position))
                {
                    var partition = r.TryGetProperty("partition", out var pa) && pa.TryGetInt32(out var pv) ? pv : 0;
                    var reason = r.TryGetProperty("reason", out var re) && re.ValueKind == JsonValueKind.String ? re.GetString() ?? "" : "";
                    entries.Add(new DeadLetterEntry(s.GetString()!, partition, position, reason, bytes));
                    continue;
                }
            }
            catch (JsonException)
            {
            }
            if (skipped++ < 5) log.WriteLine($"{path}:{lineNo}: not a dead letter with source, position and raw bytes; skipped");
        }
        return entries;
    }

    private static HashSet<(string, int, long)> ReadLedger(string path)
    {
        var set = new HashSet<(string, int, long)>();
        if (!File.Exists(path)) return set;
        foreach (var line in File.ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            using var doc = JsonDocument.Parse(line);
            var r = doc.RootElement;
            set.Add((r.GetProperty("source").GetString()!, r.GetProperty("partition").GetInt32(), r.GetProperty("position").GetInt64()));
        }
        return set;
    }

    private static string LedgerLine(DeadLetterEntry e)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("source", e.Source);
            json.WriteNumber("partition", e.Partition);
            json.WriteNumber("position", e.Position);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Writes a record that failed again under its original source position and marks it failed.</summary>
    private sealed class OriginalPositions(IDeadLetterSink inner, long[] offsets, List<DeadLetterEntry> entries, ConcurrentDictionary<int, bool> failed) : IDeadLetterSink
    {
        public long Count => inner.Count;

        public void Write(string source, int partition, long position, string reason, ReadOnlySpan<byte> raw)
        {
            var i = Array.BinarySearch(offsets, position);
            if (i < 0) i = ~i - 1;
            if (i < 0 || i >= entries.Count)
            {
                inner.Write(source, partition, position, reason, raw);
                return;
            }
            var e = entries[i];
            failed.TryAdd(i, true);
            inner.Write(e.Source, e.Partition, e.Position, reason, raw);
        }
    }
}
