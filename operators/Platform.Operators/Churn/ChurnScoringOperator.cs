using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Platform.Engine.Batching;
using Platform.Engine.Contracts;
using Platform.Engine.Records;
using Platform.Engine.Symbols;
using Platform.Formats.Segment;

namespace Platform.Operators.Churn;

/// <summary>
/// Per-customer churn features in keyed state and their scores, in one keyed stage (the runtime has one per
/// pipeline): every event updates its customer's <see cref="CustomerFeatureState"/>; customers whose features
/// changed are scored as event time passes (<see cref="ChurnScoringOptions.ScoreChangedEvery"/>), everyone on a
/// schedule (<see cref="ChurnScoringOptions.RescoreEvery"/>) and once more at the end of a bounded input. A score
/// is the model's probability (or the rules' estimate) clamped to [0.05, 0.95] and banded; a
/// <see cref="CustomerProfileUpdate"/> goes out when it moved by <see cref="ChurnScoringOptions.MinChange"/> or
/// changed band (or the model version changed). <c>alias</c> folds the other identity's state into this one when this worker holds it (see
/// <see cref="IdentityGraph"/> for why it usually does). State survives checkpoints (<see cref="Snapshot"/>).
/// </summary>
public sealed class ChurnScoringOperator : IKeyedOperator<CustomerEvent, CustomerProfileUpdate>
{
    /// <summary>Snapshot format version.</summary>
    public const int SnapshotVersion = 1;
    private const int Magic = 0x4E524843; // "CHRN"

    private readonly ChurnScoringOptions _options;
    private readonly EventClassifier _classifier;
    private readonly WorkerChurnScorer _scorer;
    private readonly IdentityGraph? _identities;
    private readonly SymbolTable _symbols;
    private readonly Dictionary<long, CustomerFeatureState> _states = [];
    private readonly List<long> _dirty = [];
    private readonly float[] _features = new float[ChurnFeatures.Count];
    private Symbol _version;
    private string? _versionText;
    private long _maxTime = long.MinValue;
    private long _nextChangedRound = long.MinValue;
    private long _nextRescore = long.MinValue;

    /// <summary>Creates the operator of one worker.</summary>
    /// <param name="symbols">The pipeline's symbol table (model versions are interned into it).</param>
    /// <param name="models">The model to score with (null, or no file yet: the rules).</param>
    /// <param name="identities">The alias graph, to drop state of ids merged elsewhere (null: no aliases).</param>
    /// <param name="options">When to score.</param>
    public ChurnScoringOperator(SymbolTable symbols, ChurnModelSource? models = null, IdentityGraph? identities = null, ChurnScoringOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        _symbols = symbols;
        _options = (options ?? new ChurnScoringOptions()).Validate();
        _classifier = new EventClassifier(symbols);
        _scorer = new WorkerChurnScorer(models);
        _identities = identities;
    }

    /// <summary>Customers with state on this worker.</summary>
    public int CustomerCount => _states.Count;

    /// <summary>Scores computed (emitted or not).</summary>
    public long ScoresComputed { get; private set; }

    /// <summary>The state of <paramref name="profile"/>, if this worker holds it.</summary>
    public bool TryGetState(Symbol profile, out CustomerFeatureState state) => _states.TryGetValue(profile.Id, out state);

    /// <inheritdoc />
    public void OnRecords(ReadOnlySpan<CustomerEvent> input, IBatchOutput<CustomerProfileUpdate> output)
    {
        foreach (ref readonly var e in input)
        {
            var key = (long)e.Profile.Id;
            if (key == 0) continue;
            if (e.Type == SegmentMessageType.Alias)
            {
                FoldInto(key, e.Event.Id);
                FoldInto(key, e.UserId.Id);
            }
            var (kind, category) = _classifier.Classify(e);
            ref var state = ref CollectionsMarshal.GetValueRefOrAddDefault(_states, key, out _);
            if (!state.Dirty) _dirty.Add(key);
            state.Apply(e, kind, category);
            if (e.Timestamp > _maxTime) _maxTime = e.Timestamp;
        }
    }

    /// <summary>Moves the state held under <paramref name="other"/> (another id of the same person) into <paramref name="key"/>'s.</summary>
    private void FoldInto(long key, long other)
    {
        if (other == 0 || other == key || !_states.Remove(other, out var merged)) return;
        ref var state = ref CollectionsMarshal.GetValueRefOrAddDefault(_states, key, out _);
        if (!state.Dirty) _dirty.Add(key);
        state.Merge(ref merged);
    }

    /// <inheritdoc />
    public void OnWatermark(long watermark, IBatchOutput<CustomerProfileUpdate> output)
    {
        if (_maxTime == long.MinValue) return;
        var final = watermark == long.MaxValue;
        var now = final ? _maxTime : Math.Min(watermark, _maxTime);
        _scorer.Sync();
        if (_nextRescore == long.MinValue) _nextRescore = now + (long)_options.RescoreEvery.TotalMilliseconds;
        if (final || now >= _nextRescore)
        {
            _nextRescore = now + (long)_options.RescoreEvery.TotalMilliseconds;
            RescoreAll(now, output);
            _dirty.Clear();
            return;
        }
        if (now < _nextChangedRound) return;
        _nextChangedRound = now + (long)_options.ScoreChangedEvery.TotalMilliseconds;
        foreach (var key in _dirty)
        {
            ref var state = ref CollectionsMarshal.GetValueRefOrNullRef(_states, key);
            if (!System.Runtime.CompilerServices.Unsafe.IsNullRef(ref state)) Score(ref state, now, output);
        }
        _dirty.Clear();
    }

    private void RescoreAll(long now, IBatchOutput<CustomerProfileUpdate> output)
    {
        List<long>? orphans = null;
        foreach (var key in _states.Keys)
        {
            // State left under an id that an alias has since mapped onto a state on another worker: its person is scored there.
            if (_identities is not null && _identities.Resolve(new Symbol((int)key)).Id != key)
            {
                (orphans ??= []).Add(key);
                continue;
            }
            Score(ref CollectionsMarshal.GetValueRefOrNullRef(_states, key), now, output);
        }
        if (orphans is not null) foreach (var key in orphans) _states.Remove(key);
    }

    private void Score(ref CustomerFeatureState state, long now, IBatchOutput<CustomerProfileUpdate> output)
    {
        state.Dirty = false;
        ChurnFeatures.Compute(state, now, _features);
        var score = CustomerProfileUpdate.Clamp(_scorer.Score(_features));
        ScoresComputed++;
        var category = CustomerProfileUpdate.CategoryOf(score);
        if (!ReferenceEquals(_versionText, _scorer.Version))
        {
            _versionText = _scorer.Version;
            _version = _symbols.Intern(_versionText);
        }
        if (state.LastScore != 0 && Math.Abs(score - state.LastScore) < _options.MinChange && (byte)category == state.LastCategory && state.LastVersion == _version.Id) return;
        state.LastScore = (float)score;
        state.LastCategory = (byte)category;
        state.LastVersion = _version.Id;
        output.Emit(new CustomerProfileUpdate
        {
            CustomerId = state.CustomerId,
            ScoredAt = now,
            Score = score,
            Category = category,
            FromModel = _scorer.IsModel,
            ModelVersion = _version,
            FirstSeen = state.FirstSeen,
            LastActivity = state.LastActivity,
            TotalDeposits = state.TotalDeposits,
            TotalWithdrawals = state.TotalWithdrawals,
            DepositCount = state.DepositCount,
            WithdrawalCount = state.WithdrawalCount,
            GamingLevel = state.GamingLevel,
            TwitchLinked = state.TwitchLinked == 1,
            BookingsLastMonth = (int)_features[10],
            Sessions30d = (int)_features[13],
        });
    }

    /// <summary>The newest event time seen (Unix ms).</summary>
    public long MaxEventTime => _maxTime;

    /// <summary>Every customer's features at the newest event time, by customer id (training; allocates).</summary>
    public Dictionary<string, float[]> FeaturesAtEnd(SymbolTable symbols, IdentityGraph? identities)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        var result = new Dictionary<string, float[]>(_states.Count);
        foreach (var (key, state) in _states)
        {
            if (identities is not null && identities.Resolve(new Symbol((int)key)).Id != key) continue;
            var f = new float[ChurnFeatures.Count];
            ChurnFeatures.Compute(state, _maxTime, f);
            result[symbols.NameOf(state.CustomerId)] = f;
        }
        return result;
    }

    /// <inheritdoc />
    public unsafe void Snapshot(IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var header = writer.GetSpan(44);
        BinaryPrimitives.WriteInt32LittleEndian(header, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], SnapshotVersion);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], sizeof(CustomerFeatureState));
        BinaryPrimitives.WriteInt64LittleEndian(header[12..], _maxTime);
        BinaryPrimitives.WriteInt64LittleEndian(header[20..], _nextChangedRound);
        BinaryPrimitives.WriteInt64LittleEndian(header[28..], _nextRescore);
        BinaryPrimitives.WriteInt32LittleEndian(header[36..], _states.Count);
        BinaryPrimitives.WriteInt32LittleEndian(header[40..], 0);
        writer.Advance(44);
        foreach (var (key, state) in _states)
        {
            var span = writer.GetSpan(8 + sizeof(CustomerFeatureState));
            BinaryPrimitives.WriteInt64LittleEndian(span, key);
            var copy = state;
            MemoryMarshal.AsBytes(new ReadOnlySpan<CustomerFeatureState>(in copy)).CopyTo(span[8..]);
            writer.Advance(8 + sizeof(CustomerFeatureState));
        }
    }

    /// <inheritdoc />
    public unsafe void Restore(ReadOnlySequence<byte> snapshot)
    {
        var bytes = snapshot.IsSingleSegment ? snapshot.FirstSpan : snapshot.ToArray();
        if (bytes.Length < 44 || BinaryPrimitives.ReadInt32LittleEndian(bytes) != Magic) throw new InvalidDataException("Not a churn-operator snapshot.");
        var version = BinaryPrimitives.ReadInt32LittleEndian(bytes[4..]);
        if (version != SnapshotVersion) throw new InvalidDataException($"Churn snapshot version {version}; this build reads {SnapshotVersion}.");
        var size = BinaryPrimitives.ReadInt32LittleEndian(bytes[8..]);
        if (size != sizeof(CustomerFeatureState)) throw new InvalidDataException($"Churn snapshot holds {size}-byte states; this build's are {sizeof(CustomerFeatureState)} bytes.");
        var count = BinaryPrimitives.ReadInt32LittleEndian(bytes[36..]);
        if (count < 0 || bytes.Length != 44 + (long)count * (8 + size)) throw new InvalidDataException("Churn snapshot is truncated.");
        _states.Clear();
        _dirty.Clear();
        _maxTime = BinaryPrimitives.ReadInt64LittleEndian(bytes[12..]);
        _nextChangedRound = BinaryPrimitives.ReadInt64LittleEndian(bytes[20..]);
        _nextRescore = BinaryPrimitives.ReadInt64LittleEndian(bytes[28..]);
        var at = 44;
        for (var i = 0; i < count; i++, at += 8 + size)
        {
            var key = BinaryPrimitives.ReadInt64LittleEndian(bytes[at..]);
            var state = MemoryMarshal.Read<CustomerFeatureState>(bytes.Slice(at + 8, size));
            _states[key] = state;
            if (state.Dirty) _dirty.Add(key);
        }
    }
}
