using System.Diagnostics;
using System.Threading.Channels;
using Platform.Engine.Batching;
using Platform.Engine.Contracts;
using Platform.Engine.DeadLetters;
using Platform.Engine.Metrics;

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
    private readonly Channel<Chunk> _chunks;
    private readonly Channel<Exchange<T>>[] _inboxes;
    private readonly Channel<Batch<TOut>> _toSinks;
    private readonly ChunkOrderWatermark _watermark;
    private readonly IDeadLetterSink _deadLetters;
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
        _chunks = Channel.CreateBounded<Chunk>(new BoundedChannelOptions(Math.Max(2, _workerCount * 2))
        { SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
        _inboxes = new Channel<Exchange<T>>[_workerCount];
        for (var i = 0; i < _workerCount; i++)
        {
            // Not SingleReader: a worker may leave a wait pending (WhenAny) and start another.
            _inboxes[i] = Channel.CreateBounded<Exchange<T>>(new BoundedChannelOptions(o.ChannelCapacity)
            { FullMode = BoundedChannelFullMode.Wait });
        }
        _toSinks = Channel.CreateBounded<Batch<TOut>>(new BoundedChannelOptions(o.ChannelCapacity)
        { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _watermark = new ChunkOrderWatermark(plan.Source.Partitions, o.EventTime, o.Clock);
        _deadLetters = o.DeadLetters ?? new CountingDeadLetterSink();
    }

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

        var source = Task.Run(() => ReadSourceAsync(stop, token), token);
        var workers = _workers.Select(w => Task.Run(() => w.RunAsync(token), token)).ToArray();
        var sinks = Task.Run(() => WriteSinksAsync(token), token);
        try
        {
            await FirstFailureAsync([source, .. workers], abort);
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
            while (_chunks.Reader.TryRead(out var c)) c.Dispose();
        }
        return new PipelineResult(_stats.Bytes, _stats.Records, _stats.Rejected, _stats.Output, _stats.Late, clock.Elapsed);
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
        long sequence = 0;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                Chunk? chunk;
                try
                {
                    chunk = await source.ReadAsync(stop);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    break;
                }
                if (chunk is null) break;
                chunk.Sequence = sequence++;
                Interlocked.Add(ref _stats.BytesIn, chunk.Length);
                Interlocked.Increment(ref _stats.ChunksIn);
                // A chunk the source handed over is never dropped by a graceful stop: only abort cancels this write.
                await _chunks.Writer.WriteAsync(chunk, abort);
            }
        }
        finally
        {
            _chunks.Writer.TryComplete();
        }
    }

    private async Task WriteSinksAsync(CancellationToken abort)
    {
        await foreach (var batch in _toSinks.Reader.ReadAllAsync(abort))
        {
            try
            {
                foreach (var sink in _sinks) await sink.WriteAsync(batch, abort);
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
