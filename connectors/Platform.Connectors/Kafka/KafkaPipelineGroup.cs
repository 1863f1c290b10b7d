using System.Collections.Concurrent;
using System.Diagnostics;
using Confluent.Kafka;
using Platform.Engine.Checkpoints;
using Platform.Engine.DeadLetters;
using Platform.Engine.Runtime;
using Platform.Engine.Symbols;

namespace Platform.Connectors.Kafka;

/// <summary>
/// One member of a Kafka consumer group running one pipeline task per assigned partition (the Kafka Streams shape).
/// <para>
/// A task's keyed state, symbol table and position live in the partition's own checkpoint folder under the shared
/// <see cref="KafkaSourceOptions.CheckpointDirectory"/>, so state and offset always move together: when a partition
/// is assigned, its task restores the newest complete checkpoint there and the consumer starts at that checkpoint's
/// offset (no checkpoint: the committed group offset, else <see cref="KafkaSourceOptions.StartFrom"/>). When it is
/// revoked (cooperative-sticky moves only what must move), the task stops gracefully, takes a final checkpoint that
/// keeps its open windows, commits its offset and releases everything. Offsets are committed only for completed
/// checkpoints, never automatically. A member that dies leaves its last complete checkpoints behind; the member
/// that takes its partitions over resumes from them, so results after them are produced again (at-least-once).
/// </para>
/// <para>
/// One poll thread reads every partition: each message value becomes a line of its partition's chunk, chunks go to
/// the partition's pipeline through a bounded hand-off (backpressure stops the poll loop, not the heartbeats).
/// </para>
/// </summary>
public sealed class KafkaPipelineGroup : IAsyncDisposable
{
    private static readonly TimeSpan TaskTimeout = TimeSpan.FromMinutes(2);

    private readonly KafkaSourceOptions _options;
    private readonly PipelineOptions _pipelineOptions;
    private readonly Func<KafkaPartitionTaskContext, PipelineDefinition> _factory;
    private readonly IDeadLetterSink _deadLetters;
    private readonly KafkaDeadLetterTopic? _deadLetterTopic;
    private readonly Action<string>? _log;
    private readonly IKafkaValueTranscoder? _values;
    private readonly KafkaValueHolds? _holds;
    private IConsumer<Ignore, KafkaPayload>? _consumer;
    private readonly Lock _lock = new();
    private readonly Dictionary<int, KafkaPartitionTask> _tasks = [];
    private KafkaPartitionTask[] _active = [];
    private KafkaPartitionTask?[] _byPartition = [];
    private readonly ConcurrentQueue<(int Partition, long Offset)> _commits = new();
    private readonly KafkaPayloadDeserializer _payload = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Thread? _thread;
    private readonly Lock _commitLock = new();
    private readonly SemaphoreSlim _commitSignal = new(0);
    private volatile bool _polling = true;
    private volatile bool _stopping;
    private volatile bool _killed;
    private long _recordsOfEndedTasks;
    private KafkaGroupTotals _endedTotals;
    private long _commitsDone;
    private long _assignments;

    /// <param name="options">Topic, group, checkpoint store and consumer settings.</param>
    /// <param name="pipelineOptions">Options every partition's pipeline starts from (workers default to 1, so a checkpoint restores anywhere).</param>
    /// <param name="factory">Builds a partition's pipeline from its context.</param>
    /// <param name="deadLetters">Where undecodable messages go when <see cref="KafkaSourceOptions.DeadLetterTopic"/> is not set.</param>
    /// <param name="log">One line per assignment, revocation, restore and commit failure; null = silent.</param>
    /// <param name="values">Turns each message value into the line the parser reads (Avro → telemetry NDJSON: <c>AvroTelemetryNdjsonTranscoder</c>); rejected values are dead-lettered with their offset. Null = values are NDJSON already.</param>
    public KafkaPipelineGroup(KafkaSourceOptions options, PipelineOptions pipelineOptions, Func<KafkaPartitionTaskContext, PipelineDefinition> factory,
        IDeadLetterSink? deadLetters = null, Action<string>? log = null, IKafkaValueTranscoder? values = null)
    {
        _values = values;
        _options = options.Validate();
        if (values is not null) _holds = new KafkaValueHolds(values, options.EffectiveName, log);
        _pipelineOptions = pipelineOptions.Validate();
        _factory = factory;
        _log = log;
        if (options.DeadLetterTopic is { } topic) _deadLetterTopic = new KafkaDeadLetterTopic(options.BootstrapServers, topic);
        _deadLetters = _deadLetterTopic ?? deadLetters ?? pipelineOptions.DeadLetters ?? new CountingDeadLetterSink();
    }

    /// <summary>Ends when the member has left the group (stop, kill) or failed (with the first error).</summary>
    public Task Completion => _completion.Task;

    /// <summary>The dead-letter sink in use.</summary>
    public IDeadLetterSink DeadLetters => _deadLetters;

    /// <summary>Partitions this member works on now.</summary>
    public IReadOnlyList<int> AssignedPartitions
    {
        get
        {
            lock (_lock) return [.. _tasks.Keys.Order()];
        }
    }

    /// <summary>Records parsed by this member's tasks, ended ones included.</summary>
    public long RecordsIn
    {
        get
        {
            lock (_lock) return Interlocked.Read(ref _recordsOfEndedTasks) + _tasks.Values.Sum(t => t.Running?.Stats.Records ?? 0);
        }
    }

    /// <summary>Totals over this member's partition pipelines, ended ones included (for run summaries).</summary>
    public KafkaGroupTotals Totals
    {
        get
        {
            lock (_lock)
            {
                var t = _endedTotals;
                foreach (var task in _tasks.Values)
                {
                    if (task.Running?.Stats is { } s) t = t.Add(s);
                }
                return t;
            }
        }
    }

    /// <summary>Poll-thread diagnostics (benchmarks): polls that returned no message, time waiting for a task to take a chunk, messages, chunks.</summary>
    internal long EmptyPolls, HandOffWaitTicks, MessagesPolled, ChunksHandedOff;

    /// <summary>Offset commits done (one per completed checkpoint of a partition, at most).</summary>
    public long CommitsDone => Interlocked.Read(ref _commitsDone);

    /// <summary>Partitions assigned so far (restores included).</summary>
    public long Assignments => Interlocked.Read(ref _assignments);

    /// <summary>Joins the group and starts polling on a thread of its own.</summary>
    public void Start()
    {
        if (_thread is not null) throw new InvalidOperationException("Already started.");
        _thread = new Thread(Run) { IsBackground = true, Name = "kafka-poll " + _options.Topic };
        _thread.Start();
    }

    /// <summary>Leaves the group gracefully: every task checkpoints and commits, then the consumer closes.</summary>
    public Task StopAsync()
    {
        _stopping = true;
        return Completion;
    }

    /// <summary>
    /// A crash, for tests and drills: every task is aborted with no final checkpoint and no commit, and the consumer is
    /// dropped without leaving the group, which moves the partitions when the session times out.
    /// </summary>
    public Task KillAsync()
    {
        _killed = true;
        lock (_lock)
        {
            foreach (var t in _tasks.Values) t.Abort();
        }
        return Completion;
    }

    private void Run()
    {
        try
        {
            var consumer = new ConsumerBuilder<Ignore, KafkaPayload>(_options.ToConsumerConfig())
                .SetValueDeserializer(_payload)
                .SetPartitionsAssignedHandler(OnAssigned)
                .SetPartitionsRevokedHandler(OnRevoked)
                .SetPartitionsLostHandler(OnLost)
                .SetLogHandler((_, m) =>
                {
                    if (m.Level <= SyslogLevel.Warning) _log?.Invoke($"{_options.EffectiveName}: librdkafka {m.Level}: {m.Message}");
                })
                .SetErrorHandler((_, e) => _log?.Invoke($"{_options.EffectiveName}: {(e.IsFatal ? "fatal " : "")}error {e.Code}: {e.Reason}"))
                .Build();
            _consumer = consumer;
            try
            {
                consumer.Subscribe(_options.Topic);
                var committer = new Thread(() => CommitLoop(consumer)) { IsBackground = true, Name = "kafka-commit " + _options.Topic };
                committer.Start();
                try
                {
                    Poll(consumer);
                }
                finally
                {
                    _polling = false;
                    committer.Join();
                }
                if (!_killed) consumer.Close(); // revokes every partition: final checkpoints and commits
            }
            finally
            {
                if (_killed) AbortAll();
                // Without Close the member does not leave: the group moves its partitions after the session timeout.
                consumer.Dispose();
            }
            _completion.TrySetResult();
        }
        catch (Exception e)
        {
            AbortAll();
            _completion.TrySetException(e);
        }
    }

    private void Poll(IConsumer<Ignore, KafkaPayload> consumer)
    {
        // The linger is timed on the coarse clock (a few ms resolution, next to no cost): reading Stopwatch three times
        // per message took a sixth of this thread's time in the Kafka benchmark.
        var linger = (long)_options.ChunkLinger.TotalMilliseconds;
        var lastHandOff = Environment.TickCount64;
        while (!_stopping && !_killed)
        {
            var result = consumer.Consume(_options.ChunkLinger);
            if (result?.Message is not null) MessagesPolled++;
            else EmptyPolls++;
            if (result?.Message is not null && TaskOf(result.Partition.Value) is { } task)
            {
                if (task.SkipBeforeMs >= 0)
                {
                    // Start from a timestamp, found by scanning: skip (but pass the offsets of) what came before it.
                    if (result.Message.Timestamp.UnixTimestampMs < task.SkipBeforeMs) task.Builder.Append([], result.Offset.Value);
                    else task.SkipBeforeMs = -1;
                }
                if (task.SkipBeforeMs < 0) Append(task, result.Partition.Value, result.Offset.Value);
                if (task.Builder.Length >= _options.ChunkBytes) HandOff(task);
            }
            var now = Environment.TickCount64;
            if (result is null || now - lastHandOff >= linger)
            {
                if (_holds is { AnyReady: true }) ReadHeldAgain(consumer);
                foreach (var t in _active) HandOff(t);
                lastHandOff = now;
                // Once per hand-off round (not on every message of the coarse clock's current tick): a failed pipeline stops the group.
                foreach (var t in _active)
                {
                    if (t.Completion.IsFaulted) throw new InvalidOperationException($"The pipeline of {t.Source.Name} failed: {t.Completion.Exception!.InnerException!.Message}", t.Completion.Exception.InnerException);
                }
            }
        }
    }

    /// <summary>
    /// Appends the message last consumed to its task's chunk — as it is, or as the transcoder's line (Avro → telemetry
    /// NDJSON, say). A value the transcoder rejects goes straight to the dead letters with its topic, partition and
    /// offset; its offset still advances, so the checkpoint after it covers it.
    /// </summary>
    private void Append(KafkaPartitionTask task, int partition, long offset)
    {
        var value = _payload.Last;
        if (_values is null)
        {
            task.Builder.Append(value, offset);
            return;
        }
        if (task.HeldAt >= 0)
        {
            // Held at a value that was not ready: drop what comes until the held message is read again.
            if (!task.HoldReleased || offset != task.HeldAt) return;
            task.HeldAt = -1;
        }
        if (value.IsEmpty)
        {
            task.Builder.Append(value, offset);
            return;
        }
        bool transcoded;
        ReadOnlySpan<byte> line;
        string? reason;
        try
        {
            transcoded = _values.TryTranscodeWithoutWaiting(value, out line, out reason);
        }
        catch (KafkaValueNotReadyException e)
        {
            // Not the message's fault (a schema to fetch, a registry outage): stop reading this partition here, fetch off this thread.
            _consumer!.Pause([new TopicPartition(_options.Topic, partition)]);
            _holds!.Hold(task, offset, value, e.Message);
            return;
        }
        if (transcoded)
        {
            task.Builder.Append(line, offset);
            return;
        }
        _deadLetters.Write(_options.Topic, partition, offset, reason ?? "rejected by the value transcoder", value);
        task.Builder.Append([], offset);
    }

    /// <summary>Poll thread: resumes the held partitions whose value is ready, from the held message.</summary>
    private void ReadHeldAgain(IConsumer<Ignore, KafkaPayload> consumer)
    {
        foreach (var task in _holds!.TakeReady())
        {
            var tp = new TopicPartition(_options.Topic, task.Source.KafkaPartition);
            if (TaskOf(tp.Partition.Value) != task) continue; // revoked meanwhile: its next owner starts from the last checkpoint
            try
            {
                consumer.Resume([tp]);
                consumer.Seek(new TopicPartitionOffset(tp, task.HeldAt));
            }
            catch (KafkaException e)
            {
                _log?.Invoke($"{_options.EffectiveName}: could not resume {task.Source.Name} at offset {task.HeldAt}: {e.Error.Reason}");
                throw;
            }
        }
    }

    /// <summary>Poll thread only (the only writer of the task table, in the rebalance callbacks): no lock needed to read.</summary>
    private KafkaPartitionTask? TaskOf(int partition) => (uint)partition < (uint)_byPartition.Length ? _byPartition[partition] : null;

    /// <summary>Rebuilds the poll thread's lookup tables after the task table changed (under the lock).</summary>
    private void Reindex()
    {
        _active = [.. _tasks.Values];
        var table = new KafkaPartitionTask?[_tasks.Count == 0 ? 0 : _tasks.Keys.Max() + 1];
        foreach (var (p, t) in _tasks) table[p] = t;
        _byPartition = table;
    }

    /// <summary>Gives the task what its builder gathered; waits while the pipeline is behind (backpressure).</summary>
    private void HandOff(KafkaPartitionTask task)
    {
        if (task.Builder.Take() is not { } taken) return;
        ChunksHandedOff++;
        var before = Stopwatch.GetTimestamp();
        while (!task.Source.TryOffer(taken.Chunk, taken.Offsets))
        {
            HandOffWaitTicks += Stopwatch.GetTimestamp() - before;
            before = Stopwatch.GetTimestamp();
            if (_killed || _stopping || task.Completion.IsCompleted)
            {
                // Not taken, so not in any checkpoint: the next owner reads these offsets again.
                taken.Chunk.Dispose();
                taken.Offsets.Release();
                return;
            }
            task.Source.WaitToOfferAsync(CancellationToken.None).AsTask().Wait(TimeSpan.FromMilliseconds(100));
        }
    }

    /// <summary>
    /// Commits completed checkpoints' offsets on a thread of its own: a commit is a round trip to the group coordinator,
    /// and the poll loop must not wait for it (librdkafka's commit is thread-safe). Revocation commits itself, in the callback.
    /// </summary>
    private void CommitLoop(IConsumer<Ignore, KafkaPayload> consumer)
    {
        while (_polling && !_killed)
        {
            _commitSignal.Wait(TimeSpan.FromMilliseconds(200));
            if (_killed) return;
            CommitCompleted(consumer, null);
        }
    }

    /// <summary>Commits the offsets of completed checkpoints, for partitions still owned (or in <paramref name="leaving"/>).</summary>
    private void CommitCompleted(IConsumer<Ignore, KafkaPayload> consumer, IReadOnlySet<int>? leaving)
    {
        // One commit at a time, so an older offset never lands after a newer one.
        lock (_commitLock) CommitCompletedLocked(consumer, leaving);
    }

    private void CommitCompletedLocked(IConsumer<Ignore, KafkaPayload> consumer, IReadOnlySet<int>? leaving)
    {
        if (_commits.IsEmpty) return;
        var latest = new Dictionary<int, long>();
        while (_commits.TryDequeue(out var c)) latest[c.Partition] = Math.Max(latest.GetValueOrDefault(c.Partition, -1), c.Offset);
        var offsets = new List<TopicPartitionOffset>(latest.Count);
        foreach (var (partition, offset) in latest)
        {
            bool owned;
            lock (_lock) owned = _tasks.ContainsKey(partition);
            if (owned || leaving?.Contains(partition) == true)
                offsets.Add(new TopicPartitionOffset(_options.Topic, partition, offset));
        }
        if (offsets.Count == 0) return;
        // Dead letters before the offsets that pass them: a committed offset never covers a letter still in flight.
        if (_deadLetterTopic is not null && !_deadLetterTopic.Flush(TimeSpan.FromSeconds(30)))
        {
            _log?.Invoke($"{_options.EffectiveName}: dead letters not acknowledged in 30 s; offsets not committed this time");
            foreach (var o in offsets) _commits.Enqueue((o.Partition.Value, o.Offset.Value));
            return;
        }
        try
        {
            consumer.Commit(offsets);
            Interlocked.Add(ref _commitsDone, offsets.Count);
        }
        catch (KafkaException e)
        {
            // Not fatal: the checkpoint holds the offset, and the next completed checkpoint commits a later one.
            _log?.Invoke($"{_options.EffectiveName}: offset commit failed ({e.Error.Code}: {e.Error.Reason}); the next checkpoint commits again");
        }
    }

    private IEnumerable<TopicPartitionOffset> OnAssigned(IConsumer<Ignore, KafkaPayload> consumer, List<TopicPartition> partitions)
    {
        if (_killed) return partitions.Select(tp => new TopicPartitionOffset(tp, Offset.Unset)).ToList();
        var started = new List<(TopicPartition Partition, KafkaPartitionTask Task)>();
        foreach (var tp in partitions)
        {
            var task = CreateTask(tp.Partition.Value, consumer);
            lock (_lock)
            {
                _tasks[tp.Partition.Value] = task;
                Reindex();
            }
            started.Add((tp, task));
            Interlocked.Increment(ref _assignments);
        }
        var result = new List<TopicPartitionOffset>(started.Count);
        foreach (var (tp, task) in started)
        {
            // The pipeline asks for its first chunk only after recovery: then the start offset is known.
            var ready = Task.WhenAny(task.Source.Started, task.Completion);
            if (!ready.Wait(TaskTimeout)) throw new TimeoutException($"{task.Source.Name}: the pipeline did not start within {TaskTimeout.TotalSeconds:0} s.");
            if (task.Completion.IsFaulted)
                throw new InvalidOperationException($"{task.Source.Name}: the pipeline failed to start: {task.Completion.Exception!.InnerException!.Message}", task.Completion.Exception.InnerException);
            var offset = task.Source.RestoredOffset >= 0 ? new Offset(task.Source.RestoredOffset) : StartOffset(consumer, tp, task);
            _log?.Invoke($"{_options.EffectiveName}: assigned {task.Source.Name}, starting at {(task.Source.RestoredOffset >= 0 ? $"checkpointed offset {offset.Value}" : offset.IsSpecial ? "the committed offset or " + _options.StartFrom.ToString().ToLowerInvariant() : $"offset {offset.Value}")}");
            result.Add(new TopicPartitionOffset(tp, offset));
        }
        return result;
    }

    /// <summary>
    /// Start of a partition without a checkpoint: the committed offset if any (Unset), else the configured start. A
    /// timestamp start asks the broker (ListOffsets by time); when it names no offset — no message that late, or a
    /// broker that cannot look up by time, like librdkafka's mock — it scans from the beginning and skips messages
    /// stamped before the start, which gives the same first message either way.
    /// </summary>
    private Offset StartOffset(IConsumer<Ignore, KafkaPayload> consumer, TopicPartition tp, KafkaPartitionTask task)
    {
        if (_options.StartFrom != KafkaStartFrom.Timestamp) return Offset.Unset;
        var committed = consumer.Committed([tp], TimeSpan.FromSeconds(30));
        if (committed.Count == 1 && committed[0].Offset != Offset.Unset) return Offset.Unset;
        var start = _options.StartTimestamp!.Value;
        var found = consumer.OffsetsForTimes([new TopicPartitionTimestamp(tp, new Timestamp(start))], TimeSpan.FromSeconds(30));
        if (found.Count == 1 && !found[0].Offset.IsSpecial) return found[0].Offset;
        task.SkipBeforeMs = start.ToUnixTimeMilliseconds();
        return Offset.Beginning;
    }

    private KafkaPartitionTask CreateTask(int partition, IConsumer<Ignore, KafkaPayload> consumer)
    {
        var source = new KafkaPartitionSource(_options.Topic, partition, (_, offset) =>
        {
            _commits.Enqueue((partition, offset));
            try
            {
                _commitSignal.Release();
            }
            catch (ObjectDisposedException)
            {
                // The group is gone; the checkpoint still holds the offset.
            }
        });
        var symbols = new SymbolTable();
        var options = _pipelineOptions with
        {
            Workers = _pipelineOptions.Workers > 0 ? _pipelineOptions.Workers : 1,
            DeadLetters = new KafkaPoisonPillRouter(source, _deadLetters),
            Checkpoint = new CheckpointOptions
            {
                Directory = Path.Combine(_options.CheckpointDirectory, $"{_options.Topic}-{partition}"),
                Interval = _options.CheckpointInterval,
                Retain = _options.CheckpointRetain,
                Participants = [new SymbolTableCheckpoint(symbols)],
                Log = _log is null ? null : line => _log($"{source.Name}: {line}"),
            },
        };
        var context = new KafkaPartitionTaskContext(source, symbols, options, consumer.ConsumerGroupMetadata);
        var task = new KafkaPartitionTask(source, context, _options.ChunkBytes);
        task.Start(_factory(context));
        return task;
    }

    private void OnRevoked(IConsumer<Ignore, KafkaPayload> consumer, List<TopicPartitionOffset> partitions)
    {
        var leaving = Remove(partitions.Select(p => p.Partition.Value));
        foreach (var t in leaving)
        {
            if (_killed) t.Abort();
            else t.RequestStop();
        }
        foreach (var t in leaving)
        {
            if (!t.WaitEnded(TaskTimeout)) _log?.Invoke($"{t.Source.Name}: the pipeline did not stop within {TaskTimeout.TotalSeconds:0} s");
        }
        if (!_killed) CommitCompleted(consumer, leaving.Select(t => t.Source.KafkaPartition).ToHashSet());
        foreach (var t in leaving)
        {
            _log?.Invoke($"{_options.EffectiveName}: revoked {t.Source.Name} at offset {t.Source.NextOffset}{(t.Completion.IsCompletedSuccessfully ? " (final checkpoint taken)" : "")}");
            Release(t);
        }
    }

    private void OnLost(IConsumer<Ignore, KafkaPayload> consumer, List<TopicPartitionOffset> partitions)
    {
        // Another member may own them already: no checkpoint, no commit; its owner resumes from the last complete ones.
        var lost = Remove(partitions.Select(p => p.Partition.Value));
        foreach (var t in lost) t.Abort();
        foreach (var t in lost)
        {
            t.WaitEnded(TaskTimeout);
            _log?.Invoke($"{_options.EffectiveName}: lost {t.Source.Name}");
            Release(t);
        }
    }

    private List<KafkaPartitionTask> Remove(IEnumerable<int> partitions)
    {
        var removed = new List<KafkaPartitionTask>();
        lock (_lock)
        {
            foreach (var p in partitions)
            {
                if (_tasks.Remove(p, out var t)) removed.Add(t);
            }
            Reindex();
        }
        return removed;
    }

    private void Release(KafkaPartitionTask task)
    {
        Interlocked.Add(ref _recordsOfEndedTasks, task.Running?.Stats.Records ?? 0);
        if (task.Running?.Stats is { } stats)
        {
            lock (_lock) _endedTotals = _endedTotals.Add(stats);
        }
        task.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    private void AbortAll()
    {
        var all = Remove(TaskIds());
        foreach (var t in all) t.Abort();
        foreach (var t in all)
        {
            t.WaitEnded(TaskTimeout);
            Release(t);
        }
    }

    private List<int> TaskIds()
    {
        lock (_lock) return [.. _tasks.Keys];
    }

    /// <summary>Stops gracefully if still running, then releases the dead-letter producer.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_thread is not null && !Completion.IsCompleted)
        {
            try
            {
                await StopAsync();
            }
            catch (Exception e)
            {
                _log?.Invoke($"{_options.EffectiveName}: stopped with an error: {e.Message}");
            }
        }
        _deadLetterTopic?.Dispose();
        _holds?.Dispose();
        _commitSignal.Dispose();
    }
}
