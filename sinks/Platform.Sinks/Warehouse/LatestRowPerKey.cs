namespace Platform.Sinks.Warehouse;

/// <summary>
/// Reduces a batch of rows to the one an upsert keeps per key, and splits those by key hash into parts that
/// share no key (so the parts can be upserted in parallel, each part of batch n+1 after the same part of batch n).
/// The row kept per key is the one the database would keep: the highest version, with a version column (a null
/// version loses to any value), else — and between equal versions — the last in the batch. A table with more than
/// <see cref="RowKey.MaxColumns"/> key columns is only split, not reduced (the upsert statement still picks the
/// latest row per key). Reused batch after batch: its table and lists keep their storage.
/// </summary>
internal sealed class LatestRowPerKey<TRow, TMapping>(RowKeyLayout layout)
    where TMapping : ITableMapping<TRow>
{
    private RowFacts[] _facts = [];
    private bool[] _keep = [];
    private int[] _slots = [];

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
            _keep = new bool[capacity];
        }
        if (layout.Collapsible)
        {
            KeepLatestPerKey(rows, in mapping);
        }
        else
        {
            for (var i = 0; i < rows.Length; i++)
            {
                _facts[i] = FactsOf(in rows[i], in mapping, out _);
                _keep[i] = true;
            }
        }
        for (var i = 0; i < rows.Length; i++)
        {
            if (_keep[i]) parts[PartOf(_facts[i].Hash, parts.Length)].Add(i);
        }
    }

    /// <summary>
    /// One pass in arrival order over an open-addressing table of row indexes (linear probing, at most half full): a
    /// row whose key is already held either replaces the held row or is dropped. Keys are compared only when the hashes
    /// are equal; the held row's key is then derived again from the row, so the table holds ints, not keys.
    /// </summary>
    private void KeepLatestPerKey(ReadOnlySpan<TRow> rows, in TMapping mapping)
    {
        var size = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, rows.Length * 2));
        if (_slots.Length < size) _slots = new int[size];
        var slots = _slots.AsSpan(0, size);
        slots.Clear();
        var mask = size - 1;
        for (var i = 0; i < rows.Length; i++)
        {
            var facts = FactsOf(in rows[i], in mapping, out var key);
            _facts[i] = facts;
            _keep[i] = true;
            for (var slot = facts.Hash & mask; ; slot = (slot + 1) & mask)
            {
                var held = slots[slot] - 1;
                if (held < 0)
                {
                    slots[slot] = i + 1;
                    break;
                }
                if (_facts[held].Hash != facts.Hash) continue;
                FactsOf(in rows[held], in mapping, out var heldKey);
                if (!heldKey.Equals(key)) continue;
                if (Supersedes(facts, _facts[held]))
                {
                    _keep[held] = false;
                    slots[slot] = i + 1;
                }
                else
                {
                    _keep[i] = false;
                }
                break;
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
