using System.Diagnostics;
using System.Threading.Channels;
using Platform.Engine.Batching;
using Platform.Engine.Checkpoints;
using Platform.Engine.Contracts;
using Platform.Engine.DeadLetters;
using Platform.Engine.Metrics;
using Platform.Engine.Tracing;

namespace Platform.Engine.Runtime;

/// <summary>
/// Runs source → N workers (parse, fused stateless operators, key exchange, keyed operator) → sinks.
/// Every channel is bounded, so a slow sink stalls the workers and then the source: backpressure
/// end to end, nothing dropped.
/// </summary>
internal sealed partial class JobRunner<T, TTime, TKey, TOut> : IJobRunner
    where T : struct
    where TTime : struct, IEventTimeSelector<T>
    where TKey : struct, IKeySelector<T>
    where TOut : struct
{
    private readonly JobPlan _plan;
    private readonly IChunkParser<T> _parser;
    private readonly IReadOnlyList<IBatchOperator<T, T>> _stateless;
    private readonly Func<IKeyedOperator<T, TOut>> _operatorFactory;
    private readonly ISink<TOut>[] _sinks;
    private readonly bool _partitioned;
    private readonly int _workerCount;
    private readonly PipelineStats _stats = new();
    private readonly BatchPool<T> _recordPool;
    private readonly BatchPool<TOut> _outputPool;
    private readonly Channel<SourceItem> _chunks;
    private readonly Channel<Exchange<T>>[] _inboxes;
    private readonly Channel<SinkItem<TOut>> _toSinks;
    private readonly ChunkOrderWatermark _watermark;
    private readonly IDeadLetterSink _deadLetters;
    private readonly CheckpointCoordinator? _checkpoints;
    private volatile bool _suspend;
    private Worker[] _workers = [];

    public JobRunner(JobPlan plan, IChunkParser<T> parser, IReadOnlyList<IBatchOperator<T, T>> stateless,
        Func<IKeyedOperator<T, TOut>> operatorFactory, ISink<TOut>[] sinks, bool partitioned)
    {
        _plan = plan;
        _parser = parser;
        _stateless = stateless;
        _operatorFactory = operatorFactory;
        _sinks = sinks;
        _partitioned = partitioned;
        var o = plan.Options;
        _workerCount = o.EffectiveWorkers;
        _recordPool = new BatchPool<T>(o.BatchSize);
        _outputPool = new BatchPool<TOut>(o.BatchSize);
        _chunks = Channel.CreateBounded<SourceItem>(new BoundedChannelOptions(Math.Max(2, _workerCount * 2))
        { SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
        _inboxes = new Channel<Exchange<T>>[_workerCount];
        for (var i = 0; i < _workerCount; i++)
        {
            // Not SingleReader: a worker may leave a wait pending (WhenAny) and start another.
            _inboxes[i] = Channel.CreateBounded<Exchange<T>>(new BoundedChannelOptions(o.ChannelCapacity)
            { FullMode = BoundedChannelFullMode.Wait });
        }
        _toSinks = Channel.CreateBounded<SinkItem<TOut>>(new BoundedChannelOptions(o.ChannelCapacity)
        { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _watermark = new ChunkOrderWatermark(plan.Source.Partitions, o.EventTime, o.Clock);
        _deadLetters = o.DeadLetters ?? new CountingDeadLetterSink();
        if (o.Checkpoint is { } c)
        {
            _checkpoints = new CheckpointCoordinator(c, plan.Name, Fingerprint(plan), _workerCount, plan.Source, _stats);
        }
    }

    /// <summary>The pipeline's shape up to its sinks: a checkpoint restores only into the same shape.</summary>
    private static string Fingerprint(JobPlan plan) =>
        string.Join(" → ", plan.Stages.Where(s => s.Kind != StageKind.Sink).Select(s => s.Name));

    /// <summary>Batches rented and not returned (0 after a clean run).</summary>
    internal long OutstandingBatches => _recordPool.Outstanding + _outputPool.Outstanding;

    public RunningPipeline Start(CancellationToken stop)
    {
        var abort = CancellationTokenSource.CreateLinkedTokenSource(CancellationToken.None);
        var completion = RunAsync(abort, stop);
        return new RunningPipeline(_stats, completion, abort);
    }

    private async Task<PipelineResult> RunAsync(CancellationTokenSource abort, CancellationToken stop)
    {
        await Task.Yield();
        var clock = Stopwatch.StartNew();
        var token = abort.Token;
        using var metrics = new EngineMetrics(_plan.Name, _stats);
        foreach (var sink in _sinks) await sink.OpenAsync(token);
        _workers = new Worker[_workerCount];
        for (var i = 0; i < _workerCount; i++) _workers[i] = new Worker(this, i);
        if (_checkpoints?.Recover() is { } restored)
        {
            foreach (var w in _workers) w.Restore(restored);
        }

        var source = Task.Run(() => ReadSourceAsync(stop, token), token);
        var workers = _workers.Select(w => Task.Run(() => w.RunAsync(token), token)).ToArray();
        var sinks = Task.Run(() => WriteSinksAsync(token), token);
        try
        {
            await FirstFailureAsync([source, .. workers, WatchSinksAsync(sinks, Task.WhenAll([source, .. workers]))], abort);
            if (FinalCheckpointAtEndOfInput) await FinalCheckpointAsync(token);
            _toSinks.Writer.TryComplete();
            await sinks;
        }
        catch
        {
            abort.Cancel();
            _toSinks.Writer.TryComplete();
            await Task.WhenAll([source, sinks, .. workers]).ContinueWith(_ => { }, TaskScheduler.Default);
            throw;
        }
        finally
        {
            foreach (var w in _workers) w.Release();
            while (_chunks.Reader.TryRead(out var c)) c.Chunk?.Dispose();
        }
        return new PipelineResult(_stats.Bytes, _stats.Records, _stats.Rejected, _stats.Output, _stats.Late, clock.Elapsed);
    }

    /// <summary>
    /// The input ended (no stop asked): a checkpoint with checkpoints on and something acting on completed ones — a
    /// transactional sink commits with it, a source commits offsets with it. Without it the results after the last
    /// periodic checkpoint would never be committed (Flink's final checkpoint). A plain bounded run keeps the old way:
    /// a re-run resumes from its last periodic checkpoint.
    /// </summary>
    private bool FinalCheckpointAtEndOfInput =>
        _checkpoints is not null && !_suspend && (_plan.Source is ICheckpointCommitSource || _sinks.Any(s => s is ICheckpointAwareSink));

    /// <summary>
    /// Every worker has fired its windows and sent its results, so a checkpoint now holds them all: positions at the
    /// end of the input, each worker's state, one barrier per worker after its last results; the sink task completes it.
    /// </summary>
    private async ValueTask FinalCheckpointAsync(CancellationToken abort)
    {
        var id = _checkpoints!.Begin();
        foreach (var w in _workers) await w.SnapshotAtEndAsync(id, abort);
    }

    /// <summary>Fails when the sink task fails before the source and workers are done (they would wait on it forever).</summary>
    private static async Task WatchSinksAsync(Task sinks, Task upstream)
    {
        if (await Task.WhenAny(sinks, upstream) == sinks) await sinks;
    }

    /// <summary>Awaits all tasks, cancelling the rest as soon as one fails.</summary>
    private static async Task FirstFailureAsync(Task[] tasks, CancellationTokenSource abort)
    {
        var pending = tasks.ToList();
        while (pending.Count > 0)
        {
            var done = await Task.WhenAny(pending);
            if (done.IsFaulted || done.IsCanceled)
            {
                abort.Cancel();
                await done; // rethrows
            }
            pending.Remove(done);
        }
    }

    private async Task ReadSourceAsync(CancellationToken stop, CancellationToken abort)
    {
        var source = _plan.Source;
        var checkpoint = _plan.Options.Checkpoint;
        var time = _plan.Options.Clock;
        var interval = checkpoint is null ? 0 : (long)(checkpoint.Interval.TotalSeconds * time.TimestampFrequency);
        var nextCheckpoint = checkpoint is null ? long.MaxValue : time.GetTimestamp() + interval;
        var everyChunks = checkpoint?.BarrierEveryChunks ?? 0;
        var waitable = _checkpoints is null ? null : source as IWaitableSource;
        Task? waiting = null; // a wait for data that a checkpoint interrupted: it goes on after the barrier
        long sequence = 0;
        // A graceful stop ends a read (the source stops after its current chunk); so does an abort, at once.
        using var reading = CancellationTokenSource.CreateLinkedTokenSource(stop, abort);
        try
        {
            while (!stop.IsCancellationRequested)
            {
                if (_checkpoints is not null && (time.GetTimestamp() >= nextCheckpoint || (everyChunks > 0 && sequence > 0 && sequence % everyChunks == 0)))
                {
                    await InjectBarrierAsync(abort);
                    nextCheckpoint = time.GetTimestamp() + interval;
                }
                Chunk? chunk;
                try
                {
                    if (waitable is not null)
                    {
                        // Nothing to read yet? Then a checkpoint falling due is taken while the source waits.
                        waiting ??= waitable.WaitToReadAsync(reading.Token).AsTask();
                        if (!await CompletesBeforeAsync(waiting, nextCheckpoint, abort)) continue;
                        var ready = waiting;
                        waiting = null;
                        await ready;
                    }
                    chunk = await source.ReadAsync(reading.Token);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested && !abort.IsCancellationRequested)
                {
                    break;
                }
                if (chunk is null) break;
                chunk.Sequence = sequence++;
                Interlocked.Add(ref _stats.BytesIn, chunk.Length);
                Interlocked.Increment(ref _stats.ChunksIn);
                // A chunk the source handed over is never dropped by a graceful stop: only abort cancels this write.
                try
                {
                    await _chunks.Writer.WriteAsync(new SourceItem(chunk, 0), abort);
                }
                catch
                {
                    chunk.Dispose();
                    throw;
                }
            }
            if (_checkpoints is not null && stop.IsCancellationRequested)
            {
                // A daemon stop: the final checkpoint keeps open windows, which go on after a restart.
                _suspend = true;
                await InjectBarrierAsync(abort);
            }
        }
        finally
        {
            _chunks.Writer.TryComplete();
        }
    }

    /// <summary>True when <paramref name="task"/> completes before the clock reaches <paramref name="deadline"/> (a timestamp).</summary>
    private async ValueTask<bool> CompletesBeforeAsync(Task task, long deadline, CancellationToken abort)
    {
        if (task.IsCompleted) return true;
        var time = _plan.Options.Clock;
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(abort);
        for (long left; !task.IsCompleted && (left = deadline - time.GetTimestamp()) > 0;)
        {
            abort.ThrowIfCancellationRequested();
            // Task.Delay takes at most ~49 days; a longer wait goes round again.
            var delay = TimeSpan.FromSeconds(Math.Min(left / (double)time.TimestampFrequency, 86_400));
            await Task.WhenAny(task, Task.Delay(delay, time, timer.Token));
        }
        await timer.CancelAsync();
        return task.IsCompleted;
    }

    /// <summary>
    /// Starts a checkpoint: records the source's positions after the last chunk enqueued, then enqueues one
    /// barrier per worker. A worker that takes a barrier reads no more chunks until its checkpoint is done, so
    /// each worker takes exactly one, after every chunk enqueued before it has been taken.
    /// </summary>
    private async ValueTask InjectBarrierAsync(CancellationToken abort)
    {
        var id = _checkpoints!.Begin();
        for (var i = 0; i < _workerCount; i++) await _chunks.Writer.WriteAsync(new SourceItem(null, id), abort);
    }

    private async Task WriteSinksAsync(CancellationToken abort)
    {
        var barriers = new Dictionary<long, int>();
        await foreach (var item in _toSinks.Reader.ReadAllAsync(abort))
        {
            if (item.Batch is not { } batch)
            {
                var seen = barriers.GetValueOrDefault(item.Barrier) + 1;
                if (seen < _workerCount)
                {
                    barriers[item.Barrier] = seen;
                    continue;
                }
                barriers.Remove(item.Barrier);
                await CompleteCheckpointAsync(item.Barrier, abort);
                continue;
            }
            try
            {
                foreach (var sink in _sinks)
                {
                    using var span = EngineTracing.Enabled ? EngineTracing.StartBatch("sink", _plan.Name, sink.Name, ActivityKind.Client) : null;
                    if (span is not null) EngineTracing.TagRecords<TOut>(span, batch.Items);
                    await sink.WriteAsync(batch, abort);
                }
                Interlocked.Add(ref _stats.RecordsOut, batch.Count);
                Interlocked.Increment(ref _stats.BatchesOut);
            }
            finally
            {
                batch.Dispose();
            }
        }
        foreach (var sink in _sinks) await sink.FlushAsync(abort);
    }

    /// <summary>Every worker's barrier n is here, so every result before it is too: pre-commit (flush), complete, commit.</summary>
    private async ValueTask CompleteCheckpointAsync(long id, CancellationToken abort)
    {
        foreach (var sink in _sinks) await sink.FlushAsync(abort);
        var manifest = _checkpoints!.Complete(id);
        foreach (var sink in _sinks)
        {
            if (sink is ICheckpointAwareSink aware) await aware.CommitAsync(id, abort);
        }
        if (_plan.Source is ICheckpointCommitSource committing) committing.OnCheckpointComplete(id, manifest.Positions);
        _checkpoints.ApplyRetention();
    }

    /// <summary>Partition of a key among the workers (multiplicative hash, then a fast range reduction).</summary>
    private int WorkerOf(long key)
    {
        var h = (ulong)key * 0x9E3779B97F4A7C15UL;
        h ^= h >> 29;
        return (int)(((h & 0xFFFFFFFFUL) * (ulong)_workerCount) >> 32);
    }

    private void PublishWatermark()
    {
        var min = long.MaxValue;
        long late = 0;
        foreach (var w in _workers)
        {
            min = Math.Min(min, w.FiredWatermark);
            late += w.LateRecords;
        }
        Interlocked.Exchange(ref _stats.Watermark, min);
        Interlocked.Exchange(ref _stats.LateRecords, late);
        _stats.ChunkQueueDepth = _chunks.Reader.Count;
        _stats.SinkQueueDepth = _toSinks.Reader.Count;
    }
}
