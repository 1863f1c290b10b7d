using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using Platform.Engine.Batching;
using Platform.Engine.Contracts;
using Platform.Engine.Symbols;
using Platform.Formats.Segment;

namespace Platform.Operators.Churn;

/// <summary>
/// Which identity each id's events belong to, after <c>alias</c> calls: pipeline-wide, shared by the parse
/// workers, saved with every checkpoint. The first identity of a person stays the key of their state (usually the
/// anonymous id they browsed with); an alias maps the new user id onto it, so every later event of that user is
/// routed to the worker that already holds the state and nothing has to move between workers.
/// </summary>
public sealed class IdentityGraph : ICheckpointParticipant
{
    private const int Magic = 0x4E444941; // "AIDN"
    private const int Version = 1;
    private readonly ConcurrentDictionary<int, int> _canonical = new();
    private volatile bool _any;

    /// <inheritdoc />
    public string Name => "churn-identities";

    /// <summary>Ids mapped onto another.</summary>
    public int Count => _canonical.Count;

    /// <summary>The identity whose state <paramref name="id"/>'s events update.</summary>
    public Symbol Resolve(Symbol id)
    {
        if (!_any || id.IsNone) return id;
        // Chains are short (one alias per person, typically); bound the walk anyway.
        for (var i = 0; i < 8 && _canonical.TryGetValue(id.Id, out var next); i++) id = new Symbol(next);
        return id;
    }

    /// <summary>Records <c>alias(previousId, userId)</c>; returns the identity that now holds both.</summary>
    public Symbol Link(Symbol previousId, Symbol userId)
    {
        var root = Resolve(previousId);
        if (userId.IsNone || userId == root) return root;
        _any = true;
        // Only the first alias of a user id decides; a second one would split the state it already has.
        return _canonical.TryAdd(userId.Id, root.Id) ? root : Resolve(userId);
    }

    /// <inheritdoc />
    public void Snapshot(IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var pairs = _canonical.ToArray();
        var span = writer.GetSpan(12 + pairs.Length * 8);
        BinaryPrimitives.WriteInt32LittleEndian(span, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], Version);
        BinaryPrimitives.WriteInt32LittleEndian(span[8..], pairs.Length);
        for (var i = 0; i < pairs.Length; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(span[(12 + i * 8)..], pairs[i].Key);
            BinaryPrimitives.WriteInt32LittleEndian(span[(16 + i * 8)..], pairs[i].Value);
        }
        writer.Advance(12 + pairs.Length * 8);
    }

    /// <inheritdoc />
    public void Restore(ReadOnlySequence<byte> snapshot)
    {
        var bytes = snapshot.IsSingleSegment ? snapshot.FirstSpan : snapshot.ToArray();
        if (bytes.Length < 12 || BinaryPrimitives.ReadInt32LittleEndian(bytes) != Magic) throw new InvalidDataException("Not an identity-graph snapshot.");
        if (BinaryPrimitives.ReadInt32LittleEndian(bytes[4..]) != Version) throw new InvalidDataException("Identity-graph snapshot of another version.");
        var n = BinaryPrimitives.ReadInt32LittleEndian(bytes[8..]);
        if (n < 0 || bytes.Length != 12 + (long)n * 8) throw new InvalidDataException("Identity-graph snapshot is truncated.");
        _canonical.Clear();
        for (var i = 0; i < n; i++) _canonical[BinaryPrimitives.ReadInt32LittleEndian(bytes[(12 + i * 8)..])] = BinaryPrimitives.ReadInt32LittleEndian(bytes[(16 + i * 8)..]);
        _any = n > 0;
    }
}

/// <summary>
/// The stateless step before key-by: links alias calls in the <see cref="IdentityGraph"/> and sets every record's
/// <see cref="CustomerEvent.Profile"/> to the identity that holds its state. Fused into the parse stage.
/// </summary>
public sealed class ResolveIdentities(IdentityGraph graph) : IBatchOperator<CustomerEvent, CustomerEvent>
{
    /// <inheritdoc />
    public void Process(ReadOnlySpan<CustomerEvent> input, IBatchOutput<CustomerEvent> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        foreach (var record in input)
        {
            var e = record;
            e.Profile = e.Type == SegmentMessageType.Alias
                ? graph.Link(e.Event, e.UserId)
                : graph.Resolve(e.UserId.IsNone ? e.AnonymousId : e.UserId);
            output.Emit(e);
        }
    }
}
