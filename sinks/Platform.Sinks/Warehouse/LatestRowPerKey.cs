namespace Platform.Sinks.Warehouse;

/// <summary>
/// Reduces a batch of rows to the one an upsert keeps per key, and splits those by key hash into parts that
/// share no key (so the parts can be upserted in parallel, each part of batch n+1 after the same part of batch n).
/// The row kept per key is the one the database would keep: the highest version, with a version column (a null
/// version loses to any value), else — and between equal versions — the last in the batch. A table with more than
/// <see cref="RowKey.MaxColumns"/> key columns is only split, not reduced (the upsert statement still picks the
/// latest row per key). Reused batch after batch: its dictionary and lists keep their storage.
/// </summary>
internal sealed class LatestRowPerKey<TRow, TMapping>(RowKeyLayout layout)
    where TMapping : ITableMapping<TRow>
{
    private readonly List<(RowKey Key, int Row)> _run = [];
    private RowFacts[] _facts = [];
    private long[] _byHash = [];
    private bool[] _keep = [];

    /// <summary>True when the parts hold at most one row per key (the table's keys fit a <see cref="RowKey"/>).</summary>
    public bool Reduces => layout.Collapsible;

    /// <summary>Fills <paramref name="parts"/> (cleared first) with the indexes, in arrival order, into <paramref name="rows"/> of the rows to write, each in the part its key hashes to.</summary>
    /// <exception cref="InvalidOperationException">The mapping wrote a value that does not fit the schema.</exception>
    public void Split(ReadOnlySpan<TRow> rows, in TMapping mapping, List<int>[] parts)
    {
        foreach (var part in parts) part.Clear();
        if (_facts.Length < rows.Length)
        {
            var capacity = Math.Max(rows.Length, _facts.Length * 2);
            _facts = new RowFacts[capacity];
            _byHash = new long[capacity];
            _keep = new bool[capacity];
        }
        for (var i = 0; i < rows.Length; i++)
        {
            _facts[i] = FactsOf(in rows[i], in mapping, out _);
            _keep[i] = true;
        }
        if (layout.Collapsible) KeepLatestPerKey(rows, in mapping);
        for (var i = 0; i < rows.Length; i++)
        {
            if (_keep[i]) parts[PartOf(_facts[i].Hash, parts.Length)].Add(i);
        }
    }

    /// <summary>
    /// Sorting (hash, index) pairs puts rows that may share a key next to each other, in arrival order, for the
    /// price of sorting integers: only within a run of equal hashes are keys compared (a hash table over the keys
    /// would cost more per row than the whole rest of the split).
    /// </summary>
    private void KeepLatestPerKey(ReadOnlySpan<TRow> rows, in TMapping mapping)
    {
        var byHash = _byHash.AsSpan(0, rows.Length);
        for (var i = 0; i < byHash.Length; i++) byHash[i] = ((long)_facts[i].Hash << 32) | (uint)i;
        byHash.Sort();
        for (var start = 0; start < byHash.Length;)
        {
            var end = start + 1;
            while (end < byHash.Length && (int)(byHash[end] >> 32) == (int)(byHash[start] >> 32)) end++;
            if (end - start > 1) KeepLatestInRun(rows, in mapping, byHash[start..end]);
            start = end;
        }
    }

    /// <summary>Rows with one hash, in arrival order: per distinct key, all but the one kept are dropped.</summary>
    private void KeepLatestInRun(ReadOnlySpan<TRow> rows, in TMapping mapping, ReadOnlySpan<long> run)
    {
        _run.Clear();
        foreach (var entry in run)
        {
            var row = (int)(uint)entry;
            FactsOf(in rows[row], in mapping, out var key);
            var same = -1;
            for (var k = 0; k < _run.Count; k++)
            {
                if (_run[k].Key.Equals(key))
                {
                    same = k;
                    break;
                }
            }
            if (same < 0)
            {
                _run.Add((key, row));
            }
            else if (Supersedes(_facts[row], _facts[_run[same].Row]))
            {
                _keep[_run[same].Row] = false;
                _run[same] = (key, row);
            }
            else
            {
                _keep[row] = false;
            }
        }
    }

    private RowFacts FactsOf(in TRow row, in TMapping mapping, out RowKey key)
    {
        var writer = new RowKeyWriter(layout);
        mapping.Write(in row, ref writer);
        key = writer.Finish();
        return new RowFacts(key.Hash, writer.HasVersion, writer.Version);
    }

    /// <summary>A later row replaces the kept one unless the kept one has a higher version (or a version where the later has none).</summary>
    private static bool Supersedes(RowFacts later, RowFacts kept) =>
        later.HasVersion ? !kept.HasVersion || later.Version >= kept.Version : !kept.HasVersion;

    private static int PartOf(int hash, int parts) => parts == 1 ? 0 : (int)((uint)hash % (uint)parts);

    private readonly record struct RowFacts(int Hash, bool HasVersion, long Version);
}
