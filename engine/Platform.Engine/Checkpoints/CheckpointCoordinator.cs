using System.Buffers;
using System.Diagnostics;
using Platform.Engine.Contracts;
using Platform.Engine.Runtime;

namespace Platform.Engine.Checkpoints;

/// <summary>
/// One pipeline run's checkpoints: recovery at start, then for each checkpoint the source's positions
/// (<see cref="Begin"/>, on the source task), each worker's state (<see cref="SnapshotWorker"/>, on the
/// worker), and completion (<see cref="Complete"/>, on the sink task once every worker's barrier has
/// reached it and the sinks have flushed): participants' states, then the manifest, then retention.
/// </summary>
internal sealed class CheckpointCoordinator
{
    private sealed class Pending(byte[][] positions, int workers)
    {
        public readonly byte[][] Positions = positions;
        public readonly long Started = Stopwatch.GetTimestamp();
        public readonly CheckpointFile?[] Files = new CheckpointFile?[workers];
        public double AlignmentMs;
    }

    private readonly CheckpointOptions _options;
    private readonly CheckpointStore _store;
    private readonly string _pipeline;
    private readonly string _fingerprint;
    private readonly int _workers;
    private readonly IChunkSource _source;
    private readonly ICheckpointableSource _positions;
    private readonly PipelineStats _stats;
    private readonly Lock _lock = new();
    private readonly Dictionary<long, Pending> _pending = [];
    private long _lastId;

    public CheckpointCoordinator(CheckpointOptions options, string pipeline, string fingerprint, int workers, IChunkSource source, PipelineStats stats)
    {
        _options = options;
        _store = new CheckpointStore(options.Directory);
        _pipeline = pipeline;
        _fingerprint = fingerprint;
        _workers = workers;
        _source = source;
        _positions = source as ICheckpointableSource
            ?? throw new InvalidOperationException($"Checkpoints need a source that can resume from a position; source '{source.Name}' cannot. Turn checkpoints off or use a file source.");
        _stats = stats;
    }

    public CheckpointStore Store => _store;

    /// <summary>
    /// Finds the newest checkpoint that verifies, checks it fits this pipeline, restores the participants and
    /// seeks the source. Returns it (the caller restores the workers from it), or null to start afresh.
    /// </summary>
    public LoadedCheckpoint? Recover()
    {
        var ids = _store.Ids();
        _lastId = ids.Count > 0 ? ids[^1] : 0;
        if (!_options.Restore) return null;
        var loaded = _store.LoadLatest(_options.Log);
        if (loaded is null)
        {
            if (ids.Count > 0) _options.Log?.Invoke($"no usable checkpoint in {_store.Directory}; starting from the beginning of the input");
            return null;
        }
        var m = loaded.Manifest;
        if (m.Workers != _workers)
            throw new InvalidOperationException($"Checkpoint {m.Id} in {loaded.Path} was taken with {m.Workers} workers; this run has {_workers}. Run with {m.Workers} workers (--workers {m.Workers}), or start afresh with another checkpoint directory.");
        if (m.Fingerprint != _fingerprint)
            throw new InvalidOperationException($"Checkpoint {m.Id} in {loaded.Path} belongs to pipeline '{m.Fingerprint}'; this one is '{_fingerprint}'. Use another checkpoint directory for a changed pipeline.");
        foreach (var p in _options.Participants)
        {
            var name = ParticipantFile(p);
            if (!loaded.Files.TryGetValue(name, out var bytes))
            {
                if (p.HoldsNoState) continue;
                throw new InvalidDataException($"{Path.Combine(loaded.Path, name)}: missing from checkpoint {m.Id}.");
            }
            Wrap(Path.Combine(loaded.Path, name), () => p.Restore(new ReadOnlySequence<byte>(bytes)));
        }
        try
        {
            _positions.Seek(m.Positions);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"Checkpoint {m.Id} in {loaded.Path}: source '{_source.Name}' refused its positions: {e.Message}", e);
        }
        Interlocked.Exchange(ref _stats.Restored, m.Id);
        Interlocked.Exchange(ref _stats.LastCheckpoint, m.Id);
        _options.Log?.Invoke($"restored checkpoint {m.Id} from {loaded.Path} ({m.Bytes:N0} bytes of state, taken {m.CreatedUtc:u}); resuming the source from its positions");
        return loaded;
    }

    /// <summary>Restores worker <paramref name="worker"/>'s operator from a loaded checkpoint.</summary>
    public static void RestoreWorker(LoadedCheckpoint checkpoint, int worker, Action<ReadOnlySequence<byte>> restore)
    {
        var name = WorkerStateFile.NameOf(worker);
        var path = Path.Combine(checkpoint.Path, name);
        if (!checkpoint.Files.TryGetValue(name, out var bytes)) throw new InvalidDataException($"{path}: missing from checkpoint {checkpoint.Manifest.Id}.");
        var state = WorkerStateFile.Read(path, bytes, checkpoint.Manifest.Id, worker, checkpoint.Manifest.Workers);
        Wrap(path, () => restore(new ReadOnlySequence<byte>(state)));
    }

    private static void Wrap(string path, Action restore)
    {
        try
        {
            restore();
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(path, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>Starts checkpoint n: records the source's positions after the last chunk handed to the workers.</summary>
    public long Begin()
    {
        var positions = new byte[_source.Partitions][];
        for (var p = 0; p < positions.Length; p++) positions[p] = _positions.SavePosition(p);
        lock (_lock)
        {
            var id = ++_lastId;
            _pending[id] = new Pending(positions, _workers);
            return id;
        }
    }

    /// <summary>Writes worker <paramref name="worker"/>'s state of checkpoint <paramref name="id"/> (atomically).</summary>
    public void SnapshotWorker(long id, int worker, Action<IBufferWriter<byte>> snapshot, TimeSpan alignment)
    {
        var name = WorkerStateFile.NameOf(worker);
        var dir = _store.Prepare(id);
        using var writer = new HashingFileWriter(Path.Combine(dir, name));
        WorkerStateFile.WriteHeader(writer, id, worker, _workers);
        snapshot(writer);
        var (bytes, hash) = writer.Commit();
        lock (_lock)
        {
            var p = _pending[id];
            p.Files[worker] = new CheckpointFile(name, bytes, hash);
            p.AlignmentMs = Math.Max(p.AlignmentMs, alignment.TotalMilliseconds);
        }
    }

    /// <summary>Every worker's state is written and the sinks flushed: saves the participants, writes the manifest, applies retention.</summary>
    public CheckpointManifest Complete(long id)
    {
        Pending p;
        lock (_lock)
        {
            if (!_pending.Remove(id, out p!)) throw new InvalidOperationException($"Checkpoint {id} was not started.");
        }
        var dir = _store.Prepare(id);
        var files = new List<CheckpointFile>(_workers + _options.Participants.Count);
        for (var w = 0; w < _workers; w++) files.Add(p.Files[w] ?? throw new InvalidOperationException($"Checkpoint {id}: worker {w} wrote no state."));
        foreach (var participant in _options.Participants)
        {
            var name = ParticipantFile(participant);
            using var writer = new HashingFileWriter(Path.Combine(dir, name));
            participant.Snapshot(writer);
            var (bytes, hash) = writer.Commit();
            files.Add(new CheckpointFile(name, bytes, hash));
        }
        var elapsed = Stopwatch.GetElapsedTime(p.Started);
        var manifest = new CheckpointManifest(id, DateTimeOffset.UtcNow, _pipeline, _fingerprint, _workers, _source.Name,
            p.Positions, files, WorkerStateFile.FormatVersion, elapsed.TotalMilliseconds, p.AlignmentMs);
        _store.WriteManifest(manifest);
        Interlocked.Increment(ref _stats.CheckpointsDone);
        Interlocked.Exchange(ref _stats.LastCheckpoint, id);
        Interlocked.Exchange(ref _stats.LastCheckpointMicros, (long)elapsed.TotalMicroseconds);
        Interlocked.Exchange(ref _stats.LastCheckpointSize, manifest.Bytes);
        Interlocked.Exchange(ref _stats.LastAlignmentMicros, (long)(p.AlignmentMs * 1000));
        return manifest;
    }

    /// <summary>Deletes checkpoints beyond the newest <see cref="CheckpointOptions.Retain"/> complete ones.</summary>
    public void ApplyRetention() => _store.ApplyRetention(_options.Retain, _options.Log);

    private static string ParticipantFile(ICheckpointParticipant p) => $"participant-{p.Name}.bin";
}
